import { AccountLines } from '../account-lines';
import type { IncomingSipCall } from './incoming';
import { SipLine, type SipLineEnvironment } from './line';

export type { LineStatusChange } from '../account-lines';

/** The SIP user agents, one per SIP account (stopping one unregisters it). */
export class SipLines extends AccountLines<IncomingSipCall, SipLine> {
  constructor(env: SipLineEnvironment) {
    super('sip', (account) => new SipLine(account, env));
  }
}
