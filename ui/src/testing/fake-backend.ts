import { type Backend, type BackendEvent, type Method, type Params, type Result } from '../api/backend';
import { Listeners } from '../lib/listeners';
import { ApiFailure } from '../api/errors';
import type { CallState, CallSummary, EndInfo, JournalEvent, RecordEvent, RecordState } from '../api/generated';

type Handler<M extends Method> = (params: Params<M>) => Result<M> | Promise<Result<M>>;

export interface Sent {
  method: Method;
  params: unknown;
}

/**
 * A backend in memory that keeps the journal's rules (as `crates/core` does): `ended` needs
 * `end`, other states must not carry it, and nothing is recorded for a call after it ended.
 */
export class FakeBackend implements Backend {
  face: 'window' | 'browser' = 'browser';
  readonly sent: Sent[] = [];
  readonly listeners = new Listeners<BackendEvent>();
  readonly calls = new Map<string, CallSummary>();
  /** Every event journaled for each call, as `get_call` returns them. */
  readonly journal = new Map<string, JournalEvent[]>();
  #launchSeq = 0;
  #handlers = new Map<string, (params: unknown) => unknown>();
  #nextNumber = 1;

  constructor() {
    this.handle('create_call', (p) => {
      const call = summary(this.#nextNumber++, p.destination, { provider: p.provider, account: p.account ?? null });
      this.calls.set(call.id, call);
      this.#published(call);
      return call;
    });
    this.handle('record_state', (p) => this.#recordState(p));
    this.handle('record_event', (p) => this.#recordEvent(p));
    this.handle('log', () => ({}));
    this.handle('list_accounts', () => []);
    this.handle('get_call', (p) => {
      const call = this.calls.get(p.call_id);
      if (!call) throw new ApiFailure('unknown_call', `no call with id ${p.call_id}`);
      return { call, events: [...(this.journal.get(call.id) ?? [])], diagnosis: null };
    });
  }

  handle<M extends Method>(method: M, handler: Handler<M>): this {
    this.#handlers.set(method, handler as (params: unknown) => unknown);
    return this;
  }

  /** The handler a method has now (a test wraps it to change what the backend answers). */
  handler<M extends Method>(method: M): Handler<M> {
    const handler = this.#handlers.get(method);
    if (!handler) throw new ApiFailure('not_faked', `${method} is not faked in this test`, null, method);
    return handler as Handler<M>;
  }

  call<M extends Method>(method: M, params: Params<M>): Promise<Result<M>> {
    // Through JSON, as on the wire: what cannot be serialised shows up here.
    this.sent.push({ method, params: JSON.parse(JSON.stringify(params)) as unknown });
    const handler = this.#handlers.get(method);
    if (!handler) return Promise.reject(new ApiFailure('not_faked', `${method} is not faked in this test`, null, method));
    return Promise.resolve().then(() => handler(params) as Result<M>);
  }

  onEvent(cb: (event: BackendEvent) => void): () => void {
    return this.listeners.add(cb);
  }

  eventsReady(): Promise<void> {
    return Promise.resolve();
  }

  emit(event: BackendEvent): void {
    this.listeners.emit(event);
  }

  /** Params of every call to `method`, in order. */
  params<M extends Method>(method: M): Params<M>[] {
    return this.sent.filter((s) => s.method === method).map((s) => s.params as Params<M>);
  }

  /** The states recorded, in order. */
  states(): CallState[] {
    return this.params('record_state').map((p) => p.state);
  }

  /** Method names in order, with the state or kind recorded: "record_state:dialing". */
  trace(): string[] {
    return this.sent.map((s) => {
      if (s.method === 'record_state') return `state:${(s.params as RecordState).state}`;
      if (s.method === 'record_event') return `${(s.params as RecordEvent).kind}`;
      return s.method;
    });
  }

  /** Like the real backend: every new call and state change is announced as a `call` event. */
  #published(call: CallSummary): void {
    queueMicrotask(() => this.emit({ type: 'call', call }));
  }

  #live(callId: string): CallSummary {
    const call = this.calls.get(callId);
    if (!call) throw new ApiFailure('unknown_call', `no call with id ${callId}`);
    if (call.state === 'ended') throw new ApiFailure('call_ended', `call ${callId} has already ended`);
    return call;
  }

  #recordState(p: RecordState): JournalEvent[] {
    if (p.state === 'ended' && !p.end) throw new ApiFailure('bad_input', 'end: an ended state needs who ended it');
    if (p.state !== 'ended' && p.end) throw new ApiFailure('bad_input', 'end: only an ended state carries end information');
    const call = this.#live(p.call_id);
    const updated: CallSummary = {
      ...call,
      state: p.state,
      event_count: call.event_count + 1,
      ended_by: p.end?.by ?? null,
      failure: p.end?.failure ?? null,
    };
    this.calls.set(call.id, updated);
    const recorded = this.#journaled(
      event(call.id, updated.event_count, 'state', { state: p.state, from: call.state, raw: p.raw, end: p.end ?? null }, undefined, p.source),
    );
    this.#published(updated);
    return [recorded];
  }

  #recordEvent(p: RecordEvent): JournalEvent {
    if (p.kind === 'state') throw new ApiFailure('bad_input', 'kind: state changes go through record_state, which checks them');
    if (p.call_id === null) return this.#journaled(event(null, ++this.#launchSeq, p.kind, p.payload, undefined, p.source));
    const call = this.#live(p.call_id);
    this.calls.set(call.id, { ...call, event_count: call.event_count + 1 });
    return this.#journaled(event(call.id, call.event_count + 1, p.kind, p.payload, undefined, p.source));
  }

  /** Like the real backend: every journaled event is kept and announced as a `journal` event. */
  #journaled(recorded: JournalEvent): JournalEvent {
    if (recorded.call_id !== null) {
      const events = this.journal.get(recorded.call_id) ?? [];
      events.push(recorded);
      this.journal.set(recorded.call_id, events);
    }
    queueMicrotask(() => this.emit({ type: 'journal', event: recorded }));
    return recorded;
  }
}

export function summary(number: number, destination: string, change: Partial<CallSummary> = {}): CallSummary {
  return {
    number,
    id: `call-${number}`,
    provider: 'echo',
    account: null,
    direction: 'outbound',
    destination,
    started_at: '2026-11-21T13:45:02.000Z',
    state: 'idle',
    ended_at: null,
    ended_by: null,
    failure: null,
    timings: null,
    event_count: 0,
    reason: null,
    ...change,
  };
}

export function event(
  callId: string | null,
  seq: number,
  kind: JournalEvent['kind'],
  payload: unknown,
  t_ms = seq * 10,
  source: JournalEvent['source'] = 'ui',
): JournalEvent {
  return {
    call_id: callId,
    launch_id: 1,
    seq,
    t_ms,
    at: '2026-11-21T13:45:02.000Z',
    source,
    kind,
    payload: payload as JournalEvent['payload'],
  };
}

export function stateEvent(callId: string, seq: number, t_ms: number, state: CallState, end?: EndInfo): JournalEvent {
  return event(callId, seq, 'state', end ? { state, from: 'idle', raw: null, end } : { state, from: 'idle', raw: null }, t_ms);
}

/** Let queued promise callbacks run. */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}
