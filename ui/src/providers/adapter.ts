import type { CallState, EndInfo, EventKind, Provider } from '../api/generated';

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
  /** The call's peer connection, as soon as it exists: media watch, stats and debugging use it. */
  peerConnection(pc: RTCPeerConnection): void;
}

export interface DialContext {
  /** The journal's id for this call (from `create_call`). */
  callId: string;
  sink: CallSink;
}

/**
 * One provider behind one interface: Echo now; SIP, Telnyx and Twilio later.
 * An adapter maps its provider's events onto the normalised states and keeps the raw events.
 */
export interface ProviderAdapter {
  readonly provider: Provider;
  /** How the dialer names this line, e.g. "Echo line (built in)". */
  readonly label: string;
  /**
   * Place the call. Resolves once the call is on its way (the answer comes later through the
   * sink); rejects when it could not be placed. Reports `dialing` before sending anything.
   */
  dial(destination: string, context: DialContext): Promise<void>;
  /**
   * Hang up from our side (cancel before answer, bye after). Resolves with the provider's
   * confirmation (or a note that none came in time); never waits for long.
   */
  hangup(): Promise<unknown>;
  setMuted(muted: boolean): void;
  peerConnection(): RTCPeerConnection | null;
  /** Stop the microphone, close the peer connection, stop listening. Safe to call twice. */
  dispose(): void;
}
