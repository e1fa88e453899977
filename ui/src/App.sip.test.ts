// @vitest-environment jsdom
import { flushSync, mount, tick, unmount } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import App from './App.svelte';
import type { AppInfo, RecordEvent } from './api/generated';
import { type AppModel, createAppModel } from './app/model';
import { LINE_STORAGE_KEY } from './calls/lines.svelte';
import { sipProvider } from './providers/sip/module';
import { ACCOUNT_FIELDS, FakeAccounts } from './testing/fake-accounts';
import { FakeBackend, settle } from './testing/fake-backend';
import { FakePbx } from './testing/sip/fake-pbx';
import { fakeGetUserMedia, FakePeerConnection, FakeSessionDescription } from './testing/fake-webrtc';
import { ALICE_HA1, labCredentials, labProfile, pbxStack, recordedSignals } from './testing/sip/sip-lab';

const INFO: AppInfo = {
  face: 'browser',
  version: '0.1.0',
  journal_path: '/data/journal.sqlite',
  log_dir: '/logs',
  config_dir: '/config',
  echo_numbers: [{ number: '100', name: 'echo', scenario: 'echo', description: 'Answers at once and sends your audio back.' }],
  account_fields: ACCOUNT_FIELDS,
};

let mounted: Record<string, unknown> | null = null;
let model: AppModel | null = null;

function memoryStorage(initial: Record<string, string> = {}) {
  const data = new Map(Object.entries(initial));
  return { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v), data };
}

function start(options: { stored?: Record<string, string> } = {}) {
  const backend = new FakeBackend();
  const pbx = new FakePbx({ alice: ALICE_HA1 });
  const accounts = new FakeAccounts(backend).seed(labProfile('lab'), { sip_password: 'x' }).seed({
    name: 'support',
    provider: 'twilio',
    account_sid: `AC${'0'.repeat(32)}`,
    api_key_sid: `SK${'0'.repeat(32)}`,
    insights: false,
  });
  backend.handle('app_info', () => INFO);
  backend.handle('report_webrtc', () => ({}));
  backend.handle('list_calls', () => [...backend.calls.values()].reverse());
  backend.handle('call_credentials', (p) => labCredentials({ sip_uri: `sip:alice@lab.test`, display_name: p.name }));
  vi.stubGlobal('RTCPeerConnection', FakePeerConnection);
  vi.stubGlobal('RTCSessionDescription', FakeSessionDescription);
  const mic = fakeGetUserMedia();
  Object.defineProperty(navigator, 'mediaDevices', { value: { getUserMedia: mic.fn }, configurable: true });
  const storage = memoryStorage(options.stored);
  model = createAppModel(backend, {
    providers: [
      sipProvider({
        loadSdk: async () => pbxStack(pbx),
        callEnvironment: () => ({
          getUserMedia: mic.fn,
          remoteAudio: { play: () => undefined, stop: () => undefined },
          readyTimeoutMs: 2000,
          offerTimeoutMs: 2000,
          iceGatheringTimeoutMs: 50,
          hangupConfirmTimeoutMs: 500,
        }),
      }),
    ],
    storage,
  });
  const target = document.createElement('div');
  document.body.append(target);
  mounted = mount(App, { target, props: { app: model } });
  return { backend, pbx, accounts, storage, mic, model };
}

async function settled() {
  await settle(40);
  await tick();
  flushSync();
}

const byTestId = <T extends HTMLElement = HTMLElement>(id: string, root: ParentNode = document) => root.querySelector<T>(`[data-testid="${id}"]`);
const allByTestId = (id: string, root: ParentNode = document) => [...root.querySelectorAll<HTMLElement>(`[data-testid="${id}"]`)];

function chooseLine(id: string) {
  const select = byTestId<HTMLSelectElement>('line-select')!;
  select.value = id;
  select.dispatchEvent(new Event('change', { bubbles: true }));
  flushSync();
}

function dial(number: string) {
  const input = byTestId<HTMLInputElement>('dial-input')!;
  input.value = number;
  input.dispatchEvent(new Event('input', { bubbles: true }));
  flushSync();
  byTestId('call-button')!.click();
}

const text = (id: string) => byTestId(id)?.textContent?.trim() ?? null;

beforeEach(() => {
  FakePeerConnection.created = [];
  FakePeerConnection.gatherMode = 'complete';
});

afterEach(() => {
  if (mounted) unmount(mounted);
  mounted = null;
  model = null;
  document.body.innerHTML = '';
  delete document.body.dataset.ready;
  vi.unstubAllGlobals();
  Reflect.deleteProperty(navigator, 'mediaDevices');
});

describe('the line selector', () => {
  it('lists the Echo line and the accounts; a SIP line registers, shows it, and is remembered', async () => {
    const { storage, pbx } = start();
    await settled();
    const select = byTestId<HTMLSelectElement>('line-select')!;
    const options = [...select.options].map((o) => [o.value, o.textContent, o.disabled]);
    expect(options).toEqual([
      ['echo', 'Echo line (built in)', false],
      ['account:lab', 'lab (SIP, sip:alice@lab.test)', false],
      ['account:support', 'support (Twilio)', false],
    ]);
    expect(byTestId('line-unavailable')).toBeNull();
    expect(select.value).toBe('echo');
    expect(byTestId('registration-state')).toBeNull();
    expect(allByTestId('echo-number')).toHaveLength(1);

    chooseLine('account:lab');
    await vi.waitFor(() => expect(byTestId('registration-state')!.dataset.state).toBe('registered'));
    expect(text('registration-state')).toBe('registered');
    expect(select.options[1]!.textContent).toBe('lab (SIP, sip:alice@lab.test) · registered');
    expect(storage.data.get(LINE_STORAGE_KEY)).toBe('account:lab');
    expect(window.callscopeDebug!.line()).toBe('account:lab');
    expect(window.callscopeDebug!.registrationState('lab')).toMatchObject({ state: 'registered', status_code: 200 });
    expect(window.callscopeDebug!.registrationState('account:lab').state).toBe('registered');
    expect(allByTestId('echo-number')).toHaveLength(0);
    expect(pbx.methodsFromUa()).toEqual(['REGISTER sip:lab.test SIP/2.0', 'REGISTER sip:lab.test SIP/2.0']);
  });

  it('comes back on the remembered line, and shows a refused registration with its code and a way to retry', async () => {
    const { pbx } = start({ stored: { [LINE_STORAGE_KEY]: 'account:lab' } });
    pbx.registerReply = [403, 'Forbidden'];
    await settled();
    expect(byTestId<HTMLSelectElement>('line-select')!.value).toBe('account:lab');
    await vi.waitFor(() => expect(byTestId('registration-state')!.dataset.state).toBe('failed'));
    expect(text('registration-state')).toMatch(/^failed: 403 Forbidden · Rejected/);
    pbx.registerReply = null;
    byTestId('register-button')!.click();
    await vi.waitFor(() => expect(byTestId('registration-state')!.dataset.state).toBe('registered'));
  });

  it('follows the accounts: a removed SIP account unregisters and the dialer falls back to Echo', async () => {
    const { pbx, model } = start({ stored: { [LINE_STORAGE_KEY]: 'account:lab' } });
    await settled();
    await vi.waitFor(() => expect(byTestId('registration-state')!.dataset.state).toBe('registered'));
    await model.accounts.save({ profile: labProfile('second', { sip_uri: 'sip:alice@lab.test' }), secrets: [{ kind: 'sip_password', value: 'p' }], mode: 'create' });
    await settled();
    expect([...byTestId<HTMLSelectElement>('line-select')!.options].map((o) => o.value)).toEqual(['echo', 'account:lab', 'account:support', 'account:second']);
    await model.accounts.remove('lab');
    await settled();
    expect(byTestId<HTMLSelectElement>('line-select')!.value).toBe('echo');
    expect(byTestId('registration-state')).toBeNull();
    // The user agent said goodbye: a REGISTER with Expires: 0.
    await vi.waitFor(() => expect(pbx.fromUa.some((t) => t.startsWith('REGISTER') && /Expires: 0/.test(t))).toBe(true));
  });
});

describe('SIP calls in the UI', () => {
  it('a busy far end: the end reason with its codes, and the ladder of the call, live and from history', async () => {
    const { backend } = start({ stored: { [LINE_STORAGE_KEY]: 'account:lab' } });
    await settled();
    await vi.waitFor(() => expect(byTestId('registration-state')!.dataset.state).toBe('registered'));
    dial('486');
    await vi.waitFor(() => expect(text('call-state')).toBe('ended'));
    expect(text('end-reason')).toBe('Ended by the far end · 486 Busy Here');
    expect(backend.params('create_call')).toEqual([{ provider: 'sip', account: 'lab', destination: '486', ui_clock: expect.any(Number) }]);

    // The live ladder of the current call, from the journal events as they were written.
    await vi.waitFor(() => expect(allByTestId('ladder-arrow')).toHaveLength(4));
    const live = byTestId('ladder')!;
    const summaries = allByTestId('ladder-summary', live).map((e) => e.textContent);
    expect(summaries).toEqual(['INVITE sip:486@lab.test SIP/2.0', 'SIP/2.0 100 Trying', 'SIP/2.0 486 Busy Here', 'ACK sip:486@lab.test SIP/2.0']);
    const arrows = allByTestId('ladder-arrow', live);
    expect(arrows.map((a) => [a.dataset.direction, a.dataset.peer])).toEqual([
      ['sent', 'far_end'],
      ['received', 'proxy'],
      ['received', 'far_end'],
      ['sent', 'far_end'],
    ]);
    arrows[2]!.querySelector('button')!.click();
    flushSync();
    expect(byTestId('ladder-message', arrows[2]!)!.textContent).toMatch(/^SIP\/2\.0 486 Busy Here\r\n[^]*Server: baresip/);

    // The same ladder for the call opened from the history.
    const row = byTestId('history-row')!;
    row.querySelector('button')!.click();
    await settled();
    await vi.waitFor(() => expect(allByTestId('ladder-arrow', row)).toHaveLength(4));
    expect(row.textContent).toContain('486 Busy Here');
  });

  it('hold and the DTMF keypad are there for a SIP call, and journaled', async () => {
    const { backend } = start({ stored: { [LINE_STORAGE_KEY]: 'account:lab' } });
    await settled();
    await vi.waitFor(() => expect(byTestId('registration-state')!.dataset.state).toBe('registered'));
    dial('callee');
    await vi.waitFor(() => expect(text('call-state')).toBe('active'));
    const hold = byTestId<HTMLButtonElement>('hold-button')!;
    expect(hold.textContent!.trim()).toBe('Hold');
    expect(allByTestId('dtmf-5')).toHaveLength(1);
    byTestId('dtmf-5')!.click();
    byTestId('dtmf-#')!.click();
    flushSync();
    expect(text('dtmf-sent')).toBe('5#');
    hold.click();
    await vi.waitFor(() => expect(text('call-state')).toBe('held'));
    expect(hold.textContent!.trim()).toBe('Resume');
    expect(byTestId<HTMLButtonElement>('dtmf-1')!.disabled).toBe(true);
    await vi.waitFor(() =>
      expect(backend.params('record_event').filter((p: RecordEvent) => p.kind === 'action').map((p) => p.payload)).toEqual([
        { action: 'dtmf', digit: '5', mode: 'info' },
        { action: 'dtmf', digit: '#', mode: 'info' },
        { action: 'hold' },
      ]),
    );
    byTestId('hangup-button')!.click();
    await vi.waitFor(() => expect(text('call-state')).toBe('ended'));
    expect(byTestId('hold-button')).toBeNull();
  });

  it('the Echo line has neither hold nor keypad', async () => {
    start();
    await settled();
    expect(byTestId('hold-button')).toBeNull();
    expect(byTestId('dtmf-1')).toBeNull();
  });
});

describe('incoming SIP calls in the UI', () => {
  async function registered() {
    const s = start({ stored: { [LINE_STORAGE_KEY]: 'account:lab' } });
    await settled();
    await vi.waitFor(() => expect(byTestId('registration-state')!.dataset.state).toBe('registered'));
    return s;
  }

  it('shows the caller; Accept answers and makes an inbound call with its own controls', async () => {
    const { backend, pbx } = await registered();
    const callId = pbx.callBrowser('sip:bob@lab.test', 'Bob');
    await vi.waitFor(() => expect(byTestId('incoming-call')).not.toBeNull());
    expect(text('incoming-name')).toBe('Bob');
    expect(text('incoming-from')).toBe('sip:bob@lab.test');
    expect(window.callscopeDebug!.incoming()).toEqual({ account: 'lab', from: 'sip:bob@lab.test', displayName: 'Bob' });

    byTestId('accept-call')!.click();
    await vi.waitFor(() => expect(text('call-state')).toBe('active'));
    expect(text('call-party')).toBe('sip:bob@lab.test');
    expect(byTestId('call-party')!.parentElement!.textContent).toMatch(/^\s*From sip:bob@lab\.test · via lab\s*$/);
    expect(byTestId('incoming-call')).toBeNull();
    expect(backend.params('create_call')).toEqual([{ provider: 'sip', account: 'lab', destination: 'sip:bob@lab.test', direction: 'inbound', ui_clock: expect.any(Number) }]);
    expect(window.callscopeDebug!.peerConnection()).toBe(FakePeerConnection.created.at(-1));
    await vi.waitFor(() => expect(recordedSignals(backend, 'call-1').map((s) => s.summary)[0]).toMatch(/^INVITE /));
    expect(byTestId('hold-button')).not.toBeNull();

    pbx.bye(callId);
    await vi.waitFor(() => expect(text('call-state')).toBe('ended'));
    expect(text('end-reason')).toBe('Ended by the far end');
  });

  it('Reject answers 486 and the offer goes away; no call record is made', async () => {
    const { backend, pbx } = await registered();
    pbx.callBrowser();
    await vi.waitFor(() => expect(byTestId('incoming-call')).not.toBeNull());
    byTestId('reject-call')!.click();
    flushSync();
    expect(byTestId('incoming-call')).toBeNull();
    await vi.waitFor(() => expect(pbx.methodsFromUa()).toContain('SIP/2.0 486 Busy Here'));
    expect(backend.params('create_call')).toEqual([]);
    expect(window.callscopeDebug!.incoming()).toBeNull();
  });

  it('rings on the Accounts view too; Accept brings the Phone view back', async () => {
    const { pbx } = await registered();
    byTestId('nav-accounts')!.click();
    await settled();
    pbx.callBrowser();
    await vi.waitFor(() => expect(byTestId('incoming-call')).not.toBeNull());
    expect(byTestId('incoming-call')!.closest('[hidden]')).toBeNull();
    byTestId('accept-call')!.click();
    await vi.waitFor(() => expect(text('call-state')).toBe('active'));
    expect(byTestId('nav-phone')!.getAttribute('aria-selected')).toBe('true');
    byTestId('hangup-button')!.click();
    await vi.waitFor(() => expect(text('call-state')).toBe('ended'));
  });

  it('a caller who gives up before an answer takes the offer away', async () => {
    const { pbx } = await registered();
    const callId = pbx.callBrowser();
    await vi.waitFor(() => expect(byTestId('incoming-call')).not.toBeNull());
    pbx.cancelCall(callId);
    await vi.waitFor(() => expect(byTestId('incoming-call')).toBeNull());
  });

  it('a second call while one is on is answered busy', async () => {
    const { pbx } = await registered();
    dial('callee');
    await vi.waitFor(() => expect(text('call-state')).toBe('active'));
    pbx.callBrowser('sip:carol@lab.test', 'Carol');
    await vi.waitFor(() => expect(pbx.methodsFromUa()).toContain('SIP/2.0 486 Busy Here'));
    expect(byTestId('incoming-call')).toBeNull();
    expect(text('call-state')).toBe('active');
    byTestId('hangup-button')!.click();
    await vi.waitFor(() => expect(text('call-state')).toBe('ended'));
  });
});
