import { lazySdk } from '../core/sdk-loader';
import { capturingWebSocket, type VertoCapture, vertoCapture } from './capture';

/** The `@telnyx/webrtc` release this adapter is written and tested against (ui/package.json pins it). */
export const TELNYX_SDK_VERSION = '2.27.10';

/**
 * The parts of `@telnyx/webrtc`'s `Call` this adapter uses (structural, so tests can drive a
 * fake; the real SDK's objects have all of it). See reference/telnyx.md §2.
 */
export interface SdkCall {
  /** The Verto `callID`. */
  id: string;
  /** new, requesting, trying, recovering, ringing, answering, early, active, held, hangup, destroy, purge. */
  state: string;
  prevState: string;
  direction?: string;
  cause?: string | null;
  causeCode?: number | null;
  sipCode?: number | null;
  sipReason?: string | null;
  sipCallId?: string | null;
  /** Set on a call re-attached after a reconnect: the call it replaces (the same id). */
  recoveredCallId?: string;
  readonly telnyxIDs?: { telnyxCallControlId?: string; telnyxSessionId?: string; telnyxLegId?: string };
  options: {
    remoteCallerName?: string;
    remoteCallerNumber?: string;
    destinationNumber?: string;
    localStream?: MediaStream;
    audio?: boolean | MediaTrackConstraints;
    [key: string]: unknown;
  };
  /** The SDK's peer wrapper; `instance` is the RTCPeerConnection (null once closed). */
  peer?: { instance: RTCPeerConnection | null } | null;
  hangup(): Promise<void>;
  answer(params?: Record<string, unknown>): Promise<void>;
  hold(): Promise<unknown>;
  unhold(): Promise<unknown>;
  dtmf(digit: string): void;
  muteAudio(): void;
  unmuteAudio(): void;
}

/** `telnyx.error`'s payload. */
export interface SdkErrorEvent {
  error?: {
    code?: number;
    name?: string;
    message?: string;
    description?: string;
    fatal?: boolean;
    originalError?: unknown;
  };
  sessionId?: string;
  callId?: string;
  recoverable?: boolean;
}

/** `telnyx.warning`'s payload. */
export interface SdkWarningEvent {
  warning?: { code?: number; name?: string; message?: string; description?: string };
  sessionId?: string;
  callId?: string;
}

/** `telnyx.notification`'s payload. */
export interface SdkNotification {
  type?: string;
  call?: SdkCall;
  [key: string]: unknown;
}

/** The parts of `TelnyxRTC` (the client) this adapter uses. */
export interface SdkClient {
  on(event: string, callback: (payload: never) => void): unknown;
  off(event: string, callback?: (payload: never) => void): unknown;
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  /** Log in again on the open socket (a fresh token). */
  login(params: { creds: { login_token: string } }): Promise<void>;
  newCall(options: Record<string, unknown>): SdkCall;
  readonly connected: boolean;
  options: { login_token?: string; [key: string]: unknown };
  /** The SDK's connection; its socket tells which line a captured frame belongs to. */
  connection?: object | null;
}

export interface TelnyxClientOptions {
  login_token: string;
  /** The signalling host (the SDK's undocumented `host` option, reference/telnyx.md §2.2). */
  host: string;
  [key: string]: unknown;
}

/** What a Telnyx line builds on; tests pass a fake. */
export interface TelnyxSdk {
  createClient(options: TelnyxClientOptions): SdkClient;
  /** Who reads which of the SDK's sockets (the registry its WebSocket class reports to). */
  capture: VertoCapture;
  version: string;
}

/** `@telnyx/webrtc`, loaded when the first Telnyx line starts, with its signalling captured. */
export const loadTelnyxSdk = lazySdk({
  provider: 'Telnyx',
  sdk: 'the Telnyx SDK',
  failure: 'telnyx_sdk',
  capturing: (native) => capturingWebSocket(native, vertoCapture),
  load: () => import('@telnyx/webrtc'),
  wrap: ({ TelnyxRTC }): TelnyxSdk => ({
    createClient: (options) => new TelnyxRTC(options as unknown as ConstructorParameters<typeof TelnyxRTC>[0]) as unknown as SdkClient,
    capture: vertoCapture,
    version: TELNYX_SDK_VERSION,
  }),
});
