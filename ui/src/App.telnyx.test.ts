// @vitest-environment jsdom
import { flushSync, mount, tick, unmount } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import App from './App.svelte';
import type { AppInfo, RecordEvent } from './api/generated';
import { type AppModel, createAppModel } from './app/model';
import { LINE_STORAGE_KEY } from './calls/lines.svelte';
import { telnyxProvider } from './providers/telnyx/module';
import { ACCOUNT_FIELDS, FakeAccounts } from './testing/fake-accounts';
import { FakeBackend, settle } from './testing/fake-backend';
import { fakeTelnyxSdk, FakeVertoServer } from './testing/telnyx/fake-telnyx';
import { fakeGetUserMedia, FakePeerConnection } from './testing/fake-webrtc';
import { telnyxCredentials } from './testing/telnyx/telnyx-lab';

const INFO: AppInfo = {
  face: 'browser',
  version: '0.1.0',
  journal_path: '/data/journal.sqlite',
  log_dir: '/logs',
  config_dir: '/config',
  echo_numbers: [],
  account_fields: ACCOUNT_FIELDS,
};

let mounted: Record<string, unknown> | null = null;
let model: AppModel | null = null;

function start() {
  const backend = new FakeBackend();
  const server = new FakeVertoServer();
  const fake = fakeTelnyxSdk(server);
  const accounts = new FakeAccounts(backend).seed({ name: 'acme', provider: 'telnyx' }, { telnyx_api_key: 'KEY' });
  backend.handle('app_info', () => INFO);
  backend.handle('report_webrtc', () => ({}));
  backend.handle('list_calls', () => [...backend.calls.values()].reverse());
  backend.handle('call_credentials', () => telnyxCredentials());
  // This page can call: WebRTC and a microphone (the SDK itself is the fake).
  vi.stubGlobal('RTCPeerConnection', FakePeerConnection);
  Object.defineProperty(navigator, 'mediaDevices', { value: { getUserMedia: fakeGetUserMedia().fn }, configurable: true });
  const data = new Map([[LINE_STORAGE_KEY, 'account:acme']]);
  model = createAppModel(backend, {
    providers: [
      telnyxProvider({
        loadSdk: async () => fake.sdk,
        callEnvironment: () => ({
          remoteAudio: { play: () => undefined, stop: () => undefined },
          readyTimeoutMs: 2000,
          offerTimeoutMs: 2000,
          hangupConfirmTimeoutMs: 500,
          newId: () => 'tx-1',
        }),
      }),
    ],
    storage: { getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) },
  });
  const target = document.createElement('div');
  document.body.append(target);
  mounted = mount(App, { target, props: { app: model } });
  return { backend, server, fake, accounts, model };
}

async function settled() {
  await settle(40);
  await tick();
  flushSync();
}

const byTestId = <T extends HTMLElement = HTMLElement>(id: string, root: ParentNode = document) => root.querySelector<T>(`[data-testid="${id}"]`);
const text = (id: string) => byTestId(id)?.textContent?.trim() ?? null;

function dial(number: string) {
  const input = byTestId<HTMLInputElement>('dial-input')!;
  input.value = number;
  input.dispatchEvent(new Event('input', { bubbles: true }));
  flushSync();
  byTestId('call-button')!.click();
}

afterEach(() => {
  if (mounted) unmount(mounted);
  mounted = null;
  document.body.innerHTML = '';
  window.dispatchEvent(new Event('pagehide'));
  model = null;
  vi.unstubAllGlobals();
  Reflect.deleteProperty(navigator, 'mediaDevices');
});

describe('Telnyx lines in the UI', () => {
  it('a Telnyx account is a line: selected, it logs in and says so; a call through it rings, is answered, and holds', async () => {
    const { backend, server } = start();
    await settled();
    const select = byTestId<HTMLSelectElement>('line-select')!;
    expect([...select.options].map((o) => [o.value, o.disabled])).toEqual([
      ['echo', false],
      ['account:acme', false],
    ]);
    expect(select.value).toBe('account:acme');
    await vi.waitFor(() => expect(byTestId('registration-state')!.dataset.state).toBe('registered'));
    expect(select.options[1]!.textContent).toBe('acme (Telnyx) · registered');
    expect(window.callscopeDebug!.registrationState('account:acme').state).toBe('registered');

    dial('+15550100001');
    await vi.waitFor(() => expect(text('call-state')).toBe('active'));
    expect(backend.params('create_call')).toEqual([{ provider: 'telnyx', account: 'acme', destination: '+15550100001', ui_clock: expect.any(Number) }]);
    byTestId('dtmf-7')!.click();
    byTestId('hold-button')!.click();
    await vi.waitFor(() => expect(text('call-state')).toBe('held'));
    expect(server.sent('telnyx_rtc.info')[0]!.params).toMatchObject({ dtmf: '7' });
    byTestId('hangup-button')!.click();
    await vi.waitFor(() => expect(text('call-state')).toBe('ended'));
    expect(text('end-reason')).toBe('Ended by you · Q.850 16 · NORMAL_CLEARING');
    await vi.waitFor(() =>
      expect(backend.params('record_event').filter((p: RecordEvent) => p.kind === 'action').map((p) => p.payload)).toEqual([
        { action: 'dtmf', digit: '7', mode: 'info' },
        { action: 'hold' },
        { action: 'hangup', via: 'button' },
      ]),
    );
  });

  it('an incoming Telnyx call rings through the same incoming-call view; Accept answers it', async () => {
    const { backend, server } = start();
    await settled();
    await vi.waitFor(() => expect(byTestId('registration-state')!.dataset.state).toBe('registered'));
    server.ring('in-7', '+15559998888');
    await vi.waitFor(() => expect(byTestId('incoming-call')).not.toBeNull());
    expect(text('incoming-from')).toBe('+15559998888');
    expect(text('incoming-name')).toBe('PSTN Caller');
    expect(window.callscopeDebug!.incoming()).toEqual({ account: 'acme', from: '+15559998888', displayName: 'PSTN Caller' });
    byTestId('accept-call')!.click();
    await vi.waitFor(() => expect(text('call-state')).toBe('active'));
    expect(backend.params('create_call')).toEqual([{ provider: 'telnyx', account: 'acme', destination: '+15559998888', direction: 'inbound', ui_clock: expect.any(Number) }]);
    server.bye('in-7');
    await vi.waitFor(() => expect(text('call-state')).toBe('ended'));
    await vi.waitFor(() => expect(backend.params('record_event').filter((p: RecordEvent) => p.call_id === 'call-1' && p.kind === 'signal')).toHaveLength(6));
    expect(text('end-reason')).toBe('Ended by the far end · 200 OK · Q.850 16 · NORMAL_CLEARING');
  });

  it('Reject turns the call down (the SDK’s BYE, USER_BUSY/17) and nothing is dialled', async () => {
    const { backend, server } = start();
    await settled();
    await vi.waitFor(() => expect(byTestId('registration-state')!.dataset.state).toBe('registered'));
    server.ring('in-8');
    await vi.waitFor(() => expect(byTestId('incoming-call')).not.toBeNull());
    byTestId('reject-call')!.click();
    await vi.waitFor(() => expect(server.sent('telnyx_rtc.bye')).toHaveLength(1));
    flushSync();
    expect(byTestId('incoming-call')).toBeNull();
    expect(server.sent('telnyx_rtc.bye')[0]!.params).toMatchObject({ cause: 'USER_BUSY', causeCode: 17 });
    expect(backend.params('create_call')).toEqual([]);
  });
});
