import { ApiFailure, describeError } from '../../api/errors';
import type { TwilioCall } from '../../api/generated';
import type { SignalDirection } from '../../journal/signal';
import type { CapturedFrame } from '../core/capture';
import { LineCore, type LineKind, type LineServices, seconds } from '../core/line-core';
import { registering, type RegistrationStatus } from '../core/registration';
import { TokenSchedule } from '../core/token-schedule';
import {
  errorPayload,
  type TwilioErrorPayload,
  TOKEN_ERRORS,
  TOKEN_EXPIRED,
  TRANSPORT_ERRORS,
  TWILIO_TOKEN_HINT,
  TWILIO_TRANSPORT_HINT,
} from './events';
import { parsePstream, pstreamSignal } from './frames';
import { IncomingTwilioCall } from './incoming';
import type { SdkCall, SdkDevice, TwilioSdk } from './sdk';
import { TWILIO_SOUNDS } from './sounds';
import type { CallRoute, PstreamMessage } from './wire';

/** The SDK emits `tokenWillExpire` this long before the token expires (its `tokenRefreshMs`; its default, 10 s, leaves little room for a slow backend). */
export const TWILIO_TOKEN_REFRESH_MS = 30_000;
/**
 * Our own refresh timer fires this long before expiry. The SDK arms `tokenWillExpire` only from
 * a `connected` message, which Twilio does not send again after a refresh (twilio-voice.js #93),
 * so every token after the first is refreshed by this timer; for the first one it is the backstop.
 */
export const TOKEN_REFRESH_LEAD_MS = 20_000;
/** After a failed refresh, try again this much later. */
export const TOKEN_REFRESH_RETRY_MS = 10_000;
/** Never refresh sooner than this after a token was fetched. */
export const TOKEN_REFRESH_MIN_MS = 5_000;
/**
 * How long Twilio keeps a call whose signalling socket dropped, for the SDK to reconnect it
 * (Device `maxCallSignalingTimeoutMs`; 30 s is Twilio's maximum). Without it a socket drop ends
 * every call (reference/twilio.md §7 #11).
 */
export const TWILIO_MAX_CALL_SIGNALING_TIMEOUT_MS = 30_000;
/** How long an incoming `invite` waits for the SDK to announce its Call before its frames go to the app-level journal. */
export const INCOMING_CLAIM_MS = 3_000;

/** The Twilio lines' names in what they journal and throw. */
export const TWILIO: LineKind<'twilio'> = { provider: 'twilio', label: 'Twilio', message: 'PStream message', sdk: 'the Twilio SDK', inviteClaim: INCOMING_CLAIM_MS };

/** What a Twilio line takes from the page; tests pass a fake SDK. */
export interface TwilioLineEnvironment extends LineServices {
  loadSdk: () => Promise<TwilioSdk>;
  /** The engine's RTCPeerConnection (the page's by default): the Device gets a subclass that tells the line about every connection. */
  RTCPeerConnection?: typeof RTCPeerConnection | null;
}

/** The signalling URL the SDK uses for an edge (reference/twilio.md §2.2). */
export function signallingUrl(edge: string): string {
  return `wss://voice-js.${edge || 'roaming'}.twilio.com/signal`;
}

/** The outgoing call being placed: its frames are the first unknown `invite` we send and the first unknown `CA…` sid we hear of. */
interface Outgoing {
  route: CallRoute;
  tjs: string | null;
  ca: string | null;
}

/**
 * One Twilio account's `Device` (`@twilio/voice-sdk`), long-lived: it registers once with an
 * Access Token the backend minted, stays registered to receive calls, and is reused for every
 * call through the account. The token is refreshed before it expires (on the SDK's
 * `tokenWillExpire` and on a timer of our own). Every PStream message on its socket is captured
 * and routed by call sid: a call's messages to that call's journal record, the rest (listen,
 * connected, register, ready, rejected or missed calls) to the app-level journal.
 */
export class TwilioLine extends LineCore<'twilio', PstreamMessage, CallRoute, IncomingTwilioCall> {
  readonly #env: TwilioLineEnvironment;
  /** The SDK's Call objects → their routes, for Device errors that name a call. */
  readonly #calls = new Map<SdkCall, CallRoute>();
  /** Every Access Token this line has used (a socket's first `listen` says whose it is). */
  readonly #tokens = new Set<string>();
  readonly #refreshes: TokenSchedule;
  #outgoing: Outgoing | null = null;
  #peerWaiter: ((pc: RTCPeerConnection) => void) | null = null;
  #device: SdkDevice | null = null;
  #tokenFailed = false;
  #lastTokenError: TwilioErrorPayload | null = null;
  #stopCapture: () => void = () => undefined;
  readonly #heartbeats = { sent: 0, received: 0 };

  constructor(name: string, env: TwilioLineEnvironment) {
    super(name, env, TWILIO);
    this.#env = env;
    const timing = { leadMs: TOKEN_REFRESH_LEAD_MS, minMs: TOKEN_REFRESH_MIN_MS, retryMs: TOKEN_REFRESH_RETRY_MS };
    this.#refreshes = new TokenSchedule(timing, () => this.#now(), (trigger) => void this.refreshToken(trigger));
  }

  /** The Device error with which Twilio refused the current token, while it stands. */
  get tokenError(): TwilioErrorPayload | null {
    return this.#tokenFailed ? this.#lastTokenError : null;
  }

  /** A refused token is why calls cannot be placed: the call's record gets Twilio's error too. */
  override get refusal(): Record<string, unknown> | null {
    return this.tokenError as Record<string, unknown> | null;
  }

  get device(): SdkDevice | null {
    return this.#device;
  }

  /** Calls in progress on this line (routed sids, or one being placed). */
  override get busy(): boolean {
    return super.busy || this.#outgoing !== null;
  }

  /** Heartbeats (`"\n"`) seen on the signalling socket, each way: counted, never journaled. */
  get heartbeats(): { sent: number; received: number } {
    return { ...this.#heartbeats };
  }

  /**
   * Place a call (`Device.connect`). `route` gets the call's frames: the `invite` we send next
   * (with its `TJS…` id) and what Twilio sends about it (its `CA…` sid). `onPeer` gets the call's
   * peer connection as the SDK makes it.
   */
  async connect(
    options: { params: Record<string, string>; rtcConstraints?: MediaStreamConstraints },
    route: CallRoute,
    onPeer: (pc: RTCPeerConnection) => void,
  ): Promise<SdkCall> {
    const device = this.#device;
    if (!device) throw new ApiFailure('twilio_line', `the line ${this.name} has not started`);
    this.#outgoing = { route, tjs: null, ca: null };
    this.#peerWaiter = onPeer;
    let call: SdkCall;
    try {
      call = await device.connect(options);
    } catch (error) {
      this.#outgoing = null;
      this.#peerWaiter = null;
      this.checkIdle();
      throw error;
    }
    this.#calls.set(call, route);
    const tjs = call.outboundConnectionId;
    const outgoing = this.#outgoing as Outgoing | null;
    if (tjs && outgoing?.route === route && outgoing.tjs === null) {
      outgoing.tjs = tjs;
      this.routes.set(tjs, route);
    }
    return call;
  }

  /** Answer an incoming call: its peer connection goes to `onPeer`. */
  expectPeer(onPeer: (pc: RTCPeerConnection) => void): void {
    this.#peerWaiter = onPeer;
  }

  /** The call is over for its adapter: its frames go to the app-level journal from now on. */
  release(route: CallRoute, call: SdkCall | null): void {
    if (this.#outgoing?.route === route) this.#outgoing = null;
    for (const [sid, r] of [...this.routes]) if (r === route) this.routes.delete(sid);
    if (call) this.#calls.delete(call);
    if (this.#peerWaiter && this.routes.size === 0) this.#peerWaiter = null;
    this.checkIdle();
  }

  /** Fetch a fresh token now and give it to the Device (`updateToken`: a new `listen` on the open socket). */
  refreshToken(trigger: 'tokenWillExpire' | 'timer' | 'expired' | 'retry'): Promise<void> {
    if (this.stopped || !this.#device) return Promise.resolve();
    const running = this.#refreshes.running;
    if (running) return running;
    const left = this.#tokenLeftMs();
    if ((trigger === 'timer' || trigger === 'tokenWillExpire') && left !== null && left > TWILIO_TOKEN_REFRESH_MS + 5_000) {
      return Promise.resolve(); // refreshed already (the other trigger came first)
    }
    return this.#refreshes.once(() => this.#refresh(trigger));
  }

  // ---- the driver ----

  protected async open(): Promise<void> {
    this.setStatus(registering('getting the account’s Access Token'));
    const credentials = await this.fetchCredentials();
    const sdk = await this.#env.loadSdk();
    if (this.stopped) return;
    if (!sdk.isSupported) {
      throw new ApiFailure('webrtc', 'the Twilio Voice SDK does not support this browser (it needs WebRTC with RTCRtpTransceiver codec preferences)', 'Use a current Chrome, Edge or Firefox.');
    }
    this.keepCredentials(credentials);
    this.#tokens.add(credentials.access_token);
    this.#stopCapture = sdk.capture.add({
      ownsToken: (token) => this.#tokens.has(token),
      frame: (frame) => this.#onFrame(frame),
      heartbeat: (direction) => this.#heartbeat(direction),
    });
    let device: SdkDevice;
    try {
      device = sdk.createDevice(credentials.access_token, this.#deviceOptions(credentials));
    } catch (error) {
      throw this.refusedSettings(error);
    }
    this.#device = device;
    this.#listen(device);
    this.#refreshes.expiresAt(credentials.expires_at);
    this.setStatus(registering(`connecting to ${signallingUrl(credentials.edge)}`));
    // register() settles on `registered` (or `unregistered`); a refused token leaves it pending
    // (the error comes as a Device `error`), so it is not awaited here.
    device.register().catch((error: unknown) => {
      if (this.stopped) return;
      const described = describeError(error);
      this.note('warning', { registration: 'register() failed', message: `registering ${this.name} failed: ${described.message}` });
    });
  }

  /** Destroy the Device (its socket closes, so Twilio stops offering calls). */
  protected close(): void {
    this.#refreshes.stop();
    try {
      this.#device?.destroy();
    } finally {
      this.#stopCapture();
    }
  }

  /**
   * Calls can be placed once registered; not when Twilio refused the token. An expired or
   * refused token leaves `connect()` pending for ever (#85): the timeout says so.
   */
  protected readiness(status: RegistrationStatus): 'ready' | ApiFailure | null {
    if (status.state === 'registered') return 'ready';
    if (status.state === 'failed' && this.#tokenFailed) {
      return new ApiFailure('twilio_token', `${this.name}: ${status.detail ?? 'Twilio refused the Access Token'}`, status.hint);
    }
    return null;
  }

  protected readyTimedOut(timeoutMs: number): ApiFailure {
    const url = signallingUrl(this.credentials?.edge ?? 'roaming');
    return new ApiFailure(
      'twilio_transport',
      `${this.name}: not registered with ${url} within ${seconds(timeoutMs)} (${this.status.detail ?? this.status.state})`,
      this.status.hint ?? TWILIO_TRANSPORT_HINT,
    );
  }

  #now(): number {
    return (this.#env.now ?? Date.now)();
  }

  #deviceOptions(credentials: TwilioCall): Record<string, unknown> {
    const leftMs = credentials.expires_at * 1000 - this.#now();
    return {
      edge: credentials.edge || 'roaming',
      // Server codes as they are, not masked as 31005/53000 (reference/twilio.md §4.2).
      enableImprovedSignalingErrorPrecision: true,
      // Twilio keeps a call through a socket drop for this long (and the SDK reconnects it).
      maxCallSignalingTimeoutMs: TWILIO_MAX_CALL_SIGNALING_TIMEOUT_MS,
      tokenRefreshMs: Math.min(TWILIO_TOKEN_REFRESH_MS, Math.max(1_000, Math.floor(leftMs / 2))),
      // The app's own sounds: nothing is fetched from sdk.twilio.com.
      sounds: { ...TWILIO_SOUNDS },
      // Insights publishing (eventgw.twilio.com) as the account says (the SDK's `publishEvents`).
      publishEvents: credentials.insights,
      closeProtection: false,
      allowIncomingWhileBusy: false,
      appName: 'callscope',
      // Every peer connection the SDK makes, announced to the call it belongs to (the public `RTCPeerConnection` option).
      ...(this.#peerClass() ? { RTCPeerConnection: this.#peerClass() } : {}),
    };
  }

  #peerClassCache: typeof RTCPeerConnection | null | undefined;

  /** The engine's RTCPeerConnection with a constructor that tells this line about each new connection. */
  #peerClass(): typeof RTCPeerConnection | null {
    if (this.#peerClassCache !== undefined) return this.#peerClassCache;
    const Native = this.#env.RTCPeerConnection === undefined ? (globalThis as { RTCPeerConnection?: typeof RTCPeerConnection }).RTCPeerConnection : this.#env.RTCPeerConnection;
    if (!Native) {
      this.#peerClassCache = null;
      return null;
    }
    const announce = (pc: RTCPeerConnection) => this.#peerCreated(pc);
    class AnnouncedPeerConnection extends Native {
      constructor(configuration?: RTCConfiguration) {
        super(configuration);
        announce(this);
      }
    }
    this.#peerClassCache = AnnouncedPeerConnection;
    return AnnouncedPeerConnection;
  }

  #peerCreated(pc: RTCPeerConnection): void {
    const waiter = this.#peerWaiter;
    if (waiter) waiter(pc);
  }

  #listen(device: SdkDevice): void {
    const on = (event: string, handler: (...args: never[]) => void) => device.on(event, handler);
    on('registering', () => {
      if (this.stopped || this.#tokenFailed) return;
      this.setStatus(registering(`registering with ${signallingUrl(this.credentials?.edge ?? 'roaming')}`));
    });
    on('registered', () => {
      if (this.stopped) return;
      this.#tokenFailed = false;
      this.outageOver();
      this.setStatus({ state: 'registered', status_code: null, reason: null, detail: device.edge ? `edge ${device.edge}` : null, hint: null });
    });
    on('unregistered', () => {
      if (this.stopped || this.#tokenFailed) return;
      const detail = 'Twilio no longer offers calls to this line (the signalling connection dropped); the SDK reconnects';
      this.setStatus(registering(detail));
      this.reportOutage({ registration: 'unregistered', message: `${this.name}: ${detail}` });
    });
    on('error', (error: unknown, call?: SdkCall) => this.#onError(error, call ?? null));
    on('incoming', (call: SdkCall) => this.#incoming(call));
    on('tokenWillExpire', () => void this.refreshToken('tokenWillExpire'));
  }

  #onError(error: unknown, call: SdkCall | null): void {
    const payload = errorPayload(error, 'twilio.device', call);
    const route = call ? this.#calls.get(call) : undefined;
    if (route) route.error(payload);
    else this.note('error', { ...payload });
    if (this.stopped || payload.code === null) return;
    if (TOKEN_ERRORS.has(payload.code)) {
      this.#tokenFailed = true;
      this.#lastTokenError = payload;
      this.setStatus({
        state: 'failed',
        status_code: payload.code,
        reason: payload.name,
        detail: `Twilio refused the Access Token: ${payload.message}`,
        hint: TWILIO_TOKEN_HINT,
      });
      // An expired token (e.g. after the computer slept): fetch a new one at once.
      if (payload.code === TOKEN_EXPIRED) void this.refreshToken('expired');
    } else if (TRANSPORT_ERRORS.has(payload.code) && !this.#tokenFailed) {
      this.setStatus({ ...registering(`the signalling connection failed (${payload.code} ${payload.name ?? ''}); the SDK reconnects`.replace(' )', ')')), hint: TWILIO_TRANSPORT_HINT });
    }
  }

  #incoming(call: SdkCall): void {
    const sid = call.parameters.CallSid ?? '';
    const hooks = this.incomingHooks(sid);
    const incoming = new IncomingTwilioCall(this.name, call, this.claimHeld(sid), this.clock(), {
      ...hooks,
      reroute: (route) => {
        // Device errors that name the call go where its frames go.
        if (route) this.#calls.set(call, route);
        else this.#calls.delete(call);
        hooks.reroute(route);
      },
    });
    this.#calls.set(call, incoming.route);
    this.ring(sid, incoming);
  }

  #heartbeat(direction: SignalDirection): void {
    if (direction === 'sent') this.#heartbeats.sent += 1;
    else this.#heartbeats.received += 1;
  }

  #onFrame(captured: CapturedFrame): void {
    const frame = parsePstream(captured.text);
    const message: PstreamMessage = { captured, frame, signal: pstreamSignal(captured.direction, captured.text, frame) };
    const sid = frame.callsid;
    const outgoing = this.#outgoing;
    if (sid !== null && outgoing && !this.routes.has(sid)) {
      if (captured.direction === 'sent' && frame.type === 'invite' && outgoing.tjs === null) {
        outgoing.tjs = sid;
        this.routes.set(sid, outgoing.route);
      } else if (captured.direction === 'received' && sid.startsWith('CA') && outgoing.ca === null && frame.type !== 'invite' && frame.type !== 'cancel') {
        // Twilio's first word about our call (ringing, answer, a failure) names its CA sid.
        outgoing.ca = sid;
        this.routes.set(sid, outgoing.route);
      }
    }
    // A received invite is held: the SDK makes it a Call (Device `incoming`) a few turns later, or
    // (busy, malformed) does not.
    this.deliver(sid, message, captured.direction === 'received' && frame.type === 'invite');
  }

  #tokenLeftMs(): number | null {
    const credentials = this.credentials;
    if (!credentials) return null;
    return credentials.expires_at * 1000 - this.#now();
  }

  async #refresh(trigger: string): Promise<void> {
    const started = this.clock();
    const previous = this.credentials;
    try {
      const credentials = await this.fetchCredentials();
      if (this.stopped) return;
      this.#tokens.add(credentials.access_token);
      this.keepCredentials(credentials);
      this.#refreshes.expiresAt(credentials.expires_at);
      const device = this.#device;
      if (!device) return;
      device.updateToken(credentials.access_token);
      const payload = {
        action: 'token_refresh',
        account: this.name,
        trigger,
        message: `${this.name}: a fresh Access Token was given to the Device (${trigger})`,
        previous_expires_at: previous?.expires_at ?? null,
        expires_at: credentials.expires_at,
        took_ms: Math.round(this.clock() - started),
        device_state: device.state,
      };
      this.note('action', payload);
      for (const route of new Set(this.routes.values())) route.note('action', payload);
      if (this.#tokenFailed) {
        this.#tokenFailed = false;
        this.setStatus(registering('registering again with a fresh Access Token'));
      }
    } catch (error) {
      if (this.stopped) return;
      const described = describeError(error);
      const payload = {
        account: this.name,
        trigger,
        message: `refreshing the Twilio Access Token failed (${trigger}): ${described.message}`,
        hint: described.hint,
      };
      this.note('warning', payload);
      for (const route of new Set(this.routes.values())) route.note('warning', payload);
      this.#refreshes.failed();
    }
  }
}
