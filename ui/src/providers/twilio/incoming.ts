import { IncomingCore } from '../core/incoming-core';
import type { IncomingHooks } from '../core/line-core';
import { callIds, errorPayload, type TwilioErrorPayload } from './events';
import type { SdkCall } from './sdk';
import type { CallRoute, PstreamMessage } from './wire';

/** How the call ended before it was answered. */
export interface IncomingGone {
  /** `cancel` (the caller gave up), `reject` (we turned it down), `disconnect`, `error`. */
  event: string;
  error: TwilioErrorPayload | null;
}

/**
 * A PStream `invite` the SDK turned into a ringing Call (Device `incoming`), offered until the
 * user decides (see IncomingCore). Rejecting it has the SDK send `reject` (Twilio ends the
 * caller's leg); the status is SIP's idea, kept in the journal only.
 */
export class IncomingTwilioCall extends IncomingCore<PstreamMessage, CallRoute, IncomingGone> {
  readonly provider = 'twilio' as const;
  readonly call: SdkCall;
  /** The `CA…` sid of the invite. */
  readonly callSid: string;
  readonly #stop: (() => void)[] = [];
  #lastError: TwilioErrorPayload | null = null;

  constructor(account: string, call: SdkCall, held: PstreamMessage[], arrivedAt: number, hooks: IncomingHooks<PstreamMessage, CallRoute>) {
    super(account, { from: call.parameters.From || 'unknown caller', displayName: null }, held, arrivedAt, hooks);
    this.call = call;
    this.callSid = call.parameters.CallSid ?? '';
    const on = (event: string, listener: (...args: never[]) => void) => {
      call.on(event, listener);
      this.#stop.push(() => call.removeListener(event, listener));
    };
    on('cancel', () => this.#gone('cancel'));
    on('reject', () => this.#gone('reject'));
    on('disconnect', () => this.#gone('disconnect'));
    on('error', (error: unknown) => {
      this.#lastError = errorPayload(error, 'twilio.call', call);
      this.hooks.note('error', { ...this.#lastError, from: this.from });
    });
  }

  /** The call's custom parameters (`Params` of the invite), for the journal. */
  get customParameters(): Record<string, string> {
    return Object.fromEntries(this.call.customParameters ?? []);
  }

  readonly route: CallRoute = {
    frame: (message) => this.hold(message),
    error: (payload) => this.hooks.note('error', { ...payload, from: this.from }),
    note: () => undefined,
  };

  protected turnDown(): void {
    this.call.reject();
  }

  protected override journalIds(): Record<string, unknown> {
    return { ...callIds(this.call) };
  }

  /** The answering adapter listens to the SDK's Call itself from now on. */
  protected override claimed(): void {
    this.#stopListening();
  }

  /** Unanswered: later frames of this call (none are expected) go to app level. */
  protected override released(): void {
    this.#stopListening();
    this.hooks.reroute(null);
  }

  #gone(event: string): void {
    const why = event === 'cancel' ? 'the caller gave up' : event;
    this.goneNow({ event, error: this.#lastError }, why, { event, ...callIds(this.call) });
  }

  #stopListening(): void {
    for (const stop of this.#stop.splice(0)) stop();
  }
}
