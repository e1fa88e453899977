import type { RTCSession } from 'jssip/lib/RTCSession';
import { IncomingCore } from '../core/incoming-core';
import type { IncomingHooks } from '../core/line-core';
import type { SipEndEvent } from './events';
import type { SipRoute } from './line';
import type { SipMessage } from './wire-message';

/**
 * An INVITE JsSIP has accepted as a new session and answered 180 Ringing to, offered until the
 * user decides (see IncomingCore). Rejecting it answers with the status given (486 Busy Here).
 */
export class IncomingSipCall extends IncomingCore<SipMessage, SipRoute, SipEndEvent> {
  readonly provider = 'sip' as const;
  readonly session: RTCSession;
  /** The SIP Call-ID of its INVITE. */
  readonly callId: string;
  readonly route: SipRoute = { frame: (message) => this.hold(message) };

  constructor(account: string, session: RTCSession, callId: string, held: SipMessage[], arrivedAt: number, hooks: IncomingHooks<SipMessage, SipRoute>) {
    const identity = session.remote_identity;
    super(
      account,
      { from: identity?.uri?.toString() ?? 'unknown caller', displayName: identity?.display_name ? String(identity.display_name) : null },
      held,
      arrivedAt,
      hooks,
    );
    this.session = session;
    this.callId = callId;
    session.on('failed', (event) => this.#ended(event as unknown as SipEndEvent));
    session.on('ended', (event) => this.#ended(event as unknown as SipEndEvent));
  }

  protected turnDown(status: number, reason: string): void {
    this.session.terminate({ status_code: status, reason_phrase: reason });
  }

  /** Unanswered: its later messages (the ACK to our final answer) go straight to app level. */
  protected override released(): void {
    this.hooks.reroute(null);
  }

  #ended(event: SipEndEvent): void {
    const gone = { originator: event.originator, cause: event.cause, message: event.message ?? null };
    this.goneNow(gone, event.cause, { cause: event.cause });
  }
}
