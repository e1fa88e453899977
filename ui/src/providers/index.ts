import type { Backend } from '../api/backend';
import { ApiFailure } from '../api/errors';
import type { LineOption } from '../calls/line-options';
import type { ProviderAdapter } from './adapter';
import { EchoAdapter } from './echo';
import { pageSipCallEnvironment, SipCallAdapter, type SipCallEnvironment } from './sip/call';
import type { IncomingSipCall } from './sip/incoming';
import type { SipLines } from './sip/lines';

/** Makes the adapter for each call: one to place a call through a line, one to answer an incoming call. */
export interface Adapters {
  dial(line: LineOption): ProviderAdapter;
  answer(call: IncomingSipCall): ProviderAdapter;
}

export function createAdapters(
  backend: Backend,
  sip: SipLines,
  sipEnvironment: () => SipCallEnvironment = pageSipCallEnvironment,
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
        default:
          throw new ApiFailure('unsupported', `calls through ${line.provider} are not available yet`);
      }
    },
    answer(call) {
      const line = sip.line(call.account);
      if (!line) throw new ApiFailure('sip_line', `the line ${call.account} is no longer running`);
      return SipCallAdapter.incoming(line, call, sipEnvironment());
    },
  };
}
