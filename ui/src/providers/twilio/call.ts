import { ApiFailure, describeError, errorText } from '../../api/errors';
import type { CallSink } from '../../journal/call-sink';
import { candidateCounts } from '../../media/ice';
import { describeMicrophone, MICROPHONE_CONSTRAINTS, microphoneHint } from '../../media/microphone';
import { DialAborted, type LineFeatures } from '../core/adapter';
import { CallCore, type CallTimeouts, type Origin } from '../core/call-core';
import {
  callIds,
  callStatus,
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

/**
 * How long a Twilio call waits: for its line to register; for the SDK (microphone, offer) to
 * send the invite (or our answer); for the SDK's `disconnect` after our hang-up (normally the
 * same turn). Tests pass shorter ones.
 */
export const TWILIO_TIMEOUTS: CallTimeouts = { readyTimeoutMs: 10_000, offerTimeoutMs: 15_000, hangupConfirmTimeoutMs: 2_000 };

/** What a Twilio call takes from the page: only its timeouts (the SDK opens the microphone and plays the far end). */
export type TwilioCallEnvironment = CallTimeouts;

export function pageTwilioCallEnvironment(): TwilioCallEnvironment {
  return { ...TWILIO_TIMEOUTS };
}

/** The Twilio SDK has no hold; DTMF goes as RFC 2833 tones (`sendDigits` over the RTCDTMFSender). */
export const TWILIO_FEATURES: LineFeatures = { hold: false, dtmf: 'rfc2833' };

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
export class TwilioCallAdapter extends CallCore<'twilio', TwilioLine, IncomingTwilioCall, PstreamMessage> {
  readonly features = TWILIO_FEATURES;
  readonly #env: TwilioCallEnvironment;
  #call: SdkCall | null = null;
  #destination = '';
  /** Every SDK event this call had, in order. */
  readonly #history: string[] = [];
  #muted = false;
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
  #dialFailedByError = false;
  readonly #stopListening: (() => void)[] = [];

  private constructor(origin: Origin<TwilioLine, IncomingTwilioCall>, env: TwilioCallEnvironment) {
    // The SDK plays the far end's audio itself.
    super(origin, null);
    this.#env = env;
  }

  static outgoing(line: TwilioLine, env: TwilioCallEnvironment = pageTwilioCallEnvironment()): TwilioCallAdapter {
    return new TwilioCallAdapter({ kind: 'outgoing', line }, env);
  }

  /** An incoming call the user accepted; `dial()` answers it. */
  static incoming(line: TwilioLine, call: IncomingTwilioCall, env: TwilioCallEnvironment = pageTwilioCallEnvironment()): TwilioCallAdapter {
    return new TwilioCallAdapter({ kind: 'incoming', line, call }, env);
  }

  async hangup(): Promise<unknown> {
    this.#localHangup = true;
    this.abortDial();
    const call = this.#call;
    if (!call) return { hangup: 'before_call', sent: false };
    const before = callStatus(call);
    if (before === 'closed') return { hangup: 'already_ended', sent: false, sdk_events: [...this.#history], ...callIds(call) };
    const waited = this.#env.hangupConfirmTimeoutMs;
    const disconnected = this.waitForEnd(waited, () => callStatus(this.#call) === 'closed');
    const rejecting = this.origin.kind === 'incoming' && before === 'pending';
    try {
      if (rejecting) call.reject();
      else call.disconnect();
    } catch (error) {
      return { hangup: rejecting ? 'reject' : 'disconnect', sent: false, error: describeError(error) };
    }
    const done = await disconnected;
    if (!done) this.sink?.event('warning', { message: `the Twilio SDK did not finish hanging up within ${waited} ms` });
    return { hangup: rejecting ? 'reject' : 'disconnect', sdk_status_before: before, disconnected: done, sdk_events: [...this.#history], ...callIds(call) };
  }

  setMuted(muted: boolean): void {
    this.#muted = muted;
    const call = this.#call;
    if (call && callStatus(call) !== 'closed') call.mute(muted);
  }

  setHeld(): void {
    throw new ApiFailure('hold', 'Twilio calls cannot be put on hold from the Voice SDK');
  }

  sendDtmf(digit: string): void {
    const call = this.#call;
    if (!call || callStatus(call) !== 'open') throw new ApiFailure('dtmf', 'DTMF needs an answered call');
    try {
      call.sendDigits(digit);
    } catch (error) {
      throw new ApiFailure('dtmf', `sending DTMF ${digit} failed: ${errorText(error)}`, 'The Twilio SDK sends 0-9, * and # (not A-D).');
    }
  }

  protected release(): void {
    for (const stop of this.#stopListening.splice(0)) stop();
    this.#endSdkCall();
    this.origin.line.release(this.#route, this.#call);
  }

  // ---- placing and answering ----

  protected async place(line: TwilioLine, destination: string, sink: CallSink): Promise<void> {
    this.#destination = destination;
    await this.whenLineReady(line, sink, this.#env.readyTimeoutMs);
    const credentials = this.credentialsOf(line);
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
      call = await line.connect({ params, rtcConstraints: MICROPHONE_CONSTRAINTS }, this.#route, (pc) => this.adoptPeer(pc));
    } catch (error) {
      this.settleDial();
      if (error instanceof ApiFailure) throw error;
      throw new ApiFailure('twilio', `the Twilio SDK could not place the call: ${errorText(error)}`);
    }
    this.#adopt(call);
    if (this.aborted) {
      // Hung up while the SDK was setting the call up.
      this.#localHangup = true;
      call.disconnect();
      throw new DialAborted();
    }
    await sent;
  }

  protected async answer(incoming: IncomingTwilioCall): Promise<void> {
    const line = this.origin.line;
    const call = incoming.call;
    this.#call = call;
    // The invite first (held until now), then what follows.
    this.routed(incoming.claim(this.#route));
    if (incoming.gone) {
      // The caller gave up between Accept and now.
      this.reportEnd({ by: 'remote', failure: { message: 'the caller hung up before the call was answered' } }, { sdk: incoming.gone.event, ...callIds(call) });
      return;
    }
    this.#adopt(call);
    await this.report(
      'ringing',
      this.#raw('incoming', {
        from: incoming.from,
        custom_parameters: incoming.customParameters,
        rang_ms: Math.round(line.clock() - incoming.arrivedAt),
      }),
    );
    if (callStatus(call) === 'closed' || this.aborted) return; // ended meanwhile: reported through the events
    const answered = this.#expectSent('our answer');
    line.expectPeer((pc) => this.adoptPeer(pc));
    try {
      call.accept({ rtcConstraints: MICROPHONE_CONSTRAINTS });
    } catch (error) {
      this.failDial(new ApiFailure('twilio', `answering the call failed: ${errorText(error)}`));
    }
    if (this.#muted) call.mute(true);
    await answered;
  }

  /**
   * Resolves when the invite (or our answer) leaves; rejects when the call ends before, when it
   * is hung up, or when nothing left within the timeout.
   */
  #expectSent(what: string): Promise<void> {
    const hint = 'Check the microphone permission and that the line is registered; the call’s errors may say more.';
    return this.expectSdkSent(what, this.#env.offerTimeoutMs, hint, () => this.#endSdkCall());
  }

  /** Have the SDK end its call, if it is still up; its end is ours (already reported, or the session's). */
  #endSdkCall(): void {
    const call = this.#call;
    if (!call || callStatus(call) === 'closed') return;
    this.#localHangup = true;
    try {
      call.disconnect();
    } catch {
      // already gone
    }
  }

  // ---- the SDK's Call events ----

  #adopt(call: SdkCall): void {
    this.#call = call;
    if (this.#muted) call.mute(true);
    const on = (event: string, handler: (...args: never[]) => void) => {
      const listener = (...args: never[]) => {
        if (this.disposed) return;
        this.#history.push(event);
        handler(...args);
      };
      call.on(event, listener);
      this.#stopListening.push(() => call.removeListener(event, listener));
    };
    on('ringing', (hasEarlyMedia: boolean) => {
      void this.report(ringingState(!!hasEarlyMedia), this.#raw('ringing', { hasEarlyMedia: !!hasEarlyMedia }));
    });
    on('accept', () => {
      this.#reportMicrophone();
      void this.report('active', this.#raw('accept', { codec: call.codec ?? null }));
      this.dialSent();
    });
    on('warning', (name: string, data: unknown) => this.sink?.event('warning', warningPayload(name, data, false, call)));
    on('warning-cleared', (name: string) => this.sink?.event('warning', warningPayload(name, null, true, call)));
    on('reconnecting', (error: unknown) => {
      const payload = reconnectingPayload(error, call);
      this.#reconnecting = { code: typeof payload.code === 'number' ? payload.code : null, at: this.origin.line.clock() };
      this.sink?.event('warning', payload);
    });
    on('reconnected', () => {
      const was = this.#reconnecting;
      this.#reconnecting = null;
      this.sink?.event('media', reconnectedPayload(was?.code ?? null, was ? Math.round(this.origin.line.clock() - was.at) : null, call));
    });
    on('error', (error: unknown) => this.#onError(errorPayload(error, 'twilio.call', call), error));
    on('cancel', () => {
      // The caller gave up (an incoming call not answered yet).
      this.reportEnd({ by: 'remote', failure: { message: 'the caller hung up before the call was answered' } }, this.#raw('cancel'));
    });
    on('disconnect', () => this.#onDisconnect());
    on('reject', () => undefined);
  }

  #onError(payload: TwilioErrorPayload, error: unknown): void {
    if (this.#gatewayError) payload.gateway_error = this.#gatewayError;
    this.#lastError = payload;
    this.sink?.event('error', payload);
    if (!this.#sent && this.dialPending) {
      // Nothing left yet: the dial itself failed (the microphone, the offer); the session ends
      // the call with that failure, so the SDK's `disconnect` that follows is not news.
      this.#dialFailedByError = true;
      const inner = (error as { originalError?: { name?: unknown } } | null)?.originalError;
      const name = typeof inner?.name === 'string' ? inner.name : '';
      if (payload.code === 31401 || payload.code === 31402 || payload.code === 31208) {
        this.failDial(new ApiFailure('microphone', `microphone: ${name ? `${name}: ` : ''}${payload.message}`, microphoneHint(name || (payload.code === 31401 ? 'NotAllowedError' : 'NotReadableError'))));
      } else {
        this.failDial(new ApiFailure('twilio', `the call could not be placed: ${payload.message}`));
      }
    }
  }

  #onDisconnect(): void {
    this.endSeen();
    if (this.#localHangup || this.#dialFailedByError) return; // the session records our own hang-up, or the failed dial
    if (!this.#sent && this.dialPending) {
      this.failDial(new ApiFailure('twilio', `the call could not be placed: ${this.#lastError?.message ?? 'the Twilio SDK ended it before the invite was sent'}`));
      return;
    }
    const how = this.#remoteHangup || !this.#lastError ? 'remote' : 'error';
    this.reportEnd(endInfo(how, this.#lastError), this.#raw('disconnect', { last_error: this.#lastError }));
  }

  // ---- what the line routes here ----

  readonly #route: CallRoute = {
    frame: (message) => this.#onFrame(message),
    error: (payload) => this.#onError(payload, null),
    note: (kind, payload) => this.sink?.event(kind, payload),
  };

  #onFrame(message: PstreamMessage): void {
    if (!this.sink || this.undelivered(message)) return;
    const { captured, frame } = message;
    let sentNow = false;
    if (captured.direction === 'sent' && !this.#sent && (frame.type === 'invite' || frame.type === 'answer')) {
      this.#sent = true;
      sentNow = true;
      this.stopOfferTimer();
      this.#reportMicrophone();
      if (frame.type === 'invite') {
        const sdp = typeof frame.payload.sdp === 'string' ? frame.payload.sdp : '';
        const twilio = frame.payload.twilio as { params?: unknown } | undefined;
        void this.report('dialing', this.#raw('invite', {
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
    this.journal(message);
    if (sentNow) this.dialSent();
  }

  // ---- the media ----

  #reportMicrophone(): void {
    if (this.#microphoneReported) return;
    const stream = this.#call?.getLocalStream();
    if (!stream || typeof stream.getAudioTracks !== 'function') return;
    this.#microphoneReported = true;
    this.sink?.event('media', describeMicrophone(stream));
  }

  // ---- helpers ----

  #raw(event: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
    const call = this.#call;
    return { sdk: event, sdk_status: callStatus(call), ...callIds(call), sdk_events: [...this.#history], ...extra };
  }

}
