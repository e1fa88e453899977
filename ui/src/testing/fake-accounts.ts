import { ApiFailure } from '../api/errors';
import type { AccountView, Profile, SaveAccount, SecretKind, SecretSpec, SecretStatus } from '../api/generated';
import type { FakeBackend } from './fake-backend';

const SECRETS: Record<Profile['provider'], { kind: SecretKind; label: string; required: boolean }[]> = {
  telnyx: [{ kind: 'telnyx_api_key', label: 'Telnyx API key', required: true }],
  twilio: [
    { kind: 'twilio_api_key_secret', label: 'Twilio API key secret', required: true },
    { kind: 'twilio_auth_token', label: 'Twilio Auth Token', required: false },
  ],
  sip: [
    { kind: 'sip_password', label: 'SIP password', required: true },
    { kind: 'turn_password', label: 'TURN password', required: false },
  ],
};

/** The same list as `app_info.secret_specs`. */
export const SECRET_SPECS: SecretSpec[] = (Object.keys(SECRETS) as Profile['provider'][]).flatMap((provider) =>
  SECRETS[provider].map((s) => ({ provider, ...s })),
);

const KEYCHAIN_HINT = 'Unlock your login keyring (GNOME: Passwords and Keys), then try again.';

/**
 * The accounts API in memory, keeping `crates/core`'s rules (`accounts/mod.rs`,
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
    const secrets: SecretStatus[] = SECRETS[profile.provider].map((s) => ({
      ...s,
      stored: this.locked ? null : this.keychain.has(`${profile.name}/${s.kind}`),
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

function badInput(field: string, problem: string): ApiFailure {
  return new ApiFailure('bad_input', `${field}: ${problem}`, null, null, field);
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** The backend's checks that the UI's tests lean on, with its messages. */
function validate(profile: Profile): void {
  if (!/^[A-Za-z0-9._-]{1,40}$/.test(profile.name)) throw badInput('name', "must be 1–40 letters, digits, '-', '_' or '.' (no spaces)");
  const sid = (field: string, value: string | undefined, prefix: string) => {
    if (value !== undefined && !new RegExp(`^${prefix}[0-9a-fA-F]{32}$`).test(value)) {
      throw badInput(field, `must be ${prefix} followed by 32 hexadecimal digits`);
    }
  };
  const e164 = (value: string | undefined) => {
    if (value !== undefined && !/^\+\d{8,15}$/.test(value)) throw badInput('caller_id', 'must be an E.164 number such as +14155550100');
  };
  const sipUri = (field: string, value: string | undefined) => {
    if (value !== undefined && !/^sips?:\S+$/.test(value)) throw badInput(field, 'must be a SIP URI such as sip:alice@pbx.example.com');
  };
  switch (profile.provider) {
    case 'telnyx':
      e164(profile.caller_id);
      return;
    case 'twilio':
      sid('account_sid', profile.account_sid, 'AC');
      sid('api_key_sid', profile.api_key_sid, 'SK');
      sid('twiml_app_sid', profile.twiml_app_sid, 'AP');
      e164(profile.caller_id);
      if (profile.token_ttl_secs !== undefined && (profile.token_ttl_secs < 60 || profile.token_ttl_secs > 86400)) {
        throw badInput('token_ttl_secs', 'must be between 60 and 86400 seconds (Twilio’s maximum is 24 h)');
      }
      return;
    case 'sip':
      if (!/^wss?:\/\/.+/.test(profile.wss_uri)) throw badInput('wss_uri', 'must be a wss:// (or ws://) address');
      sipUri('sip_uri', profile.sip_uri);
      sipUri('outbound_proxy', profile.outbound_proxy);
      (profile.ice_servers ?? []).forEach((server, i) => {
        if (server.urls.length === 0) throw badInput(`ice_servers[${i}].urls`, 'needs at least one stun: or turn: URL');
        for (const url of server.urls) {
          if (!/^(stuns?|turns?):/.test(url)) throw badInput(`ice_servers[${i}].urls`, 'must start with stun:, stuns:, turn: or turns:');
        }
      });
      return;
  }
}
