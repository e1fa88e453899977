import { REDACTED } from '../../journal/redact';
import type { SignalDirection, SignalMessage } from '../../journal/signal';

/** One Verto (JSON-RPC 2.0) frame as it crossed the WebSocket, read for routing and the journal. */
export interface VertoFrame {
  /** The parsed JSON object; null for text that is not a JSON object (e.g. `#SPU…` speed-test replies). */
  json: Record<string, unknown> | null;
  /** `request` (has a method), `result` or `error` (answers to a request, matched by `id`), or `other`. */
  kind: 'request' | 'result' | 'error' | 'other';
  /** The JSON-RPC id: a UUID string for the SDK's requests, a number for the server's. */
  id: string | number | null;
  /** A request's method (`login`, `telnyx_rtc.invite`, ...). */
  method: string | null;
  /** The Telnyx call the frame is about, when it says so itself (`params.callID`, `params.dialogParams.callID`, `result.callID`). */
  callId: string | null;
  /** An error's code (`-32001`). */
  errorCode: number | string | null;
}

function record(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

/** Read a frame's text; never throws. */
export function parseVerto(raw: string): VertoFrame {
  let json: Record<string, unknown> | null = null;
  try {
    json = record(JSON.parse(raw));
  } catch {
    json = null;
  }
  if (!json) return { json: null, kind: 'other', id: null, method: null, callId: null, errorCode: null };
  const id = typeof json.id === 'string' || typeof json.id === 'number' ? json.id : null;
  const method = text(json.method);
  const params = record(json.params);
  const result = record(json.result);
  const error = record(json.error);
  const callId =
    text(params?.callID) ?? text(record(params?.dialogParams)?.callID) ?? text(result?.callID) ?? text(record(result?.params)?.callID) ?? null;
  let kind: VertoFrame['kind'] = 'other';
  if (method) kind = 'request';
  else if (error) kind = 'error';
  else if ('result' in json) kind = 'result';
  const code = error?.code;
  return {
    json,
    kind,
    id,
    method,
    callId,
    errorCode: typeof code === 'number' || typeof code === 'string' ? code : null,
  };
}

/**
 * Keys whose values are secrets on a Verto socket: the login JWT (`login_token`), a SIP
 * credential login's `passwd`/`password`, any other token, and the TURN `credential`s the SDK
 * repeats in every call's `dialogParams`.
 */
const SECRET_KEY = /^(login_token|passwd|password|token|credential|secret|signing_secret)$|_token$|Token$/i;
/** A JWT anywhere in a string (three base64url parts, the first two JSON objects). */
const JWT = /eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;

/** A frame's JSON with every secret replaced by `[redacted]` (a copy; the frame itself is not touched). */
export function redactVerto(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactVerto);
  if (typeof value === 'string') return value.replace(JWT, REDACTED);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
    out[key] = SECRET_KEY.test(key) && inner !== null && inner !== undefined && inner !== '' ? REDACTED : redactVerto(inner);
  }
  return out;
}

/**
 * The ladder's one-line summary: a request's method; for an answer, `result <method>` (the
 * method of the request it answers, when known) or `error <code>`; else what the text is.
 */
export function vertoSummary(frame: VertoFrame, answeredMethod: string | null = null, raw = ''): string {
  switch (frame.kind) {
    case 'request':
      return frame.method ?? 'request';
    case 'result': {
      // The SDK's acks name the method they acknowledge: {"result":{"method":"telnyx_rtc.ringing"}}.
      const method = answeredMethod ?? text(record(frame.json?.result)?.method);
      return method ? `result ${method}` : 'result';
    }
    case 'error':
      return `error ${frame.errorCode ?? '?'}`;
    case 'other': {
      const type = text(frame.json?.type);
      if (type) return type;
      if (/^#SP[UD]/.test(raw)) return 'speed test';
      return raw.slice(0, 40) || 'empty frame';
    }
  }
}

/** A captured frame as the journal keeps it: redacted JSON (or the text, for non-JSON frames). */
export function vertoSignal(direction: SignalDirection, raw: string, frame: VertoFrame = parseVerto(raw), answeredMethod: string | null = null): SignalMessage {
  return {
    direction,
    protocol: 'verto',
    summary: vertoSummary(frame, answeredMethod, raw),
    body: frame.json ? redactVerto(frame.json) : raw.replace(JWT, REDACTED),
  };
}

interface Pending {
  method: string | null;
  callId: string | null;
}

/**
 * Pairs answers with their requests (by JSON-RPC id, either direction), so an answer that does
 * not name its call (the SDK's `{"result":{"method":…}}` acks, most results) still goes to the
 * call's record, and its summary says what it answers.
 */
export class VertoCorrelator {
  readonly #pending = new Map<string, Pending>();
  readonly #limit: number;

  constructor(limit = 500) {
    this.#limit = limit;
  }

  /** The call a frame belongs to, and for answers the method they answer. */
  see(frame: VertoFrame): { callId: string | null; answers: string | null } {
    if (frame.id === null) return { callId: frame.callId, answers: null };
    const key = `${typeof frame.id}:${String(frame.id)}`;
    if (frame.kind === 'request') {
      this.#pending.set(key, { method: frame.method, callId: frame.callId });
      if (this.#pending.size > this.#limit) {
        const oldest = this.#pending.keys().next().value;
        if (oldest !== undefined) this.#pending.delete(oldest);
      }
      return { callId: frame.callId, answers: null };
    }
    if (frame.kind === 'result' || frame.kind === 'error') {
      const request = this.#pending.get(key);
      this.#pending.delete(key);
      return { callId: frame.callId ?? request?.callId ?? null, answers: request?.method ?? null };
    }
    return { callId: frame.callId, answers: null };
  }
}
