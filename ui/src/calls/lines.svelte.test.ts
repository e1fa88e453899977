import { describe, expect, it } from 'vitest';
import type { Profile } from '../api/generated';
import type { ProviderLines } from '../providers/core/account-lines';
import { PROVIDERS } from '../providers';
import { NOT_REGISTERED, type RegistrationStatus } from '../providers/core/registration';
import { labProfile } from '../testing/sip/sip-lab';
import { LINE_STORAGE_KEY, Lines } from './lines.svelte';

/** The part of a provider's lines that Lines uses, recording what it was asked. */
class FakeLines {
  readonly activated: string[] = [];
  readonly restarted: string[] = [];
  readonly reconciled: { accounts: string[]; saved: string | null }[] = [];
  readonly started = new Set<string>();
  #status: ((change: { account: string; status: RegistrationStatus }) => void) | null = null;
  onStatus(cb: (change: { account: string; status: RegistrationStatus }) => void) {
    this.#status = cb;
    return () => undefined;
  }
  activate(profile: Profile) {
    this.activated.push(profile.name);
    this.started.add(profile.name);
    return {} as never;
  }
  line(account: string) {
    return this.started.has(account) ? ({} as never) : null;
  }
  restart(account: string) {
    this.restarted.push(account);
  }
  reconcile(profiles: readonly Profile[], saved: string | null) {
    this.reconciled.push({ accounts: profiles.map((p) => p.name), saved });
  }
  emit(account: string, status: RegistrationStatus) {
    this.#status?.({ account, status });
  }
}

function memoryStorage(initial: Record<string, string> = {}) {
  const data = new Map(Object.entries(initial));
  return { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v), data };
}

const TWILIO: Profile = { name: 'tw', provider: 'twilio', account_sid: `AC${'0'.repeat(32)}`, api_key_sid: `SK${'0'.repeat(32)}`, insights: false };
const PROFILES: Profile[] = [
  labProfile('lab'),
  { name: 'support', provider: 'telnyx' },
  labProfile('pbx2', { sip_uri: 'sip:bob@pbx2.example', dtmf: 'rfc2833' }),
  TWILIO,
];

function setup(stored: Record<string, string> = {}) {
  const sip = new FakeLines();
  const telnyx = new FakeLines();
  const storage = memoryStorage(stored);
  // The real modules (how each describes its lines); SIP's and Telnyx's lines are fakes, Twilio's none.
  const fakes: Record<string, FakeLines> = { sip, telnyx };
  const providers = PROVIDERS.map((module) => ({ module, lines: (fakes[module.id] ?? null) as ProviderLines | null }));
  const lines = new Lines(providers, storage);
  return { sip, telnyx, storage, lines };
}

describe('Lines', () => {
  it('offers the Echo line, then each account, every one callable', () => {
    const { lines } = setup();
    expect(lines.options.map((o) => o.label)).toEqual(['Echo line (built in)']);
    lines.update(PROFILES);
    expect(lines.options.map((o) => [o.id, o.label, o.callable, o.reason])).toEqual([
      ['echo', 'Echo line (built in)', true, null],
      ['account:lab', 'lab (SIP, sip:alice@lab.test)', true, null],
      ['account:support', 'support (Telnyx)', true, null],
      ['account:pbx2', 'pbx2 (SIP, sip:bob@pbx2.example)', true, null],
      ['account:tw', 'tw (Twilio)', true, null],
    ]);
    // Twilio's Voice SDK has no hold; sendDigits plays RFC 2833 tones.
    expect(lines.options[4]).toMatchObject({ hold: false, dtmf: 'rfc2833' });
    expect(lines.options[3]).toMatchObject({ hold: true, dtmf: 'rfc2833' });
    // Telnyx holds with a Verto modify and sends DTMF as Verto info frames.
    expect(lines.options[2]).toMatchObject({ hold: true, dtmf: 'info' });
    expect(lines.selected.id).toBe('echo');
  });

  it('selecting a SIP line starts (registers) it and remembers it; unknown lines cannot be selected', () => {
    const { lines, sip, storage } = setup();
    lines.update(PROFILES);
    lines.select('account:lab');
    expect(lines.selected.account).toBe('lab');
    expect(sip.activated).toEqual(['lab']);
    expect(storage.data.get(LINE_STORAGE_KEY)).toBe('account:lab');
    lines.select('account:nobody');
    expect(lines.selected.id).toBe('account:lab');
    lines.select('echo');
    expect(storage.data.get(LINE_STORAGE_KEY)).toBe('echo');
  });

  it('selecting a Telnyx line starts its client (login), keeps its status, and logs in again on request', () => {
    const { lines, sip, telnyx } = setup();
    lines.update(PROFILES);
    expect(telnyx.reconciled.at(-1)).toEqual({ accounts: ['lab', 'support', 'pbx2', 'tw'], saved: null });
    lines.select('account:support');
    expect(telnyx.activated).toEqual(['support']);
    expect(sip.activated).toEqual([]);
    expect(lines.registers(lines.selected)).toBe(true);
    expect(lines.registers(lines.options[0]!)).toBe(false);
    telnyx.emit('support', { state: 'failed', status_code: 46001, reason: 'LOGIN_FAILED', detail: 'Telnyx refused the login', hint: null });
    expect(lines.registration('support')).toMatchObject({ state: 'failed', status_code: 46001 });
    lines.registerAgain('support');
    expect(telnyx.restarted).toEqual(['support']);
  });

  it('restores the remembered line once the accounts arrive, and falls back to Echo when it is gone', () => {
    const { lines, sip } = setup({ [LINE_STORAGE_KEY]: 'account:pbx2' });
    expect(lines.selected.id).toBe('echo');
    lines.update(PROFILES);
    expect(lines.selected.id).toBe('account:pbx2');
    expect(sip.activated).toEqual(['pbx2']);
    lines.update(PROFILES.filter((p) => p.name !== 'pbx2'), null);
    expect(lines.selected.id).toBe('echo');
    expect(sip.reconciled.at(-1)).toEqual({ accounts: ['lab', 'support', 'tw'], saved: null });
    // It comes back when the account does.
    lines.update(PROFILES, 'pbx2');
    expect(lines.selected.id).toBe('account:pbx2');
    expect(sip.reconciled.at(-1)!.saved).toBe('pbx2');
  });

  it('keeps each SIP line’s registration, and registers again on request', () => {
    const { lines, sip } = setup();
    lines.update(PROFILES);
    expect(lines.registration('lab')).toEqual(NOT_REGISTERED);
    sip.emit('lab', { state: 'failed', status_code: 403, reason: 'Forbidden', detail: null, hint: null });
    expect(lines.registration('lab')).toMatchObject({ state: 'failed', status_code: 403 });
    lines.registerAgain('lab');
    expect(sip.activated).toEqual(['lab']);
    lines.registerAgain('lab');
    expect(sip.restarted).toEqual(['lab']);
  });
});
