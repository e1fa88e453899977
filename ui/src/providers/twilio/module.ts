import { accountProvider, type ProviderModule, type ProviderOptions } from '../core/module';
import { pageTwilioCallEnvironment, TWILIO_FEATURES, TwilioCallAdapter, type TwilioCallEnvironment } from './call';
import { IncomingTwilioCall } from './incoming';
import { TWILIO, TwilioLine } from './line';
import { loadTwilioSdk, type TwilioSdk } from './sdk';

/** Twilio (`@twilio/voice-sdk`): one Device per account, registered with an Access Token the backend signs. */
export function twilioProvider(options: ProviderOptions<TwilioSdk, TwilioCallEnvironment> = {}): ProviderModule {
  return accountProvider(
    {
      kind: TWILIO,
      loadSdk: loadTwilioSdk,
      callEnvironment: pageTwilioCallEnvironment,
      describeLine: (profile) => ({ label: `${profile.name} (Twilio)`, ...TWILIO_FEATURES }),
      createLine: (account, page, loadSdk) => new TwilioLine(account, { ...page, loadSdk }),
      dial: (line, _profile, env) => TwilioCallAdapter.outgoing(line, env),
      answer: (line, call, env) => (call instanceof IncomingTwilioCall ? TwilioCallAdapter.incoming(line, call, env) : null),
    },
    options,
  );
}
