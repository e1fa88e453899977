import type { Backend } from '../api/backend';
import { ApiFailure } from '../api/errors';
import type { LineOption } from '../calls/line-options';
import type { IncomingCall, ProviderAdapter } from './adapter';
import { EchoAdapter } from './echo';
import { pageSipCallEnvironment, SipCallAdapter, type SipCallEnvironment } from './sip/call';
import type { IncomingSipCall } from './sip/incoming';
import type { SipLines } from './sip/lines';
import { pageTelnyxCallEnvironment, TelnyxCallAdapter, type TelnyxCallEnvironment } from './telnyx/call';
import { isIncomingTelnyxCall } from './telnyx/incoming';
import type { TelnyxLines } from './telnyx/lines';
import { pageTwilioCallEnvironment, TwilioCallAdapter, type TwilioCallEnvironment } from './twilio/call';
import { isIncomingTwilioCall } from './twilio/incoming';
import type { TwilioLines } from './twilio/lines';

/** Makes the adapter for each call: one to place a call through a line, one to answer an incoming call. */
export interface Adapters {
  dial(line: LineOption): ProviderAdapter;
  answer(call: IncomingCall): ProviderAdapter;
}

export function createAdapters(
  backend: Backend,
  sip: SipLines,
  sipEnvironment: () => SipCallEnvironment = pageSipCallEnvironment,
  telnyx: TelnyxLines | null = null,
  telnyxEnvironment: () => TelnyxCallEnvironment = pageTelnyxCallEnvironment,
  twilio: TwilioLines | null = null,
  twilioEnvironment: () => TwilioCallEnvironment = pageTwilioCallEnvironment,
): Adapters {
  return {
    dial(line) {
      if (!line.callable) throw new ApiFailure('unsupported', `calls through ${line.label} are not possible: ${line.reason ?? 'not supported'}`);
      switch (line.provider) {
        case 'echo':
          return new EchoAdapter(backend);
        case 'sip': {
          if (!line.profile || line.profile.provider !== 'sip') throw new ApiFailure('bad_input', `${line.label} has no SIP settings`);
          return SipCallAdapter.outgoing(sip.activate(line.profile), line.profile.dtmf, sipEnvironment());
        }
        case 'telnyx': {
          if (!line.profile || line.profile.provider !== 'telnyx') throw new ApiFailure('bad_input', `${line.label} has no Telnyx settings`);
          if (!telnyx) throw new ApiFailure('unsupported', 'Telnyx lines are not available on this page');
          return TelnyxCallAdapter.outgoing(telnyx.activate(line.profile), telnyxEnvironment());
        }
        case 'twilio': {
          if (!line.profile || line.profile.provider !== 'twilio') throw new ApiFailure('bad_input', `${line.label} has no Twilio settings`);
          if (!twilio) throw new ApiFailure('unsupported', 'Twilio lines are not available on this page');
          return TwilioCallAdapter.outgoing(twilio.activate(line.profile), twilioEnvironment());
        }
        default:
          throw new ApiFailure('unsupported', `calls through ${line.provider} are not available yet`);
      }
    },
    answer(call) {
      if (isIncomingTwilioCall(call)) {
        const line = twilio?.line(call.account);
        if (!line) throw new ApiFailure('twilio_line', `the line ${call.account} is no longer running`);
        return TwilioCallAdapter.incoming(line, call, twilioEnvironment());
      }
      if (isIncomingTelnyxCall(call)) {
        const line = telnyx?.line(call.account);
        if (!line) throw new ApiFailure('telnyx_line', `the line ${call.account} is no longer running`);
        return TelnyxCallAdapter.incoming(line, call, telnyxEnvironment());
      }
      const line = sip.line(call.account);
      if (!line) throw new ApiFailure('sip_line', `the line ${call.account} is no longer running`);
      return SipCallAdapter.incoming(line, call as IncomingSipCall, sipEnvironment());
    },
  };
}
