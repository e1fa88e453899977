import type { Backend } from '../../api/backend';
import { ApiFailure, describeError } from '../../api/errors';
import type { CallCredentials, Provider } from '../../api/generated';
import type { AppJournal } from '../../journal/app-journal';
import { Listeners } from '../../lib/listeners';
import type { WireMessage } from './capture';
import { NOT_REGISTERED, type RegistrationStatus } from './registration';

/** The providers whose lines are accounts (every one but the built-in Echo line). */
export type AccountProvider = Exclude<Provider, 'echo'>;

/** The call credentials the backend hands a line of provider `P`. */
export type CredentialsOf<P extends AccountProvider> = Extract<CallCredentials, { provider: P }>;

/** What every line takes from the page; tests pass fakes. */
export interface LineServices {
  backend: Pick<Backend, 'call'>;
  journal: AppJournal;
  /** The page's monotonic clock (ms). */
  clock: () => number;
  /** The wall clock (ms since the epoch), for token expiry. */
  now?: () => number;
}

/** How a line names its provider in what it journals and throws. */
export interface LineKind<P extends AccountProvider> {
  provider: P;
  /** `SIP`, `Telnyx`, `Twilio`. */
  label: string;
  /** What one signalling message is called: `SIP message`, `Verto frame`, `PStream message`. */
  message: string;
  /** The SDK's name in messages: `JsSIP`, `the Telnyx SDK`. */
  sdk: string;
  /**
   * How long a received invite's frames wait for the SDK to turn it into an incoming call
   * before they go to the app-level journal: `microtask` when the SDK reads it in the same
   * turn (JsSIP, Telnyx), else milliseconds.
   */
  inviteClaim: 'microtask' | number;
}

/** Where a line sends one call's frames (each provider's route adds its SDK's events). */
export interface FrameRoute<M> {
  frame(message: M): void;
}

/** What an incoming call needs of its line until someone answers it. */
export interface IncomingHooks<M, R> {
  /** Journal a frame at app level (the call has no record). */
  appLevel(message: M): void;
  /** Send this call's frames to `route` from now on (null: stop routing it). */
  reroute(route: R | null): void;
  /** An app-level event about this call (the reject action, a missed call, an SDK error). */
  note(kind: 'action' | 'warning' | 'error', payload: Record<string, unknown>): void;
}

/** What a line's incoming calls offer it (see IncomingCore). */
export interface RingingCall<R> {
  /** Where the line routes the call's frames while nobody has claimed them. */
  readonly route: R;
  reject(status?: number, reason?: string): void;
}

/** `12 s`: a timeout in words. */
export function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}

/**
 * The lifecycle every provider's long-lived line shares, written once: start once (credentials
 * first), stop once, wait until calls can be placed, report status changes, route each captured
 * frame to its call (or hold an incoming invite's frames until the SDK claims it, or journal it
 * at app level), offer incoming calls, say when no call is under way, and journal a transport
 * outage once. A provider's line (its driver) connects its SDK, reads its SDK's events and
 * frames, and says when it is ready.
 */
export abstract class LineCore<P extends AccountProvider, M extends WireMessage, R extends FrameRoute<M>, I extends RingingCall<R>> {
  readonly name: string;
  readonly kind: LineKind<P>;
  protected readonly services: LineServices;
  /** Call key (Call-ID, callID, call sid) → where that call's frames go. */
  protected readonly routes = new Map<string, R>();
  readonly #held = new Map<string, M[]>();
  readonly #statusListeners = new Listeners<RegistrationStatus>();
  readonly #incomingListeners = new Listeners<I>();
  readonly #idleListeners = new Listeners<void>();
  #status: RegistrationStatus = NOT_REGISTERED;
  #credentials: CredentialsOf<P> | null = null;
  #starting: Promise<void> | null = null;
  #stopped = false;
  /** A transport outage was journaled already (SDKs retry on their own, every few seconds). */
  #outageReported = false;

  protected constructor(name: string, services: LineServices, kind: LineKind<P>) {
    this.name = name;
    this.services = services;
    this.kind = kind;
  }

  get status(): RegistrationStatus {
    return this.#status;
  }

  /** The account's call credentials, once the line has started (tokens are never shown). */
  get credentials(): CredentialsOf<P> | null {
    return this.#credentials;
  }

  get started(): boolean {
    return this.#starting !== null && !this.#stopped;
  }

  /** Calls in progress on this line. */
  get busy(): boolean {
    return this.routes.size > 0;
  }

  get clock(): () => number {
    return this.services.clock;
  }

  /** The provider's refusal that keeps this line from placing calls, for the call's record (none by default). */
  get refusal(): Record<string, unknown> | null {
    return null;
  }

  onStatus(cb: (status: RegistrationStatus) => void): () => void {
    return this.#statusListeners.add(cb);
  }

  onIncoming(cb: (call: I) => void): () => void {
    return this.#incomingListeners.add(cb);
  }

  /** Resolves once no call is in progress on this line. */
  idle(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => {
      const stop = this.#idleListeners.add(() => {
        stop();
        resolve();
      });
    });
  }

  /** Get credentials and connect. Idempotent; a failure shows in the status and rejects. */
  start(): Promise<void> {
    if (this.#stopped) return Promise.reject(this.#stoppedFailure());
    this.#starting ??= this.open().catch((error: unknown) => {
      const described = describeError(error);
      this.#starting = null;
      this.setStatus({ state: 'failed', status_code: null, reason: null, detail: described.message, hint: described.hint });
      this.note('error', { registration: 'failed', ...described });
      throw error;
    });
    return this.#starting;
  }

  /** Disconnect (unregister, log out, destroy). The line cannot be started again (make a new one). */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const key of [...this.#held.keys()]) this.#release(key);
    try {
      this.close();
    } catch (error) {
      console.error(`stopping the ${this.kind.label} line ${this.name}:`, error);
    }
    this.setStatus({ ...NOT_REGISTERED, detail: 'stopped' });
  }

  /**
   * Wait until calls can be placed (`readiness` says when, and which failure stops the wait).
   * Rejects when the line was stopped, or `timeoutMs` passed (`readyTimedOut` says what then).
   */
  async ready(timeoutMs: number): Promise<RegistrationStatus> {
    await this.start();
    return new Promise((resolve, reject) => {
      let stop: () => void = () => undefined;
      const finish = (outcome: () => void) => {
        clearTimeout(timer);
        stop();
        outcome();
      };
      const check = (status: RegistrationStatus) => {
        const verdict = this.readiness(status);
        if (verdict === 'ready') finish(() => resolve(status));
        else if (verdict) finish(() => reject(verdict));
        else if (this.#stopped) finish(() => reject(this.#stoppedFailure()));
      };
      const timer = setTimeout(() => {
        const late = this.readyTimedOut(timeoutMs);
        finish(() => (late instanceof ApiFailure ? reject(late) : resolve(late)));
      }, timeoutMs);
      stop = this.#statusListeners.add(check);
      check(this.#status);
    });
  }

  /** Send `key`'s frames to `route` until the returned function is called. */
  route(key: string, route: R): () => void {
    this.routes.set(key, route);
    return () => this.unroute(key, route);
  }

  // ---- what a provider's line supplies ----

  /** Get the credentials, load the SDK, connect (and register or log in). */
  protected abstract open(): Promise<void>;
  /** Close the SDK's connection; errors are logged. */
  protected abstract close(): void;
  /** Whether calls can be placed with this status (`ready`), a failure that ends the wait, or not yet (null). */
  protected abstract readiness(status: RegistrationStatus): 'ready' | ApiFailure | null;
  /** The wait for `ready` timed out: go on with this status, or fail. */
  protected abstract readyTimedOut(timeoutMs: number): RegistrationStatus | ApiFailure;

  // ---- for the provider's line ----

  protected get stopped(): boolean {
    return this.#stopped;
  }

  /** The account's call credentials from the backend (`fresh`: not the cached token). */
  protected async fetchCredentials(fresh = false): Promise<CredentialsOf<P>> {
    const credentials = await this.services.backend.call('call_credentials', { name: this.name, ...(fresh ? { fresh } : {}) });
    if (credentials.provider !== this.kind.provider) {
      throw new ApiFailure('bad_input', `${this.name} is a ${credentials.provider} account, not a ${this.kind.label} one`);
    }
    return credentials as CredentialsOf<P>;
  }

  /** The SDK would not take the account's settings. */
  protected refusedSettings(error: unknown, hint: string | null = null): ApiFailure {
    return new ApiFailure('bad_input', `${this.name}: ${this.kind.sdk} refused the account settings: ${describeError(error).message}`, hint);
  }

  protected keepCredentials(credentials: CredentialsOf<P>): void {
    this.#credentials = credentials;
  }

  protected setStatus(status: RegistrationStatus): void {
    this.#status = status;
    this.#statusListeners.emit(status);
  }

  /** An app-level journal event about this line. */
  protected note(kind: 'action' | 'warning' | 'error', payload: Record<string, unknown>): void {
    void this.services.journal.record('ui', kind, { account: this.name, ...payload });
  }

  /** Journal a transport outage once (the SDK reconnects by itself); `outageOver` re-arms it. */
  protected reportOutage(payload: Record<string, unknown>): void {
    if (this.#outageReported) return;
    this.#outageReported = true;
    this.note('warning', payload);
  }

  protected outageOver(): void {
    this.#outageReported = false;
  }

  /**
   * A captured frame of call `key` (null: of no call): to the call's route; to the frames held
   * for an invite; held itself when it is a received `invite` the SDK is about to read; else to
   * the app-level journal.
   */
  protected deliver(key: string | null, message: M, invite: boolean): void {
    if (key !== null) {
      const route = this.routes.get(key);
      if (route) {
        route.frame(message);
        return;
      }
      const held = this.#held.get(key);
      if (held) {
        held.push(message);
        return;
      }
      if (invite) {
        // If the SDK makes it an incoming call, the call takes these frames (`claimHeld`);
        // otherwise (busy, malformed) they go to the app-level journal.
        this.#held.set(key, [message]);
        const claim = this.kind.inviteClaim;
        if (claim === 'microtask') queueMicrotask(() => this.#release(key));
        else setTimeout(() => this.#release(key), claim);
        return;
      }
    }
    this.appLevel(message);
  }

  /** The frames held for an invite that just became an incoming call. */
  protected claimHeld(key: string): M[] {
    const held = this.#held.get(key) ?? [];
    this.#held.delete(key);
    return held;
  }

  /** A frame of no call, to the app-level journal (with the account); one that never left, as a warning. */
  protected appLevel(message: M): void {
    if (!message.captured.delivered) {
      this.note('warning', { message: `a ${this.kind.message} could not be sent: the WebSocket was not open (${message.signal.summary})` });
      return;
    }
    void this.services.journal.record('signalling', 'signal', { ...message.signal, account: this.name }, message.captured.at);
  }

  /** How an incoming call with key `key` reaches the journal and the routing. */
  protected incomingHooks(key: string): IncomingHooks<M, R> {
    return {
      appLevel: (message) => this.appLevel(message),
      reroute: (route) => {
        if (route) this.routes.set(key, route);
        else this.unroute(key);
      },
      note: (kind, payload) => this.note(kind, payload),
    };
  }

  /** A call rings in: routed to it, offered to whoever listens, turned down when nobody does. */
  protected ring(key: string, incoming: I): void {
    this.routes.set(key, incoming.route);
    if (this.#incomingListeners.size === 0) {
      incoming.reject(480, 'Temporarily Unavailable');
      return;
    }
    this.#incomingListeners.emit(incoming);
  }

  /** Stop routing `key` (only if it still goes to `route`, when given). */
  protected unroute(key: string, route?: R): void {
    if (route && this.routes.get(key) !== route) return;
    if (!this.routes.delete(key)) return;
    this.checkIdle();
  }

  protected checkIdle(): void {
    if (!this.busy) this.#idleListeners.emit();
  }

  #release(key: string): void {
    const unclaimed = this.#held.get(key);
    if (!unclaimed) return;
    this.#held.delete(key);
    for (const message of unclaimed) this.appLevel(message);
  }

  #stoppedFailure(): ApiFailure {
    return new ApiFailure(`${this.kind.provider}_line`, `the line ${this.name} was stopped`);
  }
}
