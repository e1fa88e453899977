import type { SignalMessage } from '../../calls/signal';
import type { Captured } from './capture';
import type { SipText } from './wire';

/** A captured SIP message with what routing and the journal need of it. */
export interface WireMessage {
  captured: Captured;
  /** Null when the text did not parse as SIP. */
  parsed: SipText | null;
  /** As the journal keeps it: redacted. */
  signal: SignalMessage;
}
