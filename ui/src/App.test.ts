// @vitest-environment jsdom
import { flushSync, mount, tick, unmount } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import App from './App.svelte';
import type { AppInfo, CallView } from './api/generated';
import { createAppModel } from './app/model';
import { FakeAccounts } from './testing/fake-accounts';
import { ACCOUNT_FIELDS } from './testing/fake-accounts';
import { FakeBackend, settle, stateEvent } from './testing/fake-backend';
import { fakeGetUserMedia, FakePeerConnection } from './testing/fake-webrtc';

const INFO: AppInfo = {
  face: 'browser',
  version: '0.1.0',
  journal_path: '/data/journal.sqlite',
  log_dir: '/logs',
  config_dir: '/config',
  echo_numbers: [
    { number: '100', name: 'echo', scenario: 'echo', description: 'Answers at once and sends your audio back.' },
    { number: '104', name: 'busy', scenario: 'busy', description: 'Busy: 486 Busy Here (Q.850 17, user busy).' },
  ],
  account_fields: ACCOUNT_FIELDS,
};

let app: Record<string, unknown> | null = null;

function start(backend: FakeBackend) {
  backend.handle('app_info', () => ({ ...INFO, face: backend.face }));
  backend.handle('report_webrtc', () => ({}));
  backend.handle('list_calls', () => [...backend.calls.values()].reverse());
  const target = document.createElement('div');
  document.body.append(target);
  app = mount(App, { target, props: { app: createAppModel(backend) } });
  return target;
}

async function settled() {
  await settle(40);
  await tick();
  flushSync();
}

const byTestId = (id: string) => document.querySelector<HTMLElement>(`[data-testid="${id}"]`);
const allByTestId = (id: string) => [...document.querySelectorAll<HTMLElement>(`[data-testid="${id}"]`)];

beforeEach(() => {
  FakePeerConnection.created = [];
});

afterEach(() => {
  if (app) unmount(app);
  app = null;
  document.body.innerHTML = '';
  delete document.body.dataset.ready;
  vi.unstubAllGlobals();
  Reflect.deleteProperty(navigator, 'mediaDevices');
});

describe('start-up', () => {
  it('reports the probe, shows face, WebRTC and version, then says ready', async () => {
    const backend = new FakeBackend();
    start(backend);
    await settled();
    expect(backend.params('report_webrtc')[0]).toMatchObject({ rtc_peer_connection: false, get_user_media: false });
    expect(byTestId('status-line')!.textContent).toMatch(/Browser mode.*No WebRTC.*version 0\.1\.0/s);
    expect(document.body.dataset.ready).toBe('true');
    expect(backend.params('log')).toContainEqual({ level: 'info', message: 'ui ready' });
    // ready comes after app_info and the probe
    const order = backend.sent.map((s) => s.method);
    expect(order.indexOf('log')).toBeGreaterThan(order.indexOf('report_webrtc'));
  });

  it('shows a failed start-up instead of hiding it', async () => {
    const backend = new FakeBackend();
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    start(backend);
    backend.handle('app_info', () => {
      throw { code: 'journal', message: 'journal: database is locked', hint: 'Check free disk space.' };
    });
    await settled();
    expect(document.body.dataset.ready).toBe('error');
    expect(byTestId('errors')!.textContent).toContain('journal: database is locked');
    expect(byTestId('errors')!.textContent).toContain('Check free disk space.');
  });
});

describe('without WebRTC (Linux WebKitGTK)', () => {
  it('says plainly why calls are impossible and hands over to the browser', async () => {
    const backend = new FakeBackend();
    backend.face = 'window';
    backend.handle('open_browser_mode', () => ({ address: 'http://127.0.0.1:43117', url: 'http://127.0.0.1:43117/?key=k', opened: true }));
    start(backend);
    await settled();
    const notice = byTestId('no-webrtc-notice')!;
    expect(notice.textContent).toMatch(/no WebRTC/);
    expect(notice.textContent).toMatch(/history and settings still work/i);
    expect(byTestId('status-line')!.textContent).toMatch(/Desktop window/);
    expect(byTestId('call-button')).toBeNull();
    expect(allByTestId('open-browser-button')).toHaveLength(1);

    byTestId('open-browser-button')!.click();
    await settled();
    expect(backend.params('open_browser_mode')).toEqual([{}]);
    expect(byTestId('browser-mode-result')!.textContent).toMatch(/asked to open.*http:\/\/127\.0\.0\.1:43117/s);
  });

  it('says when the browser could not be opened', async () => {
    const backend = new FakeBackend();
    backend.face = 'window';
    backend.handle('open_browser_mode', () => ({ address: 'http://127.0.0.1:43117', url: 'http://127.0.0.1:43117/?key=k', opened: false }));
    start(backend);
    await settled();
    byTestId('open-browser-button')!.click();
    await settled();
    expect(byTestId('browser-mode-result')!.textContent).toMatch(/could not be opened/);
    expect(byTestId('browser-mode-url')!.textContent).toBe('http://127.0.0.1:43117/?key=k');
  });
});

describe('placing calls', () => {
  function withWebrtc() {
    vi.stubGlobal('RTCPeerConnection', FakePeerConnection);
    const mic = fakeGetUserMedia();
    Object.defineProperty(navigator, 'mediaDevices', { value: { getUserMedia: mic.fn }, configurable: true });
    return mic;
  }

  function dialViaEnter(number: string) {
    const input = byTestId('dial-input') as HTMLInputElement;
    input.value = number;
    input.dispatchEvent(new Event('input', { bubbles: true }));
    flushSync();
    // Enter in the field submits the form.
    input.form!.requestSubmit();
  }

  it('Enter places the call; a busy far end ends it with who and why, on the timeline and in history', async () => {
    withWebrtc();
    const backend = new FakeBackend();
    backend.handle('echo_dial', (p) => {
      setTimeout(() => {
        backend.emit({ type: 'echo', call_id: p.call_id, seq: null, signal: { signal: 'trying' } });
        backend.emit({ type: 'echo', call_id: p.call_id, seq: null, signal: { signal: 'reject', status: 486, reason: 'Busy Here', q850_cause: 17 } });
      }, 1);
      return {};
    });
    start(backend);
    await settled();
    expect(byTestId('call-state')!.textContent).toBe('idle');
    expect((byTestId('dial-input') as HTMLInputElement).value).toBe('100');

    dialViaEnter('104');
    await vi.waitFor(() => expect(byTestId('call-state')!.textContent).toBe('ended'));
    await settled();

    expect(backend.params('create_call')).toEqual([{ provider: 'echo', destination: '104', ui_clock: expect.any(Number) }]);
    const lines = [...byTestId('timeline')!.querySelectorAll('li')].map((li) => li.textContent);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe('+0 ms dialing');
    expect(lines[1]).toMatch(/^\+\d+ ms trying$/);
    expect(lines[2]).toMatch(/^\+\d+ ms ended$/);
    expect(byTestId('end-reason')!.textContent).toBe('Ended by the far end · 486 Busy Here · Q.850 17');

    const rows = allByTestId('history-row');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.textContent).toMatch(/104.*ended.*ended by far end.*486 Busy Here · Q\.850 17/s);
    expect(window.callscopeDebug!.state()).toBe('ended');
    expect(window.callscopeDebug!.callId()).toBe('call-1');
  });

  it('Escape hangs up an answered call from anywhere on the page; mute toggles', async () => {
    withWebrtc();
    const backend = new FakeBackend();
    backend.handle('echo_dial', (p) => {
      setTimeout(() => backend.emit({ type: 'echo', call_id: p.call_id, seq: null, signal: { signal: 'answer', sdp: 'v=0' } }), 1);
      return {};
    });
    backend.handle('echo_hangup', (p) => {
      setTimeout(() => backend.emit({ type: 'echo', call_id: p.call_id, seq: null, signal: { signal: 'hangup_confirmed', status: 200, reason: 'OK' } }), 1);
      return {};
    });
    start(backend);
    await settled();
    (byTestId('call-button') as HTMLButtonElement).click();
    await vi.waitFor(() => expect(byTestId('call-state')!.textContent).toBe('active'));
    expect(window.callscopeDebug!.peerConnection()).toBe(FakePeerConnection.created[0]);

    const mute = byTestId('mute-button') as HTMLButtonElement;
    mute.click();
    flushSync();
    expect(mute.getAttribute('aria-pressed')).toBe('true');
    expect(mute.textContent?.trim()).toBe('Unmute');

    document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    await vi.waitFor(() => expect(byTestId('call-state')!.textContent).toBe('ended'));
    expect(backend.params('echo_hangup')).toHaveLength(1);
    expect(byTestId('end-reason')!.textContent).toBe('Ended by you');
    const actions = backend.params('record_event').filter((p) => p.kind === 'action').map((p) => p.payload);
    expect(actions).toEqual([{ action: 'mute' }, { action: 'hangup', via: 'keyboard' }]);
    expect((byTestId('hangup-button') as HTMLButtonElement).disabled).toBe(true);
  });
  it('Escape hangs up only on the Phone view; the call goes on while Accounts is shown', async () => {
    withWebrtc();
    const backend = new FakeBackend();
    new FakeAccounts(backend);
    backend.handle('echo_dial', (p) => {
      setTimeout(() => backend.emit({ type: 'echo', call_id: p.call_id, seq: null, signal: { signal: 'answer', sdp: 'v=0' } }), 1);
      return {};
    });
    backend.handle('echo_hangup', (p) => {
      setTimeout(() => backend.emit({ type: 'echo', call_id: p.call_id, seq: null, signal: { signal: 'hangup_confirmed', status: 200, reason: 'OK' } }), 1);
      return {};
    });
    start(backend);
    await settled();
    (byTestId('call-button') as HTMLButtonElement).click();
    await vi.waitFor(() => expect(byTestId('call-state')!.textContent).toBe('active'));

    byTestId('nav-accounts')!.click();
    await settled();
    expect(byTestId('nav-phone')!.textContent).toMatch(/call in progress/);
    document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    await settled();
    expect(backend.params('echo_hangup')).toEqual([]);
    expect(byTestId('call-state')!.textContent).toBe('active');

    byTestId('nav-phone')!.click();
    await settled();
    document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    await vi.waitFor(() => expect(byTestId('call-state')!.textContent).toBe('ended'));
    expect(backend.params('echo_hangup')).toHaveLength(1);
  });
});

describe('navigation', () => {
  const panel = (id: string) => document.getElementById(id)!;

  it('switches between Phone and Accounts, with the tabs saying which is shown', async () => {
    const backend = new FakeBackend();
    new FakeAccounts(backend).seed({ name: 'support', provider: 'telnyx' });
    start(backend);
    await settled();
    const phone = byTestId('nav-phone')!;
    const accounts = byTestId('nav-accounts')!;
    expect(phone.getAttribute('role')).toBe('tab');
    expect(phone.getAttribute('aria-selected')).toBe('true');
    expect(accounts.getAttribute('aria-selected')).toBe('false');
    expect(panel('panel-phone').hidden).toBe(false);
    expect(byTestId('accounts')).toBeNull();
    // Loaded once at start: the dialer's lines are the accounts.
    expect(backend.params('list_accounts')).toEqual([{}]);

    const dial = byTestId('dial-input') as HTMLInputElement;
    dial.value = '104';
    dial.dispatchEvent(new Event('input', { bubbles: true }));
    accounts.click();
    await settled();
    expect(accounts.getAttribute('aria-selected')).toBe('true');
    expect(phone.getAttribute('aria-selected')).toBe('false');
    expect(panel('panel-phone').hidden).toBe(true);
    expect(panel('panel-accounts').hidden).toBe(false);
    expect(byTestId('accounts')).not.toBeNull();
    expect(allByTestId('account-row')).toHaveLength(1);

    phone.click();
    await settled();
    expect(panel('panel-phone').hidden).toBe(false);
    expect(byTestId('accounts')).toBeNull();
    // The Phone view was kept, not rebuilt.
    expect((byTestId('dial-input') as HTMLInputElement).value).toBe('104');
  });

  it('moves between tabs with the arrow keys', async () => {
    const backend = new FakeBackend();
    new FakeAccounts(backend);
    start(backend);
    await settled();
    byTestId('nav-phone')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
    await settled();
    expect(byTestId('nav-accounts')!.getAttribute('aria-selected')).toBe('true');
    expect(document.activeElement).toBe(byTestId('nav-accounts'));
    expect(byTestId('nav-accounts')!.tabIndex).toBe(0);
    expect(byTestId('nav-phone')!.tabIndex).toBe(-1);
    byTestId('nav-accounts')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
    await settled();
    expect(byTestId('nav-phone')!.getAttribute('aria-selected')).toBe('true');
  });
});

describe('history', () => {
  it('lists calls at start and expands a row into its transitions', async () => {
    const backend = new FakeBackend();
    const end = { by: 'remote' as const, failure: { sip_status: 603, sip_reason: 'Decline', q850_cause: 21 } };
    const detail: CallView = {
      call: {
        number: 7,
        id: 'call-7',
        provider: 'echo',
        account: null,
        direction: 'outbound',
        destination: '103',
        started_at: '2026-11-21T13:45:02.000Z',
        state: 'ended',
        ended_at: '2026-11-21T13:45:02.400Z',
        ended_by: 'remote',
        failure: end.failure,
        timings: { to_trying_ms: 3, total_ms: 160 },
        reason: '603 Decline (Q.850 21: call rejected)',
        event_count: 5,
      },
      events: [stateEvent('call-7', 1, 10, 'dialing'), stateEvent('call-7', 2, 13, 'trying'), stateEvent('call-7', 5, 170, 'ended', end)],
      diagnosis: null,
    };
    start(backend);
    backend.handle('list_calls', () => [detail.call]);
    backend.handle('get_call', () => detail);
    await settled();
    const row = byTestId('history-row')!;
    expect(row.textContent).toMatch(/103.*ended.*ended by far end.*603 Decline \(Q\.850 21: call rejected\)/s);
    row.querySelector('button')!.click();
    await settled();
    expect(backend.params('get_call')).toEqual([{ call_id: 'call-7' }]);
    const lines = [...row.querySelectorAll('[data-testid="history-timeline"] li')].map((li) => li.textContent);
    expect(lines).toEqual(['+0 ms dialing', '+3 ms trying', '+160 ms ended']);
    expect(row.textContent).toContain('Ended by the far end · 603 Decline · Q.850 21');
  });
});
