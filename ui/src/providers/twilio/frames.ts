import { REDACTED } from '../../journal/redact';
import type { SignalDirection, SignalMessage } from '../../journal/signal';

/**
 * One PStream message (reference/twilio.md §2.4): `{"type", "version", "payload"}` in one text
 * frame, either way. Parsed once for routing (by `payload.callsid`) and for the journal.
 */
export interface PstreamFrame {
  /** `listen`, `connected`, `invite`, `ringing`, `answer`, `hangup`, `error`, ...; null when the frame is not a PStream message. */
  type: string | null;
  payload: Record<string, unknown>;
  /** The parsed JSON, or null when the text is not JSON. */
  json: unknown;
  /** `payload.callsid`: a `TJS…` id (our outgoing call before Twilio named it) or a `CA…` sid. */
  callsid: string | null;
  /** `payload.error.code` (an `error` message, or a `hangup` with an error). */
  errorCode: number | null;
  errorMessage: string | null;
}

export function parsePstream(text: string): PstreamFrame {
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  const object = isObject(json) ? json : null;
  const type = typeof object?.type === 'string' ? object.type : null;
  const payload = isObject(object?.payload) ? object.payload : {};
  const callsid = typeof payload.callsid === 'string' && payload.callsid ? payload.callsid : null;
  const error = isObject(payload.error) ? payload.error : null;
  const code = error?.code;
  return {
    type,
    payload,
    json,
    callsid,
    errorCode: typeof code === 'number' ? code : typeof code === 'string' && /^\d+$/.test(code) ? Number(code) : null,
    errorMessage: typeof error?.message === 'string' ? error.message : null,
  };
}

/**
 * Keys whose string values are credentials: the Access Token (`listen`'s `payload.token`, any
 * `accessToken`) and the opaque `reconnect` token a call can be resumed with. `connected`'s
 * `payload.token` is an object (`{identity, ttl}`), not a secret, and is kept.
 */
const SECRET_KEYS = new Set(['token', 'accesstoken', 'access_token', 'reconnect', 'x-twilio-token']);

/** A JWT anywhere in free text (three base64url parts, the first two JSON). */
const JWT = /eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]+/g;

/** A PStream message as the journal keeps it: every credential replaced by `[redacted]`. */
export function redactPstream(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactPstream);
  if (typeof value === 'string') return value.replace(JWT, REDACTED);
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] = SECRET_KEYS.has(key.toLowerCase()) && typeof inner === 'string' ? REDACTED : redactPstream(inner);
  }
  return out;
}

/**
 * The ladder's arrow text: the message type, with the code of an `error` or of a `hangup` that
 * carries one ("error 31002", "hangup 31486"); `register` that takes presence away reads
 * "unregister".
 */
export function pstreamSummary(frame: PstreamFrame): string {
  if (frame.type === null) return frame.json === null ? 'not JSON' : 'not a PStream message';
  if ((frame.type === 'error' || frame.type === 'hangup') && frame.errorCode !== null) return `${frame.type} ${frame.errorCode}`;
  if (frame.type === 'register') {
    const media = isObject(frame.payload.media) ? frame.payload.media : null;
    if (media && media.audio === false) return 'unregister';
  }
  return frame.type;
}

/** The journal's SignalMessage for a captured PStream frame (credentials redacted). */
export function pstreamSignal(direction: SignalDirection, text: string, frame: PstreamFrame = parsePstream(text)): SignalMessage {
  return {
    direction,
    protocol: 'pstream',
    summary: pstreamSummary(frame),
    body: frame.json === null ? text.replace(JWT, REDACTED) : redactPstream(frame.json),
  };
}

/** The SDK's heartbeat: a frame that is exactly a newline (echoed back by the SDK). */
export function isHeartbeat(text: string): boolean {
  return text === '\n';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
