import type { Backend } from '../api/backend';
import { ApiFailure } from '../api/errors';
import type { CallState } from '../api/generated';
import type { ErrorLog } from '../lib/error-log.svelte';
import type { Adapters } from '../providers/core/registry';
import type { IncomingCall, ProviderAdapter } from '../providers/core/adapter';
import { ECHO_LINE, type LineOption } from './line-options';
import { CallSession, type CallSnapshot, type HangupVia, type SessionOptions } from './session';

/** The current call (one at a time) for the views: dial, answer, hang up, mute, hold, DTMF. */
export class Phone {
  snapshot = $state.raw<CallSnapshot | null>(null);
  /** A call ringing in, waiting for Accept or Reject. */
  incoming = $state.raw<IncomingCall | null>(null);
  #session: CallSession | null = null;
  readonly #backend: Backend;
  readonly #errors: ErrorLog;
  readonly #adapters: Adapters;

  constructor(backend: Backend, errors: ErrorLog, adapters: Adapters) {
    this.#backend = backend;
    this.#errors = errors;
    this.#adapters = adapters;
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

  async dial(destination: string, line: LineOption = ECHO_LINE): Promise<void> {
    if (this.busy) return;
    const wanted = destination.trim();
    if (!wanted) {
      this.#errors.report('Placing the call', new ApiFailure('bad_input', 'Enter a number or a SIP URI to call.'));
      return;
    }
    await this.#run('Placing the call', () => this.#adapters.dial(line), {
      destination: wanted,
      ...(line.account !== null ? { account: line.account } : {}),
    });
  }

  /** A call rings in: offered to the user, or answered busy while another call is on. */
  offer(call: IncomingCall): void {
    if (this.busy || this.incoming) {
      call.reject(486, 'Busy Here');
      return;
    }
    this.incoming = call;
    call.onGone(() => {
      if (this.incoming === call) this.incoming = null;
    });
  }

  async accept(): Promise<void> {
    const call = this.incoming;
    if (!call || this.busy) return;
    let adapter: ProviderAdapter;
    try {
      adapter = this.#adapters.answer(call);
    } catch (error) {
      this.#errors.report('Answering the call', error);
      this.reject();
      return;
    }
    call.reserve();
    this.incoming = null;
    await this.#run('Answering the call', () => adapter, {
      destination: call.from,
      account: call.account,
      direction: 'inbound',
    });
  }

  reject(): void {
    const call = this.incoming;
    if (!call) return;
    this.incoming = null;
    call.reject(486, 'Busy Here');
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

  toggleHold(): void {
    if (!this.busy || !this.#session || !this.snapshot) return;
    this.#session.setHeld(!this.snapshot.held);
  }

  sendDtmf(digit: string): void {
    if (!this.busy || !this.#session) return;
    this.#session.sendDtmf(digit);
  }

  async #run(context: string, makeAdapter: () => ProviderAdapter, options: Omit<SessionOptions, 'backend' | 'adapter' | 'onError'>): Promise<void> {
    let session: CallSession;
    let adapter: ProviderAdapter;
    try {
      adapter = makeAdapter();
      session = new CallSession({
        backend: this.#backend,
        adapter,
        ...options,
        onError: (what, error) => this.#errors.report(what, error),
      });
    } catch (error) {
      this.#errors.report(context, error);
      return;
    }
    this.#session = session;
    session.subscribe((snapshot) => {
      if (this.#session === session) this.snapshot = snapshot;
    });
    try {
      await session.start();
    } catch (error) {
      // The call record could not be opened: there is no call to show (an incoming call is let go).
      adapter.dispose();
      if (this.#session === session) {
        this.#session = null;
        this.snapshot = null;
      }
      this.#errors.report(context, error);
    }
  }
}
