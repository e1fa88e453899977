import type { DtmfMode, Failure, Provider } from '../../api/generated';
import type { CallSink } from '../../journal/call-sink';

export interface DialContext {
  /** The journal's id for this call (from `create_call`). */
  callId: string;
  sink: CallSink;
}

/** What a line can do in a call beyond hanging up and muting. */
export interface LineFeatures {
  hold: boolean;
  /** How DTMF digits are sent, or null when the line cannot send them. */
  dtmf: DtmfMode | null;
}

export const NO_FEATURES: LineFeatures = { hold: false, dtmf: null };

/**
 * One call through one provider, behind one interface (Echo, SIP, Telnyx, Twilio).
 * An adapter maps its provider's events onto the normalised states and keeps the raw events.
 */
export interface ProviderAdapter {
  readonly provider: Provider;
  /** How the dialer names this line, e.g. "Echo line (built in)". */
  readonly label: string;
  /**
   * Place the call. Resolves once the call is on its way (the answer comes later through the
   * sink); rejects when it could not be placed. Reports `dialing` before sending anything.
   * An adapter made for an incoming call answers it here instead (reporting `ringing` first).
   */
  dial(destination: string, context: DialContext): Promise<void>;
  /**
   * Hang up from our side (cancel before answer, bye after). Resolves with the provider's
   * confirmation (or a note that none came in time); never waits for long.
   */
  hangup(): Promise<unknown>;
  setMuted(muted: boolean): void;
  readonly features: LineFeatures;
  /** Put the call on hold or take it off (a re-INVITE). Throws when it cannot be done now. */
  setHeld(held: boolean): void;
  /** Send one DTMF digit (0-9, *, #, A-D) the line's way. Throws when it cannot be sent now. */
  sendDtmf(digit: string): void;
  peerConnection(): RTCPeerConnection | null;
  /**
   * The codes the provider itself put on our own hang-up, once `hangup()` has resolved (Telnyx's
   * SDK fills in USER_BUSY/17 before answer and NORMAL_CLEARING/16 after): kept in the end
   * record of a call ended `{by:'local'}`, where the diagnosis reads them as fill-ins.
   */
  hangupFailure?(): Failure | null;
  /** Stop the microphone, close the peer connection, stop listening. Safe to call twice. */
  dispose(): void;
}

/** A call ringing in on a line (any provider), offered to the user until Accept or Reject. */
export interface IncomingCall {
  /** The provider whose line it came in on (its module answers it). */
  readonly provider: Provider;
  /** The account (line) it came in on. */
  readonly account: string;
  /** The caller (number or SIP URI). */
  readonly from: string;
  readonly displayName: string | null;
  /** The user pressed Accept: from now on the adapter that answers it owns its end. */
  reserve(): void;
  /** Turn the call down (SIP answers 486 Busy Here, or the status given). */
  reject(status?: number, reason?: string): void;
  /** The call ended before it was answered (the caller gave up, or it timed out). */
  onGone(cb: () => void): () => void;
}

/** Thrown by a dial that stopped because the call was hung up meanwhile. */
export class DialAborted extends Error {
  constructor() {
    super('the call was hung up while dialling');
    this.name = 'DialAborted';
  }
}
