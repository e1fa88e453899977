import { AccountLines } from '../account-lines';
import type { IncomingTwilioCall } from './incoming';
import { TwilioLine, type TwilioLineEnvironment } from './line';

/**
 * The Twilio Devices, one per Twilio account (stopping one destroys it: its socket closes, so
 * Twilio stops offering it calls).
 */
export class TwilioLines extends AccountLines<IncomingTwilioCall, TwilioLine> {
  constructor(env: TwilioLineEnvironment) {
    super('twilio', (account) => new TwilioLine(account, env));
  }
}
