import { type Backend } from '../api/backend';
import { Listeners } from '../lib/listeners';
import { describeError } from '../api/errors';
import type { AccountFields, AccountTest, AccountView, Profile, SaveAccount } from '../api/generated';

/** A failure as the accounts view shows it. */
export interface Described {
  code: string | null;
  message: string;
  hint: string | null;
}

/** A successful load of the accounts, and which account was just saved (if that caused it). */
export interface AccountsChange {
  profiles: Profile[];
  saved: string | null;
}

/** The provider accounts (settings only; secrets stay in the keychain) and the changes to them. */
export class Accounts {
  profiles = $state.raw<Profile[]>([]);
  loading = $state(false);
  loaded = $state(false);
  /** Why the last load failed, or null. */
  failure = $state.raw<Described | null>(null);
  /** What each provider's account form shows and checks, from `app_info` (set at start-up). */
  fields = $state.raw<AccountFields | null>(null);
  readonly #backend: Pick<Backend, 'call'>;
  /** Only the latest load's answer is shown. */
  #loads = 0;
  readonly #changes = new Listeners<AccountsChange>();

  constructor(backend: Pick<Backend, 'call'>) {
    this.#backend = backend;
  }

  /** Listen to every successful load (the lines the dialer offers follow the accounts). */
  onChange(cb: (change: AccountsChange) => void): () => void {
    return this.#changes.add(cb);
  }

  /** Load the list; `saved` names the account whose save caused this load. */
  async reload(saved: string | null = null): Promise<void> {
    const load = ++this.#loads;
    this.loading = true;
    try {
      const profiles = await this.#backend.call('list_accounts', {});
      if (load !== this.#loads) return;
      this.profiles = profiles;
      this.loaded = true;
      this.failure = null;
      this.#changes.emit({ profiles, saved });
    } catch (error) {
      if (load !== this.#loads) return;
      this.failure = describeError(error);
      console.error(`Loading the accounts failed: ${this.failure.message}`);
    } finally {
      if (load === this.#loads) this.loading = false;
    }
  }

  /** One account with which of its secrets the keychain holds. */
  open(name: string): Promise<AccountView> {
    return this.#backend.call('get_account', { name });
  }

  /** Create or update; the list is reloaded either way (the file may have changed meanwhile). */
  async save(params: SaveAccount): Promise<AccountView> {
    let saved: string | null = null;
    try {
      const view = await this.#backend.call('save_account', params);
      saved = params.profile.name;
      return view;
    } finally {
      await this.reload(saved);
    }
  }

  /**
   * Check an account against its provider. Creating the Telnyx connection stores its id in the
   * account, so the list is reloaded after.
   */
  async test(name: string, createConnection: boolean): Promise<AccountTest> {
    try {
      return await this.#backend.call('test_account', { name, create_connection: createConnection });
    } finally {
      if (createConnection) await this.reload();
    }
  }

  /** Remove an account and its keychain entries; the list is reloaded either way. */
  async remove(name: string): Promise<void> {
    try {
      await this.#backend.call('remove_account', { name });
    } finally {
      await this.reload();
    }
  }
}
