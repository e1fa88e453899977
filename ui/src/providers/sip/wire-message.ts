import type { WireMessage } from '../core/capture';
import type { SipText } from './wire';

/** A captured SIP message with what routing and the journal need of it. */
export interface SipMessage extends WireMessage {
  /** Null when the text did not parse as SIP. */
  parsed: SipText | null;
}
