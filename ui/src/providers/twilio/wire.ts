import type { SignalMessage } from '../../journal/signal';
import type { CapturedFrame } from './capture';
import type { TwilioErrorPayload } from './events';
import type { PstreamFrame } from './frames';

/** A captured PStream frame with what routing and the journal need of it. */
export interface PstreamMessage {
  captured: CapturedFrame;
  frame: PstreamFrame;
  /** As the journal keeps it: redacted. */
  signal: SignalMessage;
}

/** Where a line sends what concerns one call: its frames, and Device errors that name it. */
export interface CallRoute {
  frame(message: PstreamMessage): void;
  error(payload: TwilioErrorPayload): void;
  /** An app-level happening the call should know of too (a token refresh during the call). */
  note(kind: 'action' | 'warning', payload: Record<string, unknown>): void;
}
