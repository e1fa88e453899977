import type { LineKind } from '../core/line-core';
import { accountProvider, type ProviderModule } from '../core/module';
import { pageTelnyxCallEnvironment, TELNYX_FEATURES, TelnyxCallAdapter, type TelnyxCallEnvironment } from './call';
import { IncomingTelnyxCall } from './incoming';
import { TelnyxLine } from './line';
import { loadTelnyxSdk, type TelnyxSdk } from './sdk';

const TELNYX: LineKind<'telnyx'> = { provider: 'telnyx', label: 'Telnyx', message: 'Verto frame', inviteClaim: 'microtask' };

/** What tests replace: the SDK (a fake over a scripted Verto server), the calls' media and timeouts. */
export interface TelnyxOptions {
  loadSdk?: () => Promise<TelnyxSdk>;
  callEnvironment?: () => TelnyxCallEnvironment;
}

/** Telnyx (`@telnyx/webrtc`): one client per account, logged in with a token the backend mints. */
export function telnyxProvider(options: TelnyxOptions = {}): ProviderModule {
  const environment = options.callEnvironment ?? pageTelnyxCallEnvironment;
  return accountProvider({
    kind: TELNYX,
    // DTMF goes as Verto `info` frames; hold is a Verto `modify`.
    describeLine: (profile) => ({ label: `${profile.name} (Telnyx)`, ...TELNYX_FEATURES }),
    createLine: (account, page) => new TelnyxLine(account, { ...page, loadSdk: options.loadSdk ?? loadTelnyxSdk }),
    dial: (line) => TelnyxCallAdapter.outgoing(line, environment()),
    answer: (line, call) => (call instanceof IncomingTelnyxCall ? TelnyxCallAdapter.incoming(line, call, environment()) : null),
  });
}
