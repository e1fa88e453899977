// What a Telnyx call's journal record holds, read for the Telnyx suite's assertions.

import { sourcedEvents, stateEvents } from '../harness.mjs';

/**
 * The SDK states the call went through, as the journal kept them: the `sdk_states` of the last
 * state event that has them (the end record's raw event, or our hang-up's confirmation).
 */
export function sdkStates(detail) {
  const ended = stateEvents(detail).find((e) => e.payload.state === 'ended');
  const raw = ended?.payload.raw ?? {};
  return raw.sdk_states ?? raw.hangup?.sdk_states ?? [];
}

/** The journal's `telnyx.error` or `telnyx.warning` events (`kind`: error, warning). */
export function sdkEvents(detail, kind) {
  return sourcedEvents(detail, kind, `telnyx.${kind}`);
}

/** The failure an ended call carries, without message (compared field by field). */
export function causeOf(detail) {
  const { provider_code, q850_cause, sip_status, sip_reason } = detail.call.failure ?? {};
  return { provider_code, q850_cause, sip_status, sip_reason };
}

/** The lab's expected hangup as the failure record keeps it. */
export function expectedCause(hangup) {
  if (!hangup) return { provider_code: undefined, q850_cause: undefined, sip_status: undefined, sip_reason: undefined };
  return {
    provider_code: hangup.cause,
    q850_cause: hangup.causeCode,
    sip_status: hangup.sipCode ?? undefined,
    sip_reason: hangup.sipReason ?? undefined,
  };
}
