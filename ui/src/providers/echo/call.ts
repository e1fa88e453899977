import type { Backend } from '../../api/backend';
import { ApiFailure, describeError } from '../../api/errors';
import type { EchoSignal } from '../../api/generated';
import { describeMicrophone, type GetUserMedia, openMicrophone, pageGetUserMedia } from '../../media/microphone';
import { RemoteAudio, type RemoteAudioPlayer } from '../../media/playback';
import { type DialContext, NO_FEATURES, type ProviderAdapter } from '../core/adapter';
import { type CallSink } from '../../journal/call-sink';
import { echoReaction } from './signals';
import { candidateCounts, ICE_GATHERING_TIMEOUT_MS, waitForIceGathering } from '../../media/ice';

export const ECHO_LABEL = 'Echo line (built in)';

/** How long a hangup waits for the far end's confirmation (487 / 200). */
export const HANGUP_CONFIRM_TIMEOUT_MS = 2000;

/** What the Echo adapter takes from the page; tests pass fakes. */
export interface EchoEnvironment {
  getUserMedia: GetUserMedia | null;
  createPeerConnection: (config: RTCConfiguration) => RTCPeerConnection;
  remoteAudio: RemoteAudioPlayer;
  iceGatheringTimeoutMs: number;
  hangupConfirmTimeoutMs: number;
}

export function pageEchoEnvironment(): EchoEnvironment {
  return {
    getUserMedia: pageGetUserMedia(),
    createPeerConnection: (config) => new RTCPeerConnection(config),
    remoteAudio: new RemoteAudio(),
    iceGatheringTimeoutMs: ICE_GATHERING_TIMEOUT_MS,
    hangupConfirmTimeoutMs: HANGUP_CONFIRM_TIMEOUT_MS,
  };
}

/** Thrown by a dial that stopped because the call was hung up meanwhile. */
class DialAborted extends Error {
  constructor() {
    super('the call was hung up while dialling');
    this.name = 'DialAborted';
  }
}

/**
 * The built-in Echo line: a plain RTCPeerConnection to the backend's far end. The offer goes
 * with every candidate (no trickle) through `echo_dial`; the far end's signals come back as
 * `echo` events.
 */
export class EchoAdapter implements ProviderAdapter {
  readonly provider = 'echo' as const;
  readonly label = ECHO_LABEL;
  readonly features = NO_FEATURES;
  readonly #backend: Pick<Backend, 'call' | 'onEvent' | 'eventsReady'>;
  readonly #env: EchoEnvironment;
  #callId: string | null = null;
  #sink: CallSink | null = null;
  #pc: RTCPeerConnection | null = null;
  #microphone: MediaStream | null = null;
  #unsubscribe: (() => void) | null = null;
  /** Far-end signals are handled one after another (an answer's SDP is applied before a bye). */
  #signals: Promise<void> = Promise.resolve();
  /** The `echo_dial` request, once sent. */
  #dialRequest: Promise<unknown> | null = null;
  #aborted = false;
  /** The far end has finished the call (rejected, hung up, or confirmed our hangup). */
  #farEndDone = false;
  #confirmationWaiter: ((signal: EchoSignal) => void) | null = null;
  #disposed = false;
  /** Journal seqs of the far-end signals already handled (live or replayed). */
  readonly #handledSeqs = new Set<number>();

  constructor(backend: Pick<Backend, 'call' | 'onEvent' | 'eventsReady'>, env: EchoEnvironment = pageEchoEnvironment()) {
    this.#backend = backend;
    this.#env = env;
  }

  peerConnection(): RTCPeerConnection | null {
    return this.#pc;
  }

  async dial(destination: string, { callId, sink }: DialContext): Promise<void> {
    this.#callId = callId;
    this.#sink = sink;
    // Listen before anything is sent: the far end answers fast.
    this.#unsubscribe = this.#backend.onEvent((event) => {
      if (event.type === 'echo' && event.call_id === callId) this.#accept(event.seq, event.signal);
      // Events may have been dropped: the journal has every far-end signal, replay the missed ones.
      if (event.type === 'lagged' || (event.type === 'stream' && event.resumed)) void this.#replayMissed();
    });
    await this.#backend.eventsReady();
    this.#checkAborted();

    const microphone = await openMicrophone(this.#env.getUserMedia);
    if (this.#aborted) {
      for (const track of microphone.getTracks()) track.stop();
      throw new DialAborted();
    }
    this.#microphone = microphone;
    sink.event('media', describeMicrophone(microphone));

    const pc = this.#env.createPeerConnection({ iceServers: [] });
    this.#pc = pc;
    sink.peerConnection(pc);
    pc.addEventListener('track', (event) => {
      const track = (event as RTCTrackEvent).track;
      const stream = (event as RTCTrackEvent).streams[0] ?? new MediaStream([track]);
      sink.event('media', { media: 'remote_track', kind: track.kind });
      this.#env.remoteAudio.play(stream, (message) => sink.event('warning', { message }));
    });
    for (const track of microphone.getAudioTracks()) pc.addTrack(track, microphone);

    await pc.setLocalDescription(await pc.createOffer());
    const gathering = await waitForIceGathering(pc, this.#env.iceGatheringTimeoutMs);
    this.#checkAborted();
    const sdp = pc.localDescription?.sdp;
    if (!sdp) throw new ApiFailure('webrtc', 'the browser produced no SDP offer', null);
    if (gathering === 'timeout') {
      sink.event('warning', {
        message: `ICE gathering did not complete within ${this.#env.iceGatheringTimeoutMs} ms; sending the candidates found so far`,
      });
    }

    // Journaled before the offer leaves, so the far end's answers come after it.
    await sink.state('dialing', { echo: 'offer', destination, ice_gathering: gathering, candidates: candidateCounts(sdp) });
    this.#checkAborted();
    const request = this.#backend.call('echo_dial', { call_id: callId, offer_sdp: sdp });
    this.#dialRequest = request;
    await request;
  }

  async hangup(): Promise<unknown> {
    this.#aborted = true;
    const request = this.#dialRequest;
    if (!request) return { hangup: 'before_dial', sent: false };
    try {
      await request; // a CANCEL must not overtake the INVITE
    } catch {
      return { hangup: 'dial_failed', sent: false };
    }
    if (this.#farEndDone) return { hangup: 'far_end_already_done', sent: false };

    let timer: ReturnType<typeof setTimeout> | undefined;
    const waited = this.#env.hangupConfirmTimeoutMs;
    const confirmation = new Promise<unknown>((resolve) => {
      this.#confirmationWaiter = resolve;
      timer = setTimeout(() => resolve({ hangup_confirmed: null, waited_ms: waited }), waited);
    });
    try {
      await this.#backend.call('echo_hangup', { call_id: this.#callId ?? '' });
      const result = await confirmation;
      if ((result as { hangup_confirmed?: unknown }).hangup_confirmed === null) {
        this.#sink?.event('warning', { message: `the far end did not confirm the hangup within ${waited} ms` });
      }
      return result;
    } finally {
      clearTimeout(timer);
      this.#confirmationWaiter = null;
    }
  }

  setMuted(muted: boolean): void {
    for (const track of this.#microphone?.getAudioTracks() ?? []) track.enabled = !muted;
  }

  setHeld(): void {
    throw new ApiFailure('unsupported', 'the Echo line has no hold');
  }

  sendDtmf(): void {
    throw new ApiFailure('unsupported', 'the Echo line takes no DTMF');
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#aborted = true;
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    for (const track of this.#microphone?.getTracks() ?? []) track.stop();
    this.#microphone = null;
    this.#pc?.close();
    this.#env.remoteAudio.stop();
  }

  #checkAborted(): void {
    if (this.#aborted) throw new DialAborted();
  }

  #accept(seq: number | null, signal: EchoSignal): void {
    if (seq !== null) {
      if (this.#handledSeqs.has(seq)) return;
      this.#handledSeqs.add(seq);
    }
    this.#onSignal(signal);
  }

  /** Handle, in journal order, the far end's signals this page has not seen. */
  async #replayMissed(): Promise<void> {
    const callId = this.#callId;
    if (!callId || this.#disposed) return;
    try {
      const detail = await this.#backend.call('get_call', { call_id: callId });
      const missed = detail.events.filter(
        (e) => e.kind === 'signal' && !this.#handledSeqs.has(e.seq) && isReceivedEchoSignal(e.payload),
      );
      if (missed.length > 0) {
        this.#sink?.event('warning', { message: `replayed ${missed.length} missed Echo line signal(s) from the journal` });
      }
      for (const event of missed) this.#accept(event.seq, (event.payload as { body: EchoSignal }).body);
    } catch (error) {
      this.#sink?.event('warning', { message: `could not replay missed Echo signals: ${describeError(error).message}` });
    }
  }

  #onSignal(signal: EchoSignal): void {
    this.#signals = this.#signals
      .then(() => this.#handle(signal))
      .catch((error: unknown) => console.error(`handling the Echo line's ${signal.signal}:`, error));
  }

  async #handle(signal: EchoSignal): Promise<void> {
    const sink = this.#sink;
    if (!sink || this.#disposed) return;
    const reaction = echoReaction(signal);
    switch (reaction.kind) {
      case 'state':
        void sink.state(reaction.state, signal);
        return;
      case 'answer': {
        const pc = this.#pc;
        if (!pc) {
          sink.failed('the far end answered a call that has no peer connection', signal);
          return;
        }
        try {
          await pc.setRemoteDescription({ type: 'answer', sdp: reaction.sdp });
        } catch (error) {
          sink.failed(`could not apply the far end's answer: ${describeError(error).message}`, signal);
          return;
        }
        void sink.state('active', signal);
        return;
      }
      case 'ended':
        this.#farEndDone = true;
        sink.ended(reaction.end, signal);
        return;
      case 'hangup_confirmed':
        this.#farEndDone = true;
        if (this.#confirmationWaiter) this.#confirmationWaiter(signal);
        else sink.event('warning', { message: 'the far end confirmed a hangup nobody asked for', signal });
        return;
      case 'unknown':
        sink.event('warning', { message: 'unknown signal from the Echo line', signal });
        return;
    }
  }
}

/** A journaled signal the Echo line's far end sent us; its body is the typed signal. */
function isReceivedEchoSignal(payload: unknown): boolean {
  const p = payload as { protocol?: unknown; direction?: unknown; body?: { signal?: unknown } } | null;
  return p?.protocol === 'echo' && p.direction === 'received' && typeof p.body?.signal === 'string';
}
