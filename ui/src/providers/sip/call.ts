import type { DTMFOptions, RTCSession, RTCSessionEventMap } from 'jssip/lib/RTCSession';
import { ApiFailure, describeError, errorText } from '../../api/errors';
import type { DtmfMode } from '../../api/generated';
import { describeMicrophone, type GetUserMedia, openMicrophone, pageGetUserMedia } from '../../media/microphone';
import { RemoteAudio, type RemoteAudioPlayer } from '../../media/playback';
import type { CallSink, DialContext, LineFeatures, ProgressState, ProviderAdapter } from '../adapter';
import { candidateCounts, ICE_GATHERING_TIMEOUT_MS } from '../ice';
import { dtmfTransport, outboundProxyHeaders, pcConfiguration } from './config';
import { endInfo, provisionalState, rawEvent, type SipEndEvent, type SipMessageLike } from './events';
import type { IncomingSipCall } from './incoming';
import type { SipLine } from './line';
import { registrationText } from './registration';
import type { WireMessage } from './wire-message';
import { isByeAnswer, isFinalAnswer, WireWaiters } from './wire-waiters';

/** How long a dial waits for its line to connect and register. */
export const SIP_READY_TIMEOUT_MS = 10_000;
/** How long the offer (or answer) may take before the INVITE (or 200 OK) leaves: no ICE candidate at all otherwise. */
export const SIP_OFFER_TIMEOUT_MS = 10_000;
/** How long a hangup waits for the far end's final answer (487 to the CANCEL'd INVITE, 200 to the BYE). */
export const SIP_HANGUP_CONFIRM_TIMEOUT_MS = 2000;

/** What a SIP call takes from the page; tests pass fakes. */
export interface SipCallEnvironment {
  getUserMedia: GetUserMedia | null;
  remoteAudio: RemoteAudioPlayer;
  readyTimeoutMs: number;
  offerTimeoutMs: number;
  iceGatheringTimeoutMs: number;
  hangupConfirmTimeoutMs: number;
}

export function pageSipCallEnvironment(): SipCallEnvironment {
  return {
    getUserMedia: pageGetUserMedia(),
    remoteAudio: new RemoteAudio(),
    readyTimeoutMs: SIP_READY_TIMEOUT_MS,
    offerTimeoutMs: SIP_OFFER_TIMEOUT_MS,
    iceGatheringTimeoutMs: ICE_GATHERING_TIMEOUT_MS,
    hangupConfirmTimeoutMs: SIP_HANGUP_CONFIRM_TIMEOUT_MS,
  };
}

type Origin = { kind: 'outgoing'; line: SipLine } | { kind: 'incoming'; line: SipLine; call: IncomingSipCall };

/** Thrown by a dial that stopped because the call was hung up meanwhile. */
class DialAborted extends Error {
  constructor() {
    super('the call was hung up while dialling');
    this.name = 'DialAborted';
  }
}

/**
 * One call through a SIP line (JsSIP). Maps JsSIP's events onto the normalised states, keeps
 * each raw event, journals the call's every SIP message from the line's wire capture, and ends
 * with the final response's status, reason and `Reason` header.
 *
 * JsSIP closes the peer connection before it announces the end; this adapter holds that close
 * back until `dispose()`, so the call session's final stats sample still sees the connection.
 */
export class SipCallAdapter implements ProviderAdapter {
  readonly provider = 'sip' as const;
  readonly label: string;
  readonly features: LineFeatures;
  readonly #origin: Origin;
  readonly #env: SipCallEnvironment;
  #sink: CallSink | null = null;
  #session: RTCSession | null = null;
  #unroute: (() => void) | null = null;
  #pc: RTCPeerConnection | null = null;
  #closePc: (() => void) | null = null;
  #microphone: MediaStream | null = null;
  #muted = false;
  /** The last state reported (no state is reported twice in a row). */
  #reported: ProgressState | null = null;
  /** The INVITE (outgoing) or the 200 OK (incoming) is on its way: JsSIP's outcome goes to the sink from now on. */
  #offered = false;
  #aborted = false;
  #disposed = false;
  /** We ended the JsSIP session ourselves for a reason already reported: its own end event is not news. */
  #quiet = false;
  #dialFailed: ((error: unknown) => void) | null = null;
  #offerTimer: ReturnType<typeof setTimeout> | null = null;
  #gatherTimer: ReturnType<typeof setTimeout> | null = null;
  #candidates = 0;
  /** The last failure of the browser's WebRTC engine JsSIP reported (it ends calls with a bare "WebRTC Error"). */
  #webrtcError: string | null = null;
  /** The text of the `Reason` header JsSIP put on our BYE or CANCEL (e.g. "Hold Failed"). */
  #ourReason: string | null = null;
  /** JsSIP sent a BYE that has no answer yet. */
  #byeUnanswered = false;
  readonly #waiters = new WireWaiters();

  private constructor(origin: Origin, dtmf: DtmfMode, env: SipCallEnvironment) {
    this.#origin = origin;
    this.#env = env;
    this.label = `${origin.line.name} (SIP)`;
    this.features = { hold: true, dtmf };
  }

  /** A call we place through `line`; `dtmf` is the account's DTMF mode. */
  static outgoing(line: SipLine, dtmf: DtmfMode, env: SipCallEnvironment = pageSipCallEnvironment()): SipCallAdapter {
    return new SipCallAdapter({ kind: 'outgoing', line }, dtmf, env);
  }

  /** An incoming call the user accepted; `dial()` answers it. */
  static incoming(line: SipLine, call: IncomingSipCall, env: SipCallEnvironment = pageSipCallEnvironment()): SipCallAdapter {
    return new SipCallAdapter({ kind: 'incoming', line, call }, line.credentials?.dtmf ?? 'rfc2833', env);
  }

  peerConnection(): RTCPeerConnection | null {
    return this.#pc;
  }

  async dial(destination: string, context: DialContext): Promise<void> {
    this.#sink = context.sink;
    if (this.#origin.kind === 'incoming') await this.#answer(this.#origin.call, context.sink);
    else await this.#call(this.#origin.line, destination, context.sink);
  }

  async hangup(): Promise<unknown> {
    this.#aborted = true;
    this.#dialFailed?.(new DialAborted());
    const session = this.#session;
    if (!session) return { hangup: 'before_invite', sent: false };
    if (session.isEnded()) return { hangup: 'already_ended', sent: false };
    const incoming = this.#origin.kind === 'incoming';
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
      this.#sink?.event('warning', { message: `the far end did not answer our ${what} within ${waited} ms` });
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
      const sender = this.#pc?.getSenders().find((s) => s.track?.kind === 'audio' && s.dtmf);
      if (!sender?.dtmf) throw new ApiFailure('dtmf', 'this call has no audio sender that can send RFC 2833 tones', 'Set the account’s DTMF mode to SIP INFO.');
      if (!sender.dtmf.canInsertDTMF) throw new ApiFailure('dtmf', 'the audio sender cannot send RFC 2833 tones now (media not connected?)');
    }
    try {
      session.sendDTMF(digit, { transportType: transport as DTMFOptions['transportType'], duration: 100, interToneGap: 70 });
    } catch (error) {
      throw new ApiFailure('dtmf', `sending DTMF ${digit} failed: ${errorText(error)}`);
    }
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#aborted = true;
    this.#clearTimers();
    this.#waiters.cancel();
    const session = this.#session;
    if (session && !session.isEnded()) this.#terminate(session);
    this.#unroute?.();
    this.#unroute = null;
    for (const track of this.#microphone?.getTracks() ?? []) track.stop();
    this.#microphone = null;
    this.#closePc?.();
    this.#env.remoteAudio.stop();
  }

  // ---- placing and answering ----

  async #call(line: SipLine, destination: string, sink: CallSink): Promise<void> {
    if (line.status.state !== 'registered') {
      void sink.state('connecting', { line: line.name, registration: line.status });
      const status = await line.ready(this.#env.readyTimeoutMs);
      this.#checkAborted();
      if (status.state !== 'registered') {
        sink.event('warning', { message: `the line ${line.name} is not registered (${registrationText(status)}); calling anyway` });
      }
      void sink.state('ready', { line: line.name, registration: status });
    }
    const credentials = line.credentials;
    if (!credentials) throw new ApiFailure('sip_line', `the line ${line.name} has no credentials`);
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
      this.#clearTimers();
      this.#dialFailed = null;
      this.#offerResolved = null;
      if (error instanceof ApiFailure) throw error;
      throw new ApiFailure('bad_input', `cannot call "${destination}": ${errorText(error)}`, 'Enter a number, a user name or a SIP URI such as sip:bob@example.com.');
    }
    this.#adopt(placed.session, line.route(placed.callId, (m) => this.#onWire(m)));
    await offered;
  }

  async #answer(call: IncomingSipCall, sink: CallSink): Promise<void> {
    const session = call.session;
    this.#session = session;
    this.#unroute = call.claim((m) => this.#onWire(m));
    if (call.goneEvent) {
      // The caller hung up between Accept and now.
      sink.ended(endInfo(call.goneEvent), rawEvent('failed', call.goneEvent));
      return;
    }
    for (const [event, handler] of Object.entries(this.#handlers(call.from))) {
      session.on(event as keyof RTCSessionEventMap, handler as never);
    }
    const line = this.#origin.line;
    await this.#report('ringing', {
      jssip: 'newRTCSession',
      originator: 'remote',
      from: call.from,
      display_name: call.displayName,
      rang_ms: Math.round(line.clock() - call.arrivedAt),
    });
    const credentials = line.credentials;
    if (!credentials) throw new ApiFailure('sip_line', `the line ${line.name} has no credentials`);
    const microphone = await this.#openMicrophone(sink);
    if (session.isEnded()) return; // the caller gave up meanwhile: its end has been reported
    const answered = this.#expectOffer();
    try {
      session.answer({ mediaStream: microphone, mediaConstraints: { audio: true, video: false }, pcConfig: pcConfiguration(credentials) });
    } catch (error) {
      this.#clearTimers();
      this.#dialFailed = null;
      this.#offerResolved = null;
      throw new ApiFailure('sip', `answering the call failed: ${errorText(error)}`);
    }
    if (session.connection) this.#hookPc(session.connection);
    if (this.#muted) session.mute({ audio: true });
    await answered;
  }

  async #openMicrophone(sink: CallSink): Promise<MediaStream> {
    const microphone = await openMicrophone(this.#env.getUserMedia);
    if (this.#aborted) {
      for (const track of microphone.getTracks()) track.stop();
      throw new DialAborted();
    }
    this.#microphone = microphone;
    if (this.#muted) for (const track of microphone.getAudioTracks()) track.enabled = false;
    sink.event('media', describeMicrophone(microphone));
    return microphone;
  }

  #adopt(session: RTCSession, unroute: () => void): void {
    this.#session = session;
    this.#unroute = unroute;
    if (this.#muted) session.mute({ audio: true });
    if (session.connection && !this.#pc) this.#hookPc(session.connection);
  }

  /**
   * Resolves when JsSIP sends the INVITE (or our 200 OK); rejects when the call fails before,
   * when it is hung up, or when no offer was ready within the timeout (JsSIP waits for ICE
   * gathering, forever when no candidate comes).
   */
  #expectOffer(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#dialFailed = (error) => {
        this.#dialFailed = null;
        this.#offerResolved = null;
        this.#clearTimers();
        reject(error);
      };
      this.#offerResolved = () => {
        this.#dialFailed = null;
        this.#offerResolved = null;
        resolve();
      };
      const waited = this.#env.offerTimeoutMs;
      this.#offerTimer = setTimeout(() => {
        this.#offerTimer = null;
        const seconds = Math.round(waited / 1000);
        const what = this.#origin.kind === 'incoming' ? 'our answer' : 'the INVITE';
        const failure =
          this.#candidates === 0
            ? new ApiFailure('ice_gathering', `no ICE candidate was gathered within ${seconds} s, so ${what} was never sent`, 'Check the network and the account’s STUN/TURN servers; a browser without any usable network interface gathers nothing.')
            : new ApiFailure('webrtc', `the browser did not finish the SDP within ${seconds} s, so ${what} was never sent`);
        this.#dialFailed?.(failure);
        if (this.#session && !this.#session.isEnded()) {
          this.#quiet = true;
          this.#terminate(this.#session);
        }
      }, waited);
    });
  }

  #offerResolved: (() => void) | null = null;

  #handlers(destination: string): Partial<RTCSessionEventMap> {
    return {
      peerconnection: ({ peerconnection }) => this.#hookPc(peerconnection),
      icecandidate: ({ ready }) => {
        this.#candidates += 1;
        if (this.#gatherTimer) return;
        const waited = this.#env.iceGatheringTimeoutMs;
        this.#gatherTimer = setTimeout(() => {
          this.#gatherTimer = null;
          this.#sink?.event('warning', { message: `ICE gathering did not complete within ${waited} ms of the first candidate; sending the candidates found so far` });
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
        if (this.#offerTimer) clearTimeout(this.#offerTimer);
        this.#offerTimer = null;
        const sdp = typeof request.body === 'string' ? request.body : '';
        void this.#report('dialing', { jssip: 'sending', destination, candidates: candidateCounts(sdp) });
        this.#offerResolved?.();
      },
      progress: (event: { originator: string; response?: SipMessageLike | null }) => {
        const response = event.response ?? null;
        if (event.originator !== 'remote' || !response || typeof response.status_code !== 'number') return;
        const state = provisionalState(response.status_code, !!response.body);
        if (state) void this.#report(state, rawEvent('progress', { originator: event.originator, response }));
      },
      accepted: (event: { originator: string; response?: SipMessageLike | null }) => {
        if (this.#origin.kind === 'incoming') {
          this.#offered = true;
          if (this.#offerTimer) clearTimeout(this.#offerTimer);
          this.#offerTimer = null;
        }
        const response = event.response ?? null;
        void this.#report('active', rawEvent('accepted', { originator: event.originator, response }));
        this.#offerResolved?.();
      },
      confirmed: (event: { originator: string }) => {
        if (this.#reported !== 'active' && this.#reported !== 'held') void this.#report('active', rawEvent('confirmed', { originator: event.originator }));
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
    this.#sink?.event('error', { during, ...described });
  }

  #holdChanged(name: 'hold' | 'unhold', originator: string): void {
    const session = this.#session;
    if (!session) return;
    const { local, remote } = session.isOnHold();
    void this.#report(local || remote ? 'held' : 'active', { jssip: name, originator, local_hold: local, remote_hold: remote });
  }

  #finished(name: 'failed' | 'ended', event: SipEndEvent): void {
    this.#clearTimers();
    if (this.#quiet) return;
    const end = endInfo(event);
    const raw = rawEvent(name, event);
    if (this.#origin.kind === 'outgoing' && !this.#offered && this.#dialFailed) {
      // No INVITE left yet: the dial itself failed (e.g. the offer could not be made).
      this.#dialFailed(new ApiFailure('sip', `the call could not be placed: ${this.#explain(end.failure.message ?? event.cause)}`));
      return;
    }
    if (end.by !== 'error') {
      this.#sink?.ended(end, raw);
    } else {
      // JsSIP's cause alone ("WebRTC Error") hides what failed, and it reports a failed
      // setRemoteDescription only after the end: add what we saw, a moment later.
      // When JsSIP itself sent a BYE (ICE failed, hold failed), its answer belongs to this call's trace.
      queueMicrotask(async () => {
        end.failure.message = this.#explain(end.failure.message);
        if (this.#byeUnanswered) await this.#waiters.wait(isByeAnswer, this.#env.hangupConfirmTimeoutMs);
        this.#sink?.ended(end, raw);
      });
    }
    // An incoming call that ends while being answered: the end is reported, the dial is done.
    this.#offerResolved?.();
  }

  // ---- the wire and the peer connection ----

  #onWire(message: WireMessage): void {
    const sink = this.#sink;
    if (!sink) return;
    if (!message.captured.delivered) {
      sink.event('warning', { message: `a SIP message could not be sent: the WebSocket was not open (${message.signal.summary})` });
      return;
    }
    const p = message.parsed;
    if (message.captured.direction === 'sent' && p?.method === 'BYE') this.#byeUnanswered = true;
    if (isByeAnswer(message)) this.#byeUnanswered = false;
    if (message.captured.direction === 'sent' && (p?.method === 'BYE' || p?.method === 'CANCEL')) {
      const reason = p.header('reason');
      const text = reason ? /text="([^"]*)"/.exec(reason)?.[1] ?? reason : null;
      if (text) this.#ourReason = text;
    }
    sink.signal(message.signal, message.captured.at);

    // JsSIP raises no event for 100 Trying; the wire has it.
    if (message.captured.direction === 'received' && p?.status === 100 && p.cseq?.method === 'INVITE' && this.#reported === 'dialing') {
      void this.#report('trying', { sip: p.firstLine, from: 'wire' });
    }
    this.#waiters.offer(message);
  }

  #hookPc(pc: RTCPeerConnection): void {
    if (this.#pc === pc) return;
    this.#pc = pc;
    const close = pc.close.bind(pc);
    this.#closePc = close;
    // JsSIP closes the connection before its `ended`/`failed` event; the final stats sample
    // comes after that, so the real close waits for dispose().
    pc.close = () => undefined;
    if (this.#disposed) {
      close();
      return;
    }
    this.#sink?.peerConnection(pc);
    pc.addEventListener('track', (event) => {
      const track = (event as RTCTrackEvent).track;
      const stream = (event as RTCTrackEvent).streams[0] ?? new MediaStream([track]);
      this.#sink?.event('media', { media: 'remote_track', kind: track.kind });
      this.#env.remoteAudio.play(stream, (message) => this.#sink?.event('warning', { message }));
    });
  }

  // ---- helpers ----

  /** Report a state unless it is the one reported last. */
  #report(state: ProgressState, raw: unknown): Promise<void> {
    if (this.#reported === state || !this.#sink) return Promise.resolve();
    this.#reported = state;
    return this.#sink.state(state, raw);
  }

  #terminate(session: RTCSession): unknown {
    try {
      session.terminate();
      return null;
    } catch (error) {
      // Already terminated (JsSIP's InvalidStateError): nothing left to end.
      return describeError(error);
    }
  }

  #checkAborted(): void {
    if (this.#aborted) throw new DialAborted();
  }

  #clearTimers(): void {
    if (this.#offerTimer) clearTimeout(this.#offerTimer);
    if (this.#gatherTimer) clearTimeout(this.#gatherTimer);
    this.#offerTimer = null;
    this.#gatherTimer = null;
  }
}
