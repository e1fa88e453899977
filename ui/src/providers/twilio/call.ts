import { ApiFailure, describeError, errorText } from '../../api/errors';
import type { EndInfo } from '../../api/generated';
import { describeMicrophone, MICROPHONE_CONSTRAINTS, microphoneHint } from '../../media/microphone';
import type { DialContext, LineFeatures, ProviderAdapter } from '../core/adapter';
import type { CallSink, ProgressState } from '../../journal/call-sink';
import { candidateCounts } from '../../media/ice';
import {
  callIds,
  endInfo,
  errorPayload,
  reconnectedPayload,
  reconnectingPayload,
  ringingState,
  type TwilioErrorPayload,
  warningPayload,
} from './events';
import type { IncomingTwilioCall } from './incoming';
import type { TwilioLine } from './line';
import type { SdkCall } from './sdk';
import type { CallRoute, PstreamMessage } from './wire';

/** How long a dial waits for its line to register. */
export const TWILIO_READY_TIMEOUT_MS = 10_000;
/** How long the SDK may take (microphone, offer) before the invite (or our answer) leaves. */
export const TWILIO_OFFER_TIMEOUT_MS = 15_000;
/** How long a hang-up waits for the SDK's `disconnect` (normally the same turn). */
export const TWILIO_HANGUP_CONFIRM_TIMEOUT_MS = 2_000;

/** What a Twilio call takes from the page; tests pass shorter timeouts. */
export interface TwilioCallEnvironment {
  readyTimeoutMs: number;
  offerTimeoutMs: number;
  hangupConfirmTimeoutMs: number;
}

export function pageTwilioCallEnvironment(): TwilioCallEnvironment {
  return {
    readyTimeoutMs: TWILIO_READY_TIMEOUT_MS,
    offerTimeoutMs: TWILIO_OFFER_TIMEOUT_MS,
    hangupConfirmTimeoutMs: TWILIO_HANGUP_CONFIRM_TIMEOUT_MS,
  };
}

/** The Twilio SDK has no hold; DTMF goes as RFC 2833 tones (`sendDigits` over the RTCDTMFSender). */
export const TWILIO_FEATURES: LineFeatures = { hold: false, dtmf: 'rfc2833' };

type Origin = { kind: 'outgoing'; line: TwilioLine } | { kind: 'incoming'; line: TwilioLine; call: IncomingTwilioCall };

/** Thrown by a dial that stopped because the call was hung up meanwhile. */
class DialAborted extends Error {
  constructor() {
    super('the call was hung up while dialling');
    this.name = 'DialAborted';
  }
}

/**
 * One call through a Twilio line (`@twilio/voice-sdk`). Maps the SDK's Call events onto the call
 * model (keeping each raw event), records every TwilioError with its code, name, message and the
 * call's sids, journals the call's PStream messages from the line's capture, hands the SDK's
 * peer connection (announced through the Device's `RTCPeerConnection` option) to the session's
 * media watch and stats sampler, and ends with the error that ended the call, if one did.
 *
 * Mapping: invite sent → dialing; `ringing(false)` → ringing; `ringing(true)` → early; `accept`
 * → active; `disconnect` → ended (by remote when Twilio hung up, by error when the SDK ended the
 * call itself); `error` → an `error` event (and the end's failure when it ends the call);
 * `warning`/`warning-cleared` → `warning` events; `reconnecting` → a `warning` event with its code
 * (53001 signalling, 53405 media); `reconnected` → a `media` event. The SDK plays the far end's
 * audio itself.
 */
export class TwilioCallAdapter implements ProviderAdapter {
  readonly provider = 'twilio' as const;
  readonly label: string;
  readonly features = TWILIO_FEATURES;
  readonly #origin: Origin;
  readonly #env: TwilioCallEnvironment;
  #sink: CallSink | null = null;
  #call: SdkCall | null = null;
  #destination = '';
  /** Every SDK event this call had, in order. */
  readonly #history: string[] = [];
  #reported: ProgressState | null = null;
  #pc: RTCPeerConnection | null = null;
  #closePc: (() => void) | null = null;
  #muted = false;
  #aborted = false;
  #disposed = false;
  #localHangup = false;
  /** Twilio sent `hangup` for this call. */
  #remoteHangup = false;
  /** The error the gateway put on the wire (`hangup{error}`, `error{callsid}`). */
  #gatewayError: TwilioErrorPayload['gateway_error'] | null = null;
  #lastError: TwilioErrorPayload | null = null;
  #reconnecting: { code: number | null; at: number } | null = null;
  /** The invite (outgoing) or our answer (incoming) has left. */
  #sent = false;
  #microphoneReported = false;
  #dialDone: (() => void) | null = null;
  #dialFailed: ((error: unknown) => void) | null = null;
  #offerTimer: ReturnType<typeof setTimeout> | null = null;
  #endReported = false;
  #dialFailedByError = false;
  readonly #disconnectWaiters = new Set<() => void>();
  readonly #stopListening: (() => void)[] = [];
  #claimed: (() => void) | null = null;

  private constructor(origin: Origin, env: TwilioCallEnvironment) {
    this.#origin = origin;
    this.#env = env;
    this.label = `${origin.line.name} (Twilio)`;
  }

  static outgoing(line: TwilioLine, env: TwilioCallEnvironment = pageTwilioCallEnvironment()): TwilioCallAdapter {
    return new TwilioCallAdapter({ kind: 'outgoing', line }, env);
  }

  /** An incoming call the user accepted; `dial()` answers it. */
  static incoming(line: TwilioLine, call: IncomingTwilioCall, env: TwilioCallEnvironment = pageTwilioCallEnvironment()): TwilioCallAdapter {
    return new TwilioCallAdapter({ kind: 'incoming', line, call }, env);
  }

  peerConnection(): RTCPeerConnection | null {
    return this.#pc;
  }

  async dial(destination: string, context: DialContext): Promise<void> {
    this.#sink = context.sink;
    this.#destination = destination;
    if (this.#origin.kind === 'incoming') await this.#answer(this.#origin.call, context.sink);
    else await this.#place(this.#origin.line, destination, context.sink);
  }

  async hangup(): Promise<unknown> {
    this.#aborted = true;
    this.#localHangup = true;
    this.#dialFailed?.(new DialAborted());
    const call = this.#call;
    if (!call) return { hangup: 'before_call', sent: false };
    const before = status(call);
    if (before === 'closed') return { hangup: 'already_ended', sent: false, sdk_events: [...this.#history], ...callIds(call) };
    const waited = this.#env.hangupConfirmTimeoutMs;
    const disconnected = this.#waitForDisconnect(waited);
    const rejecting = this.#origin.kind === 'incoming' && before === 'pending';
    try {
      if (rejecting) call.reject();
      else call.disconnect();
    } catch (error) {
      return { hangup: rejecting ? 'reject' : 'disconnect', sent: false, error: describeError(error) };
    }
    const done = await disconnected;
    if (!done) this.#sink?.event('warning', { message: `the Twilio SDK did not finish hanging up within ${waited} ms` });
    return { hangup: rejecting ? 'reject' : 'disconnect', sdk_status_before: before, disconnected: done, sdk_events: [...this.#history], ...callIds(call) };
  }

  setMuted(muted: boolean): void {
    this.#muted = muted;
    const call = this.#call;
    if (call && status(call) !== 'closed') call.mute(muted);
  }

  setHeld(): void {
    throw new ApiFailure('hold', 'Twilio calls cannot be put on hold from the Voice SDK');
  }

  sendDtmf(digit: string): void {
    const call = this.#call;
    if (!call || status(call) !== 'open') throw new ApiFailure('dtmf', 'DTMF needs an answered call');
    try {
      call.sendDigits(digit);
    } catch (error) {
      throw new ApiFailure('dtmf', `sending DTMF ${digit} failed: ${errorText(error)}`, 'The Twilio SDK sends 0-9, * and # (not A-D).');
    }
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#aborted = true;
    this.#dialFailed?.(new DialAborted());
    this.#settleDial();
    for (const resolve of [...this.#disconnectWaiters]) resolve();
    for (const stop of this.#stopListening.splice(0)) stop();
    const call = this.#call;
    if (call && status(call) !== 'closed') {
      this.#localHangup = true;
      try {
        call.disconnect();
      } catch {
        // already gone
      }
    }
    if (this.#origin.kind === 'incoming' && !this.#claimed) this.#origin.call.releaseHeld();
    this.#claimed?.();
    this.#claimed = null;
    this.#origin.line.release(this.#route, call);
    this.#closePc?.();
    this.#closePc = null;
  }

  // ---- placing and answering ----

  async #place(line: TwilioLine, destination: string, sink: CallSink): Promise<void> {
    if (line.status.state !== 'registered') {
      void sink.state('connecting', { line: line.name, registration: line.status });
      let status;
      try {
        status = await line.ready(this.#env.readyTimeoutMs);
      } catch (error) {
        // Twilio refused the line's token: that error (20101, 20104, ...) belongs to this call's record too.
        const refused = line.tokenError;
        if (refused) sink.event('error', { ...refused, during: 'register' });
        throw error;
      }
      this.#checkAborted();
      void sink.state('ready', { line: line.name, registration: status });
    }
    const credentials = line.credentials;
    if (!credentials) throw new ApiFailure('twilio_line', `the line ${line.name} has no credentials`);
    if (!credentials.can_call_out) {
      sink.event('warning', {
        message: `${line.name} has no TwiML app in its token, so Twilio will decline outgoing calls (31002)`,
        hint: 'Set the account’s TwiML app SID (callscope accounts add twilio … --twiml-app-sid AP…).',
      });
    }
    // The TwiML app reads these (its Voice URL gets To and CallerId).
    const params: Record<string, string> = { To: destination };
    if (credentials.caller_id) params.CallerId = credentials.caller_id;
    const sent = this.#expectSent('the invite');
    let call: SdkCall;
    try {
      call = await line.connect({ params, rtcConstraints: MICROPHONE_CONSTRAINTS }, this.#route, (pc) => this.#hookPc(pc));
    } catch (error) {
      this.#settleDial();
      if (error instanceof ApiFailure) throw error;
      throw new ApiFailure('twilio', `the Twilio SDK could not place the call: ${errorText(error)}`);
    }
    this.#adopt(call);
    if (this.#aborted) {
      // Hung up while the SDK was setting the call up.
      this.#localHangup = true;
      call.disconnect();
      throw new DialAborted();
    }
    await sent;
  }

  async #answer(incoming: IncomingTwilioCall, sink: CallSink): Promise<void> {
    const line = this.#origin.line;
    const call = incoming.call;
    this.#call = call;
    // The invite first (held until now), then what follows.
    this.#claimed = incoming.claim(this.#route);
    if (incoming.gone) {
      // The caller gave up between Accept and now.
      this.#reportEnd({ by: 'remote', failure: { message: 'the caller hung up before the call was answered' } }, { sdk: incoming.gone.event, ...callIds(call) });
      return;
    }
    this.#adopt(call);
    await this.#report('ringing', this.#raw('incoming', {
      from: incoming.from,
      custom_parameters: incoming.customParameters,
      rang_ms: Math.round(line.clock() - incoming.arrivedAt),
    }));
    if (status(call) === 'closed' || this.#aborted) return; // ended meanwhile: reported through the events
    const answered = this.#expectSent('our answer');
    line.expectPeer((pc) => this.#hookPc(pc));
    try {
      call.accept({ rtcConstraints: MICROPHONE_CONSTRAINTS });
    } catch (error) {
      this.#dialFailed?.(new ApiFailure('twilio', `answering the call failed: ${errorText(error)}`));
    }
    if (this.#muted) call.mute(true);
    await answered;
  }

  /**
   * Resolves when the invite (or our answer) leaves; rejects when the call ends before, when it
   * is hung up, or when nothing left within the timeout.
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
        this.#dialFailed?.(
          new ApiFailure(
            'webrtc',
            `the Twilio SDK did not get the microphone and the SDP ready within ${Math.round(waited / 1000)} s, so ${what} was never sent`,
            'Check the microphone permission and that the line is registered; the call’s errors may say more.',
          ),
        );
        const call = this.#call;
        if (call && status(call) !== 'closed') {
          this.#localHangup = true; // its end is this failure, already reported
          call.disconnect();
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

  // ---- the SDK's Call events ----

  #adopt(call: SdkCall): void {
    this.#call = call;
    if (this.#muted) call.mute(true);
    const on = (event: string, handler: (...args: never[]) => void) => {
      const listener = (...args: never[]) => {
        if (this.#disposed) return;
        this.#history.push(event);
        handler(...args);
      };
      call.on(event, listener);
      this.#stopListening.push(() => call.removeListener(event, listener));
    };
    on('ringing', (hasEarlyMedia: boolean) => {
      void this.#report(ringingState(!!hasEarlyMedia), this.#raw('ringing', { hasEarlyMedia: !!hasEarlyMedia }));
    });
    on('accept', () => {
      this.#reportMicrophone();
      void this.#report('active', this.#raw('accept', { codec: call.codec ?? null }));
      this.#dialDone?.();
    });
    on('warning', (name: string, data: unknown) => this.#sink?.event('warning', warningPayload(name, data, false, call)));
    on('warning-cleared', (name: string) => this.#sink?.event('warning', warningPayload(name, null, true, call)));
    on('reconnecting', (error: unknown) => {
      const payload = reconnectingPayload(error, call);
      this.#reconnecting = { code: typeof payload.code === 'number' ? payload.code : null, at: this.#origin.line.clock() };
      this.#sink?.event('warning', payload);
    });
    on('reconnected', () => {
      const was = this.#reconnecting;
      this.#reconnecting = null;
      this.#sink?.event('media', reconnectedPayload(was?.code ?? null, was ? Math.round(this.#origin.line.clock() - was.at) : null, call));
    });
    on('error', (error: unknown) => this.#onError(errorPayload(error, 'twilio.call', call), error));
    on('cancel', () => {
      // The caller gave up (an incoming call not answered yet).
      this.#reportEnd({ by: 'remote', failure: { message: 'the caller hung up before the call was answered' } }, this.#raw('cancel'));
    });
    on('disconnect', () => this.#onDisconnect());
    on('reject', () => undefined);
  }

  #onError(payload: TwilioErrorPayload, error: unknown): void {
    if (this.#gatewayError) payload.gateway_error = this.#gatewayError;
    this.#lastError = payload;
    this.#sink?.event('error', payload);
    if (!this.#sent && this.#dialFailed) {
      // Nothing left yet: the dial itself failed (the microphone, the offer); the session ends
      // the call with that failure, so the SDK's `disconnect` that follows is not news.
      this.#dialFailedByError = true;
      const inner = (error as { originalError?: { name?: unknown } } | null)?.originalError;
      const name = typeof inner?.name === 'string' ? inner.name : '';
      if (payload.code === 31401 || payload.code === 31402 || payload.code === 31208) {
        this.#dialFailed(new ApiFailure('microphone', `microphone: ${name ? `${name}: ` : ''}${payload.message}`, microphoneHint(name || (payload.code === 31401 ? 'NotAllowedError' : 'NotReadableError'))));
      } else {
        this.#dialFailed(new ApiFailure('twilio', `the call could not be placed: ${payload.message}`));
      }
    }
  }

  #onDisconnect(): void {
    for (const resolve of [...this.#disconnectWaiters]) resolve();
    if (this.#localHangup || this.#dialFailedByError) return; // the session records our own hang-up, or the failed dial
    if (!this.#sent && this.#dialFailed) {
      this.#dialFailed(new ApiFailure('twilio', `the call could not be placed: ${this.#lastError?.message ?? 'the Twilio SDK ended it before the invite was sent'}`));
      return;
    }
    const how = this.#remoteHangup || !this.#lastError ? 'remote' : 'error';
    this.#reportEnd(endInfo(how, this.#lastError), this.#raw('disconnect', { last_error: this.#lastError }));
  }

  #reportEnd(end: EndInfo, raw: unknown): void {
    if (this.#endReported) return;
    this.#endReported = true;
    this.#sink?.ended(end, raw);
    // An incoming call that ends while being answered: the end is reported, the dial is done.
    this.#dialDone?.();
  }

  // ---- what the line routes here ----

  readonly #route: CallRoute = {
    frame: (message) => this.#onFrame(message),
    error: (payload) => this.#onError(payload, null),
    note: (kind, payload) => this.#sink?.event(kind, payload),
  };

  #onFrame(message: PstreamMessage): void {
    const sink = this.#sink;
    if (!sink) return;
    const { captured, frame } = message;
    if (!captured.delivered) {
      sink.event('warning', { message: `a PStream message could not be sent: the WebSocket was not open (${message.signal.summary})` });
      return;
    }
    let sentNow = false;
    if (captured.direction === 'sent' && !this.#sent && (frame.type === 'invite' || frame.type === 'answer')) {
      this.#sent = true;
      sentNow = true;
      if (this.#offerTimer) clearTimeout(this.#offerTimer);
      this.#offerTimer = null;
      this.#reportMicrophone();
      if (frame.type === 'invite') {
        const sdp = typeof frame.payload.sdp === 'string' ? frame.payload.sdp : '';
        const twilio = frame.payload.twilio as { params?: unknown } | undefined;
        void this.#report('dialing', this.#raw('invite', {
          pstream: 'invite',
          callsid: frame.callsid,
          to: this.#destination,
          params: typeof twilio?.params === 'string' ? twilio.params : null,
          candidates: candidateCounts(sdp),
        }));
      }
    }
    if (captured.direction === 'received') {
      if (frame.type === 'hangup') this.#remoteHangup = true;
      if ((frame.type === 'hangup' || frame.type === 'error') && frame.errorCode !== null) {
        this.#gatewayError = { code: frame.errorCode, message: frame.errorMessage, type: frame.type };
      }
    }
    sink.signal(message.signal, captured.at);
    if (sentNow) this.#dialDone?.();
  }

  // ---- the peer connection and the media ----

  #hookPc(pc: RTCPeerConnection): void {
    if (this.#pc === pc) return;
    const previous = this.#closePc;
    this.#pc = pc;
    const close = pc.close.bind(pc);
    this.#closePc = close;
    // The SDK closes the connection as the call ends; the session's final stats sample comes
    // after, so the real close waits for dispose().
    pc.close = () => undefined;
    previous?.();
    if (this.#disposed) {
      close();
      return;
    }
    pc.addEventListener('track', (event) => {
      if (this.#pc !== pc) return;
      this.#sink?.event('media', { media: 'remote_track', kind: (event as RTCTrackEvent).track.kind });
    });
    this.#sink?.peerConnection(pc);
  }

  #reportMicrophone(): void {
    if (this.#microphoneReported) return;
    const stream = this.#call?.getLocalStream();
    if (!stream || typeof stream.getAudioTracks !== 'function') return;
    this.#microphoneReported = true;
    this.#sink?.event('media', describeMicrophone(stream));
  }

  // ---- helpers ----

  #raw(event: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
    const call = this.#call;
    return { sdk: event, sdk_status: status(call), ...callIds(call), sdk_events: [...this.#history], ...extra };
  }

  /** Report a state unless it is the one reported last. */
  #report(state: ProgressState, raw: unknown): Promise<void> {
    if (this.#reported === state || !this.#sink) return Promise.resolve();
    this.#reported = state;
    return this.#sink.state(state, raw);
  }

  #waitForDisconnect(timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#disconnectWaiters.delete(done);
        resolve(status(this.#call) === 'closed');
      };
      const timer = setTimeout(done, timeoutMs);
      this.#disconnectWaiters.add(done);
    });
  }

  #checkAborted(): void {
    if (this.#aborted) throw new DialAborted();
  }
}

function status(call: SdkCall | null): string | null {
  try {
    return call ? call.status() : null;
  } catch {
    return null;
  }
}
