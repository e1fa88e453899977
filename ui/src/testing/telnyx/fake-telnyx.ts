/**
 * A scripted stand-in for `@telnyx/webrtc` 2.27.10 and the Telnyx signalling server, for the
 * Telnyx adapter's unit tests. The client behaves as reference/telnyx.md §2 and the lab runs with
 * the real SDK recorded it: the same call states in the same order, the same cause fill-ins
 * (USER_BUSY/17 before answer, NORMAL_CLEARING/16 after, for a local hang-up), the same Verto
 * frames (login with `login_token`, invite with `dialogParams`, acks, bye), and a socket made
 * from the page's WebSocket class, so the adapter's capture sees every frame as on the wire.
 * (The end-to-end tests run the real SDK against the lab's emulator.)
 */
import { capturingWebSocket, VertoCapture } from '../../providers/telnyx/capture';
import type { SdkCall, SdkClient, TelnyxClientOptions, TelnyxSdk } from '../../providers/telnyx/sdk';
import { fakeSdp, FakePeerConnection, FakeStream } from '../fake-webrtc';

type Json = Record<string, unknown>;

/** A WebSocket without a network: `FakeVertoServer` is the far side. */
export class FakeVertoSocket extends EventTarget {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  /** The server new sockets connect to (set by the test). */
  static server: FakeVertoServer | null = null;
  readonly url: string;
  readyState = 0;
  onopen: ((event: Event) => void) | null = null;
  onclose: ((event: CloseEvent | Event) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  #onmessage: ((event: MessageEvent) => void) | null = null;
  readonly #server: FakeVertoServer | null;

  constructor(url: string | URL) {
    super();
    this.url = String(url);
    this.#server = FakeVertoSocket.server;
    setTimeout(() => {
      if (!this.#server) {
        this.#close(1006, 'no server');
        return;
      }
      this.readyState = 1;
      this.#server.accept(this);
      this.onopen?.(new Event('open'));
    }, 0);
  }

  // An accessor, as on the real WebSocket (the capture wraps it).
  get onmessage(): ((event: MessageEvent) => void) | null {
    return this.#onmessage;
  }

  set onmessage(handler: ((event: MessageEvent) => void) | null) {
    this.#onmessage = handler;
  }

  send(data: string): void {
    if (this.readyState === 0) throw new DOMException('Still in CONNECTING state.', 'InvalidStateError');
    if (this.readyState !== 1) return;
    const server = this.#server;
    queueMicrotask(() => server?.receive(this, data));
  }

  close(code = 1000, reason = ''): void {
    if (this.readyState >= 2) return;
    this.readyState = 2;
    setTimeout(() => this.#close(code, reason), 0);
  }

  /** The server's side: a frame for the client. */
  deliver(frame: Json | string): void {
    if (this.readyState !== 1) return;
    const data = typeof frame === 'string' ? frame : JSON.stringify(frame);
    const event = new MessageEvent('message', { data });
    this.#onmessage?.call(this as unknown as WebSocket, event);
  }

  /** The server drops the connection. */
  drop(code = 1006): void {
    this.#close(code, '');
  }

  #close(code: number, reason: string): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.#server?.gone(this);
    const event = Object.assign(new Event('close'), { code, reason, wasClean: code === 1000 });
    this.onclose?.(event);
  }
}

/** What the server does with an invite to a number. */
export interface Scenario {
  /** Frames after `CALL CREATED`, each with its delay (ms). `bye` ends the call. */
  steps: { after: number; method: 'ringing' | 'media' | 'answer' | 'bye'; params?: Json }[];
}

export const SCENARIOS: Record<string, Scenario> = {
  // rings, early media, answered
  '+15550100001': { steps: [{ after: 5, method: 'ringing' }, { after: 5, method: 'media' }, { after: 5, method: 'answer' }] },
  // rings until cancelled
  '+15550100004': { steps: [{ after: 5, method: 'ringing' }] },
  '+15550100117': {
    steps: [{ after: 5, method: 'bye', params: { cause: 'USER_BUSY', causeCode: 17, sipCode: 486, sipReason: 'Busy Here', sip_call_id: 'busy@lab' } }],
  },
  '+15550100238': {
    steps: [
      {
        after: 5,
        method: 'bye',
        params: { cause: 'CALL_REJECTED', causeCode: 21, sipCode: 403, sipReason: 'Connection has no Outbound Profile assigned D38', sip_call_id: 'd38@lab' },
      },
    ],
  },
  '+15550100116': { steps: [{ after: 5, method: 'bye', params: { cause: 'NORMAL_CLEARING', causeCode: 16 } }] },
  '+15550100003': {
    steps: [
      { after: 5, method: 'ringing' },
      { after: 5, method: 'media' },
      { after: 5, method: 'answer' },
      { after: 300, method: 'bye', params: { cause: 'NORMAL_CLEARING', causeCode: 16, sipCode: 200, sipReason: 'OK', sip_call_id: 'abc@lab' } },
    ],
  },
};

/** A JWT-shaped token with an `exp` (the SDK reads only that). */
export function fakeJwt(exp: number, tag = 'sig'): string {
  const b64 = (v: unknown) => btoa(JSON.stringify(v)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  return `${b64({ alg: 'HS512', typ: 'JWT' })}.${b64({ exp, sub: 'cred-1', tel_token: 'opaque' })}.${tag}`;
}

/** The Telnyx signalling server, scripted: login, gatewayState, calls by scenario number, hold, DTMF, pings. */
export class FakeVertoServer {
  /** Every frame both ways, parsed: `{dir:'C->S'|'S->C', frame}`. */
  readonly log: { dir: 'C->S' | 'S->C'; frame: Json }[] = [];
  readonly sockets = new Set<FakeVertoSocket>();
  /** Tokens the server refuses (-32001 Login Incorrect). */
  readonly refused = new Set<string>();
  readonly logins: string[] = [];
  /** How long the server takes to answer a login (ms). */
  loginDelayMs = 0;
  #serverId = 1000;
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  /** Calls the server knows: callID → its socket. */
  readonly calls = new Map<string, FakeVertoSocket>();

  accept(socket: FakeVertoSocket): void {
    this.sockets.add(socket);
  }

  gone(socket: FakeVertoSocket): void {
    this.sockets.delete(socket);
  }

  /** The newest open socket. */
  get socket(): FakeVertoSocket | null {
    return [...this.sockets].at(-1) ?? null;
  }

  /** Frames the client sent, by method (`login`, `telnyx_rtc.invite`, ...). */
  sent(method: string): Json[] {
    return this.log.filter((e) => e.dir === 'C->S' && e.frame.method === method).map((e) => e.frame);
  }

  send(socket: FakeVertoSocket, frame: Json): void {
    this.log.push({ dir: 'S->C', frame });
    socket.deliver(frame);
  }

  /** A server request (numeric id). */
  request(socket: FakeVertoSocket, method: string, params: Json): number {
    const id = this.#serverId++;
    this.send(socket, { jsonrpc: '2.0', id, method, params });
    return id;
  }

  /** Ring the client with an inbound call; returns its callID. */
  ring(callId = 'in-1', from = '+15559998888'): string {
    const socket = this.socket;
    if (!socket) throw new Error('no client is connected');
    this.calls.set(callId, socket);
    this.request(socket, 'telnyx_rtc.invite', {
      callID: callId,
      sdp: fakeSdp('offer'),
      caller_id_name: 'PSTN Caller',
      caller_id_number: from,
      callee_id_name: 'Outbound Call',
      callee_id_number: '+15557654321',
      display_direction: 'inbound',
      telnyx_session_id: 'sess-in',
      telnyx_leg_id: 'leg-in',
      telnyx_call_control_id: 'v3:cc-in',
    });
    return callId;
  }

  /** The far end hangs up a call. */
  bye(callId: string, params: Json = { cause: 'NORMAL_CLEARING', causeCode: 16, sipCode: 200, sipReason: 'OK' }): void {
    const socket = this.calls.get(callId);
    if (socket) this.request(socket, 'telnyx_rtc.bye', { callID: callId, ...params });
    this.calls.delete(callId);
  }

  stop(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  receive(socket: FakeVertoSocket, data: string): void {
    const frame = JSON.parse(data) as Json;
    this.log.push({ dir: 'C->S', frame });
    const method = frame.method as string | undefined;
    const params = (frame.params ?? {}) as Json;
    const reply = (result: Json) => this.send(socket, { jsonrpc: '2.0', id: frame.id, result: { ...result, sessid: 'sess-1' } });
    if (!method) return; // an ack of ours
    switch (method) {
      case 'login': {
        const token = String(params.login_token ?? '');
        this.logins.push(token);
        if (this.refused.has(token)) {
          this.send(socket, { jsonrpc: '2.0', id: frame.id, error: { code: -32001, message: 'Login Incorrect' } });
          return;
        }
        this.#later(this.loginDelayMs, () => {
          reply({ message: 'logged in' });
          this.request(socket, 'telnyx_rtc.clientReady', { reattached_sessions: [] });
        });
        return;
      }
      case 'telnyx_rtc.gatewayState':
        reply({ params: { state: 'REGED' } });
        return;
      case 'telnyx_rtc.ping':
        reply({ message: 'PONG' });
        return;
      case 'telnyx_rtc.invite': {
        const dialog = (params.dialogParams ?? {}) as Json;
        const callId = String(dialog.callID);
        this.calls.set(callId, socket);
        reply({ message: 'CALL CREATED', callID: callId });
        const scenario = SCENARIOS[String(dialog.destination_number)] ?? SCENARIOS['+15550100001']!;
        let at = 0;
        for (const step of scenario.steps) {
          at += step.after;
          this.#later(at, () => {
            if (!this.calls.has(callId)) return;
            if (step.method === 'bye') {
              this.bye(callId, step.params);
              return;
            }
            const ids = { telnyx_session_id: 'sess-out', telnyx_leg_id: 'leg-out', telnyx_call_control_id: 'v3:cc-out' };
            const extra = step.method === 'media' ? { sdp: fakeSdp('answer') } : ids;
            this.request(socket, `telnyx_rtc.${step.method}`, { callID: callId, ...extra, ...(step.params ?? {}) });
          });
        }
        return;
      }
      case 'telnyx_rtc.answer':
        reply({ message: 'CALL ANSWERED', callID: (params.dialogParams as Json | undefined)?.callID ?? null });
        return;
      case 'telnyx_rtc.modify': {
        const action = String(params.action);
        reply({ callID: (params.dialogParams as Json | undefined)?.callID ?? null, action, holdState: action === 'hold' ? 'held' : 'active' });
        return;
      }
      case 'telnyx_rtc.info':
        reply({ message: 'SENT' });
        return;
      case 'telnyx_rtc.bye': {
        const callId = String((params.dialogParams as Json | undefined)?.callID ?? '');
        this.calls.delete(callId);
        reply({ callID: callId, message: 'CALL ENDED', cause: params.cause, causeCode: params.causeCode });
        return;
      }
      default:
        reply({});
    }
  }

  #later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      fn();
    }, ms);
    this.#timers.add(timer);
  }
}

// ---- the client ----

type Handler = (payload: never) => void;

/** The SDK's state order (a local hang-up before `active` fills in USER_BUSY/17). */
const ORDER: Record<string, number> = { new: 0, requesting: 1, trying: 2, recovering: 3, ringing: 4, answering: 5, early: 6, active: 7, held: 8, hangup: 9, destroy: 10, purge: 11 };

export class FakeSdkCall implements SdkCall {
  id: string;
  state = 'new';
  prevState = '';
  direction: string | undefined;
  cause: string | null = null;
  causeCode: number | null = null;
  sipCode: number | null = null;
  sipReason: string | null = null;
  sipCallId: string | null = null;
  recoveredCallId = '';
  options: SdkCall['options'] & Json;
  peer: { instance: RTCPeerConnection | null } | null = null;
  readonly #client: FakeSdkClient;
  readonly #ids: { telnyxCallControlId?: string; telnyxSessionId?: string; telnyxLegId?: string } = {};

  constructor(client: FakeSdkClient, options: Json, direction: 'outbound' | 'inbound') {
    this.#client = client;
    this.options = { audio: true, ...options } as SdkCall['options'] & Json;
    this.id = typeof options.id === 'string' ? options.id : `sdk-${Math.random().toString(16).slice(2)}`;
    this.direction = direction;
    if (typeof options.recoveredCallId === 'string') this.recoveredCallId = options.recoveredCallId;
    client.calls.set(this.id, this);
    // A call re-attached after a reconnect starts out recovering.
    this.setState(this.recoveredCallId ? 'recovering' : 'new');
  }

  get telnyxIDs() {
    return { ...this.#ids };
  }

  setState(state: string): void {
    this.prevState = this.state === state && state === 'new' ? '' : this.state;
    this.state = state;
    this.#client.emit('telnyx.notification', { type: 'callUpdate', call: this });
  }

  async invite(): Promise<void> {
    await this.#peer();
    if (this.#over()) return;
    this.setState('requesting');
    const result = await this.#client.execute('telnyx_rtc.invite', {
      sessid: 'sess-1',
      sdp: fakeSdp('offer'),
      dialogParams: this.#dialogParams(),
      'User-Agent': 'Web-2.27.10',
    });
    if (result && !this.#over()) this.setState('trying');
  }

  async answer(): Promise<void> {
    await this.#peer();
    if (this.#over()) return;
    this.setState('answering');
    const result = await this.#client.execute('telnyx_rtc.answer', { sessid: 'sess-1', sdp: fakeSdp('answer'), dialogParams: this.#dialogParams() });
    if (result && !this.#over()) this.setState('active');
  }

  async hangup(params: Json = {}, execute = true): Promise<void> {
    const defaults = ORDER[this.state]! < ORDER.active! ? { cause: 'USER_BUSY', causeCode: 17 } : { cause: 'NORMAL_CLEARING', causeCode: 16 };
    this.cause = (params.cause as string) || defaults.cause;
    this.causeCode = (params.causeCode as number) || defaults.causeCode;
    this.sipCode = (params.sipCode as number) || null;
    this.sipReason = (params.sipReason as string) || null;
    this.sipCallId = (params.sip_call_id as string) || null;
    this.setState('hangup');
    if (execute) {
      await Promise.race([
        this.#client.execute('telnyx_rtc.bye', {
          sipCode: this.sipCode,
          sip_call_id: this.sipCallId,
          sessid: 'sess-1',
          dialogParams: this.#dialogParams(),
          cause: this.cause,
          causeCode: this.causeCode,
        }),
        new Promise((resolve) => setTimeout(resolve, 5000)),
      ]);
    }
    this.peer?.instance?.close();
    if (this.peer) this.peer.instance = null;
    this.setState('destroy');
    this.#client.calls.delete(this.id);
  }

  async hold(): Promise<unknown> {
    return this.#modify('hold');
  }

  async unhold(): Promise<unknown> {
    return this.#modify('unhold');
  }

  dtmf(digit: string): void {
    void this.#client.execute('telnyx_rtc.info', { sessid: 'sess-1', dtmf: digit, dialogParams: this.#dialogParams() });
  }

  muted = false;
  muteAudio(): void {
    this.muted = true;
  }

  unmuteAudio(): void {
    this.muted = false;
  }

  /** A server frame for this call. */
  handle(method: string, params: Json): void {
    for (const key of ['telnyx_session_id', 'telnyx_leg_id', 'telnyx_call_control_id'] as const) {
      if (typeof params[key] !== 'string') continue;
      if (key === 'telnyx_session_id') this.#ids.telnyxSessionId = params[key];
      if (key === 'telnyx_leg_id') this.#ids.telnyxLegId = params[key];
      if (key === 'telnyx_call_control_id') this.#ids.telnyxCallControlId = params[key];
    }
    switch (method) {
      case 'telnyx_rtc.media':
        if (ORDER[this.state]! < ORDER.early!) this.setState('early');
        return;
      case 'telnyx_rtc.answer':
        if (ORDER[this.state]! < ORDER.active!) this.setState('active');
        return;
      case 'telnyx_rtc.bye':
        void this.hangup(params, false);
        return;
    }
  }

  #over(): boolean {
    return ORDER[this.state]! >= ORDER.hangup!;
  }

  async #modify(action: 'hold' | 'unhold'): Promise<unknown> {
    const result = (await this.#client.execute('telnyx_rtc.modify', { sessid: 'sess-1', action, dialogParams: this.#dialogParams() })) as Json | null;
    if (result?.holdState === 'held') this.setState('held');
    if (result?.holdState === 'active') this.setState('active');
    return result;
  }

  async #peer(): Promise<void> {
    const pc = new FakePeerConnection({ iceServers: [] });
    this.peer = { instance: pc as unknown as RTCPeerConnection };
    await pc.setLocalDescription(await pc.createOffer());
    const denied = this.#client.microphoneError;
    if (denied) {
      // As the SDK: telnyx.error 42001 for the call, then a local hang-up without a BYE.
      this.#client.emit('telnyx.error', {
        error: { code: 42001, name: 'MEDIA_MICROPHONE_PERMISSION_DENIED', message: 'Microphone access denied', originalError: denied, fatal: true },
        callId: this.id,
        sessionId: 'sess-1',
        recoverable: false,
      });
      void this.hangup({}, false);
      return;
    }
    this.options.localStream = new FakeStream() as unknown as MediaStream;
  }

  /** As the SDK re-attaching: a new Call for the same id, answering the server's attach. */
  async reattach(): Promise<void> {
    await this.#peer();
    this.setState('active');
  }

  #dialogParams(): Json {
    return {
      callID: this.id,
      destination_number: this.options.destinationNumber,
      caller_id_number: this.options.callerNumber,
      audio: this.options.audio,
      iceServers: [
        { urls: 'stun:stun.telnyx.com:3478' },
        { urls: 'turn:turn.telnyx.com:3478?transport=udp', username: 'testuser', credential: 'testpassword' },
      ],
    };
  }
}

let nextId = 1;

export class FakeSdkClient implements SdkClient {
  options: TelnyxClientOptions;
  /** Set to make the next calls' getUserMedia fail (42001). */
  microphoneError: DOMException | null = null;
  connection: { _wsClient: WebSocket | null } = { _wsClient: null };
  readonly calls = new Map<string, FakeSdkCall>();
  readonly #handlers = new Map<string, Set<Handler>>();
  readonly #pending = new Map<string, (result: Json | null) => void>();
  readonly #WebSocket: typeof WebSocket;
  #ready = false;
  #stopped = false;

  constructor(options: TelnyxClientOptions, webSocket: typeof WebSocket) {
    this.options = { ...options };
    this.#WebSocket = webSocket;
  }

  get connected(): boolean {
    return this.connection._wsClient?.readyState === 1;
  }

  on(event: string, callback: Handler): this {
    let set = this.#handlers.get(event);
    if (!set) this.#handlers.set(event, (set = new Set()));
    set.add(callback);
    return this;
  }

  off(event: string, callback?: Handler): this {
    if (callback) this.#handlers.get(event)?.delete(callback);
    else this.#handlers.delete(event);
    return this;
  }

  emit(event: string, payload: unknown): void {
    for (const handler of [...(this.#handlers.get(event) ?? [])]) (handler as (p: unknown) => void)(payload);
  }

  async connect(): Promise<void> {
    const url = new URL(this.options.host.replace(/^(?!wss?:\/\/)/, 'wss://'));
    const socket = new this.#WebSocket(url.href);
    this.connection._wsClient = socket;
    socket.onopen = () => {
      this.emit('telnyx.socket.open', {});
      void this.login();
    };
    socket.onclose = (event: CloseEvent | Event) => {
      this.#ready = false;
      this.emit('telnyx.socket.close', { event, socketGeneration: 1 });
    };
    socket.onmessage = (event: MessageEvent) => this.#onMessage(JSON.parse(String(event.data)) as Json);
  }

  async disconnect(): Promise<void> {
    this.#stopped = true;
    this.connection._wsClient?.close();
  }

  async login(params?: { creds: { login_token: string } }): Promise<void> {
    if (params?.creds.login_token) this.options.login_token = params.creds.login_token;
    const result = await this.execute('login', {
      login_token: this.options.login_token,
      userVariables: { push_when_active: false, pn_late_fanout: false },
      reconnection: false,
      loginParams: { early_sdp_answer: false },
      'User-Agent': { sdkVersion: '2.27.10', data: 'FakeBrowser/1.0' },
    });
    if (!result) return;
    this.#checkTokenExpiry();
  }

  newCall(options: Json): SdkCall {
    if (!options.destinationNumber) throw Object.assign(new Error('Error: destinationNumber is required'), { code: 44002 });
    const call = new FakeSdkCall(this, options, 'outbound');
    void call.invite();
    return call;
  }

  /**
   * The socket dropped and came back, and the server re-attached the call (SDK 2.27.10: the old
   * Call goes `recovering` and is finalised, a new Call with the same id goes `recovering`, then
   * `active` once its attach is answered).
   */
  async recover(callId: string): Promise<FakeSdkCall> {
    const old = this.calls.get(callId);
    if (!old) throw new Error(`no call ${callId}`);
    old.setState('recovering');
    old.peer?.instance?.close();
    if (old.peer) old.peer.instance = null;
    const call = new FakeSdkCall(this, { ...old.options, id: callId, recoveredCallId: callId }, (old.direction as 'outbound' | 'inbound') ?? 'outbound');
    await call.reattach();
    return call;
  }

  /** The SDK ending a call by itself (e.g. 48501 SESSION_NOT_REATTACHED): the error, then a local hang-up without a BYE. */
  lose(callId: string): void {
    const call = this.calls.get(callId);
    if (!call) throw new Error(`no call ${callId}`);
    this.emit('telnyx.error', {
      error: { code: 48501, name: 'SESSION_NOT_REATTACHED', message: 'Active call lost after reconnect' },
      callId,
      sessionId: 'sess-1',
    });
    void call.hangup({}, false);
  }

  /** Send a request; resolves with its result (null on an error, which the SDK reports as an event). */
  execute(method: string, params: Json): Promise<Json | null> {
    const id = `c-${nextId++}`;
    const socket = this.connection._wsClient;
    return new Promise((resolve) => {
      this.#pending.set(id, resolve);
      socket?.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  }

  #ack(id: unknown, method: string): void {
    this.connection._wsClient?.send(JSON.stringify({ jsonrpc: '2.0', id, result: { method } }));
  }

  #onMessage(message: Json): void {
    if (typeof message.id === 'string' && this.#pending.has(message.id)) {
      const resolve = this.#pending.get(message.id)!;
      this.#pending.delete(message.id);
      if (message.error) {
        const error = message.error as Json;
        this.emit('telnyx.error', {
          // As the SDK: the JSON-RPC error object wrapped into Error(String(object)).
          error: { code: 46001, name: 'LOGIN_FAILED', message: 'Login failed', originalError: new Error(String(error)), fatal: true },
          sessionId: '',
        });
        resolve(null);
        return;
      }
      const result = (message.result ?? {}) as Json;
      resolve(result);
      const state = (result.params as Json | undefined)?.state;
      if (state === 'REGED' && !this.#ready) {
        this.#ready = true;
        this.emit('telnyx.ready', { type: 'vertoClientReady' });
      }
      return;
    }
    const method = String(message.method ?? '');
    const params = (message.params ?? {}) as Json;
    const callId = String(params.callID ?? '');
    switch (method) {
      case 'telnyx_rtc.clientReady':
        void this.execute('telnyx_rtc.gatewayState', {});
        return;
      case 'telnyx_rtc.invite': {
        const call = new FakeSdkCall(
          this,
          { id: callId, remoteCallerName: params.caller_id_name, remoteCallerNumber: params.caller_id_number, remoteSdp: params.sdp },
          'inbound',
        );
        call.setState('ringing');
        this.#ack(message.id, method);
        return;
      }
      case 'telnyx_rtc.ringing':
      case 'telnyx_rtc.media':
      case 'telnyx_rtc.answer':
      case 'telnyx_rtc.bye': {
        const call = this.calls.get(callId);
        if (!call) return;
        call.handle(method, params);
        this.#ack(message.id, method);
        return;
      }
      default:
    }
  }

  #checkTokenExpiry(): void {
    const token = this.options.login_token;
    const payload = JSON.parse(atob((token.split('.')[1] ?? '').replace(/-/g, '+').replace(/_/g, '/'))) as { exp?: number };
    if (typeof payload.exp === 'number' && payload.exp * 1000 - Date.now() <= 120_000 && !this.#stopped) {
      this.emit('telnyx.warning', { warning: { code: 34001, name: 'TOKEN_EXPIRING_SOON', message: 'The login token expires soon' }, sessionId: 'sess-1' });
    }
  }
}

/** The fake SDK, with its own capture registry and WebSocket class (as the real module keeps the class it found). */
export function fakeTelnyxSdk(server: FakeVertoServer, capture = new VertoCapture()) {
  FakeVertoSocket.server = server;
  const webSocket = capturingWebSocket(FakeVertoSocket as unknown as typeof WebSocket, capture);
  const clients: FakeSdkClient[] = [];
  const sdk: TelnyxSdk = {
    createClient: (options) => {
      const client = new FakeSdkClient(options, webSocket);
      clients.push(client);
      return client;
    },
    capture,
    version: '2.27.10-fake',
  };
  return { sdk, capture, clients, webSocket };
}
