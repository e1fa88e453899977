import type { CallState, EventKind, EndInfo } from '../api/generated';
import type { SignalMessage } from './signal';

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
