import { Listeners } from '../../api/backend';
import type { Profile } from '../../api/generated';
import { NOT_REGISTERED, type RegistrationStatus } from '../sip/registration';
import type { IncomingTelnyxCall } from './incoming';
import { TelnyxLine, type TelnyxLineEnvironment } from './line';

export interface TelnyxLineStatusChange {
  account: string;
  status: RegistrationStatus;
}

interface Entry {
  line: TelnyxLine;
  /** The profile the line was started with, as JSON (a change restarts the line). */
  profile: string;
  stop: () => void;
}

/**
 * The Telnyx clients, one per account, started when the account's line is first used and kept
 * running to receive calls. Accounts that change are restarted (after their calls end);
 * accounts that go away are disconnected.
 */
export class TelnyxLines {
  readonly #env: TelnyxLineEnvironment;
  readonly #entries = new Map<string, Entry>();
  readonly #status = new Listeners<TelnyxLineStatusChange>();
  readonly #incoming = new Listeners<IncomingTelnyxCall>();

  constructor(env: TelnyxLineEnvironment) {
    this.#env = env;
  }

  onStatus(cb: (change: TelnyxLineStatusChange) => void): () => void {
    return this.#status.add(cb);
  }

  onIncoming(cb: (call: IncomingTelnyxCall) => void): () => void {
    return this.#incoming.add(cb);
  }

  line(account: string): TelnyxLine | null {
    return this.#entries.get(account)?.line ?? null;
  }

  status(account: string): RegistrationStatus {
    return this.#entries.get(account)?.line.status ?? NOT_REGISTERED;
  }

  /** The account's line, started (a failure to start shows in its status). */
  activate(profile: Profile): TelnyxLine {
    const existing = this.#entries.get(profile.name);
    if (existing) {
      if (!existing.line.started) void existing.line.start().catch(() => undefined);
      return existing.line;
    }
    const line = new TelnyxLine(profile.name, this.#env);
    const stopStatus = line.onStatus((status) => this.#status.emit({ account: profile.name, status }));
    const stopIncoming = line.onIncoming((call) => this.#incoming.emit(call));
    this.#entries.set(profile.name, {
      line,
      profile: JSON.stringify(profile),
      stop: () => {
        stopStatus();
        stopIncoming();
      },
    });
    void line.start().catch(() => undefined);
    return line;
  }

  /** Log in again with a fresh token (e.g. after the account was fixed). */
  restart(account: string): void {
    const entry = this.#entries.get(account);
    if (!entry) return;
    const profile = JSON.parse(entry.profile) as Profile;
    this.#retire(account);
    this.activate(profile);
  }

  /**
   * The accounts changed: lines whose account is gone stop; lines whose settings changed, or
   * whose account was just saved (its API key may have changed), restart once they are idle.
   */
  reconcile(profiles: readonly Profile[], saved: string | null = null): void {
    for (const [account, entry] of [...this.#entries]) {
      const profile = profiles.find((p) => p.name === account);
      if (!profile || profile.provider !== 'telnyx') {
        this.#retire(account);
        continue;
      }
      if (JSON.stringify(profile) !== entry.profile || saved === account) {
        void entry.line.idle().then(() => {
          if (this.#entries.get(account) !== entry) return;
          this.#retire(account);
          this.activate(profile);
        });
      }
    }
  }

  stopAll(): void {
    for (const account of [...this.#entries.keys()]) this.#retire(account);
  }

  #retire(account: string): void {
    const entry = this.#entries.get(account);
    if (!entry) return;
    this.#entries.delete(account);
    entry.stop();
    entry.line.stop();
    this.#status.emit({ account, status: NOT_REGISTERED });
  }
}
