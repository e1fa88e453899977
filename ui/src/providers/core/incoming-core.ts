import { errorText } from '../../api/errors';
import type { Provider } from '../../api/generated';
import { Listeners } from '../../lib/listeners';
import type { IncomingCall } from './adapter';
import type { FrameRoute, IncomingHooks } from './line-core';

/** Who called, as the incoming-call view shows it. */
export interface Caller {
  from: string;
  displayName: string | null;
}

/**
 * A call ringing in on a line, written once for every provider. Its frames are held until the
 * user decides: accepted, the adapter that answers it claims them (the ones held so far, in
 * order, then each as it comes); rejected or missed, they go to the app-level journal, after
 * the decision. A provider's incoming call (its driver) says how the SDK turns the call down
 * and which ids the journal keeps, and reports when the call is gone.
 */
export abstract class IncomingCore<M, R extends FrameRoute<M>, Gone> implements IncomingCall {
  abstract readonly provider: Provider;
  readonly account: string;
  readonly from: string;
  readonly displayName: string | null;
  /** When the invite arrived (page clock, ms). */
  readonly arrivedAt: number;
  /** How the call ended before it was answered, once it has. */
  gone: Gone | null = null;
  protected readonly hooks: IncomingHooks<M, R>;
  readonly #goneListeners = new Listeners<Gone>();
  #held: M[];
  #reserved = false;
  #released = false;
  #claimed = false;
  #rejected = false;

  protected constructor(account: string, caller: Caller, held: M[], arrivedAt: number, hooks: IncomingHooks<M, R>) {
    this.account = account;
    this.from = caller.from;
    this.displayName = caller.displayName;
    this.#held = held;
    this.arrivedAt = arrivedAt;
    this.hooks = hooks;
  }

  /** While unclaimed, the line routes this call here (each provider's route adds its SDK's events). */
  abstract readonly route: R;

  /** The user pressed Accept: from now on the adapter that answers it owns its end. */
  reserve(): void {
    this.#reserved = true;
  }

  /**
   * The adapter answering this call takes its frames (the ones held so far, in order) from now
   * on. Returns the function that stops routing them.
   */
  claim(route: R): () => void {
    this.#reserved = true;
    this.#claimed = true;
    this.claimed();
    const held = this.#held;
    this.#held = [];
    for (const message of held) route.frame(message);
    this.hooks.reroute(route);
    return () => this.hooks.reroute(null);
  }

  /** Turn the call down (SIP answers with the status given; SDKs have their own way). */
  reject(status = 486, reason = 'Busy Here'): void {
    if (this.gone || this.#reserved || this.#rejected) return;
    this.#rejected = true;
    // The invite goes to the journal first, then the decision, then the answer.
    this.#release();
    this.hooks.note('action', { action: 'reject', from: this.from, status, reason, ...this.journalIds() });
    try {
      this.turnDown(status, reason);
    } catch (error) {
      this.hooks.note('warning', { message: `rejecting the call from ${this.from} failed: ${errorText(error)}` });
    }
  }

  onGone(cb: (gone: Gone) => void): () => void {
    if (this.gone) {
      cb(this.gone);
      return () => undefined;
    }
    return this.#goneListeners.add(cb);
  }

  /** Nobody will answer it after all (the answer could not start): its frames go to the app-level journal. */
  releaseHeld(): void {
    this.#release();
  }

  // ---- what a provider's incoming call supplies ----

  /** Have the SDK turn the call down. */
  protected abstract turnDown(status: number, reason: string): void;

  /** The provider's ids of this call, for the app-level journal. */
  protected journalIds(): Record<string, unknown> {
    return {};
  }

  /** The answering adapter claimed the call: stop listening to what it now hears itself. */
  protected claimed(): void {}

  /** The call ended unanswered and unreserved: its frames have gone to the app-level journal. */
  protected released(): void {}

  // ---- for the provider's incoming call ----

  protected get isClaimed(): boolean {
    return this.#claimed;
  }

  protected get isReserved(): boolean {
    return this.#reserved;
  }

  /** A frame of this call while unclaimed: held, or to the app-level journal once released. */
  protected hold(message: M): void {
    if (this.#released) this.hooks.appLevel(message);
    else this.#held.push(message);
  }

  /**
   * The call ended before anyone answered it (`why`: words for the missed-call warning, with
   * `detail` for the journal). Unreserved, its frames go to the app-level journal and, unless
   * we rejected it, it is journaled as missed.
   */
  protected goneNow(gone: Gone, why: string, detail: Record<string, unknown>): void {
    if (this.gone || this.#claimed) return; // answered: the adapter reports its end
    this.gone = gone;
    if (!this.#reserved) {
      this.#release();
      if (!this.#rejected) {
        this.hooks.note('warning', {
          message: `the incoming call from ${this.from} ended before it was answered (${why})`,
          from: this.from,
          ...detail,
        });
      }
      this.released();
    }
    this.#goneListeners.emit(gone);
  }

  /** Send what was held to the app-level journal and stop holding. */
  #release(): void {
    if (this.#released) return;
    this.#released = true;
    const held = this.#held;
    this.#held = [];
    for (const message of held) this.hooks.appLevel(message);
  }
}
