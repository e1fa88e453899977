import { errorText } from '../../api/errors';
import { IncomingCore } from '../core/incoming-core';
import type { IncomingHooks } from '../core/line-core';
import { isOver, rawCallUpdate } from './events';
import type { SdkCall } from './sdk';
import type { CallRoute, VertoMessage } from './wire';

/** What the call's end looked like before it was answered (the caller gave up, or we rejected it). */
export interface IncomingGone {
  raw: Record<string, unknown>;
  call: SdkCall;
}

/**
 * A `telnyx_rtc.invite` the SDK turned into a ringing call, offered until the user decides (see
 * IncomingCore). Rejecting it has the SDK hang up (a BYE with USER_BUSY/17, its fill-in for a
 * reject).
 */
export class IncomingTelnyxCall extends IncomingCore<VertoMessage, CallRoute, IncomingGone> {
  readonly provider = 'telnyx' as const;
  /** The Verto callID. */
  readonly callId: string;
  /** The SDK's Call (replaced when the SDK hands a new object for the same id). */
  call: SdkCall;
  /** The SDK states so far (new, ringing, ...). */
  readonly sdkStates: string[];

  constructor(account: string, call: SdkCall, sdkStates: string[], held: VertoMessage[], arrivedAt: number, hooks: IncomingHooks<VertoMessage, CallRoute>) {
    const from = call.options.remoteCallerNumber || call.options.remoteCallerName || 'unknown caller';
    const name = call.options.remoteCallerName;
    super(account, { from, displayName: name && name !== from ? name : null }, held, arrivedAt, hooks);
    this.call = call;
    this.callId = call.id;
    this.sdkStates = sdkStates;
  }

  readonly route: CallRoute = {
    frame: (message) => this.hold(message),
    update: (call) => this.#update(call),
    error: (payload) => this.hooks.note('error', { ...payload, from: this.from }),
    warning: (payload) => this.hooks.note('warning', { ...payload, from: this.from }),
  };

  protected turnDown(): void {
    this.call.hangup().catch((error: unknown) => {
      this.hooks.note('warning', { message: `rejecting the call from ${this.from} failed: ${errorText(error)}` });
    });
  }

  protected override journalIds(): Record<string, unknown> {
    return { telnyx_call_id: this.callId };
  }

  #update(call: SdkCall): void {
    this.call = call;
    this.sdkStates.push(call.state);
    if (isOver(call.state) && !this.gone) {
      const sip = call.sipCode ? `, ${call.sipCode} ${call.sipReason ?? ''}`.trimEnd() : '';
      this.goneNow({ raw: rawCallUpdate(call, this.sdkStates), call }, `${call.cause ?? call.state}${sip}`, {
        cause: call.cause ?? null,
        causeCode: call.causeCode ?? null,
        sipCode: call.sipCode ?? null,
        sipReason: call.sipReason ?? null,
        telnyx_call_id: this.callId,
      });
    }
    // Unanswered and cleaned up: later frames of this call (none are expected) go to app level.
    if (call.state === 'destroy' && !this.isReserved) this.hooks.reroute(null);
  }
}
