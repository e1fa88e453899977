import type { Profile, Provider } from '../../api/generated';
import { Listeners } from '../../lib/listeners';
import type { IncomingCall } from './adapter';
import { NOT_REGISTERED, type RegistrationStatus } from './registration';

/** A status change of one account's line. */
export interface LineStatusChange {
  account: string;
  status: RegistrationStatus;
}

/** What every provider's long-lived line (SIP user agent, Telnyx client, Twilio Device) offers. */
export interface AccountLine<Incoming> {
  readonly status: RegistrationStatus;
  readonly started: boolean;
  start(): Promise<void>;
  stop(): void;
  /** Resolves once the line has no call under way. */
  idle(): Promise<void>;
  onStatus(cb: (status: RegistrationStatus) => void): () => void;
  onIncoming(cb: (call: Incoming) => void): () => void;
}

/** One provider's lines, one per account, as the app uses them (whatever the provider). */
export interface ProviderLines {
  onStatus(cb: (change: LineStatusChange) => void): () => void;
  onIncoming(cb: (call: IncomingCall) => void): () => void;
  /** The account's running line, if any. */
  line(account: string): object | null;
  status(account: string): RegistrationStatus;
  /** The account's line, started (a failure to start shows in its status). */
  activate(profile: Profile): object;
  /** Start the line again with fresh credentials (e.g. after the account was fixed). */
  restart(account: string): void;
  /** The accounts changed: stop the lines of accounts that went away, restart changed ones once idle. */
  reconcile(profiles: readonly Profile[], saved?: string | null): void;
  stopAll(): void;
}

interface Entry<Line> {
  line: Line;
  /** The profile the line was started with, as JSON (a change restarts the line). */
  profile: string;
  stop: () => void;
}

/**
 * One provider's lines, one per account, started when the account's line is first used and kept
 * running to receive calls. Accounts that change are restarted (after their calls end); accounts
 * that go away are stopped (unregistered, disconnected, destroyed: the line's own `stop`).
 */
export class AccountLines<Incoming extends IncomingCall, Line extends AccountLine<Incoming>> implements ProviderLines {
  readonly #provider: Provider;
  readonly #create: (account: string) => Line;
  readonly #entries = new Map<string, Entry<Line>>();
  readonly #status = new Listeners<LineStatusChange>();
  readonly #incoming = new Listeners<Incoming>();

  constructor(provider: Provider, create: (account: string) => Line) {
    this.#provider = provider;
    this.#create = create;
  }

  onStatus(cb: (change: LineStatusChange) => void): () => void {
    return this.#status.add(cb);
  }

  onIncoming(cb: (call: Incoming) => void): () => void {
    return this.#incoming.add(cb);
  }

  line(account: string): Line | null {
    return this.#entries.get(account)?.line ?? null;
  }

  status(account: string): RegistrationStatus {
    return this.#entries.get(account)?.line.status ?? NOT_REGISTERED;
  }

  /** The account's line, started (a failure to start shows in its status). */
  activate(profile: Profile): Line {
    const existing = this.#entries.get(profile.name);
    if (existing) {
      if (!existing.line.started) void existing.line.start().catch(() => undefined);
      return existing.line;
    }
    const line = this.#create(profile.name);
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

  /** Start the line again with fresh credentials (e.g. after the account was fixed). */
  restart(account: string): void {
    const entry = this.#entries.get(account);
    if (!entry) return;
    const profile = JSON.parse(entry.profile) as Profile;
    this.#retire(account);
    this.activate(profile);
  }

  /**
   * The accounts changed: lines whose account is gone stop; lines whose settings changed, or
   * whose account was just saved (its secrets may have changed), restart once they are idle.
   */
  reconcile(profiles: readonly Profile[], saved: string | null = null): void {
    for (const [account, entry] of [...this.#entries]) {
      const profile = profiles.find((p) => p.name === account);
      if (!profile || profile.provider !== this.#provider) {
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
