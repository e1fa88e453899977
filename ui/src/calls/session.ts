import type { Backend } from '../api/backend';
import { Listeners } from '../lib/listeners';
import { ApiFailure, describeError } from '../api/errors';
import type { CallState, Direction, EndInfo, EventKind, JournalEvent, Provider, Source } from '../api/generated';
import { MEDIA_CONNECT_TIMEOUT_MS, MediaWatch } from '../media/watch';
import { StatsSampler } from '../media/stats';
import type { LineFeatures, ProviderAdapter } from '../providers/core/adapter';
import type { CallSink, ProgressState, UiEventKind } from '../journal/call-sink';
import type { SignalMessage } from '../journal/signal';

/** A state and when this page saw it (on `clock`, in ms). */
export interface TimelineEntry {
  state: CallState;
  at: number;
}

/** What the views show of the current call. A new object on every change. */
export interface CallSnapshot {
  /** Null until `create_call` answers. */
  callId: string | null;
  provider: Provider;
  /** The account the call goes through (none for the Echo line). */
  account: string | null;
  direction: Direction;
  /** The far end: the number dialled, or the caller of an incoming call. */
  destination: string;
  /** What the line can do in a call (hold, DTMF). */
  features: LineFeatures;
  state: CallState;
  entries: readonly TimelineEntry[];
  end: EndInfo | null;
  muted: boolean;
  /** We put the call on hold (the far end may hold it too: that shows in `state`). */
  held: boolean;
  /** The DTMF digits sent so far. */
  dtmf: string;
  /** Warnings about this call (also journaled), for the user to see. */
  warnings: readonly string[];
  /** Ending has begun (e.g. hanging up, waiting for the far end to confirm). */
  ending: boolean;
  /** Ended and recorded: the next call may start. */
  closed: boolean;
}

export type HangupVia = 'button' | 'keyboard';

export interface SessionOptions {
  backend: Pick<Backend, 'call'>;
  adapter: ProviderAdapter;
  destination: string;
  /** The account to call through; required by the backend for every provider but Echo. */
  account?: string;
  /** `inbound` for a call we answer; outbound by default. */
  direction?: Direction;
  /** Called for every failure the user should see (recording, dialling, hanging up). */
  onError?: (context: string, error: unknown) => void;
  /** A monotonic clock in ms (tests pass a fake). */
  clock?: () => number;
  mediaTimeoutMs?: number;
  statsIntervalMs?: number;
}

/**
 * One call, whatever its provider: opens the call record, journals every state and event the
 * adapter reports (in order), keeps the live timeline, watches the media, and ends the call
 * exactly once, remembering who ended it.
 */
export class CallSession {
  readonly #backend: Pick<Backend, 'call'>;
  readonly #adapter: ProviderAdapter;
  readonly #onError: (context: string, error: unknown) => void;
  readonly #clock: () => number;
  readonly #mediaTimeoutMs: number;
  readonly #statsIntervalMs: number;
  readonly #listeners = new Listeners<CallSnapshot>();
  #snapshot: CallSnapshot;
  /** Every journal write goes through this chain, so they arrive in the order they happened. */
  #queue: Promise<void> = Promise.resolve();
  /** Set once `ended` is queued: the journal refuses anything later for this call. */
  #recordingClosed = false;
  #finishing: Promise<void> | null = null;
  #hangupBeforeCreated: HangupVia | null = null;
  #watch: MediaWatch | null = null;
  #watchedPc: RTCPeerConnection | null = null;
  #sampler: StatsSampler | null = null;

  constructor(options: SessionOptions) {
    this.#backend = options.backend;
    this.#adapter = options.adapter;
    this.#onError = options.onError ?? ((context, error) => console.error(`${context}:`, error));
    this.#clock = options.clock ?? (() => performance.now());
    this.#mediaTimeoutMs = options.mediaTimeoutMs ?? MEDIA_CONNECT_TIMEOUT_MS;
    this.#statsIntervalMs = options.statsIntervalMs ?? 1000;
    this.#snapshot = {
      callId: null,
      provider: options.adapter.provider,
      account: options.account ?? null,
      direction: options.direction ?? 'outbound',
      destination: options.destination,
      features: options.adapter.features,
      state: 'idle',
      entries: [],
      end: null,
      muted: false,
      held: false,
      dtmf: '',
      warnings: [],
      ending: false,
      closed: false,
    };
  }

  get snapshot(): CallSnapshot {
    return this.#snapshot;
  }

  get adapter(): ProviderAdapter {
    return this.#adapter;
  }

  /** Listen to snapshots; the current one is delivered at once. */
  subscribe(cb: (snapshot: CallSnapshot) => void): () => void {
    const stop = this.#listeners.add(cb);
    cb(this.#snapshot);
    return stop;
  }

  /**
   * Open the call record and dial. Rejects only when the record could not be opened (nothing
   * was recorded then); every later failure ends the call `{by:'error'}` and goes to `onError`.
   */
  async start(): Promise<void> {
    const { destination, account, direction } = this.#snapshot;
    let call;
    try {
      call = await this.#backend.call('create_call', {
        // The journal maps this session's clock onto the call's: events are then stamped when
        // they happened, whatever each write's own delay.
        ui_clock: this.#clock(),
        provider: this.#adapter.provider,
        destination,
        ...(account !== null ? { account } : {}),
        ...(direction === 'inbound' ? { direction } : {}),
      });
    } catch (error) {
      this.#update({ ending: false, closed: true });
      throw error;
    }
    this.#update({ callId: call.id, state: call.state });

    const earlyHangup = this.#hangupBeforeCreated;
    if (earlyHangup) {
      // Hung up before the record existed: end it now; nothing was dialled.
      this.#record('action', { action: 'hangup', via: earlyHangup });
      await this.#end({ by: 'local', failure: {} }, { action: 'hangup', via: earlyHangup }, false);
      return;
    }

    try {
      await this.#adapter.dial(destination, { callId: call.id, sink: this.#sink });
    } catch (error) {
      if (this.#finishing) return; // hung up (or ended) while dialling: the dial just stopped
      const described = describeError(error);
      this.#onError('Placing the call', error);
      this.#record('error', { during: 'dial', ...described });
      await this.#finish({ by: 'error', failure: { message: described.message } }, { error: described }, true);
    }
  }

  /** Hang up from our side. The far end's confirmation is awaited briefly by the adapter. */
  hangup(via: HangupVia = 'button'): Promise<void> {
    if (this.#finishing) return this.#finishing;
    if (this.#snapshot.callId === null) {
      // start() ends the call as soon as its record exists.
      this.#hangupBeforeCreated = via;
      this.#finishing = this.closed();
      this.#update({ ending: true });
      return this.#finishing;
    }
    this.#record('action', { action: 'hangup', via });
    return this.#finish({ by: 'local', failure: {} }, { action: 'hangup', via }, true);
  }

  setMuted(muted: boolean): void {
    if (this.#finishing || this.#snapshot.closed || muted === this.#snapshot.muted) return;
    try {
      this.#adapter.setMuted(muted);
    } catch (error) {
      this.#onError(muted ? 'Muting' : 'Unmuting', error);
      return;
    }
    this.#record('action', { action: muted ? 'mute' : 'unmute' });
    this.#update({ muted });
  }

  /**
   * Put the call on hold, or take it off. The action is journaled first; the state follows
   * from the provider (`held`, then `active` again).
   */
  setHeld(held: boolean): void {
    if (this.#finishing || this.#snapshot.closed || !this.#adapter.features.hold || held === this.#snapshot.held) return;
    this.#record('action', { action: held ? 'hold' : 'resume' });
    try {
      this.#adapter.setHeld(held);
    } catch (error) {
      this.#failedAction(held ? 'Holding the call' : 'Resuming the call', held ? 'hold' : 'resume', error);
      return;
    }
    this.#update({ held });
  }

  /** Send one DTMF digit the line's way (RFC 2833 or SIP INFO); journaled as an action. */
  sendDtmf(digit: string): void {
    const mode = this.#adapter.features.dtmf;
    if (this.#finishing || this.#snapshot.closed || mode === null) return;
    if (!/^[0-9*#A-D]$/.test(digit)) {
      this.#onError('Sending DTMF', new ApiFailure('bad_input', `"${digit}" is not a DTMF digit (0-9, *, #, A-D)`));
      return;
    }
    this.#record('action', { action: 'dtmf', digit, mode });
    try {
      this.#adapter.sendDtmf(digit);
    } catch (error) {
      this.#failedAction('Sending DTMF', 'dtmf', error);
      return;
    }
    this.#update({ dtmf: this.#snapshot.dtmf + digit });
  }

  #failedAction(context: string, during: string, error: unknown): void {
    this.#onError(context, error);
    this.#record('error', { during, ...describeError(error) });
  }

  /** Journal a warning about this call (e.g. the event stream missed events meanwhile). */
  warn(message: string, detail: Record<string, unknown> = {}): void {
    if (this.#recordingClosed) return;
    this.#record('warning', { message, ...detail });
    this.#update({ warnings: [...this.#snapshot.warnings, message] });
  }

  /** Resolves when the call has ended and every journal write has been attempted. */
  async closed(): Promise<void> {
    if (this.#snapshot.closed) return;
    await new Promise<void>((resolve) => {
      const stop = this.#listeners.add((s) => {
        if (s.closed) {
          stop();
          resolve();
        }
      });
    });
  }

  // ---- what the adapter reports ----

  readonly #sink: CallSink = {
    state: (state: ProgressState, raw: unknown) => {
      if (this.#recordingClosed) return Promise.resolve();
      this.#update({ state, entries: [...this.#snapshot.entries, { state, at: this.#clock() }] });
      const recorded = this.#recordState(state, raw);
      if (state === 'early' && !this.#finishing) this.#watch?.expectMedia('early media');
      if (state === 'active' && !this.#finishing) {
        this.#watch?.expectMedia('answer');
        this.#sampler?.start();
      }
      return recorded;
    },
    ended: (end: EndInfo, raw: unknown) => {
      void this.#finish(end, raw, false);
    },
    failed: (message: string, raw: unknown) => {
      void this.#finish({ by: 'error', failure: { message } }, raw, true);
    },
    event: (kind: UiEventKind, payload: unknown) => {
      this.#record(kind, payload);
      const message = (payload as { message?: unknown } | null)?.message;
      if ((kind === 'warning' || kind === 'error') && typeof message === 'string' && !this.#recordingClosed) {
        this.#update({ warnings: [...this.#snapshot.warnings, message] });
      }
    },
    signal: (message: SignalMessage, capturedAt?: number) => {
      this.#recordAs('signalling', 'signal', message, capturedAt);
    },
    peerConnection: (pc: RTCPeerConnection) => {
      if (this.#finishing || pc === this.#watchedPc) return;
      const replaced = this.#watch !== null;
      if (replaced) {
        // The provider replaced the call's connection (Telnyx re-attaching a call after its
        // signalling reconnected): watch and sample the new one from now on.
        this.#watch?.stop();
        void this.#sampler?.stop(false);
        this.#record('media', { pc: 'replaced' });
      }
      this.#watchedPc = pc;
      this.#watch = new MediaWatch(
        pc,
        (payload) => this.#record('media', payload),
        (message) => this.#sink.failed(message, { media: message }),
        this.#mediaTimeoutMs,
      );
      this.#sampler = new StatsSampler(
        pc,
        (sample) => this.#record('stats', sample),
        (error) => this.warn(`getStats failed: ${describeError(error).message}`),
        this.#statsIntervalMs,
      );
      if (replaced && (this.#snapshot.state === 'active' || this.#snapshot.state === 'held')) {
        this.#watch.expectMedia('answer');
        this.#sampler.start();
      } else if (replaced && this.#snapshot.entries.some((e) => e.state === 'active')) {
        this.#sampler.start();
      }
    },
  };

  // ---- ending, exactly once ----

  #finish(end: EndInfo, raw: unknown, hangUpProvider: boolean): Promise<void> {
    if (this.#finishing) return this.#finishing;
    return this.#end(end, raw, hangUpProvider);
  }

  #end(end: EndInfo, raw: unknown, hangUpProvider: boolean): Promise<void> {
    this.#update({ ending: true });
    // Started on the next microtask, after `#finishing` is set: a provider that reports its end
    // while being hung up (JsSIP does, synchronously) then finds this ending under way.
    const ending = Promise.resolve().then(async () => {
      let endRaw = raw;
      if (hangUpProvider) {
        try {
          endRaw = { cause: raw, hangup: await this.#adapter.hangup() };
          // Codes the provider put on our own hang-up (Telnyx's SDK fill-ins), kept in the record.
          const filled = end.by === 'local' ? this.#adapter.hangupFailure?.() : null;
          if (filled) end = { ...end, failure: { ...filled, ...end.failure } };
        } catch (error) {
          const described = describeError(error);
          this.#onError('Hanging up', error);
          this.#record('error', { during: 'hangup', ...described });
          endRaw = { cause: raw, hangup_error: described };
        }
      }
      this.#watch?.stop();
      // The last stats sample, before the peer connection closes and before `ended` closes the record.
      await this.#sampler?.stop(true);
      this.#update({
        state: 'ended',
        end,
        entries: [...this.#snapshot.entries, { state: 'ended', at: this.#clock() }],
      });
      // The journal reads the end's raw codes (a SIP Reason header): the call shows the end as recorded.
      const recorded = this.#recordState('ended', endRaw, end, (events) => {
        const journaled = events.find((e) => e.kind === 'state')?.payload as { end?: EndInfo | null } | undefined;
        if (journaled?.end) this.#update({ end: journaled.end });
      });
      this.#recordingClosed = true;
      try {
        this.#adapter.dispose();
      } catch (error) {
        this.#onError('Closing the call', error);
      }
      await recorded;
      this.#update({ ending: false, closed: true });
    });
    this.#finishing ??= ending;
    return ending;
  }

  // ---- journal writes, in order ----

  #enqueue(what: string, write: () => Promise<unknown>): Promise<void> {
    const next = this.#queue.then(write).then(
      () => undefined,
      (error: unknown) => this.#onError(`Recording ${what}`, error),
    );
    this.#queue = next;
    return next;
  }

  #recordState(state: CallState, raw: unknown, end?: EndInfo, recorded?: (events: JournalEvent[]) => void): Promise<void> {
    const callId = this.#snapshot.callId;
    if (callId === null || this.#recordingClosed) return Promise.resolve();
    const happened = this.#clock();
    const params = end ? { call_id: callId, source: 'ui' as const, state, raw, end } : { call_id: callId, source: 'ui' as const, state, raw };
    return this.#enqueue(`the call state "${state}"`, async () => {
      const events = await this.#backend.call('record_state', { ...params, observed_at: happened });
      recorded?.(events);
    });
  }



  #record(kind: UiEventKind, payload: unknown): void {
    this.#recordAs('ui', kind, payload);
  }

  /**
   * Queue an event, stamped at `happened` (the session's clock, given to the journal with the
   * call; now by default): writes go out
   * one after another, so the journal is told how long each waited.
   */
  #recordAs(source: Source, kind: Exclude<EventKind, 'state'>, payload: unknown, happened = this.#clock()): void {
    const callId = this.#snapshot.callId;
    // After `ended` the journal closes the call; late reports (e.g. a closing peer connection) are dropped.
    if (callId === null || this.#recordingClosed) return;
    void this.#enqueue(`a ${kind} event`, () =>
      this.#backend.call('record_event', { call_id: callId, source, kind, payload, observed_at: happened }),
    );
  }

  #update(change: Partial<CallSnapshot>): void {
    this.#snapshot = { ...this.#snapshot, ...change };
    this.#listeners.emit(this.#snapshot);
  }
}
