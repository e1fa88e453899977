import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RecordEvent } from '../../api/generated';
import { FakeBackend } from '../../testing/fake-backend';
import { fakeJwt } from '../../testing/telnyx/fake-telnyx';
import { telnyxCredentials, telnyxLab, vertoLadder, vertoSignals } from '../../testing/telnyx/telnyx-lab';
import type { TelnyxLine } from './line';
import { signallingUrl, TOKEN_REFRESH_LEAD_MS } from './line';

const lines: TelnyxLine[] = [];

afterEach(() => {
  for (const line of lines.splice(0)) line.stop();
  vi.useRealTimers();
});

function appEvents(backend: FakeBackend, kind: string) {
  return backend
    .params('record_event')
    .filter((p: RecordEvent) => p.call_id === null && p.kind === kind)
    .map((p) => p.payload as Record<string, unknown>);
}

describe('a Telnyx line', () => {
  it('logs in with the backend’s token through the account’s signalling host, and journals the login at app level, token redacted', async () => {
    const backend = new FakeBackend();
    const credentials = telnyxCredentials();
    const lab = telnyxLab(backend, () => credentials);
    lines.push(lab.line);
    const states: string[] = [];
    lab.line.onStatus((s) => states.push(s.state));
    await lab.line.start();
    await vi.waitFor(() => expect(lab.line.status.state).toBe('registered'));
    expect(states).toEqual(['registering', 'registering', 'registering', 'registered']);
    expect(backend.params('call_credentials')).toEqual([{ name: 'lab' }]);
    expect(lab.client().options).toMatchObject({ login_token: credentials.login_token, host: 'wss://rtc.telnyx.com' });
    expect(lab.server.logins).toEqual([credentials.login_token]);
    await lab.journal.flushed();
    expect(vertoLadder(backend, null)).toEqual([
      '→ login',
      '← result login',
      '← telnyx_rtc.clientReady',
      '→ telnyx_rtc.gatewayState',
      '← result telnyx_rtc.gatewayState',
    ]);
    const login = vertoSignals(backend, null)[0]!;
    expect(login).toMatchObject({ protocol: 'verto', account: 'lab', body: { method: 'login', params: { login_token: '[redacted]' } } });
    // The token never left the page's code towards the backend.
    expect(JSON.stringify(backend.sent.filter((s) => s.method !== 'call_credentials'))).not.toContain(credentials.login_token);
  });

  it('shows a refused login with its code and a hint, journals the SDK error, and a dial waiting for it fails with that reason', async () => {
    const backend = new FakeBackend();
    const credentials = telnyxCredentials();
    const lab = telnyxLab(backend, () => credentials);
    lines.push(lab.line);
    lab.server.refused.add(credentials.login_token);
    const ready = lab.line.ready(2000);
    await expect(ready).rejects.toMatchObject({ code: 'telnyx_login', message: 'lab: Telnyx refused the login (-32001 Login Incorrect)' });
    expect(lab.line.status).toMatchObject({ state: 'failed', status_code: 46001, reason: 'LOGIN_FAILED', hint: expect.stringMatching(/register again/) });
    await lab.journal.flushed();
    // The SDK loses the server's code (Error("[object Object]")); the line reads it off the wire.
    expect(appEvents(backend, 'error')).toEqual([
      {
        account: 'lab',
        source: 'telnyx.error',
        code: 46001,
        name: 'LOGIN_FAILED',
        message: 'Login failed',
        fatal: true,
        verto_error: { code: -32001, message: 'Login Incorrect' },
      },
    ]);
    expect(vertoLadder(backend, null)).toEqual(['→ login', '← error -32001']);
  });

  it('fetches a fresh token when the SDK warns that it expires (34001), and logs in with it on the open socket', async () => {
    const backend = new FakeBackend();
    let minted = 0;
    const soon = () => Math.floor(Date.now() / 1000) + 60;
    const lab = telnyxLab(backend, () => {
      minted += 1;
      const exp = minted === 1 ? soon() : Math.floor(Date.now() / 1000) + 86_400;
      return telnyxCredentials({ login_token: fakeJwt(exp, `t${minted}`), expires_at: exp });
    });
    lines.push(lab.line);
    await lab.line.start();
    await vi.waitFor(() => expect(lab.server.logins).toHaveLength(2));
    expect(lab.server.logins[1]).toMatch(/\.t2$/);
    expect(lab.client().options.login_token).toMatch(/\.t2$/);
    expect(lab.line.credentials?.login_token).toMatch(/\.t2$/);
    await lab.journal.flushed();
    expect(appEvents(backend, 'warning')).toContainEqual(expect.objectContaining({ source: 'telnyx.warning', code: 34001, name: 'TOKEN_EXPIRING_SOON' }));
    const logins = vertoSignals(backend, null).filter((s) => s.summary === 'login');
    expect(logins).toHaveLength(2);
    expect(JSON.stringify(logins)).not.toMatch(/\.t[12]"/);
  });

  it('refreshes the token before it expires, on its own schedule', async () => {
    vi.useFakeTimers();
    const backend = new FakeBackend();
    let minted = 0;
    const lab = telnyxLab(backend, () => {
      minted += 1;
      const exp = Math.floor(Date.now() / 1000) + (minted === 1 ? 10 * 60 : 86_400);
      return telnyxCredentials({ login_token: fakeJwt(exp, `t${minted}`), expires_at: exp });
    });
    lines.push(lab.line);
    await lab.line.start();
    await vi.advanceTimersByTimeAsync(100);
    expect(lab.line.status.state).toBe('registered');
    expect(minted).toBe(1);
    // Ten minutes to go; the refresh is due eight minutes before expiry.
    // (expires_at is in whole seconds: the refresh falls within the second before.)
    await vi.advanceTimersByTimeAsync(10 * 60_000 - TOKEN_REFRESH_LEAD_MS - 2000);
    expect(minted).toBe(1);
    await vi.advanceTimersByTimeAsync(3000);
    expect(minted).toBe(2);
    expect(lab.server.logins.map((t) => t.slice(-2))).toEqual(['t1', 't2']);
  });

  it('says when the signalling connection drops (once per outage), and logs in again when it comes back', async () => {
    const backend = new FakeBackend();
    const lab = telnyxLab(backend);
    lines.push(lab.line);
    await lab.line.start();
    await vi.waitFor(() => expect(lab.line.status.state).toBe('registered'));
    lab.server.socket!.drop(1006);
    await vi.waitFor(() => expect(lab.line.status.state).toBe('registering'));
    expect(lab.line.status.detail).toBe('the signalling connection to wss://rtc.telnyx.com closed (code 1006); reconnecting');
    expect(lab.line.lastSocketClose).toMatchObject({ code: 1006 });
    await lab.journal.flushed();
    expect(appEvents(backend, 'warning')).toEqual([
      { account: 'lab', transport: 'disconnected', message: 'the signalling connection to wss://rtc.telnyx.com closed (code 1006); reconnecting', code: 1006, reason: null },
    ]);
    // The SDK reconnects by itself.
    await lab.client().connect();
    await vi.waitFor(() => expect(lab.line.status.state).toBe('registered'));
  });

  it('takes the signalling host from the account (a region, or a lab’s ws:// address)', () => {
    expect(signallingUrl('rtc.telnyx.com').href).toBe('wss://rtc.telnyx.com/');
    expect(signallingUrl(' eu.rtc.telnyx.com ').host).toBe('eu.rtc.telnyx.com');
    expect(signallingUrl('ws://127.0.0.1:8089').href).toBe('ws://127.0.0.1:8089/');
  });

  it('stops: disconnects and stops capturing', async () => {
    const backend = new FakeBackend();
    const lab = telnyxLab(backend);
    await lab.line.start();
    await vi.waitFor(() => expect(lab.line.status.state).toBe('registered'));
    lab.line.stop();
    expect(lab.line.status).toMatchObject({ state: 'unregistered', detail: 'stopped' });
    await vi.waitFor(() => expect(lab.server.sockets.size).toBe(0));
    expect(lab.capture.watches(new URL('wss://rtc.telnyx.com'))).toBe(false);
    await expect(lab.line.start()).rejects.toMatchObject({ code: 'telnyx_line' });
  });

  it('refuses an account that is not a Telnyx one', async () => {
    const backend = new FakeBackend();
    const lab = telnyxLab(backend);
    backend.handle('call_credentials', () => ({ provider: 'twilio', access_token: 'x', expires_at: 0, identity: 'i', edge: 'roaming', insights: false, caller_id: null, can_call_out: true }));
    lines.push(lab.line);
    await expect(lab.line.start()).rejects.toMatchObject({ code: 'bad_input' });
    expect(lab.line.status.state).toBe('failed');
  });
});
