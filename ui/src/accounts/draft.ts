import type {
  AccountFields,
  DtmfMode,
  FieldRule,
  FieldSpec,
  IceServer,
  Profile,
  ProviderFields,
  SecretInput,
  SecretKind,
  SecretStatus,
  SipSettings,
  TelnyxSettings,
  SecretSpec,
  TwilioSettings,
} from '../api/generated';

/** The providers an account can be for (the Echo line needs none). */
export type AccountProvider = Profile['provider'];

export const PROVIDERS: readonly AccountProvider[] = ['telnyx', 'twilio', 'sip'];

export const PROVIDER_NAMES: Record<AccountProvider, string> = { telnyx: 'Telnyx', twilio: 'Twilio', sip: 'SIP' };

/** One provider's account form (settings and secrets) from `app_info.account_fields`. */
export function providerFields(fields: AccountFields | null, provider: AccountProvider): ProviderFields | null {
  return fields?.providers.find((p) => p.provider === provider) ?? null;
}

/** A secret an account has, as the form asks for it. */
export type SlotSpec = Omit<SecretStatus, 'stored'>;

/**
 * A secret in the form. `stored` is null for a new account (nothing to ask the keychain about)
 * or when the keychain could not be asked; `known` tells the two apart.
 */
export type SecretSlot = SlotSpec & { stored: boolean | null; known: boolean };

/**
 * What the secrets block shows: the backend's status when editing, the provider's secrets (from
 * `app_info.account_fields`, as the backend lists them) when new.
 */
export function secretSlots(
  provider: AccountProvider,
  statuses: readonly SecretStatus[] | null,
  specs: readonly SecretSpec[],
): SecretSlot[] {
  if (statuses) return statuses.map((s) => ({ ...s, known: s.stored !== null }));
  return specs
    .filter((s) => s.provider === provider)
    .map(({ kind, label, required, hint }) => ({ kind, label, required, hint, stored: null, known: false }));
}

/** The secrets to send: only those typed in, as typed (a secret is never trimmed). */
export function secretInputs(slots: readonly SecretSlot[], values: Partial<Record<SecretKind, string>>): SecretInput[] {
  const inputs: SecretInput[] = [];
  for (const slot of slots) {
    const value = values[slot.kind];
    if (value !== undefined && value.trim() !== '') inputs.push({ kind: slot.kind, value });
  }
  return inputs;
}

// Form drafts: every text field a string, empty meaning "not set".

export interface TelnyxDraft {
  credential_connection_id: string;
  caller_id: string;
  signalling_host: string;
  api_base_url: string;
}

export interface TwilioDraft {
  account_sid: string;
  api_key_sid: string;
  twiml_app_sid: string;
  identity: string;
  edge: string;
  region: string;
  insights: boolean;
  caller_id: string;
  token_ttl_secs: string;
  api_base_url: string;
}

export interface IceServerDraft {
  /** One or more URLs, separated by spaces, commas or new lines. */
  urls: string;
  username: string;
}

export interface SipDraft {
  wss_uri: string;
  sip_uri: string;
  auth_user: string;
  realm: string;
  display_name: string;
  outbound_proxy: string;
  ice_servers: IceServerDraft[];
  relay_only: boolean;
  dtmf: DtmfMode;
}

export type AccountDraft = { name: string } & (
  | { provider: 'telnyx'; settings: TelnyxDraft }
  | { provider: 'twilio'; settings: TwilioDraft }
  | { provider: 'sip'; settings: SipDraft }
);

// Every settings field the forms show. `satisfies` makes `npm run check` fail when the backend
// adds a field the forms do not know yet, instead of a save silently dropping it.
const TELNYX_FIELDS = {
  credential_connection_id: true,
  caller_id: true,
  signalling_host: true,
  api_base_url: true,
} as const satisfies Record<keyof TelnyxSettings, true>;
const TWILIO_FIELDS = {
  account_sid: true,
  api_key_sid: true,
  twiml_app_sid: true,
  identity: true,
  edge: true,
  region: true,
  insights: true,
  caller_id: true,
  token_ttl_secs: true,
  api_base_url: true,
} as const satisfies Record<keyof TwilioSettings, true>;
const SIP_FIELDS = {
  wss_uri: true,
  sip_uri: true,
  auth_user: true,
  realm: true,
  display_name: true,
  outbound_proxy: true,
  ice_servers: true,
  relay_only: true,
  dtmf: true,
} as const satisfies Record<keyof SipSettings, true>;

/** An empty form for a new account. */
export function newDraft(provider: AccountProvider): AccountDraft {
  switch (provider) {
    case 'telnyx':
      return { name: '', provider, settings: { credential_connection_id: '', caller_id: '', signalling_host: '', api_base_url: '' } };
    case 'twilio':
      return {
        name: '',
        provider,
        settings: {
          account_sid: '',
          api_key_sid: '',
          twiml_app_sid: '',
          identity: '',
          edge: '',
          region: '',
          insights: false,
          caller_id: '',
          token_ttl_secs: '',
          api_base_url: '',
        },
      };
    case 'sip':
      return {
        name: '',
        provider,
        settings: {
          wss_uri: '',
          sip_uri: '',
          auth_user: '',
          realm: '',
          display_name: '',
          outbound_proxy: '',
          ice_servers: [],
          relay_only: false,
          dtmf: 'rfc2833',
        },
      };
  }
}

/** The form for a saved account. */
export function draftFromProfile(profile: Profile): AccountDraft {
  const s = (value: string | undefined) => value ?? '';
  switch (profile.provider) {
    case 'telnyx':
      return {
        name: profile.name,
        provider: 'telnyx',
        settings: {
          credential_connection_id: s(profile.credential_connection_id),
          caller_id: s(profile.caller_id),
          signalling_host: s(profile.signalling_host),
          api_base_url: s(profile.api_base_url),
        },
      };
    case 'twilio':
      return {
        name: profile.name,
        provider: 'twilio',
        settings: {
          account_sid: profile.account_sid,
          api_key_sid: profile.api_key_sid,
          twiml_app_sid: s(profile.twiml_app_sid),
          identity: s(profile.identity),
          edge: s(profile.edge),
          region: s(profile.region),
          insights: profile.insights,
          caller_id: s(profile.caller_id),
          token_ttl_secs: profile.token_ttl_secs === undefined ? '' : String(profile.token_ttl_secs),
          api_base_url: s(profile.api_base_url),
        },
      };
    case 'sip':
      return {
        name: profile.name,
        provider: 'sip',
        settings: {
          wss_uri: profile.wss_uri,
          sip_uri: profile.sip_uri,
          auth_user: s(profile.auth_user),
          realm: s(profile.realm),
          display_name: s(profile.display_name),
          outbound_proxy: s(profile.outbound_proxy),
          ice_servers: (profile.ice_servers ?? []).map((server) => ({ urls: server.urls.join('\n'), username: s(server.username) })),
          relay_only: profile.relay_only ?? false,
          dtmf: profile.dtmf,
        },
      };
  }
}

/** A problem the form finds itself, because the value cannot even be sent as typed. */
export interface FieldProblem {
  field: string;
  problem: string;
}

/** Problems that stop the form from building a profile (the backend checks everything else). */
export function draftProblem(draft: AccountDraft): FieldProblem | null {
  if (draft.provider === 'twilio') {
    const ttl = draft.settings.token_ttl_secs.trim();
    if (ttl !== '' && !/^\d{1,9}$/.test(ttl)) return { field: 'token_ttl_secs', problem: 'must be a whole number of seconds' };
  }
  return null;
}

/**
 * The profile to send. Text is trimmed; an empty optional field is left out (the backend's
 * default applies); required fields are always sent, so the backend names them when empty.
 */
export function profileFromDraft(draft: AccountDraft): Profile {
  const name = draft.name.trim();
  switch (draft.provider) {
    case 'telnyx': {
      const t = draft.settings;
      return compact<Profile>({
        name,
        provider: 'telnyx',
        credential_connection_id: optional(t.credential_connection_id),
        caller_id: optional(t.caller_id),
        signalling_host: optional(t.signalling_host),
        api_base_url: optional(t.api_base_url),
      });
    }
    case 'twilio': {
      const t = draft.settings;
      const ttl = optional(t.token_ttl_secs);
      return compact<Profile>({
        name,
        provider: 'twilio',
        account_sid: t.account_sid.trim(),
        api_key_sid: t.api_key_sid.trim(),
        twiml_app_sid: optional(t.twiml_app_sid),
        identity: optional(t.identity),
        edge: optional(t.edge),
        region: optional(t.region),
        insights: t.insights,
        caller_id: optional(t.caller_id),
        token_ttl_secs: ttl === undefined ? undefined : Number(ttl),
        api_base_url: optional(t.api_base_url),
      });
    }
    case 'sip': {
      const s = draft.settings;
      const servers = iceServers(s.ice_servers);
      return compact<Profile>({
        name,
        provider: 'sip',
        wss_uri: s.wss_uri.trim(),
        sip_uri: s.sip_uri.trim(),
        auth_user: optional(s.auth_user),
        realm: optional(s.realm),
        display_name: optional(s.display_name),
        outbound_proxy: optional(s.outbound_proxy),
        ice_servers: servers.length ? servers : undefined,
        relay_only: s.relay_only || undefined,
        dtmf: s.dtmf,
      });
    }
  }
}

/**
 * ICE servers as the backend takes them, one per row. A row without URLs is sent too, so the
 * backend's `ice_servers[i]` errors name the row the user sees.
 */
export function iceServers(rows: readonly IceServerDraft[]): IceServer[] {
  return rows.map((row) => {
    const urls = row.urls.split(/[\s,]+/).filter((url) => url !== '');
    const username = optional(row.username);
    return username === undefined ? { urls } : { urls, username };
  });
}

function optional(value: string): string | undefined {
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** The object without its undefined keys, so what is sent is exactly what is set. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** One line for the list: what identifies the account at the provider. */
export function accountSummary(profile: Profile): string {
  switch (profile.provider) {
    case 'telnyx':
      return profile.credential_connection_id
        ? `connection ${profile.credential_connection_id}`
        : 'connection found or created on first use';
    case 'twilio':
      return `account ${profile.account_sid} · ${profile.twiml_app_sid ? `app ${profile.twiml_app_sid}` : 'no TwiML app'}`;
    case 'sip':
      return `${profile.sip_uri} via ${profile.wss_uri}`;
  }
}

/** "Saved … : Telnyx API key stored in the keychain" for each secret of a saved account. */
export function keychainLine(statuses: readonly SecretStatus[]): string {
  const state = (s: SecretStatus) =>
    s.stored === null ? 'status unknown (keychain unavailable)' : s.stored ? 'stored in the keychain' : s.required ? 'missing' : 'not set';
  return statuses.map((s) => `${s.label} ${state(s)}`).join(' · ');
}

/**
 * The form field a `bad_input` error is about, from the field the backend named
 * ("account_sid", "ice_servers[1].urls", or "profile.token_ttl_secs" for a value that did not
 * even parse). The message names the field first (by its label: "Account SID: …"); the problem
 * is the rest.
 */
export function fieldOfError(failure: { code: string | null; message: string; field?: string | null }): FieldProblem | null {
  if (failure.code !== 'bad_input' || !failure.field) return null;
  const field = failure.field.replace(/^profile\./, '');
  const named = failure.message.indexOf(': ');
  const problem = named >= 0 ? failure.message.slice(named + 2) : failure.message;
  return { field, problem };
}

// Early checks, shown once a field is left: the backend's own rules (`FieldSpec.rule`), so a
// typo shows before a round trip. The backend checks again on save and has the last word.

/** Whether a value keeps a rule: text matches its pattern, a number lies in its range. */
export function keepsRule(rule: FieldRule, value: string | number): boolean {
  if (typeof value === 'number') return (rule.min === null || value >= rule.min) && (rule.max === null || value <= rule.max);
  return rule.pattern === null || new RegExp(rule.pattern, 'u').test(value);
}

/** What is wrong with a typed value by its field's rule; nothing for an empty one. */
export function checkField(spec: FieldSpec, typed: string): string | null {
  const value = typed.trim();
  const rule = spec.rule;
  if (value === '' || !rule) return null;
  switch (spec.input.kind) {
    case 'ice_servers': {
      const bad = value.split(/[\s,]+/).find((url) => url !== '' && !keepsRule(rule, url));
      return bad === undefined ? null : `${bad}: ${rule.message}`;
    }
    case 'number':
      return /^[0-9]+$/.test(value) && keepsRule(rule, Number(value)) ? null : rule.message;
    default:
      return keepsRule(rule, value) ? null : rule.message;
  }
}

/** A draft's settings by field name: the specs name the fields, the draft's types list them. */
export function byField(settings: object): Record<string, unknown> {
  return settings as Record<string, unknown>;
}

/** An ICE server row's part, as the form labels it: "Server 2 URLs". */
export function iceRowLabel(input: Extract<FieldSpec['input'], { kind: 'ice_servers' }>, index: number, part: 'urls' | 'username'): string {
  return `${input.row} ${index + 1} ${input[part].label}`;
}
