import type { SignalMessage } from '../../journal/signal';
import type { TelnyxErrorPayload, TelnyxWarningPayload } from './events';
import type { CapturedFrame } from './capture';
import type { VertoFrame } from './frames';
import type { SdkCall } from './sdk';

/** A captured Verto frame with what routing and the journal need of it. */
export interface VertoMessage {
  captured: CapturedFrame;
  frame: VertoFrame;
  /** The Telnyx call it belongs to (its own `callID`, or the request it answers). */
  callId: string | null;
  /** As the journal keeps it: redacted. */
  signal: SignalMessage;
}

/** Where a line sends what concerns one call: its frames, its state changes, its errors. */
export interface CallRoute {
  frame(message: VertoMessage): void;
  /** A `callUpdate` (the SDK may hand a new Call object with the same id after a re-attach). */
  update(call: SdkCall): void;
  error(payload: TelnyxErrorPayload): void;
  warning(payload: TelnyxWarningPayload): void;
}
