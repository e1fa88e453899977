import type { Backend } from '../api/backend';
import { ApiFailure } from '../api/errors';
import type { CallState, Provider } from '../api/generated';
import type { ErrorLog } from '../app/errors.svelte';
import { type AdapterFactory, createAdapter } from '../providers';
import { CallSession, type CallSnapshot, type HangupVia } from './session';

/** The current call (one at a time) for the views: dial, hang up, mute. */
export class Phone {
  snapshot = $state.raw<CallSnapshot | null>(null);
  #session: CallSession | null = null;
  readonly #backend: Backend;
  readonly #errors: ErrorLog;
  readonly #createAdapter: AdapterFactory;

  constructor(backend: Backend, errors: ErrorLog, factory: AdapterFactory = createAdapter) {
    this.#backend = backend;
    this.#errors = errors;
    this.#createAdapter = factory;
  }

  /** A call is under way (not yet ended and recorded). */
  get busy(): boolean {
    return this.snapshot !== null && !this.snapshot.closed;
  }

  get state(): CallState {
    return this.snapshot?.state ?? 'idle';
  }

  get callId(): string | null {
    return this.snapshot?.callId ?? null;
  }

  peerConnection(): RTCPeerConnection | null {
    return this.#session?.adapter.peerConnection() ?? null;
  }

  async dial(destination: string, provider: Provider = 'echo'): Promise<void> {
    if (this.busy) return;
    const wanted = destination.trim();
    if (!wanted) {
      this.#errors.report('Placing the call', new ApiFailure('bad_input', 'Enter a number or a SIP URI to call.'));
      return;
    }
    let session: CallSession;
    try {
      session = new CallSession({
        backend: this.#backend,
        adapter: this.#createAdapter(provider, this.#backend),
        destination: wanted,
        onError: (context, error) => this.#errors.report(context, error),
      });
    } catch (error) {
      this.#errors.report('Placing the call', error);
      return;
    }
    this.#session = session;
    session.subscribe((snapshot) => {
      if (this.#session === session) this.snapshot = snapshot;
    });
    try {
      await session.start();
    } catch (error) {
      // The call record could not be opened: there is no call to show.
      if (this.#session === session) {
        this.#session = null;
        this.snapshot = null;
      }
      this.#errors.report('Placing the call', error);
    }
  }

  hangup(via: HangupVia = 'button'): Promise<void> {
    if (!this.busy || !this.#session) return Promise.resolve();
    return this.#session.hangup(via);
  }

  /** The event stream missed events: a far-end signal of this call may have been lost. */
  noteEventGap(message: string): void {
    if (this.busy) this.#session?.warn(message);
  }

  toggleMute(): void {
    if (!this.busy || !this.#session || !this.snapshot) return;
    this.#session.setMuted(!this.snapshot.muted);
  }
}
