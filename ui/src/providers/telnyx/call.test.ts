import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RecordEvent, RecordState } from '../../api/generated';
import { FakeBackend } from '../../testing/fake-backend';
import type { FakeSdkCall } from '../../testing/telnyx/fake-telnyx';
import type { FakePeerConnection } from '../../testing/fake-webrtc';
import { telnyxLab, vertoLadder, vertoSignals } from '../../testing/telnyx/telnyx-lab';
import { TelnyxCallAdapter } from './call';
import type { IncomingTelnyxCall } from './incoming';
import type { TelnyxLine } from './line';

const lines: TelnyxLine[] = [];

afterEach(() => {
  for (const line of lines.splice(0)) line.stop();
});

/** A logged-in lab line. */
async function lab() {
  const backend = new FakeBackend();
  const l = telnyxLab(backend);
  lines.push(l.line);
  await l.line.start();
  await vi.waitFor(() => expect(l.line.status.state).toBe('registered'));
  return { backend, ...l };
}

/** Place a call to `destination` and wait for `until` (a call-model state). */
async function dial(destination: string, until: string | null = null) {
  const l = await lab();
  const adapter = TelnyxCallAdapter.outgoing(l.line, l.env);
  const call = l.session(adapter, destination);
  await call.start();
  if (until) await vi.waitFor(() => expect(call.snapshot.state).toBe(until));
  return { ...l, adapter, call, sdkCall: () => l.client().calls.get('tx-1') as FakeSdkCall };
}

const ended = (backend: FakeBackend) => backend.params('record_state').find((p: RecordState) => p.state === 'ended')!;
const states = (backend: FakeBackend) => backend.params('record_state').map((p) => `${p.state}:${(p.raw as { state?: string } | null)?.state ?? ''}`);
const events = (backend: FakeBackend, kind: string) =>
  backend
    .params('record_event')
    .filter((p: RecordEvent) => p.call_id === 'call-1' && p.kind === kind)
    .map((p) => p.payload as Record<string, unknown>);

describe('Telnyx call: placing, in-call actions, hanging up', () => {
  it('maps the SDK to dialing → trying → ringing (from the wire) → early → active, journals every frame, holds, sends DTMF, hangs up with the SDK’s fill-in', async () => {
    const { backend, call, adapter, server, sdkCall, audio } = await dial('+15550100001', 'active');
    expect(backend.params('create_call')).toEqual([{ provider: 'telnyx', account: 'lab', destination: '+15550100001', ui_clock: expect.any(Number) }]);
    expect(states(backend)).toEqual(['dialing:requesting', 'trying:trying', 'ringing:', 'early:early', 'active:active']);
    expect(backend.params('record_state')[0]!.raw).toMatchObject({
      sdk: 'callUpdate',
      sdk_states: ['new', 'requesting'],
      telnyx_call_id: 'tx-1',
      destination: '+15550100001',
      candidates: { host: 1 },
    });
    expect(backend.params('record_state')[2]!.raw).toMatchObject({ verto: 'telnyx_rtc.ringing', from: 'wire' });
    expect(backend.params('record_state')[4]!.raw).toMatchObject({ telnyx_session_id: 'sess-out', telnyx_leg_id: 'leg-out', telnyx_call_control_id: 'v3:cc-out' });
    // The invite carries the account's caller ID and raw-microphone constraints; its TURN credentials are redacted.
    const invite = server.sent('telnyx_rtc.invite')[0]!;
    expect(invite.params).toMatchObject({ dialogParams: { callID: 'tx-1', destination_number: '+15550100001', caller_id_number: '+15557654321', audio: { echoCancellation: false } } });
    expect(JSON.stringify(vertoSignals(backend, 'call-1')[0])).not.toContain('testpassword');
    expect(adapter.peerConnection()).toBe(sdkCall().peer!.instance);
    expect(events(backend, 'media')).toContainEqual(expect.objectContaining({ media: 'microphone' }));

    call.setHeld(true);
    await vi.waitFor(() => expect(call.snapshot.state).toBe('held'));
    call.setHeld(false);
    await vi.waitFor(() => expect(call.snapshot.state).toBe('active'));
    call.sendDtmf('5');
    call.setMuted(true);
    expect(sdkCall().muted).toBe(true);
    await vi.waitFor(() => expect(server.sent('telnyx_rtc.info')).toHaveLength(1));
    expect(server.sent('telnyx_rtc.info')[0]!.params).toMatchObject({ dtmf: '5' });

    const pc = adapter.peerConnection() as unknown as FakePeerConnection;
    pc.stats = [{ id: 'in', type: 'inbound-rtp', kind: 'audio', packetsReceived: 250 }];
    await call.hangup();
    expect(vertoLadder(backend, 'call-1')).toEqual([
      '→ telnyx_rtc.invite',
      '← result telnyx_rtc.invite',
      '← telnyx_rtc.ringing',
      '→ result telnyx_rtc.ringing',
      '← telnyx_rtc.media',
      '→ result telnyx_rtc.media',
      '← telnyx_rtc.answer',
      '→ result telnyx_rtc.answer',
      '→ telnyx_rtc.modify',
      '← result telnyx_rtc.modify',
      '→ telnyx_rtc.modify',
      '← result telnyx_rtc.modify',
      '→ telnyx_rtc.info',
      '← result telnyx_rtc.info',
      '→ telnyx_rtc.bye',
      '← result telnyx_rtc.bye',
    ]);
    expect(server.sent('telnyx_rtc.bye')[0]!.params).toMatchObject({ cause: 'NORMAL_CLEARING', causeCode: 16 });
    // Ours, with the SDK's fill-in kept.
    expect(ended(backend).end).toEqual({ by: 'local', failure: { provider_code: 'NORMAL_CLEARING', q850_cause: 16 } });
    expect(ended(backend).raw).toMatchObject({
      hangup: {
        hangup: 'bye',
        sdk_state_before: 'active',
        confirmed: { message: 'CALL ENDED', cause: 'NORMAL_CLEARING', causeCode: 16 },
        sdk_states: ['new', 'requesting', 'trying', 'early', 'active', 'held', 'active', 'hangup', 'destroy'],
        telnyx_call_id: 'tx-1',
      },
    });
    // The final stats sample came before the connection closed (the SDK's close was held back).
    const stats = events(backend, 'stats');
    expect(stats.at(-1)).toMatchObject({ final: true, inbound_rtp: { packetsReceived: 250 } });
    expect(pc.closed).toBe(true);
    expect(audio.stop).toHaveBeenCalled();
    const actions = events(backend, 'action').map((a) => a.action);
    expect(actions).toEqual(['hold', 'resume', 'dtmf', 'mute', 'hangup']);
  });

  it('a local hang-up before answer is recorded as ours, not as busy, with the SDK’s USER_BUSY/17 kept', async () => {
    const { backend, call, server } = await dial('+15550100004', 'ringing');
    await call.hangup();
    expect(server.sent('telnyx_rtc.bye')[0]!.params).toMatchObject({ cause: 'USER_BUSY', causeCode: 17, sipCode: null });
    expect(ended(backend).end).toEqual({ by: 'local', failure: { provider_code: 'USER_BUSY', q850_cause: 17 } });
    expect(ended(backend).raw).toMatchObject({ cause: { action: 'hangup' }, hangup: { sdk_state_before: 'trying', sdk_states: ['new', 'requesting', 'trying', 'hangup', 'destroy'] } });
    expect(states(backend)).toEqual(['dialing:requesting', 'trying:trying', 'ringing:', 'ended:']);
  });

  it('a rejection by Telnyx (403 … D38) ends the call as the far end’s, with every cause field and the SIP Call-ID', async () => {
    const { backend, call } = await dial('+15550100238');
    await call.closed();
    expect(states(backend)).toEqual(['dialing:requesting', 'trying:trying', 'ended:destroy']);
    expect(ended(backend).end).toEqual({
      by: 'remote',
      failure: { provider_code: 'CALL_REJECTED', q850_cause: 21, sip_status: 403, sip_reason: 'Connection has no Outbound Profile assigned D38' },
    });
    expect(ended(backend).raw).toMatchObject({ sdk_states: ['new', 'requesting', 'trying', 'hangup', 'destroy'], sip_call_id: 'd38@lab', cause: 'CALL_REJECTED' });
    expect(vertoLadder(backend, 'call-1').slice(-2)).toEqual(['← telnyx_rtc.bye', '→ result telnyx_rtc.bye']);
  });

  it('busy from the network is busy (USER_BUSY/17 with 486); a NORMAL_CLEARING right after trying keeps its bare cause', async () => {
    const busy = await dial('+15550100117');
    await busy.call.closed();
    expect(ended(busy.backend).end).toEqual({ by: 'remote', failure: { provider_code: 'USER_BUSY', q850_cause: 17, sip_status: 486, sip_reason: 'Busy Here' } });
    const cleared = await dial('+15550100116');
    await cleared.call.closed();
    expect(ended(cleared.backend).end).toEqual({ by: 'remote', failure: { provider_code: 'NORMAL_CLEARING', q850_cause: 16 } });
    expect(states(cleared.backend).map((s) => s.split(':')[0])).toEqual(['dialing', 'trying', 'ended']);
  });

  it('the far end hanging up after answer ends the call as theirs (NORMAL_CLEARING/16, 200 OK)', async () => {
    const { backend, call } = await dial('+15550100003', 'active');
    await call.closed();
    expect(ended(backend).end).toEqual({ by: 'remote', failure: { provider_code: 'NORMAL_CLEARING', q850_cause: 16, sip_status: 200, sip_reason: 'OK' } });
  });

  it('a call the SDK loses after a reconnect (48501) ends as an error with the SDK’s error, journaled', async () => {
    const { backend, call, client } = await dial('+15550100001', 'active');
    client().lose('tx-1');
    await call.closed();
    expect(ended(backend).end).toEqual({
      by: 'error',
      failure: { provider_code: 'NORMAL_CLEARING', q850_cause: 16, message: 'the Telnyx SDK ended the call (48501 SESSION_NOT_REATTACHED: Active call lost after reconnect)' },
    });
    expect(events(backend, 'error')).toEqual([expect.objectContaining({ source: 'telnyx.error', code: 48501, name: 'SESSION_NOT_REATTACHED', call_id: 'tx-1' })]);
  });

  it('a call re-attached after a reconnect goes connecting → active, and the media watch and stats follow the new connection', async () => {
    const { backend, call, adapter, client } = await dial('+15550100001', 'active');
    const first = adapter.peerConnection() as unknown as FakePeerConnection;
    await client().recover('tx-1');
    await vi.waitFor(() => expect(adapter.peerConnection()).not.toBe(first));
    await vi.waitFor(() => expect(call.snapshot.state).toBe('active'));
    await vi.waitFor(() => expect(states(backend).slice(-3)).toEqual(['active:active', 'connecting:recovering', 'active:active']));
    expect(backend.params('record_state').at(-1)!.raw).toMatchObject({
      sdk_states: ['new', 'requesting', 'trying', 'early', 'active', 'recovering', 'recovering', 'active'],
      recovered_call_id: 'tx-1',
    });
    expect(events(backend, 'media')).toContainEqual({ pc: 'replaced' });
    expect(first.closed).toBe(true);
    const second = adapter.peerConnection() as unknown as FakePeerConnection;
    second.stats = [{ id: 'in', type: 'inbound-rtp', kind: 'audio', packetsReceived: 99 }];
    await call.hangup();
    expect(ended(backend).end?.by).toBe('local');
    expect(events(backend, 'stats').at(-1)).toMatchObject({ final: true, inbound_rtp: { packetsReceived: 99 } });
  });

  it('waits for the line to log in before dialling (connecting → ready)', async () => {
    const backend = new FakeBackend();
    const l = telnyxLab(backend);
    lines.push(l.line);
    const adapter = TelnyxCallAdapter.outgoing(l.line, l.env);
    const call = l.session(adapter, '+15550100001');
    await call.start();
    await vi.waitFor(() => expect(call.snapshot.state).toBe('active'));
    await vi.waitFor(() => expect(backend.states()).toEqual(['connecting', 'ready', 'dialing', 'trying', 'ringing', 'early', 'active']));
    await call.hangup();
  });

  it('a denied microphone fails the dial with the microphone’s reason (the SDK’s 42001 journaled)', async () => {
    const l = await lab();
    l.client().microphoneError = new DOMException('Permission denied', 'NotAllowedError');
    const call = l.session(TelnyxCallAdapter.outgoing(l.line, l.env), '+15550100001');
    await call.start();
    await call.closed();
    expect(ended(l.backend).end).toMatchObject({ by: 'error', failure: { message: expect.stringMatching(/^microphone: NotAllowedError: Permission denied \(Telnyx SDK 42001/) } });
    expect(l.errors.join('\n')).toMatch(/Allow this page to use the microphone/);
    expect(events(l.backend, 'error').map((e) => e.code)).toEqual([42001, 'microphone']);
    expect(l.server.sent('telnyx_rtc.invite')).toEqual([]);
  });

  it('a hang-up while the line is still logging in sends nothing', async () => {
    const backend = new FakeBackend();
    const l = telnyxLab(backend);
    lines.push(l.line);
    l.server.loginDelayMs = 300;
    const call = l.session(TelnyxCallAdapter.outgoing(l.line, l.env), '+15550100001');
    const started = call.start();
    await vi.waitFor(() => expect(call.snapshot.state).toBe('connecting'));
    await call.hangup();
    await started;
    expect(ended(backend).end).toEqual({ by: 'local', failure: {} });
    expect(l.server.sent('telnyx_rtc.invite')).toEqual([]);
  });
});

describe('Telnyx incoming calls', () => {
  async function ringing() {
    const l = await lab();
    const offered: IncomingTelnyxCall[] = [];
    l.line.onIncoming((c) => offered.push(c));
    l.server.ring('in-1');
    await vi.waitFor(() => expect(offered).toHaveLength(1));
    return { ...l, incoming: offered[0]! };
  }

  it('offers the call with its caller; accepted, it is answered and journaled from the invite on', async () => {
    const l = await ringing();
    expect(l.incoming).toMatchObject({ account: 'lab', from: '+15559998888', displayName: 'PSTN Caller', callId: 'in-1', sdkStates: ['new', 'ringing'] });
    l.incoming.reserve();
    const adapter = TelnyxCallAdapter.incoming(l.line, l.incoming, l.env);
    const call = l.session(adapter, l.incoming.from, 'inbound');
    await call.start();
    await vi.waitFor(() => expect(call.snapshot.state).toBe('active'));
    expect(l.backend.params('create_call')[0]).toEqual({ provider: 'telnyx', account: 'lab', destination: '+15559998888', direction: 'inbound', ui_clock: expect.any(Number) });
    await vi.waitFor(() => expect(l.backend.states()).toEqual(['ringing', 'active']));
    expect(l.backend.params('record_state')[0]!.raw).toMatchObject({ sdk_states: ['new', 'ringing'], from: '+15559998888', display_name: 'PSTN Caller' });
    await call.hangup();
    expect(vertoLadder(l.backend, 'call-1')).toEqual([
      '← telnyx_rtc.invite',
      '→ result telnyx_rtc.invite',
      '→ telnyx_rtc.answer',
      '← result telnyx_rtc.answer',
      '→ telnyx_rtc.bye',
      '← result telnyx_rtc.bye',
    ]);
    expect(ended(l.backend).end).toEqual({ by: 'local', failure: { provider_code: 'NORMAL_CLEARING', q850_cause: 16 } });
    expect(ended(l.backend).raw).toMatchObject({ hangup: { sdk_states: ['new', 'ringing', 'answering', 'active', 'hangup', 'destroy'] } });
    // Nothing of the call at app level.
    await l.journal.flushed();
    expect(vertoLadder(l.backend, null).filter((s) => /invite|answer|bye/.test(s))).toEqual([]);
  });

  it('rejected, the SDK hangs up with USER_BUSY/17, and the invite, the decision and the BYE go to the app-level journal', async () => {
    const l = await ringing();
    l.incoming.reject();
    await vi.waitFor(() => expect(l.server.sent('telnyx_rtc.bye')).toHaveLength(1));
    expect(l.server.sent('telnyx_rtc.bye')[0]!.params).toMatchObject({ cause: 'USER_BUSY', causeCode: 17 });
    await vi.waitFor(() => expect(l.incoming.gone).not.toBeNull());
    await l.journal.flushed();
    expect(vertoLadder(l.backend, null).slice(-4)).toEqual(['← telnyx_rtc.invite', '→ result telnyx_rtc.invite', '→ telnyx_rtc.bye', '← result telnyx_rtc.bye']);
    const actions = l.backend.params('record_event').filter((p) => p.call_id === null && p.kind === 'action');
    expect(actions.map((a) => a.payload)).toEqual([{ account: 'lab', action: 'reject', from: '+15559998888', status: 486, reason: 'Busy Here', telnyx_call_id: 'in-1' }]);
    expect(l.backend.params('create_call')).toEqual([]);
  });

  it('a caller who gives up before the answer is a missed call at app level', async () => {
    const l = await ringing();
    const gone = vi.fn();
    l.incoming.onGone(gone);
    l.server.bye('in-1', { cause: 'ORIGINATOR_CANCEL', causeCode: 487, sipCode: 487, sipReason: 'Request Terminated' });
    await vi.waitFor(() => expect(gone).toHaveBeenCalled());
    await l.journal.flushed();
    const warnings = l.backend.params('record_event').filter((p) => p.call_id === null && p.kind === 'warning').map((p) => p.payload);
    expect(warnings).toContainEqual(
      expect.objectContaining({ message: 'the incoming call from +15559998888 ended before it was answered (ORIGINATOR_CANCEL, 487 Request Terminated)', causeCode: 487 }),
    );
    expect(vertoLadder(l.backend, null).slice(-4)).toEqual(['← telnyx_rtc.invite', '→ result telnyx_rtc.invite', '← telnyx_rtc.bye', '→ result telnyx_rtc.bye']);
    expect(l.line.busy).toBe(false);
  });

  it('a caller who gives up between Accept and the answer ends the accepted call as theirs', async () => {
    const l = await ringing();
    l.incoming.reserve();
    l.server.bye('in-1', { cause: 'ORIGINATOR_CANCEL', causeCode: 487, sipCode: 487, sipReason: 'Request Terminated' });
    await vi.waitFor(() => expect(l.incoming.gone).not.toBeNull());
    const call = l.session(TelnyxCallAdapter.incoming(l.line, l.incoming, l.env), l.incoming.from, 'inbound');
    await call.start();
    await call.closed();
    expect(ended(l.backend).end).toEqual({ by: 'remote', failure: { provider_code: 'ORIGINATOR_CANCEL', q850_cause: 487, sip_status: 487, sip_reason: 'Request Terminated' } });
    expect(vertoLadder(l.backend, 'call-1')).toEqual(['← telnyx_rtc.invite', '→ result telnyx_rtc.invite', '← telnyx_rtc.bye', '→ result telnyx_rtc.bye']);
  });
});
