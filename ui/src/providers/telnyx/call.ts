import { ApiFailure, describeError, errorText } from '../../api/errors';
import type { EndInfo, Failure } from '../../api/generated';
import { describeMicrophone, MICROPHONE_CONSTRAINTS, microphoneHint } from '../../media/microphone';
import { RemoteAudio, type RemoteAudioPlayer } from '../../media/playback';
import type { DialContext, LineFeatures, ProviderAdapter } from '../core/adapter';
import type { CallSink, ProgressState } from '../../journal/call-sink';
import { candidateCounts } from '../../media/ice';
import {
  callIds,
  causeFields,
  type EndedHow,
  endInfo,
  isOver,
  modelState,
  rawCallUpdate,
  ringsFromWire,
  type TelnyxErrorPayload,
} from './events';
import type { IncomingTelnyxCall } from './incoming';
import type { TelnyxLine } from './line';
import type { SdkCall } from './sdk';
import type { CallRoute, VertoMessage } from './wire';

/** How long a dial waits for its line to log in. */
export const TELNYX_READY_TIMEOUT_MS = 10_000;
/** How long the SDK may take (microphone, ICE gathering) before the invite (or our answer) leaves. */
export const TELNYX_OFFER_TIMEOUT_MS = 15_000;
/** How long a hangup waits for the SDK to finish (its BYE answered, the call destroyed). The SDK itself gives up after 5 s. */
export const TELNYX_HANGUP_CONFIRM_TIMEOUT_MS = 2500;
/** How long a call ended by the far end waits for the SDK's cleanup (`destroy`; normally the same turn). */
export const TELNYX_END_SETTLE_MS = 1000;

/** What a Telnyx call takes from the page; tests pass fakes. */
export interface TelnyxCallEnvironment {
  remoteAudio: RemoteAudioPlayer;
  readyTimeoutMs: number;
  offerTimeoutMs: number;
  hangupConfirmTimeoutMs: number;
  /** A new Verto callID (a UUID). */
  newId: () => string;
}

export function newCallId(): string {
  const c = globalThis.crypto as Crypto | undefined;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  // Pages outside a secure context have no randomUUID; any v4-shaped id does for a callID.
  const hex = [...Array(32)].map(() => Math.floor(Math.random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((parseInt(hex[16]!, 16) & 3) | 8).toString(16);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

export function pageTelnyxCallEnvironment(): TelnyxCallEnvironment {
  return {
    remoteAudio: new RemoteAudio(),
    readyTimeoutMs: TELNYX_READY_TIMEOUT_MS,
    offerTimeoutMs: TELNYX_OFFER_TIMEOUT_MS,
    hangupConfirmTimeoutMs: TELNYX_HANGUP_CONFIRM_TIMEOUT_MS,
    newId: newCallId,
  };
}

type Origin = { kind: 'outgoing'; line: TelnyxLine } | { kind: 'incoming'; line: TelnyxLine; call: IncomingTelnyxCall };

/** Thrown by a dial that stopped because the call was hung up meanwhile. */
class DialAborted extends Error {
  constructor() {
    super('the call was hung up while dialling');
    this.name = 'DialAborted';
  }
}

/** Telnyx sends DTMF as Verto `info` frames (signalling), and holds calls with `modify`. */
export const TELNYX_FEATURES: LineFeatures = { hold: true, dtmf: 'info' };

/**
 * One call through a Telnyx line (`@telnyx/webrtc`). Maps the SDK's call states onto the call
 * model (keeping each raw `callUpdate`), journals the call's every Verto frame from the line's
 * capture, hands the SDK's peer connection to the session's media watch and stats sampler
 * (again when a re-attach after a reconnect replaces it), and ends with the cause fields and who
 * ended the call. The SDK closes the peer connection as it hangs up; that close is held back
 * until `dispose()`, so the session's final stats sample still sees the connection.
 */
export class TelnyxCallAdapter implements ProviderAdapter {
  readonly provider = 'telnyx' as const;
  readonly label: string;
  readonly features = TELNYX_FEATURES;
  readonly #origin: Origin;
  readonly #env: TelnyxCallEnvironment;
  #sink: CallSink | null = null;
  /** The SDK's Call (a re-attach after a reconnect hands a new object with the same id). */
  #call: SdkCall | null = null;
  #callId: string | null = null;
  /** Every SDK state this call went through, in order. */
  readonly #history: string[] = [];
  /** The last call-model state reported (no state is reported twice in a row). */
  #reported: ProgressState | null = null;
  #unroute: (() => void) | null = null;
  #pc: RTCPeerConnection | null = null;
  /** The peer connections the SDK made for this call, with their real `close`. */
  readonly #closes = new Map<RTCPeerConnection, () => void>();
  #played = false;
  readonly #microphones = new WeakSet<object>();
  #muted = false;
  #aborted = false;
  #disposed = false;
  /** We hung up (the SDK's cause fields are its fill-ins). */
  #localHangup = false;
  /** A `telnyx_rtc.bye` came from Telnyx. */
  #remoteBye = false;
  #lastError: TelnyxErrorPayload | null = null;
  /** The invite (outgoing) or our answer (incoming) has left: the SDK's outcome goes to the sink. */
  #sent = false;
  #dialDone: (() => void) | null = null;
  #dialFailed: ((error: unknown) => void) | null = null;
  #offerTimer: ReturnType<typeof setTimeout> | null = null;
  #pendingEnd: { end: EndInfo; call: SdkCall } | null = null;
  #endTimer: ReturnType<typeof setTimeout> | null = null;
  #endReported = false;
  readonly #destroyWaiters = new Set<() => void>();
  /** Telnyx's answer to our BYE. */
  #byeAnswer: unknown = null;
  #hangupCodes: Failure | null = null;

  private constructor(origin: Origin, env: TelnyxCallEnvironment) {
    this.#origin = origin;
    this.#env = env;
    this.label = `${origin.line.name} (Telnyx)`;
  }

  static outgoing(line: TelnyxLine, env: TelnyxCallEnvironment = pageTelnyxCallEnvironment()): TelnyxCallAdapter {
    return new TelnyxCallAdapter({ kind: 'outgoing', line }, env);
  }

  /** An incoming call the user accepted; `dial()` answers it. */
  static incoming(line: TelnyxLine, call: IncomingTelnyxCall, env: TelnyxCallEnvironment = pageTelnyxCallEnvironment()): TelnyxCallAdapter {
    return new TelnyxCallAdapter({ kind: 'incoming', line, call }, env);
  }

  peerConnection(): RTCPeerConnection | null {
    return this.#pc;
  }

  async dial(destination: string, context: DialContext): Promise<void> {
    this.#sink = context.sink;
    if (this.#origin.kind === 'incoming') await this.#answer(this.#origin.call, context.sink);
    else await this.#place(this.#origin.line, destination, context.sink);
  }

  async hangup(): Promise<unknown> {
    this.#aborted = true;
    this.#localHangup = true;
    this.#dialFailed?.(new DialAborted());
    const call = this.#call;
    if (!call) return { hangup: 'before_call', sent: false };
    if (isOver(call.state)) return { hangup: 'already_ended', sent: false, sdk_state: call.state };
    const before = call.state;
    const waited = this.#env.hangupConfirmTimeoutMs;
    const destroyed = this.#waitForDestroy(waited);
    try {
      call.hangup().catch((error: unknown) => console.error('the Telnyx SDK failed to hang up:', error));
    } catch (error) {
      return { hangup: 'bye', sent: false, error: describeError(error) };
    }
    const done = await destroyed;
    if (!done) this.#sink?.event('warning', { message: `the Telnyx SDK did not finish hanging up within ${waited} ms (no answer to our BYE yet)` });
    return {
      hangup: this.#origin.kind === 'incoming' && before === 'ringing' ? 'reject' : 'bye',
      sdk_state_before: before,
      confirmed: this.#byeAnswer,
      sdk_states: [...this.#history],
      ...callIds(this.#call ?? call),
    };
  }

  /** The SDK's fill-in cause on our hang-up: USER_BUSY/17 before answer, NORMAL_CLEARING/16 after. */
  hangupFailure(): Failure | null {
    return this.#hangupCodes;
  }

  setMuted(muted: boolean): void {
    this.#muted = muted;
    const call = this.#call;
    if (!call || isOver(call.state)) return;
    if (muted) call.muteAudio();
    else call.unmuteAudio();
  }

  setHeld(held: boolean): void {
    const call = this.#call;
    if (!call || isOver(call.state)) throw new ApiFailure('hold', 'there is no call to hold');
    if (held && call.state !== 'active') throw new ApiFailure('hold', `the call cannot be held now (it is ${call.state}, not active)`);
    if (!held && call.state !== 'held') throw new ApiFailure('hold', `the call cannot be resumed now (it is ${call.state}, not held)`);
    // The outcome arrives as a state (held/active); a refusal as telnyx.error 44001 HOLD_FAILED.
    (held ? call.hold() : call.unhold()).catch((error: unknown) => {
      this.#sink?.event('error', { during: held ? 'hold' : 'resume', ...describeError(error) });
    });
  }

  sendDtmf(digit: string): void {
    const call = this.#call;
    if (!call || (call.state !== 'active' && call.state !== 'held')) throw new ApiFailure('dtmf', 'DTMF needs an answered call');
    try {
      call.dtmf(digit);
    } catch (error) {
      throw new ApiFailure('dtmf', `sending DTMF ${digit} failed: ${errorText(error)}`);
    }
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#aborted = true;
    this.#dialFailed?.(new DialAborted());
    this.#clearTimers();
    for (const resolve of [...this.#destroyWaiters]) resolve();
    const call = this.#call;
    if (call && !isOver(call.state)) {
      this.#localHangup = true;
      call.hangup().catch(() => undefined);
    }
    if (this.#origin.kind === 'incoming' && !this.#unroute) this.#origin.call.releaseHeld();
    this.#unroute?.();
    this.#unroute = null;
    for (const close of this.#closes.values()) close();
    this.#closes.clear();
    this.#env.remoteAudio.stop();
  }

  // ---- placing and answering ----

  async #place(line: TelnyxLine, destination: string, sink: CallSink): Promise<void> {
    if (line.status.state !== 'registered') {
      void sink.state('connecting', { line: line.name, registration: line.status });
      const status = await line.ready(this.#env.readyTimeoutMs);
      this.#checkAborted();
      void sink.state('ready', { line: line.name, registration: status });
    }
    const credentials = line.credentials;
    if (!credentials) throw new ApiFailure('telnyx_line', `the line ${line.name} has no credentials`);
    // Our own callID, so that the call's route exists before the SDK announces the call.
    const id = this.#env.newId();
    this.#callId = id;
    this.#unroute = line.route(id, this.#route);
    const sent = this.#expectSent('the invite');
    let call: SdkCall;
    try {
      call = line.newCall({
        id,
        destinationNumber: destination,
        ...(credentials.caller_id ? { callerNumber: credentials.caller_id } : {}),
        // Raw microphone audio, as on every line: the engine's processing would hide what the line does.
        audio: MICROPHONE_CONSTRAINTS.audio,
        mutedMicOnStart: this.#muted,
      });
    } catch (error) {
      this.#settleDial();
      if (error instanceof ApiFailure) throw error;
      throw new ApiFailure('bad_input', `cannot call "${destination}": ${errorText(error)}`, 'Enter a number in E.164 form (e.g. +15551234567) or a SIP user name.');
    }
    this.#call ??= call;
    this.#checkPeer();
    await sent;
  }

  async #answer(incoming: IncomingTelnyxCall, sink: CallSink): Promise<void> {
    const line = this.#origin.line;
    this.#callId = incoming.callId;
    this.#call = incoming.call;
    this.#history.push(...incoming.sdkStates);
    // The invite and our ack first (held until now), then what follows.
    this.#unroute = incoming.claim(this.#route);
    if (incoming.gone) {
      // The caller gave up between Accept and now.
      this.#reportEnd(endInfo(incoming.gone.call, this.#remoteBye ? 'remote' : 'sdk', this.#lastError), incoming.gone.call);
      return;
    }
    await this.#report(
      'ringing',
      rawCallUpdate(incoming.call, this.#history, {
        from: incoming.from,
        display_name: incoming.displayName,
        rang_ms: Math.round(line.clock() - incoming.arrivedAt),
      }),
    );
    const call = this.#call;
    if (!call || isOver(call.state) || this.#aborted) return; // ended meanwhile: reported through the route
    const answered = this.#expectSent('our answer');
    call.options.audio = MICROPHONE_CONSTRAINTS.audio;
    if (this.#muted) call.muteAudio();
    call.answer().catch((error: unknown) => this.#dialFailed?.(new ApiFailure('telnyx', `answering the call failed: ${errorText(error)}`)));
    this.#checkPeer();
    await answered;
  }

  /**
   * Resolves when the SDK sends the invite (`requesting`) or our answer (`answering`); rejects
   * when the call ends before, when it is hung up, or when nothing left within the timeout.
   */
  #expectSent(what: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#dialDone = () => {
        this.#settleDial();
        resolve();
      };
      this.#dialFailed = (error) => {
        this.#settleDial();
        reject(error);
      };
      const waited = this.#env.offerTimeoutMs;
      this.#offerTimer = setTimeout(() => {
        this.#offerTimer = null;
        const failure = new ApiFailure(
          'webrtc',
          `the Telnyx SDK did not get the microphone and the SDP ready within ${Math.round(waited / 1000)} s, so ${what} was never sent`,
          'Check the microphone permission and the network (ICE gathering); the call’s warnings may say more.',
        );
        this.#dialFailed?.(failure);
        const call = this.#call;
        if (call && !isOver(call.state)) {
          this.#localHangup = true; // its end is this failure, already reported
          call.hangup().catch(() => undefined);
        }
      }, waited);
    });
  }

  #settleDial(): void {
    this.#dialDone = null;
    this.#dialFailed = null;
    if (this.#offerTimer) clearTimeout(this.#offerTimer);
    this.#offerTimer = null;
  }

  // ---- what the line routes here ----

  readonly #route: CallRoute = {
    frame: (message) => this.#onFrame(message),
    update: (call) => this.#onUpdate(call),
    error: (payload) => {
      this.#lastError = payload;
      this.#sink?.event('error', payload);
    },
    warning: (payload) => this.#sink?.event('warning', payload),
  };

  #onFrame(message: VertoMessage): void {
    const sink = this.#sink;
    if (!sink) return;
    if (!message.captured.delivered) {
      sink.event('warning', { message: `a Verto frame could not be sent: the WebSocket was not open (${message.signal.summary})` });
      return;
    }
    sink.signal(message.signal, message.captured.at);
    if (message.captured.direction !== 'received') return;
    const { frame } = message;
    if (frame.method === 'telnyx_rtc.bye') this.#remoteBye = true;
    // The SDK does not turn an outgoing call's ringing into a state; the wire has it.
    if (frame.method === 'telnyx_rtc.ringing' && this.#origin.kind === 'outgoing' && ringsFromWire(this.#reported)) {
      void this.#report('ringing', { verto: 'telnyx_rtc.ringing', from: 'wire', sdk_state: this.#call?.state ?? null, sdk_states: [...this.#history] });
    }
    if (frame.kind === 'result' && message.signal.summary === 'result telnyx_rtc.bye') {
      this.#byeAnswer = (message.signal.body as { result?: unknown } | null)?.result ?? null;
    }
  }

  #onUpdate(call: SdkCall): void {
    if (this.#disposed) return;
    this.#call = call;
    const state = call.state;
    this.#history.push(state);
    this.#checkPeer();
    // A re-attached call builds its peer connection right after announcing itself.
    setTimeout(() => this.#checkPeer(), 0);
    this.#checkMicrophone(call);
    switch (state) {
      case 'requesting': {
        this.#sent = true;
        const sdp = call.peer?.instance?.localDescription?.sdp ?? '';
        void this.#report('dialing', this.#raw(call, { destination: call.options.destinationNumber ?? null, candidates: candidateCounts(sdp) }));
        this.#dialDone?.();
        return;
      }
      case 'answering':
        this.#sent = true;
        this.#dialDone?.();
        return;
      case 'hangup':
        this.#onHangup(call);
        return;
      case 'destroy':
        this.#flushEnd();
        for (const resolve of [...this.#destroyWaiters]) resolve();
        return;
      case 'recovering':
        void this.#report('connecting', this.#raw(call, { socket: this.#origin.line.lastSocketClose }));
        return;
      default: {
        const mapped = modelState(state);
        if (mapped && mapped !== 'ended') void this.#report(mapped, this.#raw(call));
        if (state === 'active') {
          this.#ensurePlayback();
          this.#dialDone?.();
        }
      }
    }
  }

  #onHangup(call: SdkCall): void {
    const how: EndedHow = this.#localHangup ? 'local' : this.#remoteBye ? 'remote' : 'sdk';
    if (how === 'local') {
      // The session records our hang-up; the SDK's cause is its fill-in, kept all the same.
      this.#hangupCodes = causeFields(call);
      return;
    }
    const end = endInfo(call, how, this.#lastError);
    if (!this.#sent && this.#origin.kind === 'outgoing' && this.#dialFailed) {
      // Nothing left yet: the dial itself failed (the microphone, the SDP).
      this.#dialFailed(this.#dialFailure(end));
      return;
    }
    this.#pendingEnd = { end, call };
    // The SDK cleans up (`destroy`) right after; the end's raw event includes it.
    this.#endTimer = setTimeout(() => this.#flushEnd(), TELNYX_END_SETTLE_MS);
  }

  #flushEnd(): void {
    const pending = this.#pendingEnd;
    if (!pending) return;
    this.#pendingEnd = null;
    if (this.#endTimer) clearTimeout(this.#endTimer);
    this.#endTimer = null;
    this.#reportEnd(pending.end, pending.call);
  }

  #reportEnd(end: EndInfo, call: SdkCall): void {
    if (this.#endReported) return;
    this.#endReported = true;
    this.#sink?.ended(end, this.#raw(call));
    // An incoming call that ends while being answered: the end is reported, the dial is done.
    this.#dialDone?.();
  }

  #dialFailure(end: EndInfo): ApiFailure {
    const error = this.#lastError;
    if (error && error.code !== null && error.code >= 42000 && error.code < 43000) {
      const name = /^([A-Za-z]+Error)\b/.exec(error.error ?? '')?.[1] ?? '';
      const sdk = [error.code, error.name].filter((p) => p !== null).join(' ');
      return new ApiFailure('microphone', `microphone: ${error.error ?? error.message} (Telnyx SDK ${sdk})`, microphoneHint(name));
    }
    return new ApiFailure('telnyx', `the call could not be placed: ${end.failure.message ?? 'the Telnyx SDK ended it before the invite was sent'}`);
  }

  // ---- the peer connection and the media ----

  #checkPeer(): void {
    const pc = this.#call?.peer?.instance ?? null;
    if (!pc || this.#closes.has(pc) || this.#disposed) return;
    const close = pc.close.bind(pc);
    this.#closes.set(pc, close);
    // The SDK closes the connection as it hangs up; the final stats sample comes after, so the
    // real close waits for dispose().
    pc.close = () => undefined;
    const previous = this.#pc;
    this.#pc = pc;
    this.#played = false;
    pc.addEventListener('track', (event) => {
      if (this.#pc !== pc) return;
      const track = (event as RTCTrackEvent).track;
      const stream = (event as RTCTrackEvent).streams[0] ?? new MediaStream([track]);
      this.#sink?.event('media', { media: 'remote_track', kind: track.kind });
      this.#played = true;
      this.#env.remoteAudio.play(stream, (message) => this.#sink?.event('warning', { message }));
    });
    this.#sink?.peerConnection(pc);
    if (previous) {
      // Replaced by a re-attach: the old connection is done.
      this.#closes.get(previous)?.();
      this.#closes.delete(previous);
    }
  }

  /** Play the far end's audio even if the track event came before this adapter saw the connection. */
  #ensurePlayback(): void {
    const pc = this.#pc;
    if (!pc || this.#played || typeof MediaStream === 'undefined' || typeof pc.getReceivers !== 'function') return;
    const tracks = pc
      .getReceivers()
      .map((r) => r.track)
      .filter((t): t is MediaStreamTrack => !!t && t.kind === 'audio');
    if (tracks.length === 0) return;
    this.#played = true;
    this.#env.remoteAudio.play(new MediaStream(tracks), (message) => this.#sink?.event('warning', { message }));
  }

  #checkMicrophone(call: SdkCall): void {
    const stream = call.options.localStream;
    if (!stream || this.#microphones.has(stream) || typeof stream.getAudioTracks !== 'function') return;
    this.#microphones.add(stream);
    this.#sink?.event('media', describeMicrophone(stream));
  }

  // ---- helpers ----

  #raw(call: SdkCall, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return rawCallUpdate(call, this.#history, extra);
  }

  /** Report a state unless it is the one reported last. */
  #report(state: ProgressState, raw: unknown): Promise<void> {
    if (this.#reported === state || !this.#sink) return Promise.resolve();
    this.#reported = state;
    return this.#sink.state(state, raw);
  }

  #waitForDestroy(timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#destroyWaiters.delete(done);
        resolve(this.#call?.state === 'destroy' || this.#history.includes('destroy'));
      };
      const timer = setTimeout(done, timeoutMs);
      this.#destroyWaiters.add(done);
    });
  }

  #checkAborted(): void {
    if (this.#aborted) throw new DialAborted();
  }

  #clearTimers(): void {
    this.#settleDial();
    if (this.#endTimer) clearTimeout(this.#endTimer);
    this.#endTimer = null;
  }
}
