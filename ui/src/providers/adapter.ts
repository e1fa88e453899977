import type { CallState, DtmfMode, EndInfo, EventKind, Failure, Provider } from '../api/generated';
import type { SignalMessage } from '../calls/signal';

/** States an adapter reports while a call is up. `idle` is the call before dialling; `ended` goes through `ended()`. */
export type ProgressState = Exclude<CallState, 'idle' | 'ended'>;

/** Kinds of event the UI records (state changes go through `state`, signalling is the backend's). */
export type UiEventKind = Extract<EventKind, 'media' | 'stats' | 'action' | 'warning' | 'error' | 'probe'>;

/**
 * Where an adapter reports what its provider does. The call session behind it journals every
 * report in order, owns the timeline, and ends the call exactly once.
 */
export interface CallSink {
  /**
   * A normalised state with the provider's own event as it came. Resolves once it is journaled
   * (or failed to be: that is shown to the user); adapters await it only where order across
   * sources matters, e.g. `dialing` before the offer leaves.
   */
  state(state: ProgressState, raw: unknown): Promise<void>;
  /** The far end or the provider ended the call; `end` says who and with which codes. */
  ended(end: EndInfo, raw: unknown): void;
  /** Something broke on our side: the session hangs up the provider and ends the call `{by:'error'}`. */
  failed(message: string, raw: unknown): void;
  /** Any other event worth keeping (media, warnings, errors). */
  event(kind: UiEventKind, payload: unknown): void;
  /**
   * A signalling message this page sent or received (journaled as `source: 'signalling'`,
   * `kind: 'signal'`, in order with everything else). Secrets must already be redacted.
   * `capturedAt` (the session's clock, ms) is when it crossed the wire: journal writes queue up,
   * so the record says how long before its write the message was captured.
   */
  signal(message: SignalMessage, capturedAt?: number): void;
  /** The call's peer connection, as soon as it exists: media watch, stats and debugging use it. */
  peerConnection(pc: RTCPeerConnection): void;
}

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
 * One provider behind one interface: Echo, SIP and Telnyx now; Twilio later.
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
