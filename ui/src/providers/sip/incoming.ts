import type { RTCSession } from 'jssip/lib/RTCSession';
import { Listeners } from '../../api/backend';
import { errorText } from '../../api/errors';
import type { SipEndEvent } from './events';
import type { WireMessage } from './wire-message';

/** What the UI needs to offer an incoming call, and to accept or reject it. */
export interface IncomingSipCall {
  /** The account (line) it came in on. */
  readonly account: string;
  readonly session: RTCSession;
  /** The SIP Call-ID of its INVITE. */
  readonly callId: string;
  /** The caller's SIP URI. */
  readonly from: string;
  readonly displayName: string | null;
  /** When the INVITE arrived (page clock, ms). */
  readonly arrivedAt: number;
  /** The call ended before it was answered (the caller cancelled, or it timed out). */
  readonly goneEvent: SipEndEvent | null;
  /** The user pressed Accept: from now on the adapter that answers it owns its end. */
  reserve(): void;
  /** Take this call's wire messages: the ones held so far, in order, then each as it comes. */
  claim(handler: (message: WireMessage) => void): () => void;
  /** Answer 486 Busy Here (or the status given). */
  reject(status?: number, reason?: string): void;
  onGone(cb: (event: SipEndEvent) => void): () => void;
}

/** How an incoming call reaches its line's journal and routing (the line passes these in). */
export interface IncomingHooks {
  /** Journal a message at app level (the call has no record). */
  appLevel(message: WireMessage): void;
  /** Stop routing this Call-ID to the call; later messages go to app level. */
  unroute(): void;
  /** An app-level event about this call (the reject action, a missed call). */
  note(kind: 'action' | 'warning', payload: Record<string, unknown>): void;
}

/**
 * An INVITE JsSIP has accepted as a new session and answered 180 Ringing to. Its messages are
 * held until the user decides: accepted, they go to the call's journal record; rejected or
 * missed, to the app-level journal.
 */
export class IncomingInvite implements IncomingSipCall {
  readonly account: string;
  readonly session: RTCSession;
  readonly callId: string;
  readonly from: string;
  readonly displayName: string | null;
  readonly arrivedAt: number;
  goneEvent: SipEndEvent | null = null;
  readonly #hooks: IncomingHooks;
  readonly #gone = new Listeners<SipEndEvent>();
  #held: WireMessage[];
  #handler: ((message: WireMessage) => void) | null = null;
  #reserved = false;
  #released = false;

  constructor(account: string, session: RTCSession, callId: string, held: WireMessage[], arrivedAt: number, hooks: IncomingHooks) {
    this.account = account;
    this.session = session;
    this.callId = callId;
    this.#held = held;
    this.arrivedAt = arrivedAt;
    this.#hooks = hooks;
    const identity = session.remote_identity;
    this.from = identity?.uri?.toString() ?? 'unknown caller';
    this.displayName = identity?.display_name ? String(identity.display_name) : null;
    session.on('failed', (event) => this.#ended(event as unknown as SipEndEvent));
    session.on('ended', (event) => this.#ended(event as unknown as SipEndEvent));
  }

  /** A message of this call, from the line's router. */
  take(message: WireMessage): void {
    if (this.#handler) this.#handler(message);
    else this.#held.push(message);
  }

  reserve(): void {
    this.#reserved = true;
  }

  claim(handler: (message: WireMessage) => void): () => void {
    this.#reserved = true;
    const held = this.#held;
    this.#held = [];
    for (const message of held) handler(message);
    this.#handler = handler;
    return () => {
      this.#handler = null;
      this.#hooks.unroute();
    };
  }

  reject(status = 486, reason = 'Busy Here'): void {
    if (this.goneEvent || this.#reserved) return;
    // The INVITE and our 180 go to the journal first, then the decision, then the answer.
    this.#release();
    this.#hooks.note('action', { action: 'reject', from: this.from, status });
    try {
      this.session.terminate({ status_code: status, reason_phrase: reason });
    } catch (error) {
      this.#hooks.note('warning', { message: `rejecting the call from ${this.from} failed: ${errorText(error)}` });
    }
  }

  onGone(cb: (event: SipEndEvent) => void): () => void {
    if (this.goneEvent) {
      cb(this.goneEvent);
      return () => undefined;
    }
    return this.#gone.add(cb);
  }

  #ended(event: SipEndEvent): void {
    if (this.goneEvent || this.#handler) return; // answered: the adapter reports its end
    this.goneEvent = { originator: event.originator, cause: event.cause, message: event.message ?? null };
    if (!this.#reserved) {
      this.#release();
      if (event.originator !== 'local') {
        this.#hooks.note('warning', {
          message: `the incoming call from ${this.from} ended before it was answered (${event.cause})`,
          from: this.from,
          cause: event.cause,
        });
      }
    }
    this.#gone.emit(this.goneEvent);
  }

  /** Send what was held to the app-level journal and stop holding. */
  #release(): void {
    if (this.#released) return;
    this.#released = true;
    const held = this.#held;
    this.#held = [];
    this.#hooks.unroute();
    for (const message of held) this.#hooks.appLevel(message);
  }
}
