import { Listeners } from '../../lib/listeners';
import { errorText } from '../../api/errors';
import type { IncomingCall } from '../core/adapter';
import { isOver, rawCallUpdate, type TelnyxErrorPayload, type TelnyxWarningPayload } from './events';
import type { SdkCall } from './sdk';
import type { CallRoute, VertoMessage } from './wire';

/** How an incoming call reaches its line's journal and routing (the line passes these in). */
export interface IncomingTelnyxHooks {
  /** Journal a frame at app level (the call has no record). */
  appLevel(message: VertoMessage): void;
  /** Send this call's frames and updates to `route` from now on (null: stop routing it). */
  reroute(route: CallRoute | null): void;
  /** An app-level event about this call (the reject action, a missed call, an SDK error or warning). */
  note(kind: 'action' | 'warning' | 'error', payload: Record<string, unknown>): void;
}

/** What the call's end looked like before it was answered (the caller gave up, or we rejected it). */
export interface IncomingGone {
  raw: Record<string, unknown>;
  call: SdkCall;
}

/**
 * A `telnyx_rtc.invite` the SDK turned into a ringing call. Its frames and state changes are
 * held until the user decides: accepted, they go to the call's journal record (the adapter that
 * answers it claims them); rejected or missed, to the app-level journal.
 */
export class IncomingTelnyxCall implements IncomingCall {
  readonly provider = 'telnyx' as const;
  readonly account: string;
  /** The Verto callID. */
  readonly callId: string;
  readonly from: string;
  readonly displayName: string | null;
  /** When the invite arrived (page clock, ms). */
  readonly arrivedAt: number;
  /** The SDK's Call (replaced when the SDK hands a new object for the same id). */
  call: SdkCall;
  /** The SDK states so far (new, ringing, ...). */
  readonly sdkStates: string[];
  gone: IncomingGone | null = null;
  readonly #hooks: IncomingTelnyxHooks;
  readonly #gone = new Listeners<IncomingGone>();
  #held: VertoMessage[];
  #reserved = false;
  #released = false;
  #claimed = false;
  #rejected = false;

  constructor(account: string, call: SdkCall, sdkStates: string[], held: VertoMessage[], arrivedAt: number, hooks: IncomingTelnyxHooks) {
    this.account = account;
    this.call = call;
    this.callId = call.id;
    this.sdkStates = sdkStates;
    this.#held = held;
    this.arrivedAt = arrivedAt;
    this.#hooks = hooks;
    this.from = call.options.remoteCallerNumber || call.options.remoteCallerName || 'unknown caller';
    const name = call.options.remoteCallerName;
    this.displayName = name && name !== this.from ? name : null;
  }

  /** While unclaimed, the line routes this call here. */
  readonly route: CallRoute = {
    frame: (message) => {
      if (this.#released) this.#hooks.appLevel(message);
      else this.#held.push(message);
    },
    update: (call) => this.#update(call),
    error: (payload) => this.#hooks.note('error', { ...payload, from: this.from }),
    warning: (payload) => this.#hooks.note('warning', { ...payload, from: this.from }),
  };

  reserve(): void {
    this.#reserved = true;
  }

  /**
   * The adapter answering this call takes its frames (the ones held so far, in order) and its
   * updates from now on. Returns the function that stops routing them.
   */
  claim(route: CallRoute): () => void {
    this.#reserved = true;
    this.#claimed = true;
    const held = this.#held;
    this.#held = [];
    for (const message of held) route.frame(message);
    this.#hooks.reroute(route);
    return () => this.#hooks.reroute(null);
  }

  /** Reject: the SDK hangs up the ringing call (a BYE with USER_BUSY/17, its fill-in for a reject). */
  reject(status = 486, reason = 'Busy Here'): void {
    if (this.gone || this.#reserved || this.#rejected) return;
    this.#rejected = true;
    // The invite and our ack go to the journal first, then the decision, then the BYE.
    this.#release();
    this.#hooks.note('action', { action: 'reject', from: this.from, status, reason, telnyx_call_id: this.callId });
    this.call.hangup().catch((error: unknown) => {
      this.#hooks.note('warning', { message: `rejecting the call from ${this.from} failed: ${errorText(error)}` });
    });
  }

  onGone(cb: (gone: IncomingGone) => void): () => void {
    if (this.gone) {
      cb(this.gone);
      return () => undefined;
    }
    return this.#gone.add(cb);
  }

  #update(call: SdkCall): void {
    this.call = call;
    this.sdkStates.push(call.state);
    if (isOver(call.state) && !this.gone) this.#goneNow(call);
    // Unanswered and cleaned up: later frames of this call (none are expected) go to app level.
    if (call.state === 'destroy' && !this.#reserved) this.#hooks.reroute(null);
  }

  #goneNow(call: SdkCall): void {
    this.gone = { raw: rawCallUpdate(call, this.sdkStates), call };
    if (!this.#reserved) {
      const rejected = this.#rejected;
      this.#release();
      if (!rejected) {
        const sip = call.sipCode ? `, ${call.sipCode} ${call.sipReason ?? ''}`.trimEnd() : '';
        this.#hooks.note('warning', {
          message: `the incoming call from ${this.from} ended before it was answered (${call.cause ?? call.state}${sip})`,
          from: this.from,
          cause: call.cause ?? null,
          causeCode: call.causeCode ?? null,
          sipCode: call.sipCode ?? null,
          sipReason: call.sipReason ?? null,
          telnyx_call_id: this.callId,
        });
      }
    }
    this.#gone.emit(this.gone);
  }

  /** Nobody will answer it after all (the answer could not start): its frames go to the app-level journal. */
  releaseHeld(): void {
    this.#release();
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

export function isIncomingTelnyxCall(call: IncomingCall): call is IncomingTelnyxCall {
  return (call as { provider?: unknown }).provider === 'telnyx';
}
