import { errorText, isErrorLike, safeJson } from '../../api/errors';
import type { CallState, EndedBy, EndInfo, Failure } from '../../api/generated';
import type { ProgressState } from '../../journal/call-sink';
import type { SdkCall, SdkErrorEvent, SdkWarningEvent } from './sdk';

/** The `@telnyx/webrtc` call states (reference/telnyx.md §2.10). */
export const SDK_STATES = [
  'new',
  'requesting',
  'trying',
  'recovering',
  'ringing',
  'answering',
  'early',
  'active',
  'held',
  'hangup',
  'destroy',
  'purge',
] as const;
export type SdkState = (typeof SDK_STATES)[number];

/**
 * The call-model state each SDK state means (null: no change of its own; the SDK state is kept
 * in the raw events). `hangup` is the end, reported through `ended()` with who ended the call.
 *
 * | SDK state | call model | why |
 * | new | — | the Call object exists; nothing sent yet (the microphone and ICE come first) |
 * | requesting | dialing | the invite (our offer) is being sent |
 * | trying | trying | Telnyx answered the invite (`CALL CREATED`) |
 * | ringing | ringing | an incoming call (an outgoing call's `telnyx_rtc.ringing` frame, which the SDK does not turn into a state, is read off the wire) |
 * | answering | — | our answer to an incoming call is being sent; it stays ringing until active |
 * | early | early | the far end's SDP (`telnyx_rtc.media`) is applied: early media |
 * | active | active | answered (or re-attached after a reconnect) |
 * | held | held | a hold was confirmed (`holdState: held`) |
 * | recovering | connecting | the signalling socket dropped; the SDK reconnects and re-attaches the call |
 * | hangup | ended | local or remote; the cause fields are set here |
 * | destroy | — | the SDK's cleanup after hangup |
 * | purge | — | the client disconnected or the server punted; hangup follows |
 */
export const MODEL_STATE: Record<SdkState, ProgressState | 'ended' | null> = {
  new: null,
  requesting: 'dialing',
  trying: 'trying',
  recovering: 'connecting',
  ringing: 'ringing',
  answering: null,
  early: 'early',
  active: 'active',
  held: 'held',
  hangup: 'ended',
  destroy: null,
  purge: null,
};

export function isSdkState(state: string): state is SdkState {
  return (SDK_STATES as readonly string[]).includes(state);
}

/** The state the call model takes for an SDK state, or null when it does not move (or is unknown). */
export function modelState(sdkState: string): ProgressState | 'ended' | null {
  return isSdkState(sdkState) ? MODEL_STATE[sdkState] : null;
}

/** Whether the SDK's call is over (hung up or being cleaned up). */
export function isOver(sdkState: string): boolean {
  return sdkState === 'hangup' || sdkState === 'destroy' || sdkState === 'purge';
}

/** Whether an outgoing call's `telnyx_rtc.ringing` frame means the call model's `ringing` now. */
export function ringsFromWire(current: CallState | null): boolean {
  return current === 'dialing' || current === 'trying';
}

/**
 * Who ended a call:
 * - `local`: this app hung up (the SDK then fills in USER_BUSY/17 before answer or
 *   NORMAL_CLEARING/16 after; those are kept in the failure record all the same, and the
 *   backend's diagnosis knows they are fill-ins);
 * - `remote`: a `telnyx_rtc.bye` came from Telnyx, with its cause fields;
 * - `sdk`: the SDK ended the call by itself, with no BYE on the wire (the session was not
 *   re-attached after a reconnect (48501), reconnection gave up (45003), the microphone or the
 *   SDP failed): an error, with the SDK's own fill-in cause.
 */
export type EndedHow = 'local' | 'remote' | 'sdk';

const BY: Record<EndedHow, EndedBy> = { local: 'local', remote: 'remote', sdk: 'error' };

/** The cause fields as the failure record keeps them (cause → provider_code, causeCode → q850_cause, sipCode, sipReason). */
export function causeFields(call: Pick<SdkCall, 'cause' | 'causeCode' | 'sipCode' | 'sipReason'>): Failure {
  const failure: Failure = {};
  if (typeof call.cause === 'string' && call.cause) failure.provider_code = call.cause;
  if (typeof call.causeCode === 'number') failure.q850_cause = call.causeCode;
  if (typeof call.sipCode === 'number') failure.sip_status = call.sipCode;
  if (typeof call.sipReason === 'string' && call.sipReason) failure.sip_reason = call.sipReason;
  return failure;
}

/** A telnyx.error as one line: "48501 SESSION_NOT_REATTACHED: …". */
export function errorLine(error: TelnyxErrorPayload): string {
  return [error.code ?? '', error.name ?? ''].join(' ').trim() + (error.message ? `: ${error.message}` : '');
}

/** The end record of a call the SDK hung up (`hangup` state), by who ended it. */
export function endInfo(call: Pick<SdkCall, 'cause' | 'causeCode' | 'sipCode' | 'sipReason'>, how: EndedHow, lastError: TelnyxErrorPayload | null = null): EndInfo {
  const failure = causeFields(call);
  if (how === 'sdk') {
    failure.message = lastError
      ? `the Telnyx SDK ended the call (${errorLine(lastError)})`
      : 'the Telnyx SDK ended the call by itself; no BYE came from Telnyx';
  }
  return { by: BY[how], failure };
}

/** The ids a Telnyx call carries (for support tickets: Telnyx looks calls up by them). */
export function callIds(call: SdkCall): Record<string, string> {
  const ids: Record<string, string> = { telnyx_call_id: call.id };
  const telnyx = call.telnyxIDs ?? {};
  if (telnyx.telnyxSessionId) ids.telnyx_session_id = telnyx.telnyxSessionId;
  if (telnyx.telnyxLegId) ids.telnyx_leg_id = telnyx.telnyxLegId;
  if (telnyx.telnyxCallControlId) ids.telnyx_call_control_id = telnyx.telnyxCallControlId;
  if (call.sipCallId) ids.sip_call_id = call.sipCallId;
  if (call.recoveredCallId) ids.recovered_call_id = call.recoveredCallId;
  return ids;
}

/** A `callUpdate` as plain data for the journal: the SDK state, every state so far, the ids and the cause fields. */
export function rawCallUpdate(call: SdkCall, history: readonly string[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  const raw: Record<string, unknown> = {
    sdk: 'callUpdate',
    state: call.state,
    prev_state: call.prevState || null,
    sdk_states: [...history],
    direction: call.direction ?? null,
    ...callIds(call),
  };
  if (call.cause) raw.cause = call.cause;
  if (typeof call.causeCode === 'number') raw.causeCode = call.causeCode;
  if (typeof call.sipCode === 'number') raw.sipCode = call.sipCode;
  if (call.sipReason) raw.sipReason = call.sipReason;
  return { ...raw, ...extra };
}

/** A `telnyx.error` as the journal keeps it (an `error` event). */
export interface TelnyxErrorPayload {
  source: 'telnyx.error';
  code: number | null;
  name: string | null;
  message: string;
  description?: string;
  fatal?: boolean;
  recoverable?: boolean;
  /** What the SDK reported underneath (a JSON-RPC error, a DOMException). */
  error?: string;
  call_id?: string;
  session_id?: string;
}

function original(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  // An Error or a DOMException (getUserMedia's NotAllowedError, ...).
  if (isErrorLike(value)) return errorText(value);
  if (typeof value === 'object') {
    // A JSON-RPC error: {"code":-32001,"message":"Login Incorrect"}.
    const v = value as { code?: unknown; message?: unknown };
    if (typeof v.message === 'string' && (typeof v.code === 'number' || typeof v.code === 'string')) return `${v.message} (${v.code})`;
    return safeJson(value, 500);
  }
  return String(value);
}

export function errorPayload(event: SdkErrorEvent): TelnyxErrorPayload {
  const e = event.error ?? {};
  const payload: TelnyxErrorPayload = {
    source: 'telnyx.error',
    code: typeof e.code === 'number' ? e.code : null,
    name: e.name ?? null,
    message: e.message ?? 'the Telnyx SDK reported an error',
  };
  if (e.description && e.description !== e.message) payload.description = e.description;
  if (typeof e.fatal === 'boolean') payload.fatal = e.fatal;
  if (typeof event.recoverable === 'boolean') payload.recoverable = event.recoverable;
  const under = original(e.originalError);
  // The SDK wraps a JSON-RPC error object into Error(String(object)): nothing left to keep.
  if (under && !under.includes('[object Object]')) payload.error = under;
  if (event.callId) payload.call_id = event.callId;
  if (event.sessionId) payload.session_id = event.sessionId;
  return payload;
}

/** A `telnyx.warning` as the journal keeps it (a `warning` event). */
export interface TelnyxWarningPayload {
  source: 'telnyx.warning';
  code: number | null;
  name: string | null;
  message: string;
  description?: string;
  call_id?: string;
}

export function warningPayload(event: SdkWarningEvent): TelnyxWarningPayload {
  const w = event.warning ?? {};
  const payload: TelnyxWarningPayload = {
    source: 'telnyx.warning',
    code: typeof w.code === 'number' ? w.code : null,
    name: w.name ?? null,
    message: w.message ?? 'the Telnyx SDK reported a warning',
  };
  if (w.description && w.description !== w.message) payload.description = w.description;
  if (event.callId) payload.call_id = event.callId;
  return payload;
}

/** Login refusals: the token or the credential was not accepted. */
export const LOGIN_ERRORS = new Set([46001, 46002, 46003]);
/** 34001 TOKEN_EXPIRING_SOON: fetch a fresh token now. */
export const TOKEN_EXPIRING_SOON = 34001;
/** 45003 RECONNECTION_EXHAUSTED: the SDK stopped reconnecting. */
export const RECONNECTION_EXHAUSTED = 45003;
/** 45004 GATEWAY_FAILED: the registration failed; the SDK reconnects by itself. */
export const GATEWAY_FAILED = 45004;
