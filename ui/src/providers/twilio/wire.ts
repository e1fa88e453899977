import type { WireMessage } from '../core/capture';
import type { FrameRoute } from '../core/line-core';
import type { TwilioErrorPayload } from './events';
import type { PstreamFrame } from './frames';

/** A captured PStream frame with what routing and the journal need of it. */
export interface PstreamMessage extends WireMessage {
  frame: PstreamFrame;
}

/** Where a line sends what concerns one call: its frames, and Device errors that name it. */
export interface CallRoute extends FrameRoute<PstreamMessage> {
  error(payload: TwilioErrorPayload): void;
  /** An app-level happening the call should know of too (a token refresh during the call). */
  note(kind: 'action' | 'warning', payload: Record<string, unknown>): void;
}
