import type { Backend } from '../../api/backend';
import { Listeners } from '../../lib/listeners';
import { ApiFailure, describeError, errorText } from '../../api/errors';
import type { TwilioCall } from '../../api/generated';
import type { AppJournal } from '../../journal/app-journal';
import type { SignalDirection } from '../../journal/signal';
import { NOT_REGISTERED, registering, type RegistrationStatus } from '../core/registration';
import type { CapturedFrame } from './capture';
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

/** What a Twilio line takes from the page; tests pass a fake SDK. */
export interface TwilioLineEnvironment {
  backend: Pick<Backend, 'call'>;
  journal: AppJournal;
  loadSdk: () => Promise<TwilioSdk>;
  /** The page's monotonic clock (ms). */
  clock: () => number;
  /** The wall clock (ms since the epoch), for token expiry. */
  now?: () => number;
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
export class TwilioLine {
  readonly name: string;
  readonly #env: TwilioLineEnvironment;
  readonly #statusListeners = new Listeners<RegistrationStatus>();
  readonly #incomingListeners = new Listeners<IncomingTwilioCall>();
  readonly #idleListeners = new Listeners<void>();
  /** Call sid (`TJS…` or `CA…`) → where that call's frames go. */
  readonly #routes = new Map<string, CallRoute>();
  /** Frames of an incoming invite the SDK is reading (it becomes a Call a few turns later). */
  readonly #held = new Map<string, PstreamMessage[]>();
  /** The SDK's Call objects → their routes, for Device errors that name a call. */
  readonly #calls = new Map<SdkCall, CallRoute>();
  /** Every Access Token this line has used (a socket's first `listen` says whose it is). */
  readonly #tokens = new Set<string>();
  #outgoing: Outgoing | null = null;
  #peerWaiter: ((pc: RTCPeerConnection) => void) | null = null;
  #status: RegistrationStatus = NOT_REGISTERED;
  #device: SdkDevice | null = null;
  #credentials: TwilioCall | null = null;
  #starting: Promise<void> | null = null;
  #stopped = false;
  #tokenFailed = false;
  #lastTokenError: TwilioErrorPayload | null = null;
  /** A signalling outage was journaled already (the SDK reconnects with backoff). */
  #outageReported = false;
  #stopCapture: () => void = () => undefined;
  #refreshTimer: ReturnType<typeof setTimeout> | null = null;
  #refreshing: Promise<void> | null = null;
  readonly #heartbeats = { sent: 0, received: 0 };

  constructor(name: string, env: TwilioLineEnvironment) {
    this.name = name;
    this.#env = env;
  }

  get status(): RegistrationStatus {
    return this.#status;
  }

  /** The account's call credentials, once the line has started (the token is never shown). */
  get credentials(): TwilioCall | null {
    return this.#credentials;
  }

  /** The Device error with which Twilio refused the current token, while it stands. */
  get tokenError(): TwilioErrorPayload | null {
    return this.#tokenFailed ? this.#lastTokenError : null;
  }

  get device(): SdkDevice | null {
    return this.#device;
  }

  get started(): boolean {
    return this.#starting !== null && !this.#stopped;
  }

  /** Calls in progress on this line (routed sids, or one being placed). */
  get busy(): boolean {
    return this.#routes.size > 0 || this.#outgoing !== null;
  }

  get clock(): () => number {
    return this.#env.clock;
  }

  /** Heartbeats (`"\n"`) seen on the signalling socket, each way: counted, never journaled. */
  get heartbeats(): { sent: number; received: number } {
    return { ...this.#heartbeats };
  }

  onStatus(cb: (status: RegistrationStatus) => void): () => void {
    return this.#statusListeners.add(cb);
  }

  onIncoming(cb: (call: IncomingTwilioCall) => void): () => void {
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

  /** Get a token, create the Device and register. Idempotent; a failure shows in the status and rejects. */
  start(): Promise<void> {
    if (this.#stopped) return Promise.reject(new ApiFailure('twilio_line', `the line ${this.name} was stopped`));
    this.#starting ??= this.#start().catch((error: unknown) => {
      const described = describeError(error);
      this.#starting = null;
      this.#setStatus({ state: 'failed', status_code: null, reason: null, detail: described.message, hint: described.hint });
      void this.#env.journal.record('ui', 'error', { account: this.name, registration: 'failed', ...described });
      throw error;
    });
    return this.#starting;
  }

  /** Destroy the Device (its socket closes, so Twilio stops offering calls). The line cannot be started again. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#refreshTimer) clearTimeout(this.#refreshTimer);
    this.#refreshTimer = null;
    for (const held of this.#held.keys()) this.#flushHeld(held);
    try {
      this.#device?.destroy();
    } catch (error) {
      console.error(`stopping the Twilio line ${this.name}:`, error);
    }
    this.#stopCapture();
    this.#setStatus({ ...NOT_REGISTERED, detail: 'stopped' });
  }

  /**
   * Wait until calls can be placed: registered. Rejects when Twilio refused the token, or
   * `timeoutMs` passed (an expired or refused token leaves `connect()` pending for ever, #85).
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
        if (status.state === 'registered') finish(() => resolve(status));
        else if (status.state === 'failed' && this.#tokenFailed) {
          finish(() => reject(new ApiFailure('twilio_token', `${this.name}: ${status.detail ?? 'Twilio refused the Access Token'}`, status.hint)));
        } else if (this.#stopped) finish(() => reject(new ApiFailure('twilio_line', `the line ${this.name} was stopped`)));
      };
      const timer = setTimeout(() => {
        const url = signallingUrl(this.#credentials?.edge ?? 'roaming');
        finish(() =>
          reject(
            new ApiFailure(
              'twilio_transport',
              `${this.name}: not registered with ${url} within ${Math.round(timeoutMs / 1000)} s (${this.#status.detail ?? this.#status.state})`,
              this.#status.hint ?? TWILIO_TRANSPORT_HINT,
            ),
          ),
        );
      }, timeoutMs);
      stop = this.#statusListeners.add(check);
      check(this.#status);
    });
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
      this.#checkIdle();
      throw error;
    }
    this.#calls.set(call, route);
    const tjs = call.outboundConnectionId;
    const outgoing = this.#outgoing as Outgoing | null;
    if (tjs && outgoing?.route === route && outgoing.tjs === null) {
      outgoing.tjs = tjs;
      this.#routes.set(tjs, route);
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
    for (const [sid, r] of [...this.#routes]) if (r === route) this.#routes.delete(sid);
    if (call) this.#calls.delete(call);
    if (this.#peerWaiter && this.#routes.size === 0) this.#peerWaiter = null;
    this.#checkIdle();
  }

  /** Route the frames of `sid` to `route` (an accepted incoming call's adapter). */
  route(sid: string, route: CallRoute, call: SdkCall): void {
    this.#routes.set(sid, route);
    this.#calls.set(call, route);
  }

  /** Fetch a fresh token now and give it to the Device (`updateToken`: a new `listen` on the open socket). */
  refreshToken(trigger: 'tokenWillExpire' | 'timer' | 'expired' | 'retry'): Promise<void> {
    if (this.#stopped || !this.#device) return Promise.resolve();
    if (this.#refreshing) return this.#refreshing;
    const left = this.#tokenLeftMs();
    if ((trigger === 'timer' || trigger === 'tokenWillExpire') && left !== null && left > TWILIO_TOKEN_REFRESH_MS + 5_000) {
      return Promise.resolve(); // refreshed already (the other trigger came first)
    }
    this.#refreshing = this.#refresh(trigger).finally(() => {
      this.#refreshing = null;
    });
    return this.#refreshing;
  }

  // ---- inside ----

  async #start(): Promise<void> {
    this.#setStatus(registering('getting the account’s Access Token'));
    const credentials = await this.#env.backend.call('call_credentials', { name: this.name });
    if (credentials.provider !== 'twilio') {
      throw new ApiFailure('bad_input', `${this.name} is a ${credentials.provider} account, not a Twilio one`);
    }
    const sdk = await this.#env.loadSdk();
    if (this.#stopped) return;
    if (!sdk.isSupported) {
      throw new ApiFailure('webrtc', 'the Twilio Voice SDK does not support this browser (it needs WebRTC with RTCRtpTransceiver codec preferences)', 'Use a current Chrome, Edge or Firefox.');
    }
    this.#credentials = credentials;
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
      throw new ApiFailure('bad_input', `${this.name}: the Twilio SDK refused the account settings: ${errorText(error)}`);
    }
    this.#device = device;
    this.#listen(device);
    this.#scheduleRefresh(credentials.expires_at);
    this.#setStatus(registering(`connecting to ${signallingUrl(credentials.edge)}`));
    // register() settles on `registered` (or `unregistered`); a refused token leaves it pending
    // (the error comes as a Device `error`), so it is not awaited here.
    device.register().catch((error: unknown) => {
      if (this.#stopped) return;
      const described = describeError(error);
      void this.#env.journal.record('ui', 'warning', { account: this.name, registration: 'register() failed', message: `registering ${this.name} failed: ${described.message}` });
    });
  }

  #deviceOptions(credentials: TwilioCall): Record<string, unknown> {
    const leftMs = credentials.expires_at * 1000 - (this.#env.now ?? Date.now)();
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
      if (this.#stopped || this.#tokenFailed) return;
      this.#setStatus(registering(`registering with ${signallingUrl(this.#credentials?.edge ?? 'roaming')}`));
    });
    on('registered', () => {
      if (this.#stopped) return;
      this.#tokenFailed = false;
      this.#outageReported = false;
      this.#setStatus({ state: 'registered', status_code: null, reason: null, detail: device.edge ? `edge ${device.edge}` : null, hint: null });
    });
    on('unregistered', () => {
      if (this.#stopped || this.#tokenFailed) return;
      const detail = 'Twilio no longer offers calls to this line (the signalling connection dropped); the SDK reconnects';
      this.#setStatus(registering(detail));
      if (!this.#outageReported) {
        this.#outageReported = true;
        void this.#env.journal.record('ui', 'warning', { account: this.name, registration: 'unregistered', message: `${this.name}: ${detail}` });
      }
    });
    on('error', (error: unknown, call?: SdkCall) => this.#onError(error, call ?? null));
    on('incoming', (call: SdkCall) => this.#incoming(call));
    on('tokenWillExpire', () => void this.refreshToken('tokenWillExpire'));
  }

  #onError(error: unknown, call: SdkCall | null): void {
    const payload = errorPayload(error, 'twilio.device', call);
    const route = call ? this.#calls.get(call) : undefined;
    if (route) route.error(payload);
    else void this.#env.journal.record('ui', 'error', { account: this.name, ...payload });
    if (this.#stopped || payload.code === null) return;
    if (TOKEN_ERRORS.has(payload.code)) {
      this.#tokenFailed = true;
      this.#lastTokenError = payload;
      this.#setStatus({
        state: 'failed',
        status_code: payload.code,
        reason: payload.name,
        detail: `Twilio refused the Access Token: ${payload.message}`,
        hint: TWILIO_TOKEN_HINT,
      });
      // An expired token (e.g. after the computer slept): fetch a new one at once.
      if (payload.code === TOKEN_EXPIRED) void this.refreshToken('expired');
    } else if (TRANSPORT_ERRORS.has(payload.code) && !this.#tokenFailed) {
      this.#setStatus({ ...registering(`the signalling connection failed (${payload.code} ${payload.name ?? ''}); the SDK reconnects`.replace(' )', ')')), hint: TWILIO_TRANSPORT_HINT });
    }
  }

  #incoming(call: SdkCall): void {
    const sid = call.parameters.CallSid ?? '';
    const held = this.#held.get(sid) ?? [];
    this.#held.delete(sid);
    const incoming = new IncomingTwilioCall(this.name, call, held, this.#env.clock(), {
      appLevel: (message) => this.#appLevel(message),
      reroute: (route) => {
        if (route) {
          this.#routes.set(sid, route);
          this.#calls.set(call, route);
        } else {
          this.#routes.delete(sid);
          this.#calls.delete(call);
          this.#checkIdle();
        }
      },
      note: (kind, payload) => void this.#env.journal.record('ui', kind, { account: this.name, ...payload }),
    });
    this.#routes.set(sid, incoming.route);
    this.#calls.set(call, incoming.route);
    if (this.#incomingListeners.size === 0) {
      incoming.reject(480, 'Temporarily Unavailable');
      return;
    }
    this.#incomingListeners.emit(incoming);
  }

  #heartbeat(direction: SignalDirection): void {
    if (direction === 'sent') this.#heartbeats.sent += 1;
    else this.#heartbeats.received += 1;
  }

  #onFrame(captured: CapturedFrame): void {
    const frame = parsePstream(captured.text);
    const message: PstreamMessage = { captured, frame, signal: pstreamSignal(captured.direction, captured.text, frame) };
    const sid = frame.callsid;
    if (sid !== null) {
      let route = this.#routes.get(sid);
      const outgoing = this.#outgoing;
      if (!route && outgoing) {
        if (captured.direction === 'sent' && frame.type === 'invite' && outgoing.tjs === null) {
          outgoing.tjs = sid;
          this.#routes.set(sid, outgoing.route);
          route = outgoing.route;
        } else if (captured.direction === 'received' && sid.startsWith('CA') && outgoing.ca === null && frame.type !== 'invite' && frame.type !== 'cancel') {
          // Twilio's first word about our call (ringing, answer, a failure) names its CA sid.
          outgoing.ca = sid;
          this.#routes.set(sid, outgoing.route);
          route = outgoing.route;
        }
      }
      if (route) {
        route.frame(message);
        return;
      }
      const held = this.#held.get(sid);
      if (held) {
        held.push(message);
        return;
      }
      if (captured.direction === 'received' && frame.type === 'invite') {
        // The SDK makes this invite a Call a few turns later (Device `incoming`); if it does not
        // (busy, malformed), its frames go to the app-level journal.
        this.#held.set(sid, [message]);
        setTimeout(() => this.#flushHeld(sid), INCOMING_CLAIM_MS);
        return;
      }
    }
    this.#appLevel(message);
  }

  #flushHeld(sid: string): void {
    const unclaimed = this.#held.get(sid);
    if (!unclaimed) return;
    this.#held.delete(sid);
    for (const m of unclaimed) this.#appLevel(m);
  }

  #appLevel(message: PstreamMessage): void {
    if (!message.captured.delivered) {
      void this.#env.journal.record('ui', 'warning', {
        account: this.name,
        message: `a PStream message could not be sent: the WebSocket was not open (${message.signal.summary})`,
      });
      return;
    }
    void this.#env.journal.record('signalling', 'signal', { ...message.signal, account: this.name }, message.captured.at);
  }

  #tokenLeftMs(): number | null {
    const credentials = this.#credentials;
    if (!credentials) return null;
    return credentials.expires_at * 1000 - (this.#env.now ?? Date.now)();
  }

  #scheduleRefresh(expiresAt: number): void {
    if (this.#refreshTimer) clearTimeout(this.#refreshTimer);
    const now = (this.#env.now ?? Date.now)();
    const delay = Math.max(TOKEN_REFRESH_MIN_MS, expiresAt * 1000 - now - TOKEN_REFRESH_LEAD_MS);
    this.#refreshTimer = setTimeout(() => {
      this.#refreshTimer = null;
      void this.refreshToken('timer');
    }, Math.min(delay, 2 ** 31 - 1));
  }

  async #refresh(trigger: string): Promise<void> {
    const started = this.#env.clock();
    const previous = this.#credentials;
    try {
      const credentials = await this.#env.backend.call('call_credentials', { name: this.name });
      if (this.#stopped) return;
      if (credentials.provider !== 'twilio') throw new ApiFailure('bad_input', `${this.name} is no longer a Twilio account`);
      this.#tokens.add(credentials.access_token);
      this.#credentials = credentials;
      this.#scheduleRefresh(credentials.expires_at);
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
        took_ms: Math.round(this.#env.clock() - started),
        device_state: device.state,
      };
      void this.#env.journal.record('ui', 'action', payload);
      for (const route of new Set(this.#routes.values())) route.note('action', payload);
      if (this.#tokenFailed) {
        this.#tokenFailed = false;
        this.#setStatus(registering('registering again with a fresh Access Token'));
      }
    } catch (error) {
      if (this.#stopped) return;
      const described = describeError(error);
      const payload = {
        account: this.name,
        trigger,
        message: `refreshing the Twilio Access Token failed (${trigger}): ${described.message}`,
        hint: described.hint,
      };
      void this.#env.journal.record('ui', 'warning', payload);
      for (const route of new Set(this.#routes.values())) route.note('warning', payload);
      if (this.#refreshTimer) clearTimeout(this.#refreshTimer);
      this.#refreshTimer = setTimeout(() => {
        this.#refreshTimer = null;
        void this.refreshToken('retry');
      }, TOKEN_REFRESH_RETRY_MS);
    }
  }

  #checkIdle(): void {
    if (!this.busy) this.#idleListeners.emit();
  }

  #setStatus(status: RegistrationStatus): void {
    this.#status = status;
    this.#statusListeners.emit(status);
  }
}
