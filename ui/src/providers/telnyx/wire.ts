import type { WireMessage } from '../core/capture';
import type { FrameRoute } from '../core/line-core';
import type { TelnyxErrorPayload, TelnyxWarningPayload } from './events';
import type { VertoFrame } from './frames';
import type { SdkCall } from './sdk';

/** A captured Verto frame with what routing and the journal need of it. */
export interface VertoMessage extends WireMessage {
  frame: VertoFrame;
  /** The Telnyx call it belongs to (its own `callID`, or the request it answers). */
  callId: string | null;
}

/** Where a line sends what concerns one call: its frames, its state changes, its errors. */
export interface CallRoute extends FrameRoute<VertoMessage> {
  /** A `callUpdate` (the SDK may hand a new Call object with the same id after a re-attach). */
  update(call: SdkCall): void;
  error(payload: TelnyxErrorPayload): void;
  warning(payload: TelnyxWarningPayload): void;
}
