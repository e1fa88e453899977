/**
 * The shape of every signalling message in the journal (`kind: 'signal'`), whatever the
 * protocol: the Rust type `SignalMessage` (crates/core/src/api/types.rs), which the backend
 * checks every signal payload against.
 */
import type { SignalMessage } from '../api/generated';

export type { SignalDirection, SignalMessage } from '../api/generated';

/** Whether a journal payload has the SignalMessage shape. */
export function isSignalMessage(payload: unknown): payload is SignalMessage {
  const p = payload as Partial<SignalMessage> | null;
  return (
    typeof p === 'object' &&
    p !== null &&
    (p.direction === 'sent' || p.direction === 'received') &&
    typeof p.protocol === 'string' &&
    typeof p.summary === 'string'
  );
}
