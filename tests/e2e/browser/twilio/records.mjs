// What a Twilio call's journal record holds, read for the Twilio suite's assertions.

import { sourcedEvents } from '../harness.mjs';

/** The TwilioErrors recorded for the call (`error` events from the SDK), in order. */
export function twilioErrors(detail) {
  return sourcedEvents(detail, 'error', /^twilio\./);
}

/** The call's `warning` events from the SDK (warnings, warning-cleared, reconnecting). */
export function twilioWarnings(detail) {
  return sourcedEvents(detail, 'warning', 'twilio.call');
}

/** The failure an ended call carries: provider code and who ended it. */
export function endOf(detail) {
  return { by: detail.call.ended_by, provider_code: detail.call.failure?.provider_code };
}
