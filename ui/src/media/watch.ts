import { errorText } from '../api/errors';
import { localCandidateCounts, selectedPair, statsEntries } from './stats';

/**
 * How long after the answer (or after early media began) the media path may take to connect
 * before the call is given up. Chromium itself reports `connectionState: 'failed'` about 15 s
 * after ICE checks start, and JsSIP does not end such a call at all (reference/sip-lab.md §11).
 */
export const MEDIA_CONNECT_TIMEOUT_MS = 15_000;

/** What media is expected after: the answer, or early media (a 183 with SDP). */
export type MediaPhase = 'answer' | 'early media';

/** Chromium sometimes has no selected pair yet when the connection turns `connected`: ask again this often, this many times. */
const SELECTED_PAIR_RETRY_MS = 200;
const SELECTED_PAIR_TRIES = 5;

/**
 * Watches a call's peer connection: journals every state change of the connection, ICE and ICE
 * gathering, candidate errors and the selected candidate pair, and says when media failed.
 *
 * Payloads: `{pc:'connection', state}` (the backend takes the first `state:'connected'` as
 * "time to media", so only the connection state, which includes DTLS, uses that field),
 * `{pc:'ice_connection', ice_connection_state}`, `{pc:'ice_gathering', ice_gathering_state}`,
 * `{pc:'ice_candidate_error', url, errorCode, errorText, address, port}`,
 * `{pc:'selected_candidate_pair', local, remote, pair_state, currentRoundTripTime}`,
 * `{pc:'ice_candidates', host, srflx, relay, prflx}` (the local candidates gathered, once gathering
 * completes: a relay-only call that never connects is told apart by it).
 */
export class MediaWatch {
  #pc: RTCPeerConnection;
  #record: (payload: Record<string, unknown>) => void;
  #onFailure: (message: string) => void;
  #timeoutMs: number;
  #connected = false;
  #failed = false;
  #stopped = false;
  #timer: ReturnType<typeof setTimeout> | null = null;
  /** What the running timer counts from. */
  #phase: MediaPhase | null = null;
  #remove: (() => void)[] = [];
  #candidatesRecorded = false;

  constructor(
    pc: RTCPeerConnection,
    record: (payload: Record<string, unknown>) => void,
    onFailure: (message: string) => void,
    timeoutMs = MEDIA_CONNECT_TIMEOUT_MS,
  ) {
    this.#pc = pc;
    this.#record = record;
    this.#onFailure = onFailure;
    this.#timeoutMs = timeoutMs;
    this.#on('connectionstatechange', () => this.#connectionChanged());
    this.#on('iceconnectionstatechange', () => this.#iceChanged());
    this.#on('icegatheringstatechange', () => {
      this.#record({ pc: 'ice_gathering', ice_gathering_state: pc.iceGatheringState });
      if (pc.iceGatheringState === 'complete') void this.#recordCandidates();
    });
    // Gathering may have finished before the watch began (an SDK that gathers before it hands over the connection).
    if (pc.iceGatheringState === 'complete') void this.#recordCandidates();
    this.#on('icecandidateerror', (event) => {
      const e = event as RTCPeerConnectionIceErrorEvent;
      this.#record({
        pc: 'ice_candidate_error',
        url: e.url ?? null,
        errorCode: e.errorCode ?? null,
        errorText: e.errorText ?? null,
        address: e.address ?? null,
        port: e.port ?? null,
      });
    });
  }

  get connected(): boolean {
    return this.#connected;
  }

  /** The call was answered: media must connect within the timeout. */
  answered(): void {
    this.expectMedia('answer');
  }

  /**
   * The far end sent its SDP (answer or early media): media must connect within the timeout,
   * counted from now (an answer after early media starts the count again).
   */
  expectMedia(phase: MediaPhase): void {
    if (this.#connected || this.#stopped || this.#failed || this.#phase === phase) return;
    this.#phase = phase;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (!this.#connected) {
        const seconds = Math.round(this.#timeoutMs / 1000);
        this.#fail(`media never connected (ICE ${this.#pc.iceConnectionState} ${seconds} s after ${phase})`);
      }
    }, this.#timeoutMs);
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    for (const remove of this.#remove) remove();
    this.#remove = [];
  }

  #on(type: string, handler: (event: Event) => void): void {
    const listener = (event: Event) => {
      if (!this.#stopped) handler(event);
    };
    this.#pc.addEventListener(type, listener);
    this.#remove.push(() => this.#pc.removeEventListener(type, listener));
  }

  #connectionChanged(): void {
    const state = this.#pc.connectionState;
    this.#record({ pc: 'connection', state });
    if (state === 'connected' && !this.#connected) {
      this.#connected = true;
      if (this.#timer) clearTimeout(this.#timer);
      this.#timer = null;
      void this.#recordSelectedPair();
    } else if (state === 'failed') {
      this.#failedState();
    }
  }

  #iceChanged(): void {
    const state = this.#pc.iceConnectionState;
    this.#record({ pc: 'ice_connection', ice_connection_state: state });
    // Engines without connectionState report failure here only.
    if (state === 'failed') this.#failedState();
  }

  #failedState(): void {
    const ice = this.#pc.iceConnectionState;
    this.#fail(this.#connected ? `media path failed (ICE ${ice})` : `media never connected (ICE ${ice})`);
  }

  #fail(message: string): void {
    if (this.#failed || this.#stopped) return;
    this.#failed = true;
    this.#onFailure(message);
  }

  async #recordCandidates(): Promise<void> {
    if (this.#candidatesRecorded) return;
    this.#candidatesRecorded = true;
    try {
      const counts = localCandidateCounts(statsEntries(await this.#pc.getStats()));
      if (!this.#stopped) this.#record({ pc: 'ice_candidates', ...counts });
    } catch (error) {
      if (!this.#stopped) this.#record({ pc: 'ice_candidates', error: errorText(error) });
    }
  }

  async #recordSelectedPair(): Promise<void> {
    try {
      let pair = selectedPair(statsEntries(await this.#pc.getStats()));
      for (let tries = 1; !pair && tries < SELECTED_PAIR_TRIES && !this.#stopped; tries++) {
        await new Promise((resolve) => setTimeout(resolve, SELECTED_PAIR_RETRY_MS));
        pair = selectedPair(statsEntries(await this.#pc.getStats()));
      }
      if (!this.#stopped) this.#record({ pc: 'selected_candidate_pair', ...(pair ?? { local: null, remote: null }) });
    } catch (error) {
      if (!this.#stopped) {
        this.#record({ pc: 'selected_candidate_pair', error: errorText(error) });
      }
    }
  }
}
