import type { LineKind } from '../core/line-core';
import { accountProvider, type ProviderModule } from '../core/module';
import { pageTwilioCallEnvironment, TWILIO_FEATURES, TwilioCallAdapter, type TwilioCallEnvironment } from './call';
import { IncomingTwilioCall } from './incoming';
import { TwilioLine } from './line';
import { loadTwilioSdk, type TwilioSdk } from './sdk';

const TWILIO: LineKind<'twilio'> = { provider: 'twilio', label: 'Twilio', message: 'PStream message', inviteClaim: 3_000 };

/** What tests replace: the SDK (a scripted Device), the calls' timeouts. */
export interface TwilioOptions {
  loadSdk?: () => Promise<TwilioSdk>;
  callEnvironment?: () => TwilioCallEnvironment;
}

/** Twilio (`@twilio/voice-sdk`): one Device per account, registered with an Access Token the backend signs. */
export function twilioProvider(options: TwilioOptions = {}): ProviderModule {
  const environment = options.callEnvironment ?? pageTwilioCallEnvironment;
  return accountProvider({
    kind: TWILIO,
    // The Voice SDK has no hold; `sendDigits` plays RFC 2833 tones.
    describeLine: (profile) => ({ label: `${profile.name} (Twilio)`, ...TWILIO_FEATURES }),
    createLine: (account, page) => new TwilioLine(account, { ...page, loadSdk: options.loadSdk ?? loadTwilioSdk }),
    dial: (line) => TwilioCallAdapter.outgoing(line, environment()),
    answer: (line, call) => (call instanceof IncomingTwilioCall ? TwilioCallAdapter.incoming(line, call, environment()) : null),
  });
}
