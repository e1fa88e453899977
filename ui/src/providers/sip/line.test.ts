// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RecordEvent } from '../../api/generated';
import { FakeBackend } from '../../testing/fake-backend';
import { FakePbx } from '../../testing/sip/fake-pbx';
import { FakePeerConnection, FakeSessionDescription } from '../../testing/fake-webrtc';
import { ALICE_HA1, LAB_PASSWORD, labCredentials, labLine, ladderText, recordedSignals } from '../../testing/sip/sip-lab';
import type { IncomingSipCall } from './incoming';
import type { SipLine } from './line';

const lines: SipLine[] = [];

function setup(options: { credentials?: ReturnType<typeof labCredentials> } = {}) {
  const backend = new FakeBackend();
  const pbx = new FakePbx({ alice: ALICE_HA1 });
  const { line, journal } = labLine(backend, pbx, 'lab', options.credentials);
  lines.push(line);
  const statuses: string[] = [];
  line.onStatus((s) => statuses.push(s.state));
  return { backend, pbx, line, journal, statuses };
}

const appEvents = (backend: FakeBackend, kind?: string) =>
  backend.params('record_event').filter((p: RecordEvent) => p.call_id === null && (!kind || p.kind === kind));

beforeEach(() => {
  vi.stubGlobal('RTCPeerConnection', FakePeerConnection);
  vi.stubGlobal('RTCSessionDescription', FakeSessionDescription);
  FakePeerConnection.created = [];
  FakePeerConnection.gatherMode = 'complete';
});

afterEach(() => {
  for (const line of lines.splice(0)) line.stop();
  vi.unstubAllGlobals();
});

describe('SipLine registration', () => {
  it('registers with the HA1 digest (never a password) and journals REGISTER, 401 and 200 at app level', async () => {
    const { backend, pbx, line, journal, statuses } = setup();
    await line.start();
    await vi.waitFor(() => expect(line.status.state).toBe('registered'));
    expect(line.status).toMatchObject({ status_code: 200, reason: 'OK' });
    expect(statuses[0]).toBe('registering');
    expect(backend.params('call_credentials')).toEqual([{ name: 'lab' }]);

    // The registrar checked the digest response made from the HA1.
    expect(pbx.methodsFromUa()).toEqual(['REGISTER sip:lab.test SIP/2.0', 'REGISTER sip:lab.test SIP/2.0']);
    expect(pbx.fromUa[1]).toMatch(/Authorization: Digest .*username="alice"/);

    await journal.flushed();
    const signals = recordedSignals(backend, null);
    expect(ladderText(signals)).toEqual([
      '→ REGISTER sip:lab.test SIP/2.0',
      '← SIP/2.0 401 Unauthorized',
      '→ REGISTER sip:lab.test SIP/2.0',
      '← SIP/2.0 200 OK',
    ]);
    expect(appEvents(backend, 'signal').every((p) => p.source === 'signalling' && (p.payload as { account: string }).account === 'lab')).toBe(true);
    // The challenge answer is redacted; neither the HA1 nor the password reaches the journal.
    expect(signals[2]!.body).toMatch(/\r\nAuthorization: \[redacted\]\r\n/);
    const everything = JSON.stringify(backend.sent);
    expect(everything).not.toContain(ALICE_HA1);
    expect(everything).not.toContain(LAB_PASSWORD);
    expect(everything).not.toMatch(/response="[0-9a-f]{32}"/);
  });

  it('shows a refused registration with its code, reason and what to do, and journals it as an error', async () => {
    const { backend, pbx, line, journal } = setup();
    pbx.registerReply = [403, 'Forbidden'];
    await line.start();
    await vi.waitFor(() => expect(line.status.state).toBe('failed'));
    expect(line.status).toMatchObject({ status_code: 403, reason: 'Forbidden', detail: 'Rejected' });
    expect(line.status.hint).toMatch(/refused this account/);
    // A refused registration does not stop a test call: the line is ready to try.
    await expect(line.ready(1000)).resolves.toMatchObject({ state: 'failed', status_code: 403 });
    await journal.flushed();
    expect(appEvents(backend, 'error').map((p) => p.payload)).toEqual([
      expect.objectContaining({ account: 'lab', registration: 'failed', status_code: 403, reason: 'Forbidden', message: 'registering lab failed: 403 Forbidden' }),
    ]);
  });

  it('says when the server’s digest realm is not the account’s (the HA1 cannot answer it)', async () => {
    const { pbx, line } = setup();
    pbx.realm = 'pbx.example.com';
    await line.start();
    await vi.waitFor(() => expect(line.status.state).toBe('failed'));
    expect(line.status.status_code).toBe(401);
    expect(line.status.hint).toContain('The server\'s digest realm is "pbx.example.com" but the account uses "lab.test"');
  });

  it('a WebSocket that cannot connect fails the line, and a call waiting for it, with the address', async () => {
    const { backend, pbx, line, journal } = setup();
    pbx.refuse = true;
    await line.start();
    await expect(line.ready(2000)).rejects.toMatchObject({ code: 'sip_transport', message: expect.stringContaining('wss://pbx.lab.test:18443') });
    expect(line.status).toMatchObject({ state: 'failed', status_code: null });
    expect(line.status.detail).toBe('could not keep a WebSocket to wss://pbx.lab.test:18443 (code 1006)');
    await journal.flushed();
    expect(appEvents(backend, 'warning')).toHaveLength(1);
  });

  it('a failure to get credentials shows on the line', async () => {
    const { backend, line } = setup();
    backend.handle('call_credentials', () => {
      throw { code: 'keychain', message: 'the OS keychain is locked', hint: 'Unlock it.' };
    });
    await expect(line.start()).rejects.toMatchObject({ code: 'keychain' });
    expect(line.status).toMatchObject({ state: 'failed', detail: 'the OS keychain is locked', hint: 'Unlock it.' });
  });
});

describe('SipLine incoming calls', () => {
  async function registered() {
    const s = setup();
    const offered: IncomingSipCall[] = [];
    s.line.onIncoming((call) => offered.push(call));
    await s.line.start();
    await vi.waitFor(() => expect(s.line.status.state).toBe('registered'));
    return { ...s, offered };
  }

  it('offers the caller; a reject answers 486 and journals the INVITE, the decision and the answer at app level', async () => {
    const { backend, pbx, journal, offered } = await registered();
    const callId = pbx.callBrowser('sip:bob@lab.test', 'Bob');
    await vi.waitFor(() => expect(offered).toHaveLength(1));
    const call = offered[0]!;
    expect(call).toMatchObject({ account: 'lab', from: 'sip:bob@lab.test', displayName: 'Bob', callId });
    let gone = false;
    call.onGone(() => (gone = true));

    call.reject();
    await vi.waitFor(() => expect(pbx.methodsFromUa()).toContain('SIP/2.0 486 Busy Here'));
    expect(gone).toBe(true);
    await vi.waitFor(() => expect(pbx.toUa.at(-1)).toMatch(/^ACK /));
    await journal.flushed();
    await vi.waitFor(async () => {
      await journal.flushed();
      // The registration's messages came first; this call's follow.
      const app = appEvents(backend).filter((p) => p.kind !== 'signal' || String((p.payload as { body: string }).body).includes(callId));
      expect(app.map((p) => (p.kind === 'signal' ? (p.payload as { summary: string }).summary : `${p.kind}:${(p.payload as { action?: string }).action}`))).toEqual([
        expect.stringMatching(/^INVITE sip:/),
        'SIP/2.0 100 Trying',
        'SIP/2.0 180 Ringing',
        'action:reject',
        'SIP/2.0 486 Busy Here',
        expect.stringMatching(/^ACK sip:/),
      ]);
    });
  });

  it('a caller who gives up (CANCEL) makes the offer go away, with a warning about the missed call', async () => {
    const { backend, pbx, journal, offered } = await registered();
    const callId = pbx.callBrowser();
    await vi.waitFor(() => expect(offered).toHaveLength(1));
    let gone: unknown = null;
    offered[0]!.onGone((event) => (gone = event));
    pbx.cancelCall(callId);
    await vi.waitFor(() => expect(gone).toMatchObject({ originator: 'remote', cause: 'Canceled' }));
    await vi.waitFor(() => expect(pbx.methodsFromUa()).toContain('SIP/2.0 487 Request Terminated'));
    await journal.flushed();
    expect(appEvents(backend, 'warning').map((p) => (p.payload as { message: string }).message)).toEqual([
      'the incoming call from sip:bob@lab.test ended before it was answered (Canceled)',
    ]);
    const summaries = recordedSignals(backend, null).map((s) => s.summary);
    expect(summaries).toEqual(expect.arrayContaining([expect.stringMatching(/^CANCEL /), 'SIP/2.0 487 Request Terminated']));
  });
});

describe('SipLine and the page’s Content Security Policy', () => {
  it('says when the page itself refused the WebSocket, rather than blaming the server', async () => {
    const { pbx, line } = setup();
    pbx.refuse = true;
    const start = line.start();
    await start;
    // What Chromium does for a WebSocket that connect-src does not allow: a violation event, then a closed socket.
    document.dispatchEvent(Object.assign(new Event('securitypolicyviolation'), { blockedURI: 'wss://pbx.lab.test:18443/', effectiveDirective: 'connect-src' }));
    await expect(line.ready(2000)).rejects.toMatchObject({ code: 'sip_transport' });
    expect(line.status.detail).toBe("this page's Content Security Policy (connect-src) does not allow a WebSocket to wss://pbx.lab.test:18443");
    expect(line.status.hint).toMatch(/Content Security Policy must list this WebSocket address/);
  });
});
