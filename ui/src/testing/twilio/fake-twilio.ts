/**
 * For tests only: a scripted stand-in for `@twilio/voice-sdk`'s Device and Call that talks
 * PStream over a fake WebSocket wrapped by the product's own capturing class, so the line's
 * capture, routing and redaction run as they do against the real SDK. The gateway side is driven
 * by the test (`ringing`, `answer`, `hangup`, `ringIn`, ...). The real SDK against the lab's
 * emulator is covered end to end (tests/e2e/browser/twilio).
 */
import { AppJournal } from '../../journal/app-journal';
import type { FakeBackend } from '../fake-backend';
import { FakePeerConnection, FakeStream } from '../fake-webrtc';
import { capturingWebSocket, PstreamCapture } from '../../providers/twilio/capture';
import { TwilioLine } from '../../providers/twilio/line';
import type { SdkCall, SdkDevice, TwilioSdk } from '../../providers/twilio/sdk';

type Listener = (...args: never[]) => void;

class Emitter {
  readonly #listeners = new Map<string, Set<Listener>>();
  on(event: string, listener: Listener): this {
    const set = this.#listeners.get(event) ?? new Set();
    set.add(listener);
    this.#listeners.set(event, set);
    return this;
  }
  removeListener(event: string, listener: Listener): this {
    this.#listeners.get(event)?.delete(listener);
    return this;
  }
  emit(event: string, ...args: unknown[]): void {
    for (const listener of [...(this.#listeners.get(event) ?? [])]) (listener as (...a: unknown[]) => void)(...args);
  }
  listeners(event: string): number {
    return this.#listeners.get(event)?.size ?? 0;
  }
}

/** The page's WebSocket as far as the capture needs it: frames out are kept, frames in are dispatched. */
export class FakeSocket extends EventTarget {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  readonly url: string;
  readyState = 1;
  readonly sent: string[] = [];

  constructor(url: string | URL) {
    super();
    this.url = String(url);
  }

  send(data: string): void {
    this.sent.push(data);
  }

  close(): void {
    this.readyState = 3;
  }

  receive(text: string): void {
    this.dispatchEvent(new MessageEvent('message', { data: text }));
  }
}

/** A TwilioError as the SDK makes it. */
export function twilioError(code: number, name: string, text: string, originalError?: unknown): Record<string, unknown> {
  return { code, name, message: `${name} (${code}): ${text}`, description: text, explanation: `${text}.`, causes: [], solutions: [], originalError };
}

const frame = (type: string, payload: Record<string, unknown>) => JSON.stringify({ payload, type, version: '1.6' });

let counter = 0;
const hex32 = () => (++counter).toString(16).padStart(32, '0');

export class FakeCall extends Emitter implements SdkCall {
  readonly parameters: Record<string, string | undefined>;
  readonly customParameters: Map<string, string>;
  readonly outboundConnectionId?: string;
  readonly direction: string;
  codec = 'opus';
  state = 'pending';
  muted = false;
  readonly digits: string[] = [];
  readonly accepted: unknown[] = [];
  pc: FakePeerConnection | null = null;
  readonly #device: FakeDevice;
  readonly #stream = new FakeStream() as unknown as MediaStream;

  constructor(device: FakeDevice, direction: 'OUTGOING' | 'INCOMING', parameters: Record<string, string>, custom: Record<string, string> = {}) {
    super();
    this.#device = device;
    this.direction = direction;
    this.parameters = { ...parameters };
    this.customParameters = new Map(Object.entries(custom));
    if (direction === 'OUTGOING') this.outboundConnectionId = `TJS${hex32().slice(0, 8)}-0000-4000-8000-${hex32().slice(0, 12)}`;
  }

  /** The sid the wire knows this call by. */
  get sid(): string {
    return this.parameters.CallSid || this.outboundConnectionId || '';
  }

  status(): string {
    return this.state;
  }

  accept(options?: unknown): void {
    this.accepted.push(options);
    this.state = 'connecting';
    this.pc = this.#device.newPeer();
    if (this.direction === 'INCOMING') {
      this.#device.send(frame('answer', { callsid: this.sid, sdp: 'v=0\r\nanswer\r\n' }));
      queueMicrotask(() => {
        this.state = 'open';
        this.emit('accept', this);
      });
    }
  }

  disconnect(): void {
    if (this.state === 'closed') return;
    this.#device.send(frame('hangup', { callsid: this.sid }));
    this.state = 'closed';
    this.emit('disconnect', this);
  }

  reject(): void {
    if (this.state === 'closed') return;
    this.#device.send(frame('reject', { callsid: this.sid }));
    this.state = 'closed';
    this.emit('reject');
  }

  mute(shouldMute = true): void {
    this.muted = shouldMute;
  }

  isMuted(): boolean {
    return this.muted;
  }

  sendDigits(digits: string): void {
    if (/[^0-9*#w]/.test(digits)) throw new Error('Illegal character passed into sendDigits');
    this.digits.push(digits);
  }

  getLocalStream(): MediaStream | undefined {
    return this.state === 'pending' ? undefined : this.#stream;
  }

  getRemoteStream(): MediaStream | undefined {
    return undefined;
  }
}

/** The Device, with the gateway's side scripted by the test. */
export class FakeDevice extends Emitter implements SdkDevice {
  state = 'unregistered';
  edge: string | null = null;
  readonly token: string[] = [];
  readonly options: Record<string, unknown>;
  readonly socket: FakeSocket;
  readonly calls: FakeCall[] = [];
  destroyed = false;
  /** Set to make getUserMedia fail for the next calls. */
  microphoneError: Error | null = null;
  readonly #sdk: FakeTwilioSdk;

  constructor(token: string, options: Record<string, unknown>, sdk: FakeTwilioSdk) {
    super();
    this.token.push(token);
    this.options = options;
    this.#sdk = sdk;
    this.socket = new sdk.WebSocket(`wss://voice-js.${String(options.edge ?? 'roaming')}.twilio.com/signal`) as unknown as FakeSocket;
  }

  send(text: string): void {
    (this.socket as unknown as WebSocket).send(text);
  }

  /** What the gateway sends. */
  receive(type: string, payload: Record<string, unknown>): void {
    this.socket.receive(frame(type, payload));
  }

  newPeer(): FakePeerConnection {
    const Peer = this.options.RTCPeerConnection as typeof FakePeerConnection;
    return new Peer({});
  }

  async register(): Promise<void> {
    this.state = 'registering';
    this.emit('registering');
    this.#listen(this.token.at(-1) ?? '');
    if (this.#sdk.refused.has(this.token.at(-1) ?? '')) {
      this.receive('error', { error: { code: 31204, message: 'JWT token is invalid' } });
      this.emit('error', twilioError(20101, 'AccessTokenInvalid', 'Twilio was unable to validate your Access Token', { code: 31204, message: 'JWT token is invalid' }));
      return new Promise(() => undefined);
    }
    this.send(frame('register', { media: { audio: true } }));
    this.receive('ready', {});
    this.edge = 'ashburn';
    this.state = 'registered';
    this.emit('registered');
  }

  async unregister(): Promise<void> {
    this.state = 'unregistered';
  }

  async connect(options: { params?: Record<string, string>; rtcConstraints?: MediaStreamConstraints }): Promise<SdkCall> {
    const call = new FakeCall(this, 'OUTGOING', {});
    this.calls.push(call);
    call.accept({ rtcConstraints: options.rtcConstraints });
    // getUserMedia and the offer take a while: the invite leaves after connect() resolved.
    setTimeout(() => {
      const denied = this.microphoneError;
      if (denied) {
        // getUserMedia failed: the SDK reports 31401 and closes the call; no invite leaves.
        call.emit('error', twilioError(31401, 'PermissionDeniedError', 'The user denied the getUserMedia request', denied));
        call.state = 'closed';
        call.emit('disconnect', call);
        return;
      }
      const params = new URLSearchParams(options.params ?? {}).toString().replace(/\+/g, '%20');
      this.send(frame('invite', { callsid: call.outboundConnectionId, sdp: 'v=0\r\na=candidate:1 1 udp 1 127.0.0.1 5000 typ host\r\n', twilio: { params } }));
    }, 0);
    return call;
  }

  updateToken(token: string): void {
    this.token.push(token);
    this.#listen(token);
  }

  destroy(): void {
    this.destroyed = true;
    this.state = 'destroyed';
  }

  #listen(token: string): void {
    this.send(frame('listen', { token, browserinfo: { p: 'browser', v: '2.18.5' }, reconnectTimeout: 30 }));
    if (!this.#sdk.refused.has(token)) this.receive('connected', { region: 'US_EAST_VIRGINIA', edge: 'ashburn', home: 'us1', token: { identity: 'callscope', ttl: 3600 } });
  }

  // ---- the gateway, scripted ----

  ringing(call: FakeCall, sdp: string | null = null): void {
    const sid = call.parameters.CallSid || `CA${hex32()}`;
    this.receive('ringing', sdp ? { callsid: sid, sdp } : { callsid: sid });
    call.parameters.CallSid = sid;
    call.state = 'ringing';
    call.emit('ringing', !!sdp);
  }

  answer(call: FakeCall): void {
    call.parameters.CallSid ||= `CA${hex32()}`;
    this.receive('answer', { callsid: call.parameters.CallSid, sdp: 'v=0\r\n', reconnect: 'opaque-reconnect-token' });
    call.state = 'open';
    call.emit('accept', call);
  }

  /** Twilio hangs up, with a code the SDK turns into `error` first. */
  hangup(call: FakeCall, error: { code: number; message: string; sdk?: Record<string, unknown> } | null = null): void {
    this.receive('hangup', error ? { callsid: call.sid, error: { code: error.code, message: error.message } } : { callsid: call.sid });
    if (error) call.emit('error', error.sdk ?? twilioError(error.code, 'BusyHere', error.message));
    call.state = 'closed';
    call.emit('disconnect', call);
  }

  /** Ring this Device: an invite, then (a few turns later, as the SDK does) `incoming`. */
  async ringIn(from = '+15558675310', custom: Record<string, string> = { ticket: '123' }): Promise<FakeCall> {
    const sid = `CA${hex32()}`;
    this.receive('invite', { callsid: sid, sdp: 'v=0\r\noffer\r\n', reconnect: 'opaque', parameters: { CallSid: sid, From: from, Params: new URLSearchParams(custom).toString() } });
    await Promise.resolve();
    const call = new FakeCall(this, 'INCOMING', { CallSid: sid, From: from }, custom);
    this.calls.push(call);
    this.emit('incoming', call);
    return call;
  }

  cancel(call: FakeCall): void {
    this.receive('cancel', { callsid: call.sid });
    call.state = 'closed';
    call.emit('cancel');
  }

  heartbeat(): void {
    this.socket.receive('\n');
    this.send('\n');
  }
}

/** The SDK module: Devices made by the line, over sockets the product's capture wraps. */
export class FakeTwilioSdk implements TwilioSdk {
  readonly capture = new PstreamCapture();
  readonly WebSocket = capturingWebSocket(FakeSocket as unknown as typeof WebSocket, this.capture);
  readonly devices: FakeDevice[] = [];
  /** Tokens the gateway refuses (31204 → Device error 20101). */
  readonly refused = new Set<string>();
  readonly version = '2.18.5';
  isSupported = true;

  createDevice(token: string, options: Record<string, unknown>): SdkDevice {
    const device = new FakeDevice(token, options, this);
    this.devices.push(device);
    return device;
  }

  get device(): FakeDevice {
    const device = this.devices.at(-1);
    if (!device) throw new Error('no Device was made');
    return device;
  }
}

/** A line with a fake SDK, the backend minting `tokens` in turn (a fresh one per call_credentials). */
export function twilioLab(backend: FakeBackend, options: { ttlS?: number; now?: () => number; canCallOut?: boolean; callerId?: string | null } = {}) {
  const sdk = new FakeTwilioSdk();
  let minted = 0;
  const now = options.now ?? Date.now;
  backend.handle('call_credentials', () => {
    minted += 1;
    return {
      provider: 'twilio',
      access_token: `eyJhbGciOiJIUzI1NiJ9.eyJqdGkiOiJTSzEtJHttaW50ZWR9In0.sig${minted}`,
      expires_at: Math.floor(now() / 1000) + (options.ttlS ?? 3600),
      identity: 'callscope',
      edge: 'roaming',
      insights: false,
      caller_id: options.callerId === undefined ? '+15005550006' : options.callerId,
      can_call_out: options.canCallOut ?? true,
    };
  });
  const journal = new AppJournal(backend);
  const line = new TwilioLine('lab', {
    backend,
    journal,
    loadSdk: () => Promise.resolve(sdk),
    clock: () => performance.now(),
    now,
    RTCPeerConnection: FakePeerConnection as unknown as typeof RTCPeerConnection,
  });
  return { sdk, line, journal, minted: () => minted };
}
