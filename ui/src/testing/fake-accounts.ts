import { iceRowLabel, keepsRule } from '../accounts/draft';
import { ApiFailure } from '../api/errors';
import type { AccountFields, AccountView, FieldSpec, Profile, SaveAccount, SecretKind, SecretSpec, SecretStatus } from '../api/generated';
import { ACCOUNT_FIELDS } from './account-fields';
import type { FakeBackend } from './fake-backend';

export { ACCOUNT_FIELDS };

/** Each provider's secrets, as `app_info.account_fields` lists them. */
const SECRETS = Object.fromEntries(ACCOUNT_FIELDS.providers.map((p) => [p.provider, p.secrets])) as Record<Profile['provider'], SecretSpec[]>;

const KEYCHAIN_HINT = 'Unlock your login keyring (GNOME: Passwords and Keys), then try again.';

/**
 * The accounts API in memory, keeping `crates/accounts`'s rules (`accounts/mod.rs`, `fields.rs`,
 * `profiles.rs`): settings in a list, secrets in a map standing in for the keychain, the same
 * codes and field-first messages, and nothing changed by a request that fails.
 */
export class FakeAccounts {
  readonly profiles: Profile[] = [];
  /** The keychain: `name/kind` → value. */
  readonly keychain = new Map<string, string>();
  /** A locked keychain: every method that touches it fails with code `keychain`. */
  locked = false;

  constructor(backend: FakeBackend) {
    backend.handle('list_accounts', () => clone(this.profiles));
    backend.handle('get_account', (p) => this.#view(this.#find(p.name)));
    backend.handle('save_account', (p) => this.#save(clone(p)));
    backend.handle('remove_account', (p) => {
      const profile = this.#find(p.name);
      this.#unlocked();
      for (const { kind } of SECRETS[profile.provider]) this.keychain.delete(`${p.name}/${kind}`);
      this.profiles.splice(this.profiles.indexOf(profile), 1);
      return {};
    });
  }

  /** Put an account in place as if saved earlier, with the secrets given. */
  seed(profile: Profile, secrets: Partial<Record<SecretKind, string>> = {}): this {
    this.profiles.push(clone(profile));
    for (const [kind, value] of Object.entries(secrets)) this.keychain.set(`${profile.name}/${kind}`, value);
    return this;
  }

  #find(name: string): Profile {
    const profile = this.profiles.find((p) => p.name === name);
    if (!profile) throw new ApiFailure('unknown_account', `no account named ${name}`, 'List the accounts with `callscope accounts list`.');
    return profile;
  }

  #unlocked(): void {
    if (this.locked) throw new ApiFailure('keychain', 'the OS keychain is locked', KEYCHAIN_HINT);
  }

  /** Like the backend: a locked keychain leaves the status unknown, with the error beside it. */
  #view(profile: Profile): AccountView {
    const secrets: SecretStatus[] = SECRETS[profile.provider].map(({ kind, label, required, hint }) => ({
      kind,
      label,
      required,
      hint,
      stored: this.locked ? null : this.keychain.has(`${profile.name}/${kind}`),
    }));
    const keychain_error = this.locked
      ? { code: 'keychain', message: 'the OS keychain is locked', hint: KEYCHAIN_HINT, field: null }
      : null;
    return { profile: clone(profile), secrets, keychain_error };
  }

  #save({ profile, secrets, mode }: SaveAccount): AccountView {
    validate(profile);
    const index = this.profiles.findIndex((p) => p.name === profile.name);
    if (mode === 'create' && index >= 0) throw badInput('name', `an account named ${profile.name} already exists`);
    if (mode === 'update' && index < 0) this.#find(profile.name);
    if (mode === 'update' && this.profiles[index]!.provider !== profile.provider) {
      throw badInput('provider', 'an account cannot change provider; add a new one instead');
    }
    const kinds = SECRETS[profile.provider];
    for (const secret of secrets) {
      const spec = kinds.find((k) => k.kind === secret.kind);
      if (!spec) throw badInput('secrets', `a ${profile.provider} account has no ${secret.kind}`);
      if (secret.value.trim() === '') throw badInput('secrets', `the ${spec.label} is empty`);
    }
    for (const spec of kinds.filter((k) => k.required)) {
      if (secrets.some((s) => s.kind === spec.kind)) continue;
      if (mode === 'update') this.#unlocked();
      if (mode === 'create' || !this.keychain.has(`${profile.name}/${spec.kind}`)) {
        throw badInput('secrets', `the ${spec.label} is required`);
      }
    }
    this.#unlocked();
    for (const secret of secrets) this.keychain.set(`${profile.name}/${secret.kind}`, secret.value);
    if (index >= 0) this.profiles[index] = profile;
    else this.profiles.push(profile);
    return this.#view(profile);
  }
}

/** Like the backend's: the message names the field by its label first. */
function badInput(field: string, problem: string): ApiFailure {
  return new ApiFailure('bad_input', `${fieldLabel(ACCOUNT_FIELDS, field)}: ${problem}`, null, null, field);
}

/** How messages name a field (`account_sid` → "Account SID", `ice_servers[1].urls` → "Server 2 URLs"). */
export function fieldLabel(fields: AccountFields, field: string): string {
  const [, key, index, part] = /^(\w+)(?:\[(\d+)\]\.(\w+))?$/.exec(field) ?? [];
  const spec = [fields.name, ...fields.providers.flatMap((p) => p.fields)].find((s) => s.field === key);
  if (!spec) return field;
  if (index === undefined) return spec.label;
  if (spec.input.kind !== 'ice_servers' || (part !== 'urls' && part !== 'username')) return field;
  return iceRowLabel(spec.input, Number(index), part);
}


function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** The backend's checks, from the same field specs: each set value keeps its field's rule. */
function validate(profile: Profile): void {
  const values = profile as unknown as Record<string, unknown>;
  for (const spec of [ACCOUNT_FIELDS.name, ...ACCOUNT_FIELDS.providers.find((p) => p.provider === profile.provider)!.fields]) {
    const value = values[spec.field];
    if (!spec.rule || value === undefined || value === null) continue;
    if (spec.input.kind === 'ice_servers') checkIceServers(spec, value as { urls: string[] }[]);
    else if ((typeof value === 'string' || typeof value === 'number') && !keepsRule(spec.rule, value)) throw badInput(spec.field, spec.rule.message);
  }
}

function checkIceServers(spec: FieldSpec, servers: { urls: string[] }[]): void {
  servers.forEach((server, i) => {
    const field = `${spec.field}[${i}].urls`;
    if (server.urls.length === 0) throw badInput(field, 'needs at least one stun: or turn: URL');
    for (const url of server.urls) if (!keepsRule(spec.rule!, url)) throw badInput(field, spec.rule!.message);
  });
}
