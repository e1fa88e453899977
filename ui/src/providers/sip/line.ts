import type { CallOptions, UA } from 'jssip/lib/UA';
import type { RTCSession } from 'jssip/lib/RTCSession';
import type { IncomingRequest, IncomingResponse, OutgoingRequest } from 'jssip/lib/SIPMessage';
import type { Backend } from '../../api/backend';
import { Listeners } from '../../api/backend';
import { ApiFailure, describeError } from '../../api/errors';
import type { SipCall } from '../../api/generated';
import type { AppJournal } from '../../calls/app-journal';
import { CapturingSocket, type Captured } from './capture';
import { outboundProxyHeaders, uaConfiguration } from './config';
import { IncomingInvite, type IncomingSipCall } from './incoming';
import {
  challengeRealm,
  NOT_REGISTERED,
  registering,
  registrationHint,
  type RegistrationStatus,
  TRANSPORT_HINT,
  transportDetail,
} from './registration';
import type { SipStack } from './stack';
import { parseSip, sipSignal } from './wire';
import type { WireMessage } from './wire-message';

/** What a SIP line takes from the page; tests pass a scripted server as the stack's socket. */
export interface SipLineEnvironment {
  backend: Pick<Backend, 'call'>;
  journal: AppJournal;
  loadStack: () => Promise<SipStack>;
  /** The page's monotonic clock (ms). */
  clock: () => number;
}

/**
 * One SIP account's user agent, long-lived: it registers once and is reused for every call
 * through the account and to receive calls. It captures every SIP message on its WebSocket and
 * routes each by Call-ID: a call's messages to that call's journal record, the rest (REGISTER,
 * OPTIONS, rejected or missed calls) to the app-level journal.
 */
export class SipLine {
  readonly name: string;
  readonly #env: SipLineEnvironment;
  readonly #statusListeners = new Listeners<RegistrationStatus>();
  readonly #incomingListeners = new Listeners<IncomingSipCall>();
  readonly #idleListeners = new Listeners<void>();
  /** Call-ID → the call (or held incoming call) its messages go to. */
  readonly #routes = new Map<string, (message: WireMessage) => void>();
  /** Messages of an INVITE that JsSIP is reading right now (it may become an incoming call). */
  readonly #held = new Map<string, WireMessage[]>();
  #status: RegistrationStatus = NOT_REGISTERED;
  #ua: UA | null = null;
  #credentials: SipCall | null = null;
  #starting: Promise<void> | null = null;
  #stopped = false;
  #connected = false;
  /** A transport outage was journaled already (JsSIP retries every few seconds). */
  #outageReported = false;
  /** The page's Content Security Policy refused the WebSocket (the directive), if it did. */
  #cspBlocked: string | null = null;
  #stopCspWatch: () => void = () => undefined;
  #lastOutgoing: { session: RTCSession; callId: string } | null = null;

  constructor(name: string, env: SipLineEnvironment) {
    this.name = name;
    this.#env = env;
  }

  get status(): RegistrationStatus {
    return this.#status;
  }

  /** The account's call credentials, once the line has started. */
  get credentials(): SipCall | null {
    return this.#credentials;
  }

  get started(): boolean {
    return this.#starting !== null && !this.#stopped;
  }

  /** Calls in progress on this line (routed Call-IDs). */
  get busy(): boolean {
    return this.#routes.size > 0;
  }

  get clock(): () => number {
    return this.#env.clock;
  }

  onStatus(cb: (status: RegistrationStatus) => void): () => void {
    return this.#statusListeners.add(cb);
  }

  onIncoming(cb: (call: IncomingSipCall) => void): () => void {
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

  /** Get credentials, connect and register. Idempotent; a failure shows in the status and rejects. */
  start(): Promise<void> {
    if (this.#stopped) return Promise.reject(new ApiFailure('sip_line', `the line ${this.name} was stopped`));
    this.#starting ??= this.#start().catch((error: unknown) => {
      const described = describeError(error);
      this.#starting = null;
      this.#setStatus({ state: 'failed', status_code: null, reason: null, detail: described.message, hint: described.hint });
      void this.#env.journal.record('ui', 'error', { account: this.name, registration: 'failed', ...described });
      throw error;
    });
    return this.#starting;
  }

  /** Unregister and close the WebSocket. The line cannot be started again (make a new one). */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#stopCspWatch();
    try {
      this.#ua?.stop();
    } catch (error) {
      console.error(`stopping the SIP line ${this.name}:`, error);
    }
    this.#setStatus({ ...NOT_REGISTERED, detail: 'stopped' });
  }

  /**
   * Wait until a call can be tried: the WebSocket is up and the registration has an answer
   * (registered, or refused: a refused registration does not stop a test call). Rejects when
   * the WebSocket could not be opened, or `timeoutMs` passed without a connection.
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
        if (status.state === 'registered' || (status.state === 'failed' && status.status_code !== null && this.#connected)) {
          finish(() => resolve(status));
        } else if (status.state === 'failed' && !this.#connected) {
          finish(() => reject(new ApiFailure('sip_transport', `${this.name}: ${status.detail ?? 'no connection'}`, status.hint)));
        } else if (status.state === 'unregistered' && this.#stopped) {
          finish(() => reject(new ApiFailure('sip_line', `the line ${this.name} was stopped`)));
        }
      };
      const timer = setTimeout(() => {
        if (this.#connected) finish(() => resolve(this.#status));
        else {
          const url = this.#credentials?.wss_uri ?? 'the SIP server';
          finish(() =>
            reject(new ApiFailure('sip_transport', `${this.name}: no WebSocket connection to ${url} within ${Math.round(timeoutMs / 1000)} s`, TRANSPORT_HINT)),
          );
        }
      }, timeoutMs);
      stop = this.#statusListeners.add(check);
      check(this.#status);
    });
  }

  /**
   * Start a call (JsSIP `ua.call`) and say which SIP Call-ID it has, before any of its messages
   * leave: route them with `route()` straight away.
   */
  call(target: string, options: CallOptions): { session: RTCSession; callId: string } {
    const ua = this.#ua;
    if (!ua) throw new ApiFailure('sip_line', `the line ${this.name} has not started`);
    this.#lastOutgoing = null;
    const session = ua.call(target, options);
    const announced = this.#lastOutgoing as { session: RTCSession; callId: string } | null;
    if (!announced || announced.session !== session) throw new ApiFailure('sip_line', 'JsSIP did not announce the new call');
    return announced;
  }

  /** Send this Call-ID's messages to `handler` until the returned function is called. */
  route(callId: string, handler: (message: WireMessage) => void): () => void {
    this.#routes.set(callId, handler);
    return () => this.#unroute(callId, handler);
  }

  // ---- inside ----

  async #start(): Promise<void> {
    this.#setStatus(registering('getting the account’s credentials'));
    const credentials = await this.#env.backend.call('call_credentials', { name: this.name });
    if (credentials.provider !== 'sip') {
      throw new ApiFailure('bad_input', `${this.name} is a ${credentials.provider} account, not a SIP one`);
    }
    const stack = await this.#env.loadStack();
    if (this.#stopped) return;
    this.#credentials = credentials;
    let ua: UA;
    try {
      const socket = new CapturingSocket(stack.createSocket(credentials.wss_uri), (m) => this.#onWire(m), this.#env.clock);
      ua = stack.createUa(uaConfiguration(credentials, socket, `Callscope (JsSIP ${stack.version})`));
    } catch (error) {
      throw new ApiFailure('bad_input', `${this.name}: JsSIP refused the account settings: ${describeError(error).message}`, 'Check the WSS URI and the SIP URI in the account.');
    }
    ua.registrator().setExtraHeaders(outboundProxyHeaders(credentials.outbound_proxy));
    this.#listen(ua, credentials);
    this.#ua = ua;
    this.#stopCspWatch = watchCsp(credentials.wss_uri, (directive) => (this.#cspBlocked = directive));
    this.#setStatus(registering(`connecting to ${credentials.wss_uri}`));
    ua.start();
  }

  #listen(ua: UA, credentials: SipCall): void {
    ua.on('connecting', ({ attempts }) => {
      if (this.#stopped || this.#status.state === 'registered') return;
      this.#setStatus(registering(`connecting to ${credentials.wss_uri}${attempts > 1 ? ` (attempt ${attempts})` : ''}`));
    });
    ua.on('connected', () => {
      this.#connected = true;
      if (this.#stopped) return;
      if (this.#status.state !== 'registered') this.#setStatus(registering('REGISTER sent, waiting for the registrar'));
    });
    ua.on('disconnected', ({ error, code, reason }) => {
      this.#connected = false;
      if (this.#stopped) return;
      const blocked = this.#cspBlocked;
      const detail = blocked
        ? `this page's Content Security Policy (${blocked}) does not allow a WebSocket to ${credentials.wss_uri}`
        : transportDetail(credentials.wss_uri, code, reason);
      const hint = blocked ? CSP_HINT : TRANSPORT_HINT;
      this.#setStatus({ state: 'failed', status_code: null, reason: null, detail, hint });
      if (!this.#outageReported) {
        this.#outageReported = true;
        void this.#env.journal.record('ui', 'warning', {
          account: this.name,
          transport: 'disconnected',
          message: detail,
          error,
          code: code ?? null,
          reason: reason ?? null,
          csp_blocked: blocked,
        });
      }
    });
    ua.on('registered', ({ response }) => {
      this.#outageReported = false;
      this.#setStatus({ state: 'registered', status_code: response?.status_code ?? null, reason: response?.reason_phrase ?? null, detail: null, hint: null });
    });
    ua.on('unregistered', ({ response, cause }) => {
      if (this.#stopped) return;
      this.#setStatus({ ...NOT_REGISTERED, status_code: response?.status_code ?? null, reason: response?.reason_phrase ?? null, detail: cause ?? 'the registration ended' });
      void this.#env.journal.record('ui', 'warning', { account: this.name, registration: 'unregistered', message: `${this.name} is no longer registered${cause ? ` (${cause})` : ''}` });
    });
    ua.on('registrationFailed', ({ response, cause }) => {
      if (this.#stopped) return;
      const status = response?.status_code ?? null;
      const offered = challengeRealm(header(response, 'WWW-Authenticate') ?? header(response, 'Proxy-Authenticate'));
      const hint = registrationHint(status, offered, credentials.realm) ?? (status === null ? TRANSPORT_HINT : null);
      const failed: RegistrationStatus = { state: 'failed', status_code: status, reason: response?.reason_phrase ?? null, detail: cause ?? null, hint };
      this.#setStatus(failed);
      void this.#env.journal.record('ui', 'error', {
        account: this.name,
        registration: 'failed',
        status_code: failed.status_code,
        reason: failed.reason,
        cause: cause ?? null,
        message: `registering ${this.name} failed${status !== null ? `: ${status} ${failed.reason ?? ''}`.trimEnd() : cause ? `: ${cause}` : ''}`,
        hint,
      });
    });
    ua.on('newRTCSession', (event: { originator: string; session: RTCSession; request: IncomingRequest | OutgoingRequest }) => {
      const callId = (event.request as { call_id?: string }).call_id ?? '';
      if (event.originator === 'local') {
        this.#lastOutgoing = { session: event.session, callId };
        return;
      }
      this.#incoming(event.session, callId);
    });
  }

  #incoming(session: RTCSession, callId: string): void {
    const held = this.#held.get(callId) ?? [];
    this.#held.delete(callId);
    let invite: IncomingInvite | null = null;
    const route = (message: WireMessage) => invite?.take(message);
    invite = new IncomingInvite(this.name, session, callId, held, this.#env.clock(), {
      appLevel: (message) => this.#appLevel(message),
      unroute: () => this.#unroute(callId, route),
      note: (kind, payload) => void this.#env.journal.record('ui', kind, { account: this.name, ...payload }),
    });
    this.#routes.set(callId, route);
    if (this.#incomingListeners.size === 0) {
      invite.reject(480, 'Temporarily Unavailable');
      return;
    }
    this.#incomingListeners.emit(invite);
  }

  #unroute(callId: string, handler: (message: WireMessage) => void): void {
    if (this.#routes.get(callId) !== handler) return;
    this.#routes.delete(callId);
    if (this.#routes.size === 0) this.#idleListeners.emit();
  }

  #onWire(captured: Captured): void {
    const parsed = parseSip(captured.text);
    const message: WireMessage = { captured, parsed, signal: sipSignal(captured.direction, captured.text, parsed) };
    const callId = parsed?.callId ?? null;
    const route = callId !== null ? this.#routes.get(callId) : undefined;
    if (route) {
      route(message);
      return;
    }
    const held = callId !== null ? this.#held.get(callId) : undefined;
    if (held) {
      held.push(message);
      return;
    }
    if (callId !== null && captured.direction === 'received' && parsed?.method === 'INVITE' && parsed.toTag === null) {
      // JsSIP reads this INVITE right after this returns; if it becomes an incoming call, the
      // call takes these messages, otherwise they go to the app-level journal.
      this.#held.set(callId, [message]);
      queueMicrotask(() => {
        const unclaimed = this.#held.get(callId);
        if (!unclaimed) return;
        this.#held.delete(callId);
        for (const m of unclaimed) this.#appLevel(m);
      });
      return;
    }
    this.#appLevel(message);
  }

  #appLevel(message: WireMessage): void {
    if (!message.captured.delivered) {
      void this.#env.journal.record('ui', 'warning', {
        account: this.name,
        message: `a SIP message could not be sent: the WebSocket was not open (${message.signal.summary})`,
      });
      return;
    }
    void this.#env.journal.record('signalling', 'signal', { ...message.signal, account: this.name });
  }

  #setStatus(status: RegistrationStatus): void {
    this.#status = status;
    this.#statusListeners.emit(status);
  }
}

const CSP_HINT =
  'Callscope’s own page refused the connection: its Content Security Policy must list this WebSocket address (connect-src). This needs a Callscope update; meanwhile the account cannot be used from this page.';

/**
 * Watch for the page's Content Security Policy refusing a connection to `url` (the browser then
 * only reports a closed WebSocket). Returns the function that stops watching.
 */
function watchCsp(url: string, onBlocked: (directive: string) => void): () => void {
  if (typeof document === 'undefined') return () => undefined;
  let origin: string;
  try {
    origin = new URL(url).origin;
  } catch {
    return () => undefined;
  }
  const listener = (event: Event) => {
    const e = event as SecurityPolicyViolationEvent;
    let blocked: string;
    try {
      blocked = new URL(e.blockedURI).origin;
    } catch {
      return;
    }
    if (blocked === origin) onBlocked(e.effectiveDirective || e.violatedDirective || 'connect-src');
  };
  document.addEventListener('securitypolicyviolation', listener);
  return () => document.removeEventListener('securitypolicyviolation', listener);
}

function header(response: IncomingResponse | null | undefined, name: string): string | null {
  try {
    return response?.hasHeader(name) ? response.getHeader(name) : null;
  } catch {
    return null;
  }
}
