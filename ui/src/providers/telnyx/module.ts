import { accountProvider, type ProviderModule, type ProviderOptions } from '../core/module';
import { pageTelnyxCallEnvironment, TELNYX_FEATURES, TelnyxCallAdapter, type TelnyxCallEnvironment } from './call';
import { IncomingTelnyxCall } from './incoming';
import { TELNYX, TelnyxLine } from './line';
import { loadTelnyxSdk, type TelnyxSdk } from './sdk';

/** Telnyx (`@telnyx/webrtc`): one client per account, logged in with a token the backend mints. */
export function telnyxProvider(options: ProviderOptions<TelnyxSdk, TelnyxCallEnvironment> = {}): ProviderModule {
  return accountProvider(
    {
      kind: TELNYX,
      loadSdk: loadTelnyxSdk,
      callEnvironment: pageTelnyxCallEnvironment,
      describeLine: (profile) => ({ label: `${profile.name} (Telnyx)`, ...TELNYX_FEATURES }),
      createLine: (account, page, loadSdk) => new TelnyxLine(account, { ...page, loadSdk }),
      dial: (line, _profile, env) => TelnyxCallAdapter.outgoing(line, env),
      answer: (line, call, env) => (call instanceof IncomingTelnyxCall ? TelnyxCallAdapter.incoming(line, call, env) : null),
    },
    options,
  );
}
