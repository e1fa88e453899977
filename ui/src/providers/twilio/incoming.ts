import { Listeners } from '../../lib/listeners';
import { errorText } from '../../api/errors';
import type { IncomingCall } from '../core/adapter';
import { callIds, errorPayload, type TwilioErrorPayload } from './events';
import type { SdkCall } from './sdk';
import type { CallRoute, PstreamMessage } from './wire';

/** How an incoming call reaches its line's journal and routing (the line passes these in). */
export interface IncomingTwilioHooks {
  /** Journal a frame at app level (the call has no record). */
  appLevel(message: PstreamMessage): void;
  /** Send this call's frames to `route` from now on (null: stop routing it). */
  reroute(route: CallRoute | null): void;
  /** An app-level event about this call (the reject action, a missed call, an SDK error). */
  note(kind: 'action' | 'warning' | 'error', payload: Record<string, unknown>): void;
}

/** How the call ended before it was answered. */
export interface IncomingGone {
  /** `cancel` (the caller gave up), `reject` (we turned it down), `disconnect`, `error`. */
  event: string;
  error: TwilioErrorPayload | null;
}

/**
 * A PStream `invite` the SDK turned into a ringing Call (Device `incoming`). Its frames are held
 * until the user decides: accepted, they go to the call's journal record (the adapter that
 * answers it claims them); rejected or missed, to the app-level journal.
 */
export class IncomingTwilioCall implements IncomingCall {
  readonly provider = 'twilio' as const;
  readonly account: string;
  readonly call: SdkCall;
  /** The `CA…` sid of the invite. */
  readonly callSid: string;
  readonly from: string;
  readonly displayName: string | null;
  /** When the invite arrived (page clock, ms). */
  readonly arrivedAt: number;
  gone: IncomingGone | null = null;
  readonly #hooks: IncomingTwilioHooks;
  readonly #gone = new Listeners<IncomingGone>();
  readonly #stop: (() => void)[] = [];
  #held: PstreamMessage[];
  #lastError: TwilioErrorPayload | null = null;
  #reserved = false;
  #released = false;
  #claimed = false;
  #rejected = false;

  constructor(account: string, call: SdkCall, held: PstreamMessage[], arrivedAt: number, hooks: IncomingTwilioHooks) {
    this.account = account;
    this.call = call;
    this.callSid = call.parameters.CallSid ?? '';
    this.from = call.parameters.From || 'unknown caller';
    this.displayName = null;
    this.#held = held;
    this.arrivedAt = arrivedAt;
    this.#hooks = hooks;
    const on = (event: string, listener: (...args: never[]) => void) => {
      call.on(event, listener);
      this.#stop.push(() => call.removeListener(event, listener));
    };
    on('cancel', () => this.#goneNow('cancel'));
    on('reject', () => this.#goneNow('reject'));
    on('disconnect', () => this.#goneNow('disconnect'));
    on('error', (error: unknown) => {
      if (this.#claimed) return; // the adapter records it
      this.#lastError = errorPayload(error, 'twilio.call', call);
      this.#hooks.note('error', { ...this.#lastError, from: this.from });
    });
  }

  /** The call's custom parameters (`Params` of the invite), for the journal. */
  get customParameters(): Record<string, string> {
    return Object.fromEntries(this.call.customParameters ?? []);
  }

  /** While unclaimed, the line routes this call's frames here. */
  readonly route: CallRoute = {
    frame: (message) => {
      if (this.#released) this.#hooks.appLevel(message);
      else this.#held.push(message);
    },
    error: (payload) => this.#hooks.note('error', { ...payload, from: this.from }),
    note: () => undefined,
  };

  reserve(): void {
    this.#reserved = true;
  }

  /**
   * The adapter answering this call takes its frames (the ones held so far, in order) from now
   * on; its SDK events are the adapter's to listen to. Returns the function that stops routing.
   */
  claim(route: CallRoute): () => void {
    this.#reserved = true;
    this.#claimed = true;
    for (const stop of this.#stop.splice(0)) stop();
    const held = this.#held;
    this.#held = [];
    for (const message of held) route.frame(message);
    this.#hooks.reroute(route);
    return () => this.#hooks.reroute(null);
  }

  /** Reject: the SDK sends `reject` (Twilio ends the caller's leg). The status is SIP's idea; kept in the journal only. */
  reject(status = 486, reason = 'Busy Here'): void {
    if (this.gone || this.#reserved || this.#rejected) return;
    this.#rejected = true;
    // The invite goes to the journal first, then the decision, then our `reject`.
    this.#release();
    this.#hooks.note('action', { action: 'reject', from: this.from, status, reason, ...callIds(this.call) });
    try {
      this.call.reject();
    } catch (error) {
      this.#hooks.note('warning', { message: `rejecting the call from ${this.from} failed: ${errorText(error)}` });
    }
  }

  onGone(cb: (gone: IncomingGone) => void): () => void {
    if (this.gone) {
      cb(this.gone);
      return () => undefined;
    }
    return this.#gone.add(cb);
  }

  /** Nobody will answer it after all (the answer could not start): its frames go to the app-level journal. */
  releaseHeld(): void {
    this.#release();
  }

  #goneNow(event: string): void {
    if (this.gone || this.#claimed) return;
    this.gone = { event, error: this.#lastError };
    if (!this.#reserved) {
      this.#release();
      if (!this.#rejected) {
        this.#hooks.note('warning', {
          message: `the incoming call from ${this.from} ended before it was answered (${event === 'cancel' ? 'the caller gave up' : event})`,
          from: this.from,
          event,
          ...callIds(this.call),
        });
      }
      for (const stop of this.#stop.splice(0)) stop();
      // Later frames of this call (none are expected) go to app level.
      this.#hooks.reroute(null);
    }
    this.#gone.emit(this.gone);
  }

  /** Send what was held to the app-level journal and stop holding. */
  #release(): void {
    if (this.#released) return;
    this.#released = true;
    const held = this.#held;
    this.#held = [];
    for (const message of held) this.#hooks.appLevel(message);
  }
}

export function isIncomingTwilioCall(call: IncomingCall): call is IncomingTwilioCall {
  return (call as { provider?: unknown }).provider === 'twilio';
}
