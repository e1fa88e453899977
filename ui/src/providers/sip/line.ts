import type { CallOptions, UA } from 'jssip/lib/UA';
import type { RTCSession } from 'jssip/lib/RTCSession';
import type { IncomingRequest, IncomingResponse, OutgoingRequest } from 'jssip/lib/SIPMessage';
import { ApiFailure } from '../../api/errors';
import type { SipCall } from '../../api/generated';
import type { CapturedFrame } from '../core/capture';
import { type FrameRoute, LineCore, type LineKind, type LineServices, seconds } from '../core/line-core';
import { NOT_REGISTERED, registering, type RegistrationStatus } from '../core/registration';
import { CapturingSocket } from './capture';
import { outboundProxyHeaders, uaConfiguration } from './config';
import { IncomingSipCall } from './incoming';
import { challengeRealm, registrationHint, TRANSPORT_HINT, transportDetail } from './registration';
import type { SipStack } from './stack';
import { parseSip, sipSignal } from './wire';
import type { SipMessage } from './wire-message';

/** The SIP lines' names in what they journal and throw. */
export const SIP: LineKind<'sip'> = { provider: 'sip', label: 'SIP', message: 'SIP message', sdk: 'JsSIP', inviteClaim: 'microtask' };

/** What a SIP line takes from the page; tests pass a scripted server as the stack's socket. */
export interface SipLineEnvironment extends LineServices {
  loadStack: () => Promise<SipStack>;
}

/** Where the line sends one call's SIP messages. */
export type SipRoute = FrameRoute<SipMessage>;

/**
 * One SIP account's user agent, long-lived: it registers once and is reused for every call
 * through the account and to receive calls. It captures every SIP message on its WebSocket and
 * routes each by Call-ID: a call's messages to that call's journal record, the rest (REGISTER,
 * OPTIONS, rejected or missed calls) to the app-level journal.
 */
export class SipLine extends LineCore<'sip', SipMessage, SipRoute, IncomingSipCall> {
  readonly #loadStack: () => Promise<SipStack>;
  #ua: UA | null = null;
  #connected = false;
  /** The page's Content Security Policy refused the WebSocket (the directive), if it did. */
  #cspBlocked: string | null = null;
  #stopCspWatch: () => void = () => undefined;
  #lastOutgoing: { session: RTCSession; callId: string } | null = null;

  constructor(name: string, env: SipLineEnvironment) {
    super(name, env, SIP);
    this.#loadStack = env.loadStack;
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

  // ---- the driver ----

  protected async open(): Promise<void> {
    this.setStatus(registering('getting the account’s credentials'));
    const credentials = await this.fetchCredentials();
    const stack = await this.#loadStack();
    if (this.stopped) return;
    this.keepCredentials(credentials);
    let ua: UA;
    try {
      const socket = new CapturingSocket(stack.createSocket(credentials.wss_uri), (m) => this.#onWire(m), this.clock);
      ua = stack.createUa(uaConfiguration(credentials, socket, `Callscope (JsSIP ${stack.version})`));
    } catch (error) {
      throw this.refusedSettings(error, 'Check the WSS URI and the SIP URI in the account.');
    }
    ua.registrator().setExtraHeaders(outboundProxyHeaders(credentials.outbound_proxy));
    this.#listen(ua, credentials);
    this.#ua = ua;
    this.#stopCspWatch = watchCsp(credentials.wss_uri, (directive) => (this.#cspBlocked = directive));
    this.setStatus(registering(`connecting to ${credentials.wss_uri}`));
    ua.start();
  }

  protected close(): void {
    this.#stopCspWatch();
    this.#ua?.stop();
  }

  /**
   * A call can be tried once the WebSocket is up and the registration has an answer
   * (registered, or refused: a refused registration does not stop a test call); not when the
   * WebSocket could not be opened.
   */
  protected readiness(status: RegistrationStatus): 'ready' | ApiFailure | null {
    if (status.state === 'registered' || (status.state === 'failed' && status.status_code !== null && this.#connected)) return 'ready';
    if (status.state === 'failed' && !this.#connected) return new ApiFailure('sip_transport', `${this.name}: ${status.detail ?? 'no connection'}`, status.hint);
    return null;
  }

  protected readyTimedOut(timeoutMs: number): RegistrationStatus | ApiFailure {
    if (this.#connected) return this.status;
    const url = this.credentials?.wss_uri ?? 'the SIP server';
    return new ApiFailure('sip_transport', `${this.name}: no WebSocket connection to ${url} within ${seconds(timeoutMs)}`, TRANSPORT_HINT);
  }

  #listen(ua: UA, credentials: SipCall): void {
    ua.on('connecting', ({ attempts }) => {
      if (this.stopped || this.status.state === 'registered') return;
      this.setStatus(registering(`connecting to ${credentials.wss_uri}${attempts > 1 ? ` (attempt ${attempts})` : ''}`));
    });
    ua.on('connected', () => {
      this.#connected = true;
      if (this.stopped) return;
      if (this.status.state !== 'registered') this.setStatus(registering('REGISTER sent, waiting for the registrar'));
    });
    ua.on('disconnected', ({ error, code, reason }) => {
      this.#connected = false;
      if (this.stopped) return;
      const blocked = this.#cspBlocked;
      const detail = blocked
        ? `this page's Content Security Policy (${blocked}) does not allow a WebSocket to ${credentials.wss_uri}`
        : transportDetail(credentials.wss_uri, code, reason);
      const hint = blocked ? CSP_HINT : TRANSPORT_HINT;
      this.setStatus({ state: 'failed', status_code: null, reason: null, detail, hint });
      this.reportOutage({ transport: 'disconnected', message: detail, error, code: code ?? null, reason: reason ?? null, csp_blocked: blocked });
    });
    ua.on('registered', ({ response }) => {
      this.outageOver();
      this.setStatus({ state: 'registered', status_code: response?.status_code ?? null, reason: response?.reason_phrase ?? null, detail: null, hint: null });
    });
    ua.on('unregistered', ({ response, cause }) => {
      if (this.stopped) return;
      this.setStatus({ ...NOT_REGISTERED, status_code: response?.status_code ?? null, reason: response?.reason_phrase ?? null, detail: cause ?? 'the registration ended' });
      this.note('warning', { registration: 'unregistered', message: `${this.name} is no longer registered${cause ? ` (${cause})` : ''}` });
    });
    ua.on('registrationFailed', ({ response, cause }) => {
      if (this.stopped) return;
      const status = response?.status_code ?? null;
      const offered = challengeRealm(header(response, 'WWW-Authenticate') ?? header(response, 'Proxy-Authenticate'));
      const hint = registrationHint(status, offered, credentials.realm) ?? (status === null ? TRANSPORT_HINT : null);
      const failed: RegistrationStatus = { state: 'failed', status_code: status, reason: response?.reason_phrase ?? null, detail: cause ?? null, hint };
      this.setStatus(failed);
      this.note('error', {
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
      const invite = new IncomingSipCall(this.name, event.session, callId, this.claimHeld(callId), this.clock(), this.incomingHooks(callId));
      this.ring(callId, invite);
    });
  }

  #onWire(captured: CapturedFrame): void {
    const parsed = parseSip(captured.text);
    const message: SipMessage = { captured, parsed, signal: sipSignal(captured.direction, captured.text, parsed) };
    // A new INVITE is held: JsSIP reads it right after this returns and may make it an incoming call.
    const invite = captured.direction === 'received' && parsed?.method === 'INVITE' && parsed.toTag === null;
    this.deliver(parsed?.callId ?? null, message, invite);
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
