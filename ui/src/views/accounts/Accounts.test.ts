// @vitest-environment jsdom
import { flushSync, mount, tick, unmount } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Accounts } from '../../accounts/accounts.svelte';
import { ApiFailure } from '../../api/errors';
import type { AccountFields, AccountTest, AccountView } from '../../api/generated';
import { ACCOUNT_FIELDS, FakeAccounts } from '../../testing/fake-accounts';
import { FakeBackend, settle } from '../../testing/fake-backend';
import AccountsView from './Accounts.svelte';

const AC = `AC${'1'.repeat(32)}`;
const SK = `SK${'2'.repeat(32)}`;
const AP = `AP${'3'.repeat(32)}`;

let view: Record<string, unknown> | null = null;

function start(seed: (fake: FakeAccounts) => void = () => undefined, fields: AccountFields = ACCOUNT_FIELDS) {
  const backend = new FakeBackend();
  const fake = new FakeAccounts(backend);
  seed(fake);
  const target = document.createElement('div');
  document.body.append(target);
  const accounts = new Accounts(backend);
  accounts.fields = fields;
  view = mount(AccountsView, { target, props: { accounts } });
  return { backend, fake };
}

beforeEach(() => {
  // Failures are also written to the console (and through it the app log); expected here.
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
});

afterEach(() => {
  if (view) unmount(view);
  view = null;
  document.body.innerHTML = '';
});

async function settled() {
  await settle(40);
  await tick();
  flushSync();
}

const byTestId = <T extends HTMLElement = HTMLElement>(id: string) => document.querySelector<T>(`[data-testid="${id}"]`);
const allByTestId = (id: string) => [...document.querySelectorAll<HTMLElement>(`[data-testid="${id}"]`)];
const input = (id: string) => byTestId<HTMLInputElement>(id)!;
const row = (name: string) => document.querySelector<HTMLElement>(`[data-testid="account-row"][data-account="${name}"]`)!;
const inRow = (name: string, id: string) => row(name).querySelector<HTMLButtonElement>(`[data-testid="${id}"]`)!;

function type(id: string, value: string) {
  const field = input(id);
  field.value = value;
  field.dispatchEvent(new Event('input', { bubbles: true }));
  flushSync();
}

async function addAccount(provider: 'telnyx' | 'twilio' | 'sip') {
  const select = byTestId<HTMLSelectElement>('add-provider')!;
  select.value = provider;
  select.dispatchEvent(new Event('change', { bubbles: true }));
  flushSync();
  byTestId('add-account')!.click();
  await settled();
}

async function save() {
  byTestId<HTMLFormElement>('account-form')!.requestSubmit();
  await settled();
}

const rowNames = () => allByTestId('account-row').map((r) => r.dataset.account);

describe('the list', () => {
  it('shows each account with its provider and what identifies it, and the keychain rule', async () => {
    start((fake) =>
      fake
        .seed({ name: 'support', provider: 'telnyx' })
        .seed({ name: 'acme', provider: 'twilio', account_sid: AC, api_key_sid: SK, twiml_app_sid: AP, insights: false })
        .seed({ name: 'pbx', provider: 'sip', wss_uri: 'wss://pbx.example.com/ws', sip_uri: 'sip:alice@pbx.example.com', dtmf: 'rfc2833' }),
    );
    await settled();
    expect(rowNames()).toEqual(['support', 'acme', 'pbx']);
    expect(row('support').textContent).toMatch(/support.*Telnyx.*connection found or created on first use/s);
    expect(row('acme').textContent).toMatch(new RegExp(`acme.*Twilio.*account ${AC} · app ${AP}`, 's'));
    expect(row('pbx').textContent).toMatch(/pbx.*SIP.*sip:alice@pbx\.example\.com via wss:\/\/pbx\.example\.com\/ws/s);
    expect(byTestId('keychain-note')!.textContent).toMatch(/Secrets go to the OS keychain and never come back to this page/);
  });

  it('says so when there are none', async () => {
    start();
    await settled();
    expect(byTestId('accounts-empty')!.textContent).toMatch(/No accounts yet/);
  });
});

describe('adding an account', () => {
  it('creates with the settings typed and only the secrets typed, then refreshes the list', async () => {
    const { backend, fake } = start();
    await settled();
    await addAccount('twilio');
    expect(byTestId('account-form')!.dataset.mode).toBe('create');
    const secret = input('secret-input-twilio_api_key_secret');
    expect(secret.type).toBe('password');
    expect(secret.getAttribute('autocomplete')).toBe('off');
    expect(byTestId('secret-status-twilio_auth_token')!.textContent).toMatch(/Optional/);

    type('account-field-name', 'acme');
    type('account-field-account_sid', AC);
    type('account-field-api_key_sid', SK);
    type('account-field-twiml_app_sid', AP);
    type('account-field-region', 'ie1');
    input('account-field-insights').click();
    type('secret-input-twilio_api_key_secret', 'key-secret');
    await save();

    expect(backend.params('save_account')).toEqual([
      {
        mode: 'create',
        profile: { name: 'acme', provider: 'twilio', account_sid: AC, api_key_sid: SK, twiml_app_sid: AP, region: 'ie1', insights: true },
        secrets: [{ kind: 'twilio_api_key_secret', value: 'key-secret' }],
      },
    ]);
    expect(fake.keychain.get('acme/twilio_api_key_secret')).toBe('key-secret');
    expect(fake.keychain.has('acme/twilio_auth_token')).toBe(false);
    expect(byTestId('account-form')).toBeNull();
    expect(backend.params('list_accounts')).toHaveLength(2);
    expect(rowNames()).toEqual(['acme']);
    expect(byTestId('accounts-done')!.textContent).toBe(
      'Saved acme: Twilio API key secret stored in the keychain · Twilio Auth Token not set.',
    );
  });

  it('empties the secret inputs the moment Save is pressed, before the answer', async () => {
    const { backend } = start();
    await settled();
    let answer: (view: AccountView) => void = () => undefined;
    backend.handle('save_account', () => new Promise<AccountView>((resolve) => (answer = resolve)));
    await addAccount('sip');
    type('account-field-name', 'pbx');
    type('account-field-wss_uri', 'wss://pbx.example.com/ws');
    type('account-field-sip_uri', 'sip:alice@pbx.example.com');
    type('secret-input-sip_password', 'pw');
    type('secret-input-turn_password', 'turn-pw');
    await save();

    expect(byTestId('save-account')!.textContent).toMatch(/Saving/);
    expect(input('secret-input-sip_password').value).toBe('');
    expect(input('secret-input-turn_password').value).toBe('');
    expect(backend.params('save_account')[0]!.secrets).toEqual([
      { kind: 'sip_password', value: 'pw' },
      { kind: 'turn_password', value: 'turn-pw' },
    ]);
    answer({ profile: backend.params('save_account')[0]!.profile, secrets: [], keychain_error: null });
    await settled();
    expect(byTestId('account-form')).toBeNull();
  });

  it('shows a bad account SID next to its field, and the secret typed is gone too', async () => {
    const { backend } = start();
    await settled();
    await addAccount('twilio');
    type('account-field-name', 'acme');
    type('account-field-account_sid', 'AC123');
    type('account-field-api_key_sid', SK);
    type('secret-input-twilio_api_key_secret', 'key-secret');
    await save();

    expect(backend.params('save_account')).toHaveLength(1);
    const error = byTestId('field-error-account_sid')!;
    expect(error.textContent).toBe('must be AC followed by 32 hexadecimal digits');
    const field = input('account-field-account_sid');
    expect(error.closest('.field')).toBe(field.closest('.field'));
    expect(field.getAttribute('aria-invalid')).toBe('true');
    expect(document.activeElement).toBe(field);
    expect(byTestId('account-error')!.textContent).toMatch(/Account SID: must be AC followed by 32 hexadecimal digits/);
    expect(input('secret-input-twilio_api_key_secret').value).toBe('');
    expect(byTestId('retype-secrets')).not.toBeNull();
    // The typed settings stay.
    expect(input('account-field-api_key_sid').value).toBe(SK);

    type('account-field-account_sid', AC);
    expect(byTestId('field-error-account_sid')).toBeNull();
  });

  it('says which secret is required, at the secrets', async () => {
    const { backend } = start();
    await settled();
    await addAccount('telnyx');
    type('account-field-name', 'support');
    type('secret-input-telnyx_api_key', '   ');
    await save();
    expect(backend.params('save_account')[0]!.secrets).toEqual([]);
    expect(byTestId('field-error-secrets')!.textContent).toBe('the Telnyx API key is required');
    expect(byTestId('account-error')).not.toBeNull();
  });

  it('shows a locked keychain with its hint', async () => {
    const { fake } = start();
    fake.locked = true;
    await settled();
    await addAccount('telnyx');
    type('account-field-name', 'support');
    type('secret-input-telnyx_api_key', 'KEY123');
    await save();
    const error = byTestId('account-error')!;
    expect(error.getAttribute('role')).toBe('alert');
    expect(error.textContent).toMatch(/Not saved:.*the OS keychain is locked.*keychain/s);
    expect(byTestId('account-error-hint')!.textContent).toBe('Unlock your login keyring (GNOME: Passwords and Keys), then try again.');
    expect(input('secret-input-telnyx_api_key').value).toBe('');
    expect(fake.profiles).toEqual([]);
  });

  it('puts an ICE server error on the row the backend names', async () => {
    start();
    await settled();
    await addAccount('sip');
    type('account-field-name', 'pbx');
    type('account-field-wss_uri', 'wss://pbx.example.com/ws');
    type('account-field-sip_uri', 'sip:alice@pbx.example.com');
    byTestId('add-ice-server')!.click();
    byTestId('add-ice-server')!.click();
    flushSync();
    type('account-field-ice_servers[0].urls', 'stun:stun.example.com');
    type('account-field-ice_servers[1].urls', 'https://turn.example.com');
    type('secret-input-sip_password', 'pw');
    await save();
    expect(byTestId('field-error-ice_servers[1].urls')!.textContent).toBe('must start with stun:, stuns:, turn: or turns:');
    expect(byTestId('field-error-ice_servers[0].urls')).toBeNull();
  });

  it('renders the form from the field specs the backend publishes', async () => {
    // Another backend's specs: the form follows them, labels, hints, rules and order.
    const fields = structuredClone(ACCOUNT_FIELDS);
    const twilio = fields.providers.find((p) => p.provider === 'twilio')!;
    const sid = twilio.fields.find((f) => f.field === 'account_sid')!;
    sid.label = 'Main account SID';
    sid.hint = 'From the Console dashboard.';
    sid.rule = { pattern: '^AC[0-9]+$', min: null, max: null, message: 'digits after AC only' };
    twilio.fields = [sid, ...twilio.fields.filter((f) => f !== sid && f.field !== 'identity')];
    start(undefined, fields);
    await settled();
    await addAccount('twilio');

    const label = document.querySelector('label[for="account-account_sid"]')!;
    expect(label.textContent).toContain('Main account SID');
    expect(label.closest('.field')!.textContent).toContain('From the Console dashboard.');
    expect(byTestId('account-field-identity')).toBeNull();
    const order = allByTestId('account-form')[0]!.querySelectorAll('[data-field]');
    expect((order[1] as HTMLElement).dataset.field).toBe('account_sid');

    type('account-field-account_sid', 'ACdead');
    input('account-field-account_sid').dispatchEvent(new Event('blur'));
    flushSync();
    expect(byTestId('field-check-account_sid')!.textContent).toBe('digits after AC only');
  });

  it('cancels without sending anything', async () => {
    const { backend } = start();
    await settled();
    await addAccount('telnyx');
    type('secret-input-telnyx_api_key', 'KEY123');
    byTestId('cancel-account')!.click();
    flushSync();
    expect(byTestId('account-form')).toBeNull();
    expect(backend.params('save_account')).toEqual([]);
  });
});

describe('editing an account', () => {
  const twilio = { name: 'acme', provider: 'twilio' as const, account_sid: AC, api_key_sid: SK, insights: false };

  it('shows what the keychain holds, never a value, and keeps secrets not typed', async () => {
    const { backend, fake } = start((f) => f.seed(twilio, { twilio_api_key_secret: 'old-secret' }));
    await settled();
    inRow('acme', 'edit-account').click();
    await settled();

    expect(backend.params('get_account')).toEqual([{ name: 'acme' }]);
    expect(byTestId('account-form')!.dataset.mode).toBe('update');
    expect(input('account-field-name').readOnly).toBe(true);
    expect(input('account-field-account_sid').value).toBe(AC);
    expect(byTestId('secret-status-twilio_api_key_secret')!.textContent).toMatch(/Stored in the keychain · leave empty to keep/);
    expect(byTestId('secret-status-twilio_auth_token')!.textContent).toMatch(/Missing/);
    for (const secret of allByTestId('account-secrets')[0]!.querySelectorAll('input')) {
      expect(secret.type).toBe('password');
      expect(secret.value).toBe('');
    }
    expect(document.body.innerHTML).not.toContain('old-secret');

    type('account-field-caller_id', '+14155550100');
    await save();
    expect(backend.params('save_account')).toEqual([
      { mode: 'update', profile: { ...twilio, caller_id: '+14155550100' }, secrets: [] },
    ]);
    expect(fake.keychain.get('acme/twilio_api_key_secret')).toBe('old-secret');
    expect(byTestId('account-form')).toBeNull();
    expect(backend.params('list_accounts')).toHaveLength(2);
  });

  it('sends a secret only when one is typed, and clears a removed optional setting', async () => {
    const { backend, fake } = start((f) =>
      f.seed({ ...twilio, region: 'ie1' }, { twilio_api_key_secret: 'old-secret' }),
    );
    await settled();
    inRow('acme', 'edit-account').click();
    await settled();
    type('account-field-region', '');
    type('secret-input-twilio_auth_token', 'auth-token');
    await save();
    expect(backend.params('save_account')).toEqual([
      { mode: 'update', profile: twilio, secrets: [{ kind: 'twilio_auth_token', value: 'auth-token' }] },
    ]);
    expect(fake.keychain.get('acme/twilio_auth_token')).toBe('auth-token');
    expect(fake.keychain.get('acme/twilio_api_key_secret')).toBe('old-secret');
  });

  it('opens an account with a locked keychain: settings editable, secrets unknown, the hint shown', async () => {
    const { fake } = start((f) => f.seed(twilio));
    await settled();
    fake.locked = true;
    inRow('acme', 'edit-account').click();
    await settled();
    expect(byTestId('account-form')).not.toBeNull();
    expect(byTestId('keychain-unknown')!.textContent).toMatch(/the OS keychain is locked/);
    expect(byTestId('keychain-unknown-hint')!.textContent).toMatch(/Unlock your login keyring/);
    expect(byTestId('secret-status-twilio_api_key_secret')!.textContent).toMatch(/Unknown: the keychain could not be asked/);
  });

  it('shows why an account cannot be opened, with the hint', async () => {
    const { backend } = start((f) => f.seed(twilio));
    await settled();
    backend.handle('get_account', () => {
      throw new ApiFailure('config', 'accounts.toml is not a valid accounts file', 'Fix or remove the file.');
    });
    inRow('acme', 'edit-account').click();
    await settled();
    expect(byTestId('account-form')).toBeNull();
    expect(byTestId('open-error')!.textContent).toMatch(/Could not open the account:.*not a valid accounts file/s);
    expect(byTestId('open-error-hint')!.textContent).toMatch(/Fix or remove the file/);
  });
});

describe('removing an account', () => {
  it('asks first, then removes it and its secrets and refreshes the list', async () => {
    const { backend, fake } = start((f) =>
      f.seed({ name: 'support', provider: 'telnyx' }, { telnyx_api_key: 'k' }).seed({ name: 'other', provider: 'telnyx' }),
    );
    await settled();
    inRow('support', 'remove-account').click();
    flushSync();
    expect(row('support').textContent).toMatch(/Remove support and its secrets from the keychain\?/);
    inRow('support', 'cancel-remove').click();
    flushSync();
    expect(inRow('support', 'confirm-remove')).toBeNull();
    expect(backend.params('remove_account')).toEqual([]);

    inRow('support', 'remove-account').click();
    flushSync();
    inRow('support', 'confirm-remove').click();
    await settled();
    expect(backend.params('remove_account')).toEqual([{ name: 'support' }]);
    expect(fake.keychain.size).toBe(0);
    expect(backend.params('list_accounts')).toHaveLength(2);
    expect(rowNames()).toEqual(['other']);
    expect(byTestId('accounts-done')!.textContent).toMatch(/Removed support/);
  });

  it('shows a failed removal on its row', async () => {
    const { fake } = start((f) => f.seed({ name: 'support', provider: 'telnyx' }));
    await settled();
    fake.locked = true;
    inRow('support', 'remove-account').click();
    flushSync();
    inRow('support', 'confirm-remove').click();
    await settled();
    expect(row('support').querySelector('[data-testid="remove-error"]')!.textContent).toMatch(/the OS keychain is locked/);
    expect(rowNames()).toEqual(['support']);
  });
});

describe('testing an account', () => {
  it('shows each check, the Telnyx usage, and offers to create a missing connection', async () => {
    const { backend } = start((f) => f.seed({ name: 'support', provider: 'telnyx' }, { telnyx_api_key: 'k' }));
    const answers: AccountTest[] = [
      {
        account: 'support',
        checks: [
          { name: 'API key', status: 'pass', detail: 'accepted; balance 25.30 USD', fix: null },
          { name: 'Credential connection', status: 'warn', detail: 'none set', fix: 'Let Callscope create it.' },
        ],
        telnyx_usage: { credential_connections: 2, telephony_credentials: 7, this_device: 1 },
      },
      {
        account: 'support',
        checks: [{ name: 'Credential connection', status: 'pass', detail: 'Callscope WebRTC (1), created now', fix: null }],
        telnyx_usage: { credential_connections: 3, telephony_credentials: 7, this_device: 1 },
      },
    ];
    backend.handle('test_account', () => answers.shift()!);
    await settled();
    inRow('support', 'test-account').click();
    await settled();
    const checks = [...row('support').querySelectorAll<HTMLElement>('[data-testid="account-check"]')];
    expect(checks.map((c) => c.dataset.status)).toEqual(['pass', 'warn']);
    expect(checks[1]!.textContent).toMatch(/Fix: Let Callscope create it/);
    expect(byTestId('telnyx-usage')!.textContent).toMatch(/2 credential connection\(s\) and\s+7 telephony credential\(s\), 1 of them/);

    inRow('support', 'create-connection').click();
    await settled();
    expect(backend.params('test_account')).toEqual([
      { name: 'support', create_connection: false },
      { name: 'support', create_connection: true },
    ]);
    expect(row('support').textContent).toMatch(/created now/);
    expect(inRow('support', 'create-connection')).toBeNull();
  });

  it('shows why a test could not run', async () => {
    const { backend } = start((f) => f.seed({ name: 'acme', provider: 'telnyx' }, { telnyx_api_key: 'k' }));
    backend.handle('test_account', () => {
      throw new ApiFailure('missing_secret', 'the Twilio API key secret of account acme is not in the keychain', 'Enter it again.');
    });
    await settled();
    inRow('acme', 'test-account').click();
    await settled();
    expect(byTestId('test-error')!.textContent).toMatch(/Could not test acme:.*not in the keychain/s);
  });
});
