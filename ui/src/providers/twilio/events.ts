import { errorText, isErrorLike } from '../../api/errors';
import type { EndInfo, Failure } from '../../api/generated';
import type { ProgressState } from '../../journal/call-sink';
import type { SdkCall, TwilioErrorLike } from './sdk';

/** Where an SDK error or warning came from. */
export type TwilioSource = 'twilio.call' | 'twilio.device';

/** A TwilioError as the journal keeps it (an `error` event). */
export interface TwilioErrorPayload {
  source: TwilioSource;
  code: number | null;
  name: string | null;
  /** The SDK's full message, e.g. "BusyHere (31486): The callee is busy." */
  message: string;
  description: string | null;
  explanation: string | null;
  causes: string[];
  solutions: string[];
  /** What the error wraps: the gateway's `{code, message}` (e.g. 31503 behind a 31005), a getUserMedia error's name. */
  original_error: { code: number | null; name: string | null; message: string | null } | null;
  /** The call's `CA…` sid, when Twilio named it. */
  call_sid: string | null;
  /** Our outgoing call's `TJS…` id (failures before ringing carry it). */
  outbound_connection_id: string | null;
  /** `call.status()` when the error came. */
  call_status: string | null;
  /** The error the gateway put on the wire for this call, when there was one (the SDK may mask it). */
  gateway_error?: { code: number | null; message: string | null; type: string };
}

export interface CallIds {
  call_sid: string | null;
  outbound_connection_id: string | null;
}

export function callIds(call: SdkCall | null | undefined): CallIds {
  return {
    call_sid: call?.parameters?.CallSid || null,
    outbound_connection_id: call?.outboundConnectionId ?? null,
  };
}

/** `call.status()`, or null (no call, or an SDK object that throws). */
export function callStatus(call: SdkCall | null | undefined): string | null {
  try {
    return call ? call.status() : null;
  } catch {
    return null;
  }
}

function original(error: TwilioErrorLike): TwilioErrorPayload['original_error'] {
  const inner = error.originalError;
  if (inner === undefined || inner === null) return null;
  if (typeof inner === 'string') return { code: null, name: null, message: inner };
  const o = inner as { code?: unknown; name?: unknown; message?: unknown };
  const code = typeof o.code === 'number' ? o.code : typeof o.code === 'string' && /^\d+$/.test(o.code) ? Number(o.code) : null;
  const name = typeof o.name === 'string' ? o.name : null;
  const message = typeof o.message === 'string' ? o.message : isErrorLike(inner) ? errorText(inner) : null;
  if (code === null && name === null && message === null) return null;
  return { code, name, message };
}

/** Every TwilioError as an `error` event: code, name, message, the call's ids, what it wraps. */
export function errorPayload(error: unknown, source: TwilioSource, call: SdkCall | null | undefined): TwilioErrorPayload {
  const e = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as TwilioErrorLike;
  const code = typeof e.code === 'number' ? e.code : null;
  return {
    source,
    code,
    name: typeof e.name === 'string' ? e.name : null,
    message: typeof e.message === 'string' && e.message ? e.message : errorText(error),
    description: typeof e.description === 'string' ? e.description : null,
    explanation: typeof e.explanation === 'string' ? e.explanation : null,
    causes: Array.isArray(e.causes) ? e.causes.filter((c): c is string => typeof c === 'string') : [],
    solutions: Array.isArray(e.solutions) ? e.solutions.filter((c): c is string => typeof c === 'string') : [],
    original_error: original(e),
    ...callIds(call),
    call_status: callStatus(call),
  };
}

/** The call's end record for an error that ended it: the code as text, and what it said. */
export function errorFailure(payload: TwilioErrorPayload): Failure {
  const failure: Failure = {};
  if (payload.code !== null) failure.provider_code = String(payload.code);
  const gateway = payload.gateway_error;
  const behind =
    gateway && gateway.code !== null && gateway.code !== payload.code
      ? ` (the gateway sent ${gateway.code}${gateway.message ? ` ${gateway.message}` : ''})`
      : payload.original_error?.code && payload.original_error.code !== payload.code
        ? ` (it wraps ${payload.original_error.code}${payload.original_error.message ? ` ${payload.original_error.message}` : ''})`
        : '';
  failure.message = `${payload.message}${behind}`;
  return failure;
}

/** How a call that the SDK disconnected ended: who, and the error that ended it (if any). */
export function endInfo(how: 'remote' | 'error', error: TwilioErrorPayload | null, fallback?: string): EndInfo {
  if (error) return { by: how, failure: errorFailure(error) };
  return { by: how, failure: fallback ? { message: fallback } : {} };
}

/** `ringing(hasEarlyMedia)`: early media when the ringing carried the far end's SDP. */
export function ringingState(hasEarlyMedia: boolean): ProgressState {
  return hasEarlyMedia ? 'early' : 'ringing';
}

/** The SDK's call-quality warnings (reference/twilio.md §5.4), as the journal keeps them. */
export function warningPayload(name: string, data: unknown, cleared: boolean, call: SdkCall | null | undefined): Record<string, unknown> {
  const d = (typeof data === 'object' && data !== null ? data : null) as {
    threshold?: { name?: unknown; value?: unknown };
    value?: unknown;
    values?: unknown;
  } | null;
  return {
    source: 'twilio.call',
    warning: name,
    cleared,
    message: cleared ? `Twilio warning cleared: ${name}` : `Twilio warning: ${name}${WARNING_TEXT[name] ? ` (${WARNING_TEXT[name]})` : ''}`,
    threshold: d?.threshold ? { name: d.threshold.name ?? null, value: d.threshold.value ?? null } : null,
    value: d?.value ?? null,
    values: Array.isArray(d?.values) ? d.values : null,
    ...callIds(call),
  };
}

const WARNING_TEXT: Record<string, string> = {
  'high-rtt': 'round trip over 400 ms',
  'low-mos': 'MOS under 3.0',
  'high-jitter': 'jitter over 30 ms',
  'high-packet-loss': 'packet loss over 1 %',
  'high-packets-lost-fraction': 'average packet loss over 3 %',
  'low-bytes-received': 'no audio bytes arriving',
  'low-bytes-sent': 'no audio bytes leaving',
  'constant-audio-input-level': 'the microphone level does not change: muted or dead microphone?',
  'constant-audio-output-level': 'the far end’s level does not change',
  'ice-connectivity-lost': 'ICE connection disconnected',
};

/** `reconnecting(error)`: 53001 (signalling lost) or 53405 (media lost), as a `warning` event with its code. */
export function reconnectingPayload(error: unknown, call: SdkCall | null | undefined): Record<string, unknown> {
  const payload = errorPayload(error, 'twilio.call', call);
  const what = payload.code === 53405 ? 'media' : payload.code === 53001 ? 'signalling' : 'connection';
  return {
    source: 'twilio.call',
    event: 'reconnecting',
    reconnecting: what,
    code: payload.code,
    name: payload.name,
    message: `Twilio is reconnecting the call’s ${what} (${payload.code ?? '?'} ${payload.name ?? ''})`.replace(/ \)$/, ')'),
    description: payload.description,
    ...callIds(call),
  };
}

/** `reconnected`: a `media` event saying which reconnection recovered and how long it took. */
export function reconnectedPayload(of: number | null, afterMs: number | null, call: SdkCall | null | undefined): Record<string, unknown> {
  return {
    media: 'twilio_reconnected',
    event: 'reconnected',
    recovered_from: of,
    after_ms: afterMs,
    ...callIds(call),
  };
}

/** Codes that mean Twilio refused the Access Token: the line cannot work until it gets a good one. */
export const TOKEN_ERRORS: ReadonlySet<number> = new Set([20101, 20104, 20151, 31201, 31202, 31203, 31204, 31205, 31207]);
export const TOKEN_EXPIRED = 20104;

/** Codes of a lost or failing signalling connection (the SDK reconnects by itself). */
export const TRANSPORT_ERRORS: ReadonlySet<number> = new Set([31000, 31005, 31009, 53000, 53001]);

export const TWILIO_TOKEN_HINT =
  'Twilio did not accept the Access Token Callscope minted: check the account’s API key SID and secret, the account SID and the API key’s region (Accounts → Test), then register again.';
export const TWILIO_TRANSPORT_HINT =
  'Check that Twilio’s signalling host (voice-js.<edge>.twilio.com, port 443) is reachable from here and that no proxy or firewall blocks WebSockets; a wrong edge in the account fails the same way.';
