import type { DTMFOptions, RTCSession, RTCSessionEventMap } from 'jssip/lib/RTCSession';
import { ApiFailure, describeError, errorText } from '../../api/errors';
import type { DtmfMode } from '../../api/generated';
import type { CallSink } from '../../journal/call-sink';
import { candidateCounts, ICE_GATHERING_TIMEOUT_MS } from '../../media/ice';
import { describeMicrophone, type GetUserMedia, openMicrophone, pageGetUserMedia } from '../../media/microphone';
import { RemoteAudio, type RemoteAudioPlayer } from '../../media/playback';
import { DialAborted, type LineFeatures } from '../core/adapter';
import { CallCore, type CallTimeouts } from '../core/call-core';
import { seconds } from '../core/line-core';
import { dtmfTransport, outboundProxyHeaders, pcConfiguration } from './config';
import { endInfo, provisionalState, rawEvent, type SipEndEvent, type SipMessageLike } from './events';
import type { IncomingSipCall } from './incoming';
import type { SipLine, SipRoute } from './line';
import type { SipMessage } from './wire-message';
import { isByeAnswer, isFinalAnswer, WireWaiters } from './wire-waiters';

/**
 * How long a SIP call waits: for its line to connect and register; for the INVITE (or our 200
 * OK), which never leaves when no ICE candidate comes; for the far end's final answer to our
 * hang-up (487 to the CANCEL'd INVITE, 200 to the BYE).
 */
export const SIP_TIMEOUTS: CallTimeouts = { readyTimeoutMs: 10_000, offerTimeoutMs: 10_000, hangupConfirmTimeoutMs: 2000 };

/** What a SIP call takes from the page; tests pass fakes. */
export interface SipCallEnvironment extends CallTimeouts {
  getUserMedia: GetUserMedia | null;
  remoteAudio: RemoteAudioPlayer;
  iceGatheringTimeoutMs: number;
}

export function pageSipCallEnvironment(): SipCallEnvironment {
  return { ...SIP_TIMEOUTS, getUserMedia: pageGetUserMedia(), remoteAudio: new RemoteAudio(), iceGatheringTimeoutMs: ICE_GATHERING_TIMEOUT_MS };
}

/** SIP holds with a re-INVITE and sends DTMF the account's way. */
export function sipFeatures(dtmf: DtmfMode): LineFeatures {
  return { hold: true, dtmf };
}

/**
 * One call through a SIP line (JsSIP). Maps JsSIP's events onto the normalised states, keeps
 * each raw event, journals the call's every SIP message from the line's wire capture, and ends
 * with the final response's status, reason and raw `Reason` header.
 *
 * JsSIP closes the peer connection before it announces the end; the core holds that close back
 * until `dispose()`, so the call session's final stats sample still sees the connection.
 */
export class SipCallAdapter extends CallCore<'sip', SipLine, IncomingSipCall, SipMessage> {
  readonly features: LineFeatures;
  readonly #env: SipCallEnvironment;
  #session: RTCSession | null = null;
  #microphone: MediaStream | null = null;
  #muted = false;
  /** The INVITE (outgoing) or the 200 OK (incoming) is on its way: JsSIP's outcome goes to the sink from now on. */
  #offered = false;
  /** We ended the JsSIP session ourselves for a reason already reported: its own end event is not news. */
  #quiet = false;
  #gatherTimer: ReturnType<typeof setTimeout> | null = null;
  #candidates = 0;
  /** The last failure of the browser's WebRTC engine JsSIP reported (it ends calls with a bare "WebRTC Error"). */
  #webrtcError: string | null = null;
  /** The words JsSIP put in the `Reason` of our own BYE or CANCEL (e.g. "Hold Failed"). */
  #ourReason: string | null = null;
  /** JsSIP sent a BYE that has no answer yet. */
  #byeUnanswered = false;
  readonly #waiters = new WireWaiters();
  readonly #route: SipRoute = { frame: (message) => this.#onWire(message) };

  private constructor(origin: { kind: 'outgoing'; line: SipLine } | { kind: 'incoming'; line: SipLine; call: IncomingSipCall }, dtmf: DtmfMode, env: SipCallEnvironment) {
    super(origin, env.remoteAudio);
    this.#env = env;
    this.features = sipFeatures(dtmf);
  }

  /** A call we place through `line`; `dtmf` is the account's DTMF mode. */
  static outgoing(line: SipLine, dtmf: DtmfMode, env: SipCallEnvironment = pageSipCallEnvironment()): SipCallAdapter {
    return new SipCallAdapter({ kind: 'outgoing', line }, dtmf, env);
  }

  /** An incoming call the user accepted; `dial()` answers it. */
  static incoming(line: SipLine, call: IncomingSipCall, env: SipCallEnvironment = pageSipCallEnvironment()): SipCallAdapter {
    return new SipCallAdapter({ kind: 'incoming', line, call }, line.credentials?.dtmf ?? 'rfc2833', env);
  }

  async hangup(): Promise<unknown> {
    this.abortDial();
    const session = this.#session;
    if (!session) return { hangup: 'before_invite', sent: false };
    if (session.isEnded()) return { hangup: 'already_ended', sent: false };
    const incoming = this.origin.kind === 'incoming';
    if (!this.#offered && !incoming) {
      // JsSIP has not sent the INVITE yet: it drops it.
      this.#terminate(session);
      return { hangup: 'before_invite', sent: false };
    }
    const established = session.isEstablished();
    if (incoming && !established) {
      this.#terminate(session);
      return { hangup: 'reject', sent: true };
    }
    const what = established ? 'BYE' : 'CANCEL';
    const waited = this.#env.hangupConfirmTimeoutMs;
    // A CANCEL is answered by the INVITE's final response (487); a BYE by its own.
    const confirmation = this.#waiters.wait((m) => (established ? isByeAnswer(m) : isFinalAnswer(m, 'INVITE')), waited);
    const error = this.#terminate(session);
    if (error) {
      this.#waiters.cancel();
      return { hangup: what.toLowerCase(), sent: false, error };
    }
    const answer = await confirmation;
    if (!answer) {
      this.sink?.event('warning', { message: `the far end did not answer our ${what} within ${waited} ms` });
      return { hangup: what.toLowerCase(), confirmed: null, waited_ms: waited };
    }
    return { hangup: what.toLowerCase(), confirmed: { status: answer.parsed?.status ?? null, reason: answer.parsed?.reason ?? null } };
  }

  setMuted(muted: boolean): void {
    this.#muted = muted;
    const session = this.#session;
    if (session) {
      // JsSIP's own mute, so that taking the call off hold keeps it muted.
      if (muted) session.mute({ audio: true });
      else session.unmute({ audio: true });
    } else {
      for (const track of this.#microphone?.getAudioTracks() ?? []) track.enabled = !muted;
    }
  }

  setHeld(held: boolean): void {
    const session = this.#session;
    if (!session || session.isEnded()) throw new ApiFailure('hold', 'there is no call to hold');
    const done = held ? session.hold() : session.unhold();
    if (!done) {
      throw new ApiFailure(
        'hold',
        held
          ? 'the call cannot be held now (not answered yet, already on hold, or a re-INVITE is still under way)'
          : 'the call cannot be resumed now (not on hold from our side, or a re-INVITE is still under way)',
      );
    }
  }

  sendDtmf(digit: string): void {
    const session = this.#session;
    if (!session || !session.isEstablished()) throw new ApiFailure('dtmf', 'DTMF needs an answered call');
    const transport = dtmfTransport(this.features.dtmf ?? 'rfc2833');
    if (transport === 'RFC2833') {
      const sender = this.peerConnection()?.getSenders().find((s) => s.track?.kind === 'audio' && s.dtmf);
      if (!sender?.dtmf) throw new ApiFailure('dtmf', 'this call has no audio sender that can send RFC 2833 tones', 'Set the account’s DTMF mode to SIP INFO.');
      if (!sender.dtmf.canInsertDTMF) throw new ApiFailure('dtmf', 'the audio sender cannot send RFC 2833 tones now (media not connected?)');
    }
    try {
      session.sendDTMF(digit, { transportType: transport as DTMFOptions['transportType'], duration: 100, interToneGap: 70 });
    } catch (error) {
      throw new ApiFailure('dtmf', `sending DTMF ${digit} failed: ${errorText(error)}`);
    }
  }

  protected release(): void {
    this.#clearGatherTimer();
    this.#waiters.cancel();
    const session = this.#session;
    if (session && !session.isEnded()) this.#terminate(session);
    for (const track of this.#microphone?.getTracks() ?? []) track.stop();
    this.#microphone = null;
  }

  // ---- placing and answering ----

  protected async place(line: SipLine, destination: string, sink: CallSink): Promise<void> {
    await this.whenLineReady(line, sink, this.#env.readyTimeoutMs);
    const credentials = this.credentialsOf(line);
    const microphone = await this.#openMicrophone(sink);

    const offered = this.#expectOffer();
    let placed: { session: RTCSession; callId: string };
    try {
      placed = line.call(destination, {
        mediaStream: microphone,
        mediaConstraints: { audio: true, video: false },
        pcConfig: pcConfiguration(credentials),
        extraHeaders: outboundProxyHeaders(credentials.outbound_proxy),
        eventHandlers: this.#handlers(destination),
      });
    } catch (error) {
      this.#clearGatherTimer();
      this.settleDial();
      if (error instanceof ApiFailure) throw error;
      throw new ApiFailure('bad_input', `cannot call "${destination}": ${errorText(error)}`, 'Enter a number, a user name or a SIP URI such as sip:bob@example.com.');
    }
    this.#session = placed.session;
    this.routed(line.route(placed.callId, this.#route));
    if (this.#muted) placed.session.mute({ audio: true });
    if (placed.session.connection) this.adoptPeer(placed.session.connection);
    await offered;
  }

  protected async answer(call: IncomingSipCall, sink: CallSink): Promise<void> {
    const session = call.session;
    this.#session = session;
    this.routed(call.claim(this.#route));
    if (call.gone) {
      // The caller hung up between Accept and now.
      this.reportEnd(endInfo(call.gone), rawEvent('failed', call.gone));
      return;
    }
    for (const [event, handler] of Object.entries(this.#handlers(call.from))) {
      session.on(event as keyof RTCSessionEventMap, handler as never);
    }
    const line = this.origin.line;
    await this.report('ringing', {
      jssip: 'newRTCSession',
      originator: 'remote',
      from: call.from,
      display_name: call.displayName,
      rang_ms: Math.round(line.clock() - call.arrivedAt),
    });
    const credentials = this.credentialsOf(line);
    const microphone = await this.#openMicrophone(sink);
    if (session.isEnded()) return; // the caller gave up meanwhile: its end has been reported
    const answered = this.#expectOffer();
    try {
      session.answer({ mediaStream: microphone, mediaConstraints: { audio: true, video: false }, pcConfig: pcConfiguration(credentials) });
    } catch (error) {
      this.#clearGatherTimer();
      this.settleDial();
      throw new ApiFailure('sip', `answering the call failed: ${errorText(error)}`);
    }
    if (session.connection) this.adoptPeer(session.connection);
    if (this.#muted) session.mute({ audio: true });
    await answered;
  }

  async #openMicrophone(sink: CallSink): Promise<MediaStream> {
    const microphone = await openMicrophone(this.#env.getUserMedia);
    if (this.aborted) {
      for (const track of microphone.getTracks()) track.stop();
      throw new DialAborted();
    }
    this.#microphone = microphone;
    if (this.#muted) for (const track of microphone.getAudioTracks()) track.enabled = false;
    sink.event('media', describeMicrophone(microphone));
    return microphone;
  }

  /**
   * Resolves when JsSIP sends the INVITE (or our 200 OK); rejects when the call fails before,
   * when it is hung up, or when no offer was ready within the timeout (JsSIP waits for ICE
   * gathering, forever when no candidate comes).
   */
  #expectOffer(): Promise<void> {
    const waited = this.#env.offerTimeoutMs;
    const what = this.origin.kind === 'incoming' ? 'our answer' : 'the INVITE';
    return this.expectSent(
      waited,
      () => {
        this.#clearGatherTimer();
        return this.#candidates === 0
          ? new ApiFailure('ice_gathering', `no ICE candidate was gathered within ${seconds(waited)}, so ${what} was never sent`, 'Check the network and the account’s STUN/TURN servers; a browser without any usable network interface gathers nothing.')
          : new ApiFailure('webrtc', `the browser did not finish the SDP within ${seconds(waited)}, so ${what} was never sent`);
      },
      () => {
        if (this.#session && !this.#session.isEnded()) {
          this.#quiet = true;
          this.#terminate(this.#session);
        }
      },
    );
  }

  #handlers(destination: string): Partial<RTCSessionEventMap> {
    return {
      peerconnection: ({ peerconnection }) => this.adoptPeer(peerconnection),
      icecandidate: ({ ready }) => {
        this.#candidates += 1;
        if (this.#gatherTimer) return;
        const waited = this.#env.iceGatheringTimeoutMs;
        this.#gatherTimer = setTimeout(() => {
          this.#gatherTimer = null;
          this.sink?.event('warning', { message: `ICE gathering did not complete within ${waited} ms of the first candidate; sending the candidates found so far` });
          ready();
        }, waited);
      },
      sdp: ({ originator }) => {
        if (originator === 'local' && this.#gatherTimer) {
          clearTimeout(this.#gatherTimer);
          this.#gatherTimer = null;
        }
      },
      sending: ({ request }) => {
        // Outgoing: the INVITE leaves right after this event. `dialing` is queued first.
        this.#offered = true;
        this.stopOfferTimer();
        const sdp = typeof request.body === 'string' ? request.body : '';
        void this.report('dialing', { jssip: 'sending', destination, candidates: candidateCounts(sdp) });
        this.dialSent();
      },
      progress: (event: { originator: string; response?: SipMessageLike | null }) => {
        const response = event.response ?? null;
        if (event.originator !== 'remote' || !response || typeof response.status_code !== 'number') return;
        const state = provisionalState(response.status_code, !!response.body);
        if (state) void this.report(state, rawEvent('progress', { originator: event.originator, response }));
      },
      accepted: (event: { originator: string; response?: SipMessageLike | null }) => {
        if (this.origin.kind === 'incoming') {
          this.#offered = true;
          this.stopOfferTimer();
        }
        const response = event.response ?? null;
        void this.report('active', rawEvent('accepted', { originator: event.originator, response }));
        this.dialSent();
      },
      confirmed: (event: { originator: string }) => {
        if (this.reported !== 'active' && this.reported !== 'held') void this.report('active', rawEvent('confirmed', { originator: event.originator }));
      },
      hold: (event) => this.#holdChanged('hold', event.originator),
      unhold: (event) => this.#holdChanged('unhold', event.originator),
      failed: (event) => this.#finished('failed', event as unknown as SipEndEvent),
      ended: (event) => this.#finished('ended', event as unknown as SipEndEvent),
      'peerconnection:setremotedescriptionfailed': (error) => this.#webrtcFailed('setRemoteDescription', error),
      'peerconnection:createofferfailed': (error) => this.#webrtcFailed('createOffer', error),
      'peerconnection:createanswerfailed': (error) => this.#webrtcFailed('createAnswer', error),
      'peerconnection:setlocaldescriptionfailed': (error) => this.#webrtcFailed('setLocalDescription', error),
    };
  }

  /** A failure's message with what this call saw fail: our BYE's Reason, the WebRTC engine's error. */
  #explain(message: string | undefined): string {
    const notes: string[] = [];
    for (const note of [message, this.#ourReason, this.#webrtcError]) {
      if (note && !notes.some((n) => n.includes(note))) notes.push(note);
    }
    return notes.join(' — ');
  }

  #webrtcFailed(during: string, error: unknown): void {
    const described = describeError(error);
    this.#webrtcError = `${during}: ${described.message}`;
    this.sink?.event('error', { during, ...described });
  }

  #holdChanged(name: 'hold' | 'unhold', originator: string): void {
    const session = this.#session;
    if (!session) return;
    const { local, remote } = session.isOnHold();
    void this.report(local || remote ? 'held' : 'active', { jssip: name, originator, local_hold: local, remote_hold: remote });
  }

  #finished(name: 'failed' | 'ended', event: SipEndEvent): void {
    this.stopOfferTimer();
    this.#clearGatherTimer();
    if (this.#quiet) return;
    const end = endInfo(event);
    const raw = rawEvent(name, event);
    if (this.origin.kind === 'outgoing' && !this.#offered && this.dialPending) {
      // No INVITE left yet: the dial itself failed (e.g. the offer could not be made).
      this.failDial(new ApiFailure('sip', `the call could not be placed: ${this.#explain(end.failure.message ?? event.cause)}`));
      return;
    }
    if (end.by !== 'error') {
      this.reportEnd(end, raw);
    } else {
      // JsSIP's cause alone ("WebRTC Error") hides what failed, and it reports a failed
      // setRemoteDescription only after the end: add what we saw, a moment later.
      // When JsSIP itself sent a BYE (ICE failed, hold failed), its answer belongs to this call's trace.
      queueMicrotask(async () => {
        end.failure.message = this.#explain(end.failure.message);
        if (this.#byeUnanswered) await this.#waiters.wait(isByeAnswer, this.#env.hangupConfirmTimeoutMs);
        this.reportEnd(end, raw);
      });
    }
    // An incoming call that ends while being answered: the end is reported, the dial is done.
    this.dialSent();
  }

  // ---- the wire ----

  #onWire(message: SipMessage): void {
    if (!this.sink || this.undelivered(message)) return;
    const p = message.parsed;
    if (message.captured.direction === 'sent' && p?.method === 'BYE') this.#byeUnanswered = true;
    if (isByeAnswer(message)) this.#byeUnanswered = false;
    if (message.captured.direction === 'sent' && (p?.method === 'BYE' || p?.method === 'CANCEL')) {
      const reason = p.header('reason');
      const text = reason ? /text="([^"]*)"/.exec(reason)?.[1] ?? reason : null;
      if (text) this.#ourReason = text;
    }
    this.journal(message);

    // JsSIP raises no event for 100 Trying; the wire has it.
    if (message.captured.direction === 'received' && p?.status === 100 && p.cseq?.method === 'INVITE' && this.reported === 'dialing') {
      void this.report('trying', { sip: p.firstLine, from: 'wire' });
    }
    this.#waiters.offer(message);
  }

  // ---- helpers ----

  #terminate(session: RTCSession): unknown {
    try {
      session.terminate();
      return null;
    } catch (error) {
      // Already terminated (JsSIP's InvalidStateError): nothing left to end.
      return describeError(error);
    }
  }

  #clearGatherTimer(): void {
    if (this.#gatherTimer) clearTimeout(this.#gatherTimer);
    this.#gatherTimer = null;
  }
}
