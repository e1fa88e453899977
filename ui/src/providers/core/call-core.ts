import { ApiFailure } from '../../api/errors';
import type { EndInfo } from '../../api/generated';
import type { CallSink, ProgressState } from '../../journal/call-sink';
import type { RemoteAudioPlayer } from '../../media/playback';
import { type DialContext, DialAborted, type LineFeatures, type ProviderAdapter } from './adapter';
import type { WireMessage } from './capture';
import { type AccountProvider, type CredentialsOf, type LineKind, seconds } from './line-core';
import { type RegistrationStatus, registrationText } from './registration';

/** What a call needs of its line (a LineCore). */
export interface CallLine<P extends AccountProvider> {
  readonly name: string;
  readonly kind: LineKind<P>;
  readonly status: RegistrationStatus;
  readonly clock: () => number;
  readonly refusal: Record<string, unknown> | null;
  readonly credentials: CredentialsOf<P> | null;
  ready(timeoutMs: number): Promise<RegistrationStatus>;
}

/** How long a call waits for each step (ms); tests pass shorter ones. */
export interface CallTimeouts {
  /** For its line to connect and register (or log in). */
  readyTimeoutMs: number;
  /** For the offer (or our answer) to leave, once dialling started. */
  offerTimeoutMs: number;
  /** On our hang-up, for the far end's (or the SDK's) confirmation. */
  hangupConfirmTimeoutMs: number;
}

/** A call we place through a line, or an incoming call the user accepted. */
export type Origin<L, I> = { kind: 'outgoing'; line: L } | { kind: 'incoming'; line: L; call: I };

/**
 * The lifecycle every provider's call shares, written once: dial (wait for the line, then place
 * or answer), report each state once, fail the dial when the offer does not leave in time or the
 * call is hung up meanwhile, journal the call's frames in order, hand the SDK's peer connection
 * to the session with its `close` held back (SDKs close it as the call ends; the session's final
 * stats sample comes after), end exactly once, and dispose once. A provider's call (its driver)
 * places and answers through its SDK, maps the SDK's events onto states and end records, and
 * hangs up.
 */
export abstract class CallCore<P extends AccountProvider, L extends CallLine<P>, I extends { releaseHeld(): void }, M extends WireMessage> implements ProviderAdapter {
  readonly provider: P;
  readonly label: string;
  abstract readonly features: LineFeatures;
  protected readonly origin: Origin<L, I>;
  protected sink: CallSink | null = null;
  /** Hung up or disposed: a dial under way stops. */
  protected aborted = false;
  protected disposed = false;
  readonly #audio: RemoteAudioPlayer | null;
  #reported: ProgressState | null = null;
  #dial: { done: () => void; failed: (error: unknown) => void } | null = null;
  #offerTimer: ReturnType<typeof setTimeout> | null = null;
  #endReported = false;
  readonly #endWaiters = new Set<() => void>();
  #unroute: (() => void) | null = null;
  #pc: RTCPeerConnection | null = null;
  /** The peer connections the SDK made for this call, with their real `close`. */
  readonly #closes = new Map<RTCPeerConnection, () => void>();
  #played = false;

  /** `audio`: where the far end's audio plays, or null when the SDK plays it itself. */
  protected constructor(origin: Origin<L, I>, audio: RemoteAudioPlayer | null) {
    this.origin = origin;
    this.provider = origin.line.kind.provider;
    this.label = `${origin.line.name} (${origin.line.kind.label})`;
    this.#audio = audio;
  }

  peerConnection(): RTCPeerConnection | null {
    return this.#pc;
  }

  async dial(destination: string, context: DialContext): Promise<void> {
    this.sink = context.sink;
    if (this.origin.kind === 'incoming') await this.answer(this.origin.call, context.sink);
    else await this.place(this.origin.line, destination, context.sink);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.abortDial();
    this.settleDial();
    for (const wake of [...this.#endWaiters]) wake();
    this.release();
    if (this.origin.kind === 'incoming' && !this.#unroute) this.origin.call.releaseHeld();
    this.#unroute?.();
    this.#unroute = null;
    for (const close of this.#closes.values()) close();
    this.#closes.clear();
    this.#audio?.stop();
  }

  // ---- what a provider's call supplies ----

  abstract hangup(): Promise<unknown>;
  abstract setMuted(muted: boolean): void;
  abstract setHeld(held: boolean): void;
  abstract sendDtmf(digit: string): void;
  /** Place the call through the SDK; resolves once the invite has left. */
  protected abstract place(line: L, destination: string, sink: CallSink): Promise<void>;
  /** Answer the incoming call through the SDK; resolves once our answer has left. */
  protected abstract answer(call: I, sink: CallSink): Promise<void>;
  /** Let go of the SDK's call on dispose (end it if it is still up, stop listening). */
  protected abstract release(): void;

  // ---- for the provider's call ----

  /**
   * Unless the line is registered already: `connecting` until it is, then `ready` (a line that
   * can call without a registration says why, as a warning). A refused line's reason goes to
   * the call's record too.
   */
  protected async whenLineReady(line: L, sink: CallSink, timeoutMs: number): Promise<void> {
    if (line.status.state === 'registered') return;
    void sink.state('connecting', { line: line.name, registration: line.status });
    let status: RegistrationStatus;
    try {
      status = await line.ready(timeoutMs);
    } catch (error) {
      const refused = line.refusal;
      if (refused) sink.event('error', { ...refused, during: 'register' });
      throw error;
    }
    this.checkAborted();
    if (status.state !== 'registered') {
      sink.event('warning', { message: `the line ${line.name} is not registered (${registrationText(status)}); calling anyway` });
    }
    void sink.state('ready', { line: line.name, registration: status });
  }

  /** The line's call credentials (it has started: `whenLineReady` waited for it). */
  protected credentialsOf(line: L): CredentialsOf<P> {
    const credentials = line.credentials;
    if (!credentials) throw new ApiFailure(`${this.provider}_line`, `the line ${line.name} has no credentials`);
    return credentials;
  }

  /** The state reported last. */
  protected get reported(): ProgressState | null {
    return this.#reported;
  }

  /** Report a state unless it is the one reported last. */
  protected report(state: ProgressState, raw: unknown): Promise<void> {
    if (this.#reported === state || !this.sink) return Promise.resolve();
    this.#reported = state;
    return this.sink.state(state, raw);
  }

  /** The far end or the SDK ended the call: reported once; a dial still waiting is done. */
  protected reportEnd(end: EndInfo, raw: unknown): void {
    if (this.#endReported) return;
    this.#endReported = true;
    this.sink?.ended(end, raw);
    // An incoming call that ends while being answered: the end is reported, the dial is done.
    this.dialSent();
  }

  /** We hang up (or give up): a dial under way stops. */
  protected abortDial(): void {
    this.aborted = true;
    this.failDial(new DialAborted());
  }

  protected checkAborted(): void {
    if (this.aborted) throw new DialAborted();
  }

  /**
   * Resolves when the invite (or our answer) leaves (`dialSent`); rejects when the dial fails
   * first (`failDial`, also on hang-up), or when nothing left within `timeoutMs`: then the
   * failure is `timedOut()`'s and `giveUp()` ends the SDK's call (its end is not news).
   */
  protected expectSent(timeoutMs: number, timedOut: () => ApiFailure, giveUp: () => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#dial = {
        done: () => {
          this.settleDial();
          resolve();
        },
        failed: (error) => {
          this.settleDial();
          reject(error);
        },
      };
      this.#offerTimer = setTimeout(() => {
        this.#offerTimer = null;
        this.failDial(timedOut());
        giveUp();
      }, timeoutMs);
    });
  }

  /**
   * `expectSent` for an SDK that opens the microphone and makes the offer itself: the timeout
   * says so (`hint`: what to check), and `endQuietly` ends the SDK's call.
   */
  protected expectSdkSent(what: string, timeoutMs: number, hint: string, endQuietly: () => void): Promise<void> {
    const sdk = this.origin.line.kind.sdk;
    const failure = () => new ApiFailure('webrtc', `${sdk} did not get the microphone and the SDP ready within ${seconds(timeoutMs)}, so ${what} was never sent`, hint);
    return this.expectSent(timeoutMs, failure, endQuietly);
  }

  /** A dial is waiting for its invite (or answer) to leave. */
  protected get dialPending(): boolean {
    return this.#dial !== null;
  }

  protected dialSent(): void {
    this.#dial?.done();
  }

  protected failDial(error: unknown): void {
    this.#dial?.failed(error);
  }

  /** The offer is on its way: the timeout no longer applies. */
  protected stopOfferTimer(): void {
    if (this.#offerTimer) clearTimeout(this.#offerTimer);
    this.#offerTimer = null;
  }

  /** Nothing waits for the dial any more (it failed to start, or settled). */
  protected settleDial(): void {
    this.#dial = null;
    this.stopOfferTimer();
  }

  /** Where this call's frames come from: stopped on dispose. */
  protected routed(unroute: () => void): void {
    this.#unroute = unroute;
  }

  /** A message of this call that never left (the socket was not open): a warning, not a signal. */
  protected undelivered(message: M): boolean {
    if (message.captured.delivered) return false;
    this.sink?.event('warning', {
      message: `a ${this.origin.line.kind.message} could not be sent: the WebSocket was not open (${message.signal.summary})`,
    });
    return true;
  }

  /** Journal a message of this call, stamped when it crossed the wire. */
  protected journal(message: M): void {
    this.sink?.signal(message.signal, message.captured.at);
  }

  /**
   * Wait (at most `timeoutMs`) for the SDK to finish ending the call (`endSeen`); resolves with
   * whether `finished()` holds by then.
   */
  protected waitForEnd(timeoutMs: number, finished: () => boolean): Promise<boolean> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#endWaiters.delete(done);
        resolve(finished());
      };
      const timer = setTimeout(done, timeoutMs);
      this.#endWaiters.add(done);
    });
  }

  protected endSeen(): void {
    for (const wake of [...this.#endWaiters]) wake();
  }

  /**
   * The SDK's peer connection for this call: to the session (media watch, stats) and its far-end
   * audio to the player; its `close` held back until dispose(). A newer one (a re-attach after a
   * reconnect) replaces it, and the old one is closed then. Returns whether it was new.
   */
  protected adoptPeer(pc: RTCPeerConnection): boolean {
    if (this.#closes.has(pc)) return false;
    const close = pc.close.bind(pc);
    if (this.disposed) {
      close();
      return false;
    }
    this.#closes.set(pc, close);
    pc.close = () => undefined;
    const previous = this.#pc;
    this.#pc = pc;
    this.#played = false;
    pc.addEventListener('track', (event) => {
      if (this.#pc !== pc) return;
      const track = (event as RTCTrackEvent).track;
      this.sink?.event('media', { media: 'remote_track', kind: track.kind });
      if (!this.#audio) return;
      this.#played = true;
      this.#audio.play((event as RTCTrackEvent).streams[0] ?? new MediaStream([track]), (message) => this.sink?.event('warning', { message }));
    });
    this.sink?.peerConnection(pc);
    if (previous) {
      this.#closes.get(previous)?.();
      this.#closes.delete(previous);
    }
    return true;
  }

  /** Play the far end's audio even if its track came before the connection was adopted. */
  protected ensurePlayback(): void {
    const pc = this.#pc;
    if (!pc || !this.#audio || this.#played || typeof MediaStream === 'undefined' || typeof pc.getReceivers !== 'function') return;
    const tracks = pc
      .getReceivers()
      .map((r) => r.track)
      .filter((t): t is MediaStreamTrack => !!t && t.kind === 'audio');
    if (tracks.length === 0) return;
    this.#played = true;
    this.#audio.play(new MediaStream(tracks), (message) => this.sink?.event('warning', { message }));
  }
}
