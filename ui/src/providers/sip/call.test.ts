// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RecordEvent, RecordState } from '../../api/generated';
import { CallSession } from '../../calls/session';
import { FakeBackend } from '../../testing/fake-backend';
import { FakePbx } from '../../testing/sip/fake-pbx';
import { fakeGetUserMedia, FakePeerConnection, FakeSessionDescription } from '../../testing/fake-webrtc';
import { ALICE_HA1, labCredentials, labLine, ladderText, recordedSignals } from '../../testing/sip/sip-lab';
import { SipCallAdapter, type SipCallEnvironment } from './call';
import type { IncomingSipCall } from './incoming';
import type { SipLine } from './line';

const lines: SipLine[] = [];

interface Options {
  mediaTimeoutMs?: number;
  env?: Partial<SipCallEnvironment>;
  credentials?: ReturnType<typeof labCredentials>;
}

function lab(options: Options = {}) {
  const backend = new FakeBackend();
  const pbx = new FakePbx({ alice: ALICE_HA1 });
  const { line, journal } = labLine(backend, pbx, 'lab', options.credentials);
  lines.push(line);
  const mic = fakeGetUserMedia();
  const audio = { play: vi.fn(), stop: vi.fn() };
  const env: SipCallEnvironment = {
    getUserMedia: mic.fn,
    remoteAudio: audio,
    readyTimeoutMs: 2000,
    offerTimeoutMs: 2000,
    iceGatheringTimeoutMs: 50,
    hangupConfirmTimeoutMs: 500,
    ...options.env,
  };
  const errors: string[] = [];
  const session = (adapter: SipCallAdapter, destination: string, direction?: 'inbound') =>
    new CallSession({
      backend,
      adapter,
      destination,
      account: 'lab',
      ...(direction ? { direction } : {}),
      onError: (context, error) => errors.push(`${context}: ${String(error)}`),
      mediaTimeoutMs: options.mediaTimeoutMs ?? 15_000,
    });
  return { backend, pbx, line, journal, mic, audio, env, errors, session };
}

/** Place a call to `destination` from a fresh lab. */
async function dial(destination: string, options: Options = {}) {
  const l = lab(options);
  await l.line.start();
  await vi.waitFor(() => expect(l.line.status.state).toBe('registered'));
  const adapter = SipCallAdapter.outgoing(l.line, 'info', l.env);
  const call = l.session(adapter, destination);
  await call.start();
  return { ...l, adapter, call };
}

const pc = () => FakePeerConnection.created.at(-1)!;
const callSignals = (backend: FakeBackend) => ladderText(recordedSignals(backend, 'call-1'));
const ended = (backend: FakeBackend) => backend.params('record_state').find((p: RecordState) => p.state === 'ended');
const actions = (backend: FakeBackend) =>
  backend.params('record_event').filter((p: RecordEvent) => p.kind === 'action').map((p) => p.payload);

beforeEach(() => {
  vi.stubGlobal('RTCPeerConnection', FakePeerConnection);
  vi.stubGlobal('RTCSessionDescription', FakeSessionDescription);
  FakePeerConnection.created = [];
  FakePeerConnection.gatherMode = 'complete';
  FakePeerConnection.rejectOffer = null;
});

afterEach(() => {
  for (const line of lines.splice(0)) line.stop();
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe('SIP call: placing and answering', () => {
  it('a relay-only account gets a relay-only peer connection, with its ICE servers', async () => {
    const { call } = await dial('callee', { credentials: labCredentials({ relay_only: true }) });
    await vi.waitFor(() => expect(call.snapshot.state).toBe('active'));
    expect(pc().config).toEqual({
      iceServers: [{ urls: ['turn:127.0.0.1:13478?transport=udp'], username: 'test', credential: 'secret' }],
      iceTransportPolicy: 'relay',
    });
    await call.hangup();
  });

  it('follows JsSIP to active, captures every message, and a hangup sends BYE and waits for its 200', async () => {
    const { backend, call, mic, errors } = await dial('callee');
    expect(backend.params('create_call')).toEqual([{ provider: 'sip', account: 'lab', destination: 'callee', ui_clock: expect.any(Number) }]);
    await vi.waitFor(() => expect(call.snapshot.state).toBe('active'));
    // The registration finished before the call, so no connecting/ready states.
    expect(backend.states()).toEqual(['dialing', 'trying', 'ringing', 'active']);
    expect(backend.params('record_state')[0]!.raw).toMatchObject({ jssip: 'sending', destination: 'callee', candidates: { host: 1 } });
    expect(backend.params('record_state')[3]!.raw).toMatchObject({ jssip: 'accepted', originator: 'remote', status_code: 200, reason_phrase: 'OK' });

    // The account's ICE servers and nothing else: no forced max-bundle, default rtcpMuxPolicy.
    expect(pc().config).toEqual({ iceServers: [{ urls: ['turn:127.0.0.1:13478?transport=udp'], username: 'test', credential: 'secret' }] });
    expect(pc().tracks[0]).toBe(mic.stream.track);
    expect(mic.calls[0]).toEqual({ audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false } });

    pc().stats = [{ id: 'in', type: 'inbound-rtp', kind: 'audio', packetsReceived: 250 }];
    pc().setState('connectionState', 'connected', 'connectionstatechange');
    await call.hangup();

    expect(callSignals(backend)).toEqual([
      '→ INVITE sip:callee@lab.test SIP/2.0',
      '← SIP/2.0 100 Trying',
      '← SIP/2.0 180 Ringing',
      '← SIP/2.0 200 OK',
      '→ ACK sip:callee@127.0.0.1:15070 SIP/2.0',
      '→ BYE sip:callee@127.0.0.1:15070 SIP/2.0',
      '← SIP/2.0 200 OK',
    ]);
    const invite = recordedSignals(backend, 'call-1')[0]!;
    expect(invite.body).toMatch(/^INVITE sip:callee@lab\.test SIP\/2\.0\r\n/);
    expect(invite.body).toContain('a=candidate:');
    expect(ended(backend)).toMatchObject({
      end: { by: 'local', failure: {} },
      raw: { hangup: { hangup: 'bye', confirmed: { status: 200, reason: 'OK' } } },
    });
    // The final stats sample was taken before the connection closed (JsSIP's close was held back).
    const stats = backend.params('record_event').filter((p) => p.kind === 'stats').map((p) => p.payload as { final: boolean });
    expect(stats.at(-1)).toMatchObject({ final: true, inbound_rtp: { packetsReceived: 250 } });
    expect(pc().closed).toBe(true);
    expect(mic.stream.track.stopped).toBe(true);
    expect(errors).toEqual([]);
  });

  it.each([
    ['486', { by: 'remote', failure: { sip_status: 486, sip_reason: 'Busy Here' } }, 'Busy'],
    ['403', { by: 'remote', failure: { sip_status: 403, sip_reason: 'Forbidden' } }, 'Rejected'],
    ['603', { by: 'remote', failure: { sip_status: 603, sip_reason: 'Decline' } }, 'Rejected'],
    [
      '503',
      { by: 'remote', failure: { sip_status: 503, sip_reason: 'Service Unavailable' } },
      'SIP Failure Code',
    ],
  ])('a %s keeps its status, reason and Reason header (JsSIP cause only in raw)', async (number, end, cause) => {
    const { backend, call } = await dial(number);
    await call.closed();
    const record = ended(backend)!;
    expect(record.end).toEqual(end);
    expect(record.raw).toMatchObject({ jssip: 'failed', originator: 'remote', cause, status_code: Number(number) });
    const signals = callSignals(backend);
    expect(signals.slice(0, 2)).toEqual([`→ INVITE sip:${number}@lab.test SIP/2.0`, '← SIP/2.0 100 Trying']);
    expect(signals[2]).toMatch(new RegExp(`^← SIP/2\\.0 ${number} `));
    // The ACK for the final answer left before the call was recorded as ended.
    expect(signals[3]).toBe(`→ ACK sip:${number}@lab.test SIP/2.0`);
    expect(backend.states()).toEqual(['dialing', 'trying', 'ended']);
  });

  it('a hangup before answer sends CANCEL, records the 487 from the wire, and ends local', async () => {
    const { backend, call } = await dial('ring');
    await vi.waitFor(() => expect(call.snapshot.state).toBe('ringing'));
    await call.hangup();
    expect(callSignals(backend)).toEqual([
      '→ INVITE sip:ring@lab.test SIP/2.0',
      '← SIP/2.0 100 Trying',
      '← SIP/2.0 180 Ringing',
      '→ CANCEL sip:ring@lab.test SIP/2.0',
      '← SIP/2.0 200 OK',
      '← SIP/2.0 487 Request Terminated',
      '→ ACK sip:ring@lab.test SIP/2.0',
    ]);
    expect(ended(backend)).toMatchObject({
      end: { by: 'local', failure: {} },
      raw: { cause: { action: 'hangup', via: 'button' }, hangup: { hangup: 'cancel', confirmed: { status: 487, reason: 'Request Terminated' } } },
    });
    expect(actions(backend)).toEqual([{ action: 'hangup', via: 'button' }]);
  });

  it('a BYE from the far end ends the call remote, with its Reason header', async () => {
    const { backend, pbx, call } = await dial('callee');
    await vi.waitFor(() => expect(call.snapshot.state).toBe('active'));
    pbx.bye([...pbx.dialogs.keys()][0]!, 'Q.850;cause=16;text="Normal call clearing"');
    await call.closed();
    expect(ended(backend)).toMatchObject({
      end: { by: 'remote', failure: {} },
      raw: { jssip: 'ended', originator: 'remote', cause: 'Terminated', method: 'BYE', reason_header: ['Q.850;cause=16;text="Normal call clearing"'] },
    });
    // Our 200 to the BYE is in the trace, before the end.
    expect(callSignals(backend).slice(-2)).toEqual([expect.stringMatching(/^← BYE sip:/), '← SIP/2.0 200 OK'.replace('←', '→')]);
  });

  it('183 with SDP is early media; 180 without is ringing', async () => {
    const { backend, call } = await dial('early');
    await vi.waitFor(() => expect(call.snapshot.state).toBe('early'));
    await vi.waitFor(() => expect(backend.states()).toEqual(['dialing', 'trying', 'early']));
    expect(pc().remoteDescription?.type).toBe('answer');
    await call.hangup();
  });

  it('waits for the line to register before dialling, with connecting and ready on the timeline', async () => {
    const l = lab();
    const adapter = SipCallAdapter.outgoing(l.line, 'info', l.env);
    const call = l.session(adapter, 'callee');
    await call.start();
    await vi.waitFor(() => expect(call.snapshot.state).toBe('active'));
    await vi.waitFor(() => expect(l.backend.states()).toEqual(['connecting', 'ready', 'dialing', 'trying', 'ringing', 'active']));
    expect(l.backend.params('record_state')[1]!.raw).toMatchObject({ registration: { state: 'registered', status_code: 200 } });
    await call.hangup();
  });

  it('an unreachable server ends the call as an error that names it', async () => {
    const l = lab();
    l.pbx.refuse = true;
    const call = l.session(SipCallAdapter.outgoing(l.line, 'info', l.env), 'callee');
    await call.start();
    await call.closed();
    expect(ended(l.backend)!.end).toEqual({ by: 'error', failure: { message: expect.stringContaining('could not keep a WebSocket to wss://pbx.lab.test:18443') } });
    expect(l.errors[0]).toMatch(/^Placing the call:/);
  });
});

describe('SIP call: media path', () => {
  it('ICE that never connects after answer ends the call {by:error} within the bound, with a BYE', async () => {
    const { backend, call } = await dial('callee', { mediaTimeoutMs: 300 });
    await vi.waitFor(() => expect(call.snapshot.state).toBe('active'));
    const answeredAt = performance.now();
    pc().setState('iceConnectionState', 'checking', 'iceconnectionstatechange');
    await call.closed();
    expect(performance.now() - answeredAt).toBeLessThan(1500);
    expect(ended(backend)!.end).toEqual({ by: 'error', failure: { message: 'media never connected (ICE checking 0 s after answer)' } });
    expect(callSignals(backend).slice(-2)).toEqual([expect.stringMatching(/^→ BYE /), '← SIP/2.0 200 OK']);
  });

  it('connectionState failed (Chromium reports this, JsSIP ignores it) ends the call at once', async () => {
    const { backend, call } = await dial('callee');
    await vi.waitFor(() => expect(call.snapshot.state).toBe('active'));
    pc().setState('iceConnectionState', 'disconnected', 'iceconnectionstatechange');
    pc().setState('connectionState', 'failed', 'connectionstatechange');
    await call.closed();
    expect(ended(backend)!.end).toEqual({ by: 'error', failure: { message: 'media never connected (ICE disconnected)' } });
    const media = backend.params('record_event').filter((p) => p.kind === 'media').map((p) => p.payload);
    expect(media).toEqual(expect.arrayContaining([{ pc: 'ice_connection', ice_connection_state: 'disconnected' }, { pc: 'connection', state: 'failed' }]));
  });

  it('early media whose ICE never connects ends the call too, with a CANCEL', async () => {
    const { backend, call } = await dial('early', { mediaTimeoutMs: 300 });
    await call.closed();
    expect(ended(backend)!.end).toEqual({ by: 'error', failure: { message: 'media never connected (ICE new 0 s after early media)' } });
    expect(callSignals(backend)).toContain('→ CANCEL sip:early@lab.test SIP/2.0');
  });

  it('the default bound is at most 20 s after the answer', async () => {
    const { MEDIA_CONNECT_TIMEOUT_MS } = await import('../../media/watch');
    expect(MEDIA_CONNECT_TIMEOUT_MS).toBeLessThanOrEqual(20_000);
  });

  it('no ICE candidate at all: the INVITE is never sent and the call ends with that reason', async () => {
    FakePeerConnection.gatherMode = 'none';
    const { backend, pbx, call } = await dial('callee', { env: { offerTimeoutMs: 200 } });
    await call.closed();
    expect(ended(backend)!.end).toEqual({ by: 'error', failure: { message: 'no ICE candidate was gathered within 0 s, so the INVITE was never sent' } });
    expect(pbx.methodsFromUa().filter((m) => m.startsWith('INVITE'))).toEqual([]);
    expect(callSignals(backend)).toEqual([]);
  });

  it('an offer the browser cannot make fails the dial, saying what failed', async () => {
    FakePeerConnection.rejectOffer = new DOMException('no codecs', 'OperationError');
    const { backend, pbx, call, errors } = await dial('callee');
    await call.closed();
    expect(ended(backend)!.end).toEqual({
      by: 'error',
      failure: { message: 'the call could not be placed: the browser’s WebRTC engine failed (JsSIP: WebRTC Error) — createOffer: OperationError: no codecs' },
    });
    expect(pbx.methodsFromUa().some((m) => m.startsWith('INVITE'))).toBe(false);
    expect(errors[0]).toMatch(/^Placing the call:/);
  });

  it('gathering that never completes sends the candidates found so far, with a warning', async () => {
    FakePeerConnection.gatherMode = 'stuck';
    const { backend, call } = await dial('callee');
    await vi.waitFor(() => expect(call.snapshot.state).toBe('active'));
    expect(call.snapshot.warnings).toEqual(['ICE gathering did not complete within 50 ms of the first candidate; sending the candidates found so far']);
    await call.hangup();
    expect(ended(backend)!.end!.by).toBe('local');
  });
});

describe('SIP call: hold, DTMF, mute', () => {
  it('hold and resume send re-INVITEs, move the state, and are journaled as actions first', async () => {
    const { backend, call, errors } = await dial('callee');
    await vi.waitFor(() => expect(call.snapshot.state).toBe('active'));
    call.setHeld(true);
    // Resume waits for the hold's re-INVITE to be answered and acknowledged.
    await vi.waitFor(() => expect(callSignals(backend).filter((s) => s.startsWith('→ ACK'))).toHaveLength(2));
    expect(call.snapshot).toMatchObject({ state: 'held', held: true });
    call.setHeld(false);
    expect(errors).toEqual([]);
    await vi.waitFor(() => expect(callSignals(backend).filter((s) => s.startsWith('→ ACK'))).toHaveLength(3));
    expect(call.snapshot).toMatchObject({ state: 'active', held: false });

    const signals = recordedSignals(backend, 'call-1');
    const reinvites = signals.filter((s) => s.direction === 'sent' && s.summary.startsWith('INVITE')).slice(1);
    expect(reinvites.map((s) => /a=(sendonly|sendrecv)/.exec(String(s.body))?.[1])).toEqual(['sendonly', 'sendrecv']);
    expect(backend.states()).toEqual(['dialing', 'trying', 'ringing', 'active', 'held', 'active']);
    expect(backend.params('record_state')[4]!.raw).toEqual({ jssip: 'hold', originator: 'local', local_hold: true, remote_hold: false });
    const trace = backend.trace();
    expect(trace.indexOf('action')).toBeLessThan(trace.indexOf('state:held'));
    expect(actions(backend)).toEqual([{ action: 'hold' }, { action: 'resume' }]);
    await call.hangup();
  });

  it('the far end holding us shows as held', async () => {
    const { pbx, call } = await dial('callee');
    await vi.waitFor(() => expect(call.snapshot.state).toBe('active'));
    pbx.reinvite([...pbx.dialogs.keys()][0]!, 'sendonly');
    await vi.waitFor(() => expect(call.snapshot.state).toBe('held'));
    expect(call.snapshot.held).toBe(false);
    await call.hangup();
  });

  it('DTMF over SIP INFO is journaled and on the wire', async () => {
    const { backend, call } = await dial('callee');
    await vi.waitFor(() => expect(call.snapshot.state).toBe('active'));
    call.sendDtmf('5');
    call.sendDtmf('#');
    // JsSIP sends one INFO per digit, duration + gap apart.
    await vi.waitFor(() => expect(callSignals(backend).filter((s) => s.startsWith('→ INFO'))).toHaveLength(2));
    const info = recordedSignals(backend, 'call-1').find((s) => s.summary.startsWith('INFO'))!;
    expect(info.body).toContain('Content-Type: application/dtmf-relay');
    expect(info.body).toContain('Signal=5');
    expect(actions(backend)).toEqual([
      { action: 'dtmf', digit: '5', mode: 'info' },
      { action: 'dtmf', digit: '#', mode: 'info' },
    ]);
    expect(call.snapshot.dtmf).toBe('5#');
    await call.hangup();
  });

  it('DTMF as RFC 2833 goes to the audio sender, not to SIP', async () => {
    const l = lab({ credentials: labCredentials({ dtmf: 'rfc2833' }) });
    const call = l.session(SipCallAdapter.outgoing(l.line, 'rfc2833', l.env), 'callee');
    await call.start();
    await vi.waitFor(() => expect(call.snapshot.state).toBe('active'));
    call.sendDtmf('7');
    expect(pc().senders[0]!.dtmf.inserted).toEqual([{ tones: '7', duration: 100, gap: 70 }]);
    await vi.waitFor(() => expect(actions(l.backend)).toEqual([{ action: 'dtmf', digit: '7', mode: 'rfc2833' }]));
    expect(callSignals(l.backend).some((s) => s.includes('INFO'))).toBe(false);
    await call.hangup();
  });

  it('mute goes through JsSIP (the sender’s track) and survives hold', async () => {
    const { backend, call, mic } = await dial('callee');
    await vi.waitFor(() => expect(call.snapshot.state).toBe('active'));
    call.setMuted(true);
    expect(mic.stream.track.enabled).toBe(false);
    call.setHeld(true);
    await vi.waitFor(() => expect(callSignals(backend).filter((s) => s.startsWith('→ ACK'))).toHaveLength(2));
    call.setHeld(false);
    await vi.waitFor(() => expect(call.snapshot.state).toBe('active'));
    expect(mic.stream.track.enabled).toBe(false);
    call.setMuted(false);
    expect(mic.stream.track.enabled).toBe(true);
    await call.hangup();
  });
});

describe('SIP call: incoming', () => {
  async function ringing(options: Options = {}) {
    const l = lab(options);
    const offered: IncomingSipCall[] = [];
    l.line.onIncoming((c) => offered.push(c));
    await l.line.start();
    await vi.waitFor(() => expect(l.line.status.state).toBe('registered'));
    const callId = l.pbx.callBrowser('sip:bob@lab.test', 'Bob');
    await vi.waitFor(() => expect(offered).toHaveLength(1));
    return { ...l, incoming: offered[0]!, callId };
  }

  it('accepting creates an inbound call record, answers, and journals the held INVITE first', async () => {
    const { backend, pbx, incoming, session, env, callId } = await ringing();
    await new Promise((r) => setTimeout(r, 30)); // it rings a little
    incoming.reserve();
    const call = session(SipCallAdapter.incoming(lines[0]!, incoming, env), incoming.from, 'inbound');
    await call.start();
    await vi.waitFor(() => expect(call.snapshot.state).toBe('active'));
    expect(backend.params('create_call')).toEqual([{ provider: 'sip', account: 'lab', destination: 'sip:bob@lab.test', direction: 'inbound', ui_clock: expect.any(Number) }]);
    await vi.waitFor(() => expect(backend.states()).toEqual(['ringing', 'active']));
    expect(backend.params('record_state')[0]!.raw).toMatchObject({ jssip: 'newRTCSession', originator: 'remote', from: 'sip:bob@lab.test', display_name: 'Bob' });
    await vi.waitFor(() => expect(callSignals(backend).at(-1)).toMatch(/^← ACK/));
    const signals = recordedSignals(backend, 'call-1');
    expect(ladderText(signals)).toEqual([
      expect.stringMatching(/^← INVITE sip:/),
      '→ SIP/2.0 100 Trying',
      '→ SIP/2.0 180 Ringing',
      '→ SIP/2.0 200 OK',
      expect.stringMatching(/^← ACK sip:/),
    ]);
    // Held until the call record existed, and stamped when it arrived: before the record was opened.
    const inviteWrite = backend.params('record_event').find((p) => p.call_id === 'call-1' && p.kind === 'signal')!;
    const opened = backend.params('create_call')[0]!;
    expect(inviteWrite.observed_at).toBeLessThanOrEqual(opened.ui_clock! - 20);
    expect(String(signals[0]!.body)).toContain(`Call-ID: ${callId}`);
    expect(pc().remoteDescription?.type).toBe('offer');

    pbx.bye(callId);
    await call.closed();
    expect(ended(backend)!.end).toEqual({ by: 'remote', failure: {} });
  });

  it('the caller hanging up between Accept and the answer ends the call remote', async () => {
    const { backend, pbx, incoming, session, env, callId } = await ringing();
    incoming.reserve();
    pbx.cancelCall(callId);
    await vi.waitFor(() => expect(incoming.gone).not.toBeNull());
    const call = session(SipCallAdapter.incoming(lines[0]!, incoming, env), incoming.from, 'inbound');
    await call.start();
    await call.closed();
    expect(ended(backend)!.end).toEqual({ by: 'remote', failure: {} });
    expect(callSignals(backend)).toEqual(expect.arrayContaining([expect.stringMatching(/^← CANCEL /), '→ SIP/2.0 487 Request Terminated']));
  });
});

describe('SIP call: a challenged INVITE (407, as the lab and carriers do)', () => {
  it('answers the challenge with the HA1, captures both INVITEs and the ACK, and redacts Proxy-Authorization', async () => {
    const l = lab();
    l.pbx.challengeInvites = true;
    await l.line.start();
    await vi.waitFor(() => expect(l.line.status.state).toBe('registered'));
    const call = l.session(SipCallAdapter.outgoing(l.line, 'info', l.env), 'callee');
    await call.start();
    await vi.waitFor(() => expect(call.snapshot.state).toBe('active'));
    await call.hangup();
    expect(callSignals(l.backend).slice(0, 5)).toEqual([
      '→ INVITE sip:callee@lab.test SIP/2.0',
      '← SIP/2.0 407 Proxy Authentication Required',
      '→ ACK sip:callee@lab.test SIP/2.0',
      '→ INVITE sip:callee@lab.test SIP/2.0',
      '← SIP/2.0 100 Trying',
    ]);
    const second = String(recordedSignals(l.backend, 'call-1')[3]!.body);
    expect(second).toMatch(/\r\nProxy-Authorization: \[redacted\]\r\n/);
    expect(l.pbx.fromUa.some((t) => /^INVITE[^]*Proxy-Authorization: Digest/.test(t))).toBe(true);
    expect(JSON.stringify(l.backend.sent)).not.toMatch(/response="[0-9a-f]{32}"/);
    expect(l.backend.states()).toEqual(['dialing', 'trying', 'ringing', 'active', 'ended']);
  });
});

describe('SIP call: a hold the far end answers badly', () => {
  it('ends {by:error} with what failed, not only JsSIP’s "WebRTC Error"', async () => {
    const l = lab();
    l.pbx.plainReinviteAnswers = true;
    await l.line.start();
    await vi.waitFor(() => expect(l.line.status.state).toBe('registered'));
    const call = l.session(SipCallAdapter.outgoing(l.line, 'info', l.env), 'callee');
    await call.start();
    await vi.waitFor(() => expect(call.snapshot.state).toBe('active'));
    call.setHeld(true);
    await call.closed();
    expect(ended(l.backend)!.end).toEqual({
      by: 'error',
      failure: {
        message:
          'the browser’s WebRTC engine failed (JsSIP: WebRTC Error) — Hold Failed — setRemoteDescription: InvalidAccessError: Failed to set remote answer sdp: Called with SDP without DTLS fingerprint.',
      },
    });
    // JsSIP said why on the wire too, and its BYE's answer is still part of the call.
    const bye = recordedSignals(l.backend, 'call-1').find((s) => s.summary.startsWith('BYE'))!;
    expect(bye.body).toContain('Reason: SIP ;cause=500; text="Hold Failed"');
    expect(callSignals(l.backend).slice(-2)).toEqual([expect.stringMatching(/^→ BYE /), '← SIP/2.0 200 OK']);
  });
});
