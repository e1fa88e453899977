import type { EndedBy, EndInfo, Failure } from '../../api/generated';

/** What the mapping reads of a JsSIP `IncomingResponse` / `IncomingRequest` (both have `getHeaders`). */
export interface SipMessageLike {
  status_code?: number;
  reason_phrase?: string;
  method?: string;
  body?: string | null;
  getHeaders?(name: string): string[];
}

/** A JsSIP `failed` / `ended` event. */
export interface SipEndEvent {
  originator: string;
  cause: string;
  message: SipMessageLike | null;
}

/**
 * The normalised state a provisional response means: 100 → trying; 180/181/182/183 without SDP →
 * ringing; any of them with SDP → early (early media). JsSIP itself raises `progress` only for
 * 101–199, so the 100 comes from the wire trace.
 */
export function provisionalState(status: number, hasSdp: boolean): 'trying' | 'ringing' | 'early' | null {
  if (status === 100) return 'trying';
  if (status > 100 && status < 200) return hasSdp ? 'early' : 'ringing';
  return null;
}

/** Causes under which our own side ended the call on purpose (hang up, cancel, reject). */
const OUR_CHOICE = new Set(['Terminated', 'Canceled', 'Rejected', 'No Answer']);
/** Causes that are a failure even when JsSIP names the far end as originator. */
const REMOTE_ERRORS = new Set(['Bad Media Description', 'Internal Error', 'No ACK', 'Dialog Error', 'Missing SDP']);

/** Words for JsSIP causes that come without a SIP response. */
const CAUSE_TEXT: Record<string, string> = {
  'Connection Error': 'the SIP WebSocket connection failed',
  'Request Timeout': 'no response from the SIP server in time (JsSIP: Request Timeout)',
  'RTP Timeout': 'JsSIP ended the call because ICE failed (RTP Timeout)',
  'WebRTC Error': 'the browser’s WebRTC engine failed (JsSIP: WebRTC Error)',
  'Bad Media Description': 'the far end’s SDP could not be used (JsSIP: Bad Media Description)',
  'Missing SDP': 'the far end answered without SDP',
  'No ACK': 'the far end never acknowledged our answer (no ACK)',
  'Dialog Error': 'the SIP dialog failed (JsSIP: Dialog Error)',
  'Internal Error': 'JsSIP hit an internal error',
  'User Denied Media Access': 'microphone access was denied',
  Expires: 'the incoming call expired before it was answered',
  'No Answer': 'nobody answered in time',
};

/** Who ended the call, from JsSIP's originator and cause. */
export function endedBy(originator: string, cause: string): EndedBy {
  if (originator === 'remote') return REMOTE_ERRORS.has(cause) ? 'error' : 'remote';
  if (originator === 'local' && OUR_CHOICE.has(cause)) return 'local';
  return 'error';
}

function reasonHeaders(message: SipMessageLike | null): string[] {
  try {
    return message?.getHeaders?.('Reason') ?? [];
  } catch {
    return [];
  }
}

/**
 * A JsSIP `failed` or `ended` event as the call model's end record: who ended it, and the codes
 * of the final response, kept as they came (JsSIP's `cause` alone is too coarse: 403 and 603 are
 * both "Rejected"). A `Reason:` header goes in the raw event as it came (`rawEvent`): the journal
 * completes the end's Q.850 (or SIP) cause and text from it, once, for every face.
 */
export function endInfo(event: SipEndEvent): EndInfo {
  const by = endedBy(event.originator, event.cause);
  const failure: Failure = {};
  const message = event.message;
  if (typeof message?.status_code === 'number') {
    failure.sip_status = message.status_code;
    if (message.reason_phrase) failure.sip_reason = message.reason_phrase;
  }
  if (by === 'error' && failure.sip_status === undefined) failure.message = CAUSE_TEXT[event.cause] ?? event.cause;
  return { by, failure };
}

/** The raw JsSIP event, as plain data for the journal. */
export function rawEvent(name: string, event: Partial<SipEndEvent> & { response?: SipMessageLike | null }): Record<string, unknown> {
  const message = event.message ?? event.response ?? null;
  const raw: Record<string, unknown> = { jssip: name };
  if (event.originator !== undefined) raw.originator = event.originator;
  if (event.cause !== undefined) raw.cause = event.cause;
  if (message) {
    if (typeof message.status_code === 'number') raw.status_code = message.status_code;
    if (typeof message.reason_phrase === 'string') raw.reason_phrase = message.reason_phrase;
    if (typeof message.method === 'string') raw.method = message.method;
    const reasons = reasonHeaders(message);
    if (reasons.length > 0) raw.reason_header = reasons;
  }
  return raw;
}
