import type { Backend, BackendEvent } from '../api/backend';
import { describeError } from '../api/errors';
import type { Diagnosis, JournalEvent } from '../api/generated';

/**
 * One call's journal events as they are written, for live views of the current call (the
 * ladder). It loads what the journal already has, then adds each `journal` event of the call;
 * after a gap in the event stream it loads again. Once the call has ended it also holds the
 * backend's diagnosis: what happened and what to fix.
 */
export class CallJournal {
  events = $state.raw<JournalEvent[]>([]);
  diagnosis = $state.raw<Diagnosis | null>(null);
  readonly #backend: Pick<Backend, 'call'>;
  #callId: string | null = null;

  constructor(backend: Pick<Backend, 'call'>) {
    this.#backend = backend;
  }

  get callId(): string | null {
    return this.#callId;
  }

  /** Follow another call (or none). */
  follow(callId: string | null): void {
    if (callId === this.#callId) return;
    this.#callId = callId;
    this.events = [];
    this.diagnosis = null;
    if (callId !== null) void this.#load(callId);
  }

  handle(event: BackendEvent): void {
    const callId = this.#callId;
    if (callId === null) return;
    if (event.type === 'journal') {
      if (event.event.call_id === callId) this.#merge([event.event]);
    } else if (event.type === 'call') {
      // The diagnosis is written when the call ends: fetch it then.
      if (event.call.id === callId && event.call.state === 'ended') void this.#load(callId);
    } else if (event.type === 'lagged' || (event.type === 'stream' && event.connected && event.resumed)) {
      void this.#load(callId);
    }
  }

  async #load(callId: string): Promise<void> {
    try {
      const detail = await this.#backend.call('get_call', { call_id: callId });
      if (this.#callId !== callId) return;
      this.#merge(detail.events);
      this.diagnosis = detail.diagnosis;
    } catch (error) {
      console.error(`Loading the events of call ${callId} failed: ${describeError(error).message}`);
    }
  }

  #merge(events: readonly JournalEvent[]): void {
    const bySeq = new Map(this.events.map((e) => [e.seq, e]));
    for (const e of events) bySeq.set(e.seq, e);
    this.events = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
  }
}
