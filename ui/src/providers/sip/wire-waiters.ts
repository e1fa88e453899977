import type { SipMessage } from './wire-message';

interface Waiter {
  match: (message: SipMessage) => boolean;
  resolve: (message: SipMessage | null) => void;
}

/** Waits for a message on the wire that matches (e.g. the answer to our BYE), at most a while. */
export class WireWaiters {
  readonly #waiters = new Set<Waiter>();

  /** The first message from now on that matches, or null after `timeoutMs` (or `cancel()`). */
  wait(match: (message: SipMessage) => boolean, timeoutMs: number): Promise<SipMessage | null> {
    return new Promise((resolve) => {
      const waiter: Waiter = {
        match,
        resolve: (message) => {
          clearTimeout(timer);
          this.#waiters.delete(waiter);
          resolve(message);
        },
      };
      const timer = setTimeout(() => waiter.resolve(null), timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  /** A message crossed the wire. */
  offer(message: SipMessage): void {
    for (const waiter of [...this.#waiters]) if (waiter.match(message)) waiter.resolve(message);
  }

  cancel(): void {
    for (const waiter of [...this.#waiters]) waiter.resolve(null);
  }
}

/** A final response we received to a request of ours with this method. */
export function isFinalAnswer(message: SipMessage, method: string): boolean {
  const p = message.parsed;
  return message.captured.direction === 'received' && p?.kind === 'response' && (p.status ?? 0) >= 200 && p.cseq?.method === method;
}

export function isByeAnswer(message: SipMessage): boolean {
  return isFinalAnswer(message, 'BYE');
}
