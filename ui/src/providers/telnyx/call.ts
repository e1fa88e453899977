import { ApiFailure, describeError, errorText } from '../../api/errors';
import type { EndInfo, Failure } from '../../api/generated';
import type { CallSink } from '../../journal/call-sink';
import { candidateCounts } from '../../media/ice';
import { describeMicrophone, MICROPHONE_CONSTRAINTS, microphoneHint } from '../../media/microphone';
import { RemoteAudio, type RemoteAudioPlayer } from '../../media/playback';
import type { LineFeatures } from '../core/adapter';
import { CallCore, type CallTimeouts, type Origin } from '../core/call-core';
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

/**
 * How long a Telnyx call waits: for its line to log in; for the SDK (microphone, ICE gathering)
 * to send the invite (or our answer); for the SDK to finish our hang-up (its BYE answered, the
 * call destroyed; the SDK itself gives up after 5 s).
 */
export const TELNYX_TIMEOUTS: CallTimeouts = { readyTimeoutMs: 10_000, offerTimeoutMs: 15_000, hangupConfirmTimeoutMs: 2500 };
/** How long a call ended by the far end waits for the SDK's cleanup (`destroy`; normally the same turn). */
export const TELNYX_END_SETTLE_MS = 1000;

/** What a Telnyx call takes from the page; tests pass fakes. */
export interface TelnyxCallEnvironment extends CallTimeouts {
  remoteAudio: RemoteAudioPlayer;
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
  return { ...TELNYX_TIMEOUTS, remoteAudio: new RemoteAudio(), newId: newCallId };
}

/** Telnyx sends DTMF as Verto `info` frames (signalling), and holds calls with `modify`. */
export const TELNYX_FEATURES: LineFeatures = { hold: true, dtmf: 'info' };

/**
 * One call through a Telnyx line (`@telnyx/webrtc`). Maps the SDK's call states onto the call
 * model (keeping each raw `callUpdate`), journals the call's every Verto frame from the line's
 * capture, hands the SDK's peer connection to the session's media watch and stats sampler
 * (again when a re-attach after a reconnect replaces it), and ends with the cause fields and who
 * ended the call.
 */
export class TelnyxCallAdapter extends CallCore<'telnyx', TelnyxLine, IncomingTelnyxCall, VertoMessage> {
  readonly features = TELNYX_FEATURES;
  readonly #env: TelnyxCallEnvironment;
  /** The SDK's Call (a re-attach after a reconnect hands a new object with the same id). */
  #call: SdkCall | null = null;
  /** Every SDK state this call went through, in order. */
  readonly #history: string[] = [];
  readonly #microphones = new WeakSet<object>();
  #muted = false;
  /** We hung up (the SDK's cause fields are its fill-ins). */
  #localHangup = false;
  /** A `telnyx_rtc.bye` came from Telnyx. */
  #remoteBye = false;
  #lastError: TelnyxErrorPayload | null = null;
  /** The invite (outgoing) or our answer (incoming) has left: the SDK's outcome goes to the sink. */
  #sent = false;
  #pendingEnd: { end: EndInfo; call: SdkCall } | null = null;
  #endTimer: ReturnType<typeof setTimeout> | null = null;
  /** Telnyx's answer to our BYE. */
  #byeAnswer: unknown = null;
  #hangupCodes: Failure | null = null;

  private constructor(origin: Origin<TelnyxLine, IncomingTelnyxCall>, env: TelnyxCallEnvironment) {
    super(origin, env.remoteAudio);
    this.#env = env;
  }

  static outgoing(line: TelnyxLine, env: TelnyxCallEnvironment = pageTelnyxCallEnvironment()): TelnyxCallAdapter {
    return new TelnyxCallAdapter({ kind: 'outgoing', line }, env);
  }

  /** An incoming call the user accepted; `dial()` answers it. */
  static incoming(line: TelnyxLine, call: IncomingTelnyxCall, env: TelnyxCallEnvironment = pageTelnyxCallEnvironment()): TelnyxCallAdapter {
    return new TelnyxCallAdapter({ kind: 'incoming', line, call }, env);
  }

  async hangup(): Promise<unknown> {
    this.#localHangup = true;
    this.abortDial();
    const call = this.#call;
    if (!call) return { hangup: 'before_call', sent: false };
    if (isOver(call.state)) return { hangup: 'already_ended', sent: false, sdk_state: call.state };
    const before = call.state;
    const waited = this.#env.hangupConfirmTimeoutMs;
    const destroyed = this.waitForEnd(waited, () => this.#call?.state === 'destroy' || this.#history.includes('destroy'));
    try {
      call.hangup().catch((error: unknown) => console.error('the Telnyx SDK failed to hang up:', error));
    } catch (error) {
      return { hangup: 'bye', sent: false, error: describeError(error) };
    }
    const done = await destroyed;
    if (!done) this.sink?.event('warning', { message: `the Telnyx SDK did not finish hanging up within ${waited} ms (no answer to our BYE yet)` });
    return {
      hangup: this.origin.kind === 'incoming' && before === 'ringing' ? 'reject' : 'bye',
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
      this.sink?.event('error', { during: held ? 'hold' : 'resume', ...describeError(error) });
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

  protected release(): void {
    if (this.#endTimer) clearTimeout(this.#endTimer);
    this.#endTimer = null;
    this.#endSdkCall();
  }

  // ---- placing and answering ----

  protected async place(line: TelnyxLine, destination: string, sink: CallSink): Promise<void> {
    await this.whenLineReady(line, sink, this.#env.readyTimeoutMs);
    const credentials = this.credentialsOf(line);
    // Our own callID, so that the call's route exists before the SDK announces the call.
    const id = this.#env.newId();
    this.routed(line.route(id, this.#route));
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
      this.settleDial();
      if (error instanceof ApiFailure) throw error;
      throw new ApiFailure('bad_input', `cannot call "${destination}": ${errorText(error)}`, 'Enter a number in E.164 form (e.g. +15551234567) or a SIP user name.');
    }
    this.#call ??= call;
    this.#checkPeer();
    await sent;
  }

  protected async answer(incoming: IncomingTelnyxCall): Promise<void> {
    const line = this.origin.line;
    this.#call = incoming.call;
    this.#history.push(...incoming.sdkStates);
    // The invite and our ack first (held until now), then what follows.
    this.routed(incoming.claim(this.#route));
    if (incoming.gone) {
      // The caller gave up between Accept and now.
      this.#reportEnd(endInfo(incoming.gone.call, this.#remoteBye ? 'remote' : 'sdk', this.#lastError), incoming.gone.call);
      return;
    }
    await this.report(
      'ringing',
      rawCallUpdate(incoming.call, this.#history, {
        from: incoming.from,
        display_name: incoming.displayName,
        rang_ms: Math.round(line.clock() - incoming.arrivedAt),
      }),
    );
    const call = this.#call;
    if (!call || isOver(call.state) || this.aborted) return; // ended meanwhile: reported through the route
    const answered = this.#expectSent('our answer');
    call.options.audio = MICROPHONE_CONSTRAINTS.audio;
    if (this.#muted) call.muteAudio();
    call.answer().catch((error: unknown) => this.failDial(new ApiFailure('telnyx', `answering the call failed: ${errorText(error)}`)));
    this.#checkPeer();
    await answered;
  }

  /**
   * Resolves when the SDK sends the invite (`requesting`) or our answer (`answering`); rejects
   * when the call ends before, when it is hung up, or when nothing left within the timeout.
   */
  #expectSent(what: string): Promise<void> {
    const hint = 'Check the microphone permission and the network (ICE gathering); the call’s warnings may say more.';
    return this.expectSdkSent(what, this.#env.offerTimeoutMs, hint, () => this.#endSdkCall());
  }

  /** Have the SDK end its call, if it is still up; its end is ours (already reported, or the session's). */
  #endSdkCall(): void {
    const call = this.#call;
    if (call && !isOver(call.state)) {
      this.#localHangup = true;
      call.hangup().catch(() => undefined);
    }
  }

  // ---- what the line routes here ----

  readonly #route: CallRoute = {
    frame: (message) => this.#onFrame(message),
    update: (call) => this.#onUpdate(call),
    error: (payload) => {
      this.#lastError = payload;
      this.sink?.event('error', payload);
    },
    warning: (payload) => this.sink?.event('warning', payload),
  };

  #onFrame(message: VertoMessage): void {
    if (!this.sink || this.undelivered(message)) return;
    this.journal(message);
    if (message.captured.direction !== 'received') return;
    const { frame } = message;
    if (frame.method === 'telnyx_rtc.bye') this.#remoteBye = true;
    // The SDK does not turn an outgoing call's ringing into a state; the wire has it.
    if (frame.method === 'telnyx_rtc.ringing' && this.origin.kind === 'outgoing' && ringsFromWire(this.reported)) {
      void this.report('ringing', { verto: 'telnyx_rtc.ringing', from: 'wire', sdk_state: this.#call?.state ?? null, sdk_states: [...this.#history] });
    }
    if (frame.kind === 'result' && message.signal.summary === 'result telnyx_rtc.bye') {
      this.#byeAnswer = (message.signal.body as { result?: unknown } | null)?.result ?? null;
    }
  }

  #onUpdate(call: SdkCall): void {
    if (this.disposed) return;
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
        void this.report('dialing', this.#raw(call, { destination: call.options.destinationNumber ?? null, candidates: candidateCounts(sdp) }));
        this.dialSent();
        return;
      }
      case 'answering':
        this.#sent = true;
        this.dialSent();
        return;
      case 'hangup':
        this.#onHangup(call);
        return;
      case 'destroy':
        this.#flushEnd();
        this.endSeen();
        return;
      case 'recovering':
        void this.report('connecting', this.#raw(call, { socket: this.origin.line.lastSocketClose }));
        return;
      default: {
        const mapped = modelState(state);
        if (mapped && mapped !== 'ended') void this.report(mapped, this.#raw(call));
        if (state === 'active') {
          this.ensurePlayback();
          this.dialSent();
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
    if (!this.#sent && this.origin.kind === 'outgoing' && this.dialPending) {
      // Nothing left yet: the dial itself failed (the microphone, the SDP).
      this.failDial(this.#dialFailure(end));
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
    this.reportEnd(end, this.#raw(call));
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

  /** The SDK's current peer connection (a re-attached call builds a new one). */
  #checkPeer(): void {
    const pc = this.#call?.peer?.instance ?? null;
    if (pc) this.adoptPeer(pc);
  }

  #checkMicrophone(call: SdkCall): void {
    const stream = call.options.localStream;
    if (!stream || this.#microphones.has(stream) || typeof stream.getAudioTracks !== 'function') return;
    this.#microphones.add(stream);
    this.sink?.event('media', describeMicrophone(stream));
  }

  // ---- helpers ----

  #raw(call: SdkCall, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return rawCallUpdate(call, this.#history, extra);
  }
}
