import { ApiFailure, describeError, errorText } from '../../api/errors';
import type { CapturedFrame } from '../core/capture';
import { LineCore, type LineKind, type LineServices, seconds } from '../core/line-core';
import { registering, type RegistrationStatus } from '../core/registration';
import { TokenSchedule } from '../core/token-schedule';
import {
  errorLine,
  errorPayload,
  GATEWAY_FAILED,
  isOver,
  LOGIN_ERRORS,
  RECONNECTION_EXHAUSTED,
  type TelnyxErrorPayload,
  TOKEN_EXPIRING_SOON,
  warningPayload,
} from './events';
import { parseVerto, VertoCorrelator, vertoSignal } from './frames';
import { IncomingTelnyxCall } from './incoming';
import type { SdkCall, SdkClient, SdkErrorEvent, SdkNotification, SdkWarningEvent, TelnyxSdk } from './sdk';
import type { CallRoute, VertoMessage } from './wire';

/** The Telnyx lines' names in what they journal and throw. */
export const TELNYX: LineKind<'telnyx'> = { provider: 'telnyx', label: 'Telnyx', message: 'Verto frame', sdk: 'the Telnyx SDK', inviteClaim: 'microtask' };

/** The backend mints a fresh token within 10 minutes of the old one's expiry; ask a little after that. */
export const TOKEN_REFRESH_LEAD_MS = 8 * 60_000;
/** Never ask for a token more often than this (a short-lived token, a clock off by hours). */
export const TOKEN_REFRESH_MIN_MS = 30_000;
/** After a failed refresh, try again this much later. */
export const TOKEN_REFRESH_RETRY_MS = 60_000;

export const TELNYX_TRANSPORT_HINT =
  'Check that the account’s signalling host (rtc.telnyx.com unless a region is set) is reachable from here on port 443 (a WebSocket over TLS), and that no proxy or firewall blocks WebSockets.';
export const TELNYX_LOGIN_HINT =
  'Telnyx did not accept the login token. Test the account (Accounts → Test) to check its API key and credential connection, then register again: Callscope fetches a fresh token.';
export const TELNYX_GATEWAY_HINT =
  'Telnyx could not register this credential (gateway FAILED); the SDK keeps retrying. If it does not recover, check the credential connection in the Telnyx portal (active, not at its limits).';

/** What a Telnyx line takes from the page; tests pass a fake SDK and a scripted server. */
export interface TelnyxLineEnvironment extends LineServices {
  loadSdk: () => Promise<TelnyxSdk>;
}

/** The signalling URL for an account's host: `wss://host` unless it names its scheme (a lab's `ws://`). */
export function signallingUrl(host: string): URL {
  const trimmed = host.trim();
  return new URL(/^wss?:\/\//i.test(trimmed) ? trimmed : `wss://${trimmed}`);
}

/** Why the line is down for good (until registered again), if it is. */
type Failure = 'login' | 'exhausted' | null;

/**
 * One Telnyx account's client (`@telnyx/webrtc`), long-lived: it logs in once with a token the
 * backend minted, stays connected to receive calls, and is reused for every call through the
 * account. The token is refreshed before it expires. Every Verto frame on its socket is captured
 * and routed by call: a call's frames to that call's journal record, the rest (login,
 * clientReady, gatewayState, pings, rejected or missed calls) to the app-level journal.
 */
export class TelnyxLine extends LineCore<'telnyx', VertoMessage, CallRoute, IncomingTelnyxCall> {
  readonly #loadSdk: () => Promise<TelnyxSdk>;
  /** SDK states of calls no route knows yet (an incoming call's `new`, before its `ringing`). */
  readonly #unknown = new Map<string, string[]>();
  readonly #correlator = new VertoCorrelator();
  readonly #tokens: TokenSchedule;
  #client: SdkClient | null = null;
  #url: URL | null = null;
  #connected = false;
  #failure: Failure = null;
  #lastClose: { code: number | null; reason: string | null; at: number } | null = null;
  /**
   * The server's last JSON-RPC error to a login, read off the wire: the SDK's 46001 wraps it
   * into `Error("[object Object]")`, so its code (-32001) and message survive only here.
   */
  #loginError: { code: number | string | null; message: string | null } | null = null;
  #stopCapture: () => void = () => undefined;

  constructor(name: string, env: TelnyxLineEnvironment) {
    super(name, env, TELNYX);
    this.#loadSdk = env.loadSdk;
    const timing = { leadMs: TOKEN_REFRESH_LEAD_MS, minMs: TOKEN_REFRESH_MIN_MS, retryMs: TOKEN_REFRESH_RETRY_MS };
    this.#tokens = new TokenSchedule(timing, env.now ?? Date.now, (trigger) => {
      void this.refreshToken(trigger === 'timer' ? 'the token expires soon' : 'retry');
    });
  }

  /** `wss://host`, once started. */
  get signallingUrl(): string | null {
    return this.#url ? this.#url.href.replace(/\/$/, '') : null;
  }

  /** How the signalling socket last closed (for a call that is being re-attached). */
  get lastSocketClose(): { code: number | null; reason: string | null; at: number } | null {
    return this.#lastClose;
  }

  /**
   * Place a call through the SDK. Its updates and frames go to the route registered for the id
   * in `options.id` (register it first: the SDK announces the call before `newCall` returns).
   */
  newCall(options: Record<string, unknown>): SdkCall {
    const client = this.#client;
    if (!client) throw new ApiFailure('telnyx_line', `the line ${this.name} has not started`);
    return client.newCall(options);
  }

  /** Fetch a fresh token now and log in with it (on the open socket; reconnects use it too). */
  refreshToken(why: string): Promise<void> {
    if (this.stopped || !this.#client) return Promise.resolve();
    return this.#tokens.once(() => this.#refresh(why));
  }

  // ---- the driver ----

  protected async open(): Promise<void> {
    this.setStatus(registering('getting the account’s credentials'));
    // After a refused login the cached token is the likely culprit: ask for a new one.
    const credentials = await this.fetchCredentials(this.#loginError !== null);
    let url: URL;
    try {
      url = signallingUrl(credentials.signalling_host);
    } catch {
      throw new ApiFailure('bad_input', `${this.name}: "${credentials.signalling_host}" is not a signalling host`, 'Set the account’s signalling host, e.g. rtc.telnyx.com.');
    }
    const sdk = await this.#loadSdk();
    if (this.stopped) return;
    this.keepCredentials(credentials);
    this.#url = url;
    this.#stopCapture = sdk.capture.add({
      host: url.host,
      owns: (socket) => this.#owns(socket),
      frame: (frame) => this.#onFrame(frame),
    });
    let client: SdkClient;
    try {
      // The account's signalling host through the SDK's `host` option (reference/telnyx.md §2.2).
      client = sdk.createClient({ login_token: credentials.login_token, host: this.signallingUrl ?? url.href });
    } catch (error) {
      throw this.refusedSettings(error);
    }
    this.#listen(client);
    this.#client = client;
    this.setStatus(registering(`connecting to ${this.signallingUrl}`));
    this.#tokens.expiresAt(credentials.expires_at);
    await client.connect();
  }

  protected close(): void {
    this.#tokens.stop();
    const client = this.#client;
    const stopCapture = this.#stopCapture;
    if (client) {
      client
        .disconnect()
        .catch((error: unknown) => console.error(`stopping the Telnyx line ${this.name}:`, error))
        .finally(stopCapture);
    } else {
      stopCapture();
    }
  }

  /** Calls can be placed once logged in (`telnyx.ready`); not after a refused login or when the SDK gave up reconnecting. */
  protected readiness(status: RegistrationStatus): 'ready' | ApiFailure | null {
    if (status.state === 'registered') return 'ready';
    if (status.state === 'failed' && this.#failure !== null) {
      const code = this.#failure === 'login' ? 'telnyx_login' : 'telnyx_transport';
      return new ApiFailure(code, `${this.name}: ${status.detail ?? 'not logged in'}`, status.hint);
    }
    return null;
  }

  protected readyTimedOut(timeoutMs: number): ApiFailure {
    const url = this.signallingUrl ?? 'Telnyx';
    const why = this.#connected ? 'the WebSocket is open but Telnyx did not confirm the login' : 'no WebSocket connection';
    return new ApiFailure(
      'telnyx_transport',
      `${this.name}: not logged in to ${url} within ${seconds(timeoutMs)} (${why})`,
      this.#connected ? TELNYX_LOGIN_HINT : TELNYX_TRANSPORT_HINT,
    );
  }

  /** Whether a socket is this line's client's (the SDK's connection holds its current socket). */
  #owns(socket: object): boolean {
    const connection = this.#client?.connection as { _wsClient?: unknown } | null | undefined;
    return connection?._wsClient === socket;
  }

  #listen(client: SdkClient): void {
    const on = <T>(event: string, handler: (payload: T) => void) => client.on(event, handler as (payload: never) => void);
    on('telnyx.socket.open', () => {
      this.#connected = true;
      if (this.stopped || this.status.state === 'registered') return;
      this.setStatus(registering(`connected to ${this.signallingUrl}; logging in`));
    });
    on('telnyx.socket.close', (event: unknown) => this.#socketClosed(event));
    on('telnyx.ready', () => {
      this.#connected = true;
      this.#failure = null;
      this.outageOver();
      if (this.stopped) return;
      this.setStatus({ state: 'registered', status_code: null, reason: null, detail: null, hint: null });
    });
    on('telnyx.error', (event: SdkErrorEvent) => this.#onError(event));
    on('telnyx.warning', (event: SdkWarningEvent) => this.#onWarning(event));
    on('telnyx.notification', (notification: SdkNotification) => this.#onNotification(notification));
  }

  #socketClosed(event: unknown): void {
    this.#connected = false;
    if (this.stopped) return;
    // The SDK passes {event: CloseEvent, socketGeneration}, or {code, reason} after a stuck close.
    const e = event as { event?: { code?: unknown; reason?: unknown }; code?: unknown; reason?: unknown } | null;
    const code = typeof e?.event?.code === 'number' ? e.event.code : typeof e?.code === 'number' ? e.code : null;
    const rawReason = e?.event?.reason ?? e?.reason;
    const reason = typeof rawReason === 'string' && rawReason ? rawReason : null;
    this.#lastClose = { code, reason, at: this.clock() };
    const why = [code !== null ? `code ${code}` : null, reason].filter(Boolean).join(', ');
    const detail = `the signalling connection to ${this.signallingUrl} closed${why ? ` (${why})` : ''}; reconnecting`;
    if (this.#failure === null) this.setStatus(registering(detail));
    this.reportOutage({ transport: 'disconnected', message: detail, code, reason });
  }

  #onError(event: SdkErrorEvent): void {
    const payload: TelnyxErrorPayload & { verto_error?: { code: number | string | null; message: string | null } } = errorPayload(event);
    if (payload.code !== null && LOGIN_ERRORS.has(payload.code) && this.#loginError) payload.verto_error = this.#loginError;
    const route = payload.call_id ? this.routes.get(payload.call_id) : undefined;
    if (route) route.error(payload);
    else this.note('error', { ...payload });
    if (this.stopped || payload.code === null) return;
    if (LOGIN_ERRORS.has(payload.code)) {
      this.#failure = 'login';
      const verto = payload.verto_error;
      const why = verto ? `${verto.code ?? ''} ${verto.message ?? ''}`.trim() : payload.error;
      const under = why ? ` (${why})` : '';
      this.setStatus({ state: 'failed', status_code: payload.code, reason: payload.name, detail: `Telnyx refused the login${under}`, hint: TELNYX_LOGIN_HINT });
    } else if (payload.code === RECONNECTION_EXHAUSTED) {
      this.#failure = 'exhausted';
      this.setStatus({ state: 'failed', status_code: payload.code, reason: payload.name, detail: 'the SDK gave up reconnecting to Telnyx', hint: TELNYX_TRANSPORT_HINT });
    } else if (payload.code === GATEWAY_FAILED) {
      this.setStatus({ state: 'failed', status_code: payload.code, reason: payload.name, detail: `${errorLine(payload)}; retrying`, hint: TELNYX_GATEWAY_HINT });
    }
  }

  #onWarning(event: SdkWarningEvent): void {
    const payload = warningPayload(event);
    const route = payload.call_id ? this.routes.get(payload.call_id) : undefined;
    if (route) route.warning(payload);
    else this.note('warning', { ...payload });
    if (payload.code === TOKEN_EXPIRING_SOON) void this.refreshToken('the SDK warned that the token expires soon (34001)');
  }

  #onNotification(notification: SdkNotification): void {
    const call = notification.call;
    if (!call || typeof call.id !== 'string') return;
    const route = this.routes.get(call.id);
    if (notification.type !== 'callUpdate') {
      // userMediaError, peerConnectionFailureError, signalingStateClosed: worth a warning on the call.
      if (route && notification.type) {
        route.warning({ source: 'telnyx.warning', code: null, name: notification.type, message: notificationText(notification) });
      }
      return;
    }
    if (route) {
      route.update(call);
      return;
    }
    const states = this.#unknown.get(call.id) ?? [];
    states.push(call.state);
    this.#unknown.set(call.id, states);
    if (call.state === 'ringing' && call.direction === 'inbound') {
      this.#unknown.delete(call.id);
      this.#incoming(call, states);
    } else if (isOver(call.state)) {
      if (call.state === 'destroy') this.#unknown.delete(call.id);
    }
  }

  #incoming(call: SdkCall, states: string[]): void {
    const incoming = new IncomingTelnyxCall(this.name, call, states, this.claimHeld(call.id), this.clock(), this.incomingHooks(call.id));
    this.ring(call.id, incoming);
  }

  #onFrame(captured: CapturedFrame): void {
    const frame = parseVerto(captured.text);
    const { callId, answers } = this.#correlator.see(frame);
    const message: VertoMessage = { captured, frame, callId, signal: vertoSignal(captured.direction, captured.text, frame, answers) };
    if (answers === 'login' && captured.direction === 'received') {
      const error = frame.json?.error as { message?: unknown } | undefined;
      this.#loginError = frame.kind === 'error' ? { code: frame.errorCode, message: typeof error?.message === 'string' ? error.message : null } : null;
    }
    // A received invite is held: the SDK reads it right after this returns and may make it an incoming call.
    this.deliver(callId, message, captured.direction === 'received' && frame.method === 'telnyx_rtc.invite');
  }

  async #refresh(why: string): Promise<void> {
    try {
      const credentials = await this.fetchCredentials(true);
      if (this.stopped) return;
      const previous = this.credentials;
      this.keepCredentials(credentials);
      this.#tokens.expiresAt(credentials.expires_at);
      const client = this.#client;
      if (!client || previous?.login_token === credentials.login_token) return;
      // Reconnects log in with the new token; an open socket logs in again now.
      client.options.login_token = credentials.login_token;
      if (client.connected) await client.login({ creds: { login_token: credentials.login_token } });
    } catch (error) {
      if (this.stopped) return;
      const described = describeError(error);
      this.note('warning', { message: `refreshing the Telnyx login token failed (${why}): ${described.message}`, hint: described.hint });
      this.#tokens.failed();
    }
  }
}

function notificationText(notification: SdkNotification): string {
  const message = notification.errorMessage ?? notification.message ?? notification.error;
  const text = typeof message === 'string' ? message : message ? errorText(message) : '';
  return `Telnyx SDK notification ${notification.type}${text ? `: ${text}` : ''}`;
}
