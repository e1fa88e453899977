import { AccountLines } from '../account-lines';
import type { IncomingTelnyxCall } from './incoming';
import { TelnyxLine, type TelnyxLineEnvironment } from './line';

/** The Telnyx clients, one per Telnyx account (stopping one disconnects it). */
export class TelnyxLines extends AccountLines<IncomingTelnyxCall, TelnyxLine> {
  constructor(env: TelnyxLineEnvironment) {
    super('telnyx', (account) => new TelnyxLine(account, env));
  }
}
