import { accountProvider, type ProviderModule, type ProviderOptions } from '../core/module';
import { pageSipCallEnvironment, SipCallAdapter, type SipCallEnvironment, sipFeatures } from './call';
import { IncomingSipCall } from './incoming';
import { SIP, SipLine } from './line';
import { loadJsSip, type SipStack } from './stack';

/** SIP over WebSocket (JsSIP): one user agent per account. */
export function sipProvider(options: ProviderOptions<SipStack, SipCallEnvironment> = {}): ProviderModule {
  return accountProvider(
    {
      kind: SIP,
      loadSdk: loadJsSip,
      callEnvironment: pageSipCallEnvironment,
      describeLine: (profile) => ({ label: `${profile.name} (SIP, ${profile.sip_uri})`, ...sipFeatures(profile.dtmf) }),
      createLine: (account, page, loadStack) => new SipLine(account, { ...page, loadStack }),
      dial: (line, profile, env) => SipCallAdapter.outgoing(line, profile.dtmf, env),
      answer: (line, call, env) => (call instanceof IncomingSipCall ? SipCallAdapter.incoming(line, call, env) : null),
    },
    options,
  );
}
