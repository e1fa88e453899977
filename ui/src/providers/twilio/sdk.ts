import { lazySdk } from '../core/sdk-loader';
import { capturingWebSocket, type PstreamCapture, pstreamCapture } from './capture';

/** The `@twilio/voice-sdk` release this adapter is written and tested against (ui/package.json pins it). */
export const TWILIO_SDK_VERSION = '2.18.5';

/** A `TwilioError` (reference/twilio.md §4): what every SDK error carries. */
export interface TwilioErrorLike {
  code?: number;
  name?: string;
  message?: string;
  description?: string;
  explanation?: string;
  causes?: string[];
  solutions?: string[];
  /** What the error wraps: the gateway's `{code, message}`, a DOMException from getUserMedia, ... */
  originalError?: unknown;
}

type Listener = (...args: never[]) => void;

/**
 * The parts of the SDK's `Call` this adapter uses (structural, so tests can drive a fake; the
 * real SDK's objects have all of it). See reference/twilio.md §2.8.
 */
export interface SdkCall {
  /** `CallSid` (the `CA…` sid, once Twilio named the call), `From`, `To`, ... */
  readonly parameters: Record<string, string | undefined>;
  readonly customParameters?: Map<string, string>;
  /** Our outgoing call's temporary `TJS…` id (the invite's `callsid`). */
  readonly outboundConnectionId?: string;
  readonly direction: string;
  readonly codec?: string;
  /** pending, connecting, ringing, open, reconnecting, closed. */
  status(): string;
  on(event: string, listener: Listener): unknown;
  removeListener(event: string, listener: Listener): unknown;
  accept(options?: { rtcConstraints?: MediaStreamConstraints; rtcConfiguration?: RTCConfiguration }): void;
  disconnect(): void;
  reject(): void;
  mute(shouldMute?: boolean): void;
  isMuted(): boolean;
  sendDigits(digits: string): void;
  getLocalStream(): MediaStream | undefined;
  getRemoteStream(): MediaStream | undefined;
}

/** The parts of the SDK's `Device` this adapter uses. See reference/twilio.md §2.7. */
export interface SdkDevice {
  /** unregistered, registering, registered, destroyed. */
  readonly state: string;
  readonly edge?: string | null;
  readonly home?: string | null;
  readonly identity?: string | null;
  readonly isBusy?: boolean;
  on(event: string, listener: Listener): unknown;
  removeListener(event: string, listener: Listener): unknown;
  register(): Promise<void>;
  unregister(): Promise<void>;
  connect(options: {
    params?: Record<string, string>;
    rtcConstraints?: MediaStreamConstraints;
    rtcConfiguration?: RTCConfiguration;
  }): Promise<SdkCall>;
  updateToken(token: string): void;
  destroy(): void;
}

/** What a Twilio line builds on; tests pass a fake. */
export interface TwilioSdk {
  createDevice(token: string, options: Record<string, unknown>): SdkDevice;
  /** Whether the SDK supports this browser (`Device.isSupported`). */
  readonly isSupported: boolean;
  /** Who reads which of the SDK's signalling sockets. */
  capture: PstreamCapture;
  version: string;
}

/**
 * `@twilio/voice-sdk`, loaded when the first Twilio line starts, with its signalling captured
 * (its transport keeps the WebSocket class it finds: `const WebSocket = globalThis.WebSocket`,
 * wstransport.ts; reference/twilio.md §2.2, hook 1).
 */
export const loadTwilioSdk = lazySdk({
  provider: 'Twilio',
  sdk: 'the Twilio Voice SDK',
  failure: 'twilio_sdk',
  capturing: (native) => capturingWebSocket(native, pstreamCapture),
  load: () => import('@twilio/voice-sdk'),
  wrap: ({ Device }): TwilioSdk => ({
    createDevice: (token, options) => new Device(token, options as unknown as ConstructorParameters<typeof Device>[1]) as unknown as SdkDevice,
    isSupported: Device.isSupported,
    capture: pstreamCapture,
    version: TWILIO_SDK_VERSION,
  }),
});
