/**
 * At most `limit` lines per `windowMs` window. Lines over the limit are dropped and counted; the
 * count is handed back with the next admitted line (or taken with `takeDropped`).
 */
export class LogThrottle {
  readonly limit: number;
  readonly windowMs: number;
  #now: () => number;
  #windowStart = Number.NEGATIVE_INFINITY;
  #count = 0;
  #dropped = 0;

  constructor(limit = 20, windowMs = 1000, now: () => number = () => Date.now()) {
    this.limit = limit;
    this.windowMs = windowMs;
    this.#now = now;
  }

  /** Whether this line may be sent, and how many lines were dropped before it (to report now). */
  admit(): { allowed: boolean; dropped: number } {
    const now = this.#now();
    if (now - this.#windowStart >= this.windowMs) {
      this.#windowStart = now;
      this.#count = 0;
    }
    if (this.#count >= this.limit) {
      this.#dropped += 1;
      return { allowed: false, dropped: 0 };
    }
    this.#count += 1;
    return { allowed: true, dropped: this.takeDropped() };
  }

  /** The lines dropped so far and not yet reported; resets the count. */
  takeDropped(): number {
    const dropped = this.#dropped;
    this.#dropped = 0;
    return dropped;
  }
}
