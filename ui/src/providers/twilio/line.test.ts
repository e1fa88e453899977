import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RecordEvent } from '../../api/generated';
import { FakeBackend } from '../../testing/fake-backend';
import { FakePeerConnection } from '../../testing/fake-webrtc';
import { twilioLab } from '../../testing/twilio/fake-twilio';
import type { TwilioLine } from './line';

const lines: TwilioLine[] = [];

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

function appLadder(backend: FakeBackend) {
  return appEvents(backend, 'signal').map((s) => `${s.direction === 'sent' ? '→' : '←'} ${String(s.summary)}`);
}

describe('a Twilio line', () => {
  it('makes a Device with the backend’s token, precise errors, signalling reconnection, the app’s sounds and the Insights setting; registers; journals it at app level, token redacted', async () => {
    const backend = new FakeBackend();
    const lab = twilioLab(backend);
    lines.push(lab.line);
    await lab.line.start();
    await vi.waitFor(() => expect(lab.line.status.state).toBe('registered'));
    const device = lab.sdk.device;
    expect(device.options).toMatchObject({
      edge: 'roaming',
      enableImprovedSignalingErrorPrecision: true,
      maxCallSignalingTimeoutMs: 30000,
      tokenRefreshMs: 30000,
      publishEvents: false,
      closeProtection: false,
      allowIncomingWhileBusy: false,
    });
    const sounds = device.options.sounds as Record<string, string>;
    expect(Object.keys(sounds).sort()).toEqual(['disconnect', 'dtmf0', 'dtmf1', 'dtmf2', 'dtmf3', 'dtmf4', 'dtmf5', 'dtmf6', 'dtmf7', 'dtmf8', 'dtmf9', 'dtmfh', 'dtmfs', 'incoming', 'outgoing']);
    expect(Object.values(sounds).every((url) => /^\/sounds\/[a-z0-9-]+\.wav$/.test(url))).toBe(true);
    // The SDK's peer connections are the engine's own class, announced to the line.
    expect(Object.getPrototypeOf((device.options.RTCPeerConnection as typeof FakePeerConnection).prototype)).toBe(FakePeerConnection.prototype);
    await lab.journal.flushed();
    expect(appLadder(backend)).toEqual(['→ listen', '← connected', '→ register', '← ready']);
    const listen = appEvents(backend, 'signal')[0]!;
    expect(listen).toMatchObject({ protocol: 'pstream', account: 'lab', body: { type: 'listen', payload: { token: '[redacted]', reconnectTimeout: 30 } } });
    const token = device.token[0]!;
    expect(JSON.stringify(backend.sent.filter((s) => s.method !== 'call_credentials'))).not.toContain(token);
    // Heartbeats are counted, not journaled.
    device.heartbeat();
    await lab.journal.flushed();
    expect(lab.line.heartbeats).toEqual({ sent: 1, received: 1 });
    expect(appEvents(backend, 'signal')).toHaveLength(4);
  });

  it('shows a refused token with its code and a hint, journals the Device error, and a dial waiting for it fails with that reason', async () => {
    const backend = new FakeBackend();
    const lab = twilioLab(backend);
    lines.push(lab.line);
    lab.sdk.refused.add(`eyJhbGciOiJIUzI1NiJ9.eyJqdGkiOiJTSzEtJHttaW50ZWR9In0.sig1`);
    await expect(lab.line.ready(2000)).rejects.toMatchObject({ code: 'twilio_token', message: expect.stringMatching(/^lab: Twilio refused the Access Token: AccessTokenInvalid \(20101\)/) });
    expect(lab.line.status).toMatchObject({ state: 'failed', status_code: 20101, reason: 'AccessTokenInvalid', hint: expect.stringMatching(/API key/) });
    expect(lab.line.tokenError).toMatchObject({ code: 20101, original_error: { code: 31204 } });
    await lab.journal.flushed();
    expect(appEvents(backend, 'error')).toEqual([expect.objectContaining({ account: 'lab', source: 'twilio.device', code: 20101, name: 'AccessTokenInvalid' })]);
    expect(appLadder(backend)).toEqual(['→ listen', '← error 31204']);
  });

  it('on tokenWillExpire fetches a fresh token and hands it to the Device (a new listen), journaled; a second trigger for the same token does nothing', async () => {
    const backend = new FakeBackend();
    let later = 0;
    const lab = twilioLab(backend, { ttlS: 60, now: () => Date.now() + later });
    lines.push(lab.line);
    await lab.line.start();
    await vi.waitFor(() => expect(lab.line.status.state).toBe('registered'));
    const device = lab.sdk.device;
    // The SDK fires it tokenRefreshMs (30 s) before the end of the token it was connected with.
    device.emit('tokenWillExpire', device);
    await Promise.resolve();
    expect(lab.minted()).toBe(1); // too early for this token: not about it
    later = 31_000;
    device.emit('tokenWillExpire', device);
    await vi.waitFor(() => expect(device.token).toHaveLength(2));
    expect(device.token[1]).not.toBe(device.token[0]);
    await lab.line.refreshToken('timer');
    expect(lab.minted()).toBe(2);
    await lab.journal.flushed();
    const [refresh] = appEvents(backend, 'action');
    expect(refresh).toMatchObject({ action: 'token_refresh', account: 'lab', trigger: 'tokenWillExpire', device_state: 'registered' });
    expect((refresh!.expires_at as number) >= (refresh!.previous_expires_at as number)).toBe(true);
    expect(appLadder(backend).slice(-2)).toEqual(['→ listen', '← connected']);
    expect(JSON.stringify(backend.params('record_event'))).not.toContain(device.token[1]!);
  });

  it('refreshes on its own timer before the token expires (Twilio re-arms tokenWillExpire only once)', async () => {
    vi.useFakeTimers();
    const backend = new FakeBackend();
    const lab = twilioLab(backend, { ttlS: 60, now: () => Date.now() });
    lines.push(lab.line);
    await lab.line.start();
    expect(lab.minted()).toBe(1);
    await vi.advanceTimersByTimeAsync(39_000);
    expect(lab.minted()).toBe(1);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(lab.minted()).toBe(2);
    expect(lab.sdk.device.token).toHaveLength(2);
  });
});
