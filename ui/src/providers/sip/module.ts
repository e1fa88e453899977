import { accountProvider, type ProviderModule } from '../core/module';
import { pageSipCallEnvironment, SipCallAdapter, type SipCallEnvironment, sipFeatures } from './call';
import { IncomingSipCall } from './incoming';
import { SIP, SipLine } from './line';
import { loadJsSip, type SipStack } from './stack';

/** What tests replace: the SIP stack's network, the calls' media and timeouts. */
export interface SipOptions {
  loadStack?: () => Promise<SipStack>;
  callEnvironment?: () => SipCallEnvironment;
}

/** SIP over WebSocket (JsSIP): one user agent per account. */
export function sipProvider(options: SipOptions = {}): ProviderModule {
  const environment = options.callEnvironment ?? pageSipCallEnvironment;
  return accountProvider({
    kind: SIP,
    describeLine: (profile) => ({ label: `${profile.name} (SIP, ${profile.sip_uri})`, ...sipFeatures(profile.dtmf) }),
    createLine: (account, page) => new SipLine(account, { ...page, loadStack: options.loadStack ?? loadJsSip }),
    dial: (line, profile) => SipCallAdapter.outgoing(line, profile.dtmf, environment()),
    answer: (line, call) => (call instanceof IncomingSipCall ? SipCallAdapter.incoming(line, call, environment()) : null),
  });
}
