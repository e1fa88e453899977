/** When a line asks for a fresh token (all in ms). */
export interface TokenTiming {
  /** This long before the current token expires. */
  leadMs: number;
  /** Never sooner than this after a token was fetched (a short-lived token, a clock off by hours). */
  minMs: number;
  /** After a failed refresh, try again this much later. */
  retryMs: number;
}

/** What set the refresh off: the schedule's own timer, or its retry after a failure. */
export type ScheduledTrigger = 'timer' | 'retry';

/**
 * A line's token refreshes (Telnyx login tokens, Twilio Access Tokens): a timer that fires a
 * while before the token expires, a retry after a failed refresh, and one refresh at a time.
 */
export class TokenSchedule {
  readonly #timing: TokenTiming;
  readonly #now: () => number;
  readonly #refresh: (trigger: ScheduledTrigger) => void;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #running: Promise<void> | null = null;

  /** `now`: the wall clock (ms since the epoch); `refresh` is called when a refresh is due. */
  constructor(timing: TokenTiming, now: () => number, refresh: (trigger: ScheduledTrigger) => void) {
    this.#timing = timing;
    this.#now = now;
    this.#refresh = refresh;
  }

  /** The refresh under way, if one is. */
  get running(): Promise<void> | null {
    return this.#running;
  }

  /** Arm the timer for a token that expires at `expiresAt` (seconds since the epoch). */
  expiresAt(expiresAt: number): void {
    const delay = Math.max(this.#timing.minMs, expiresAt * 1000 - this.#now() - this.#timing.leadMs);
    // setTimeout takes at most a 32-bit delay.
    this.#arm('timer', Math.min(delay, 2 ** 31 - 1));
  }

  /** A refresh failed: try again a little later. */
  failed(): void {
    this.#arm('retry', this.#timing.retryMs);
  }

  /** Run `refresh` unless one runs already (then that one is the answer). */
  once(refresh: () => Promise<void>): Promise<void> {
    this.#running ??= refresh().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #arm(trigger: ScheduledTrigger, delayMs: number): void {
    this.stop();
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#refresh(trigger);
    }, delayMs);
  }
}
