/**
 * The shape of every signalling message in the journal (`kind: 'signal'`), whatever the
 * protocol: the Rust type `SignalMessage` (crates/core/src/api/types.rs).
 */
import type { JournalEvent, SignalMessage } from '../api/generated';

export type { SignalDirection, SignalMessage } from '../api/generated';

/**
 * A `signal` event's message, or null for any other event. The backend checks every signal
 * payload against SignalMessage before it journals it (`record_event`), so it is taken as it is.
 */
export function signalOf(event: JournalEvent): SignalMessage | null {
  return event.kind === 'signal' ? (event.payload as SignalMessage) : null;
}
