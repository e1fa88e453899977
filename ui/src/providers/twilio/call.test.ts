import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RecordEvent, RecordState } from '../../api/generated';
import { CallSession } from '../../calls/session';
import { FakeBackend } from '../../testing/fake-backend';
import { FakePeerConnection } from '../../testing/fake-webrtc';
import { TwilioCallAdapter, type TwilioCallEnvironment } from './call';
import { type FakeCall, twilioError, twilioLab } from '../../testing/twilio/fake-twilio';
import type { IncomingTwilioCall } from './incoming';
import type { TwilioLine } from './line';

const lines: TwilioLine[] = [];
afterEach(() => {
  for (const line of lines.splice(0)) line.stop();
});

const ENV: TwilioCallEnvironment = { readyTimeoutMs: 2000, offerTimeoutMs: 2000, hangupConfirmTimeoutMs: 200 };

async function setup(options: Parameters<typeof twilioLab>[1] = {}) {
  const backend = new FakeBackend();
  const lab = twilioLab(backend, options);
  lines.push(lab.line);
  await lab.line.start();
  await vi.waitFor(() => expect(lab.line.status.state).toBe('registered'));
  const errors: string[] = [];
  const session = (adapter: TwilioCallAdapter, destination: string, direction?: 'inbound') =>
    new CallSession({ backend, adapter, destination, account: 'lab', direction, onError: (what, e) => errors.push(`${what}: ${String(e)}`), statsIntervalMs: 60_000 });
  const call = () => lab.sdk.device.calls.at(-1) as FakeCall;
  return { backend, lab, session, call, errors };
}

const callEvents = (backend: FakeBackend, kind: string) =>
  backend.params('record_event').filter((p: RecordEvent) => p.call_id !== null && p.kind === kind).map((p) => p.payload as Record<string, unknown>);
const ladder = (backend: FakeBackend) => callEvents(backend, 'signal').map((s) => `${s.direction === 'sent' ? '→' : '←'} ${String(s.summary)}`);
const ended = (backend: FakeBackend) => backend.params('record_state').find((p: RecordState) => p.state === 'ended');

describe('a Twilio call', () => {
  it('answered: invite → dialing, ringing, accept → active; To and the caller ID for the TwiML app; the SDK’s peer connection watched; DTMF and mute; our hang-up', async () => {
    const { backend, lab, session, call, errors } = await setup();
    const adapter = TwilioCallAdapter.outgoing(lab.line, ENV);
    const s = session(adapter, '+14155550100');
    await s.start();
    await vi.waitFor(() => expect(backend.states()).toEqual(['dialing']));
    const invite = callEvents(backend, 'signal')[0]!;
    expect((invite.body as { payload: { twilio: { params: string } } }).payload.twilio.params).toBe('To=%2B14155550100&CallerId=%2B15005550006');
    const dialing = backend.params('record_state')[0]!.raw as Record<string, unknown>;
    expect(dialing).toMatchObject({ sdk: 'invite', pstream: 'invite', to: '+14155550100', candidates: { host: 1 } });
    expect(adapter.peerConnection()).toBeInstanceOf(FakePeerConnection);
    expect(call().accepted).toEqual([{ rtcConstraints: { audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false } } }]);

    lab.sdk.device.ringing(call());
    lab.sdk.device.answer(call());
    await vi.waitFor(() => expect(s.snapshot.state).toBe('active'));
    s.sendDtmf('5');
    s.setMuted(true);
    expect(call().digits).toEqual(['5']);
    expect(call().muted).toBe(true);
    await s.hangup();
    expect(backend.states()).toEqual(['dialing', 'ringing', 'active', 'ended']);
    expect(ended(backend)!.end).toEqual({ by: 'local', failure: {} });
    expect((ended(backend)!.raw as { hangup: Record<string, unknown> }).hangup).toMatchObject({ hangup: 'disconnect', sdk_status_before: 'open', disconnected: true });
    expect(ladder(backend)).toEqual(['→ invite', '← ringing', '← answer', '→ hangup']);
    const answer = callEvents(backend, 'signal')[2]!;
    expect((answer.body as { payload: Record<string, unknown> }).payload.reconnect).toBe('[redacted]');
    const active = backend.params('record_state')[2]!.raw as Record<string, unknown>;
    expect(active).toMatchObject({ sdk: 'accept', sdk_status: 'open', call_sid: expect.stringMatching(/^CA/), outbound_connection_id: expect.stringMatching(/^TJS/) });
    expect(callEvents(backend, 'media').some((m) => m.media === 'microphone')).toBe(true);
    expect(() => adapter.setHeld()).toThrow(/hold/);
    expect(errors).toEqual([]);
    // The peer connection closed only once the call was recorded.
    expect((adapter.peerConnection() as unknown as FakePeerConnection).closed).toBe(true);
  });

  it('busy: the TwilioError is recorded with its code, name, message, sids and the gateway’s code, and ends the call by the far end', async () => {
    const { backend, lab, session, call } = await setup();
    const s = session(TwilioCallAdapter.outgoing(lab.line, ENV), '+14155551486');
    await s.start();
    lab.sdk.device.ringing(call());
    lab.sdk.device.hangup(call(), { code: 31486, message: 'Busy Here', sdk: twilioError(31486, 'BusyHere', 'The callee is busy') });
    await s.closed();
    expect(backend.states()).toEqual(['dialing', 'ringing', 'ended']);
    const [error] = callEvents(backend, 'error');
    expect(error).toMatchObject({
      source: 'twilio.call',
      code: 31486,
      name: 'BusyHere',
      message: 'BusyHere (31486): The callee is busy',
      call_sid: expect.stringMatching(/^CA/),
      outbound_connection_id: expect.stringMatching(/^TJS/),
      gateway_error: { code: 31486, message: 'Busy Here', type: 'hangup' },
    });
    expect(ended(backend)!.end).toEqual({ by: 'remote', failure: { provider_code: '31486', message: 'BusyHere (31486): The callee is busy' } });
    expect(ladder(backend)).toEqual(['→ invite', '← ringing', '← hangup 31486']);
  });

  it('a masked code keeps the gateway’s own in the end’s message (31503 behind 31005)', async () => {
    const { backend, lab, session, call } = await setup();
    const s = session(TwilioCallAdapter.outgoing(lab.line, ENV), '+14155551005');
    await s.start();
    lab.sdk.device.hangup(call(), { code: 31503, message: 'Service Unavailable', sdk: twilioError(31005, 'ConnectionError', 'Error sent from gateway in HANGUP', { code: 31503, message: 'Service Unavailable' }) });
    await s.closed();
    expect(ended(backend)!.end).toEqual({
      by: 'remote',
      failure: { provider_code: '31005', message: 'ConnectionError (31005): Error sent from gateway in HANGUP (the gateway sent 31503 Service Unavailable)' },
    });
  });

  it('warnings, warning-cleared, reconnecting and reconnected are journaled with their codes; the call stays active', async () => {
    const { backend, lab, session, call } = await setup();
    const s = session(TwilioCallAdapter.outgoing(lab.line, ENV), '+14155550140');
    await s.start();
    lab.sdk.device.answer(call());
    await vi.waitFor(() => expect(s.snapshot.state).toBe('active'));
    call().emit('warning', 'low-bytes-received', { threshold: { name: 'min', value: 1 }, values: [0, 0, 0] });
    call().emit('reconnecting', twilioError(53405, 'ConnectionError', 'ICE failed'));
    call().emit('reconnected');
    call().emit('warning-cleared', 'low-bytes-received');
    await s.hangup();
    expect(backend.states()).toEqual(['dialing', 'active', 'ended']);
    expect(callEvents(backend, 'warning').map((w) => [w.warning ?? w.event, w.code ?? null, w.cleared ?? null])).toEqual([
      ['low-bytes-received', null, false],
      ['reconnecting', 53405, null],
      ['low-bytes-received', null, true],
    ]);
    expect(callEvents(backend, 'media').find((m) => m.event === 'reconnected')).toMatchObject({ recovered_from: 53405 });
  });

  it('a token refresh during the call is journaled in the call too', async () => {
    let later = 0;
    const { backend, lab, session, call } = await setup({ ttlS: 60, now: () => Date.now() + later });
    const s = session(TwilioCallAdapter.outgoing(lab.line, ENV), '+14155550100');
    await s.start();
    lab.sdk.device.answer(call());
    later = 31_000;
    lab.sdk.device.emit('tokenWillExpire', lab.sdk.device);
    await vi.waitFor(() => expect(callEvents(backend, 'action').some((a) => a.action === 'token_refresh')).toBe(true));
    expect(callEvents(backend, 'action').find((a) => a.action === 'token_refresh')).toMatchObject({ trigger: 'tokenWillExpire', account: 'lab' });
    // The new listen is no call's: app level.
    expect(ladder(backend)).toEqual(['→ invite', '← answer']);
    await s.hangup();
    expect(ended(backend)!.end?.by).toBe('local');
  });

  it('a microphone refused before the invite: the dial fails with the DOMException’s name, so the diagnosis can tell', async () => {
    const { backend, lab, session } = await setup();
    lab.sdk.device.microphoneError = new DOMException('Permission denied', 'NotAllowedError');
    const s = session(TwilioCallAdapter.outgoing(lab.line, ENV), '+14155550100');
    await s.start();
    await s.closed();
    expect(ended(backend)!.end?.by).toBe('error');
    expect(callEvents(backend, 'error')[0]).toMatchObject({ code: 31401, original_error: { name: 'NotAllowedError' } });
    const dialError = callEvents(backend, 'error').find((e) => e.during === 'dial')!;
    expect(dialError).toMatchObject({ code: 'microphone', message: expect.stringMatching(/^microphone: NotAllowedError: PermissionDeniedError \(31401\)/) });
  });
});

describe('an incoming Twilio call', () => {
  async function offered() {
    const ctx = await setup();
    const offers: IncomingTwilioCall[] = [];
    ctx.lab.line.onIncoming((c) => offers.push(c));
    const sdkCall = await ctx.lab.sdk.device.ringIn();
    await vi.waitFor(() => expect(offers).toHaveLength(1));
    return { ...ctx, incoming: offers[0]!, sdkCall };
  }

  it('accepted: ringing → active, its invite journaled first; our hang-up', async () => {
    const { backend, lab, session, incoming, errors } = await offered();
    expect(incoming).toMatchObject({ account: 'lab', from: '+15558675310', displayName: null });
    incoming.reserve();
    const s = session(TwilioCallAdapter.incoming(lab.line, incoming, ENV), incoming.from, 'inbound');
    await s.start();
    await vi.waitFor(() => expect(s.snapshot.state).toBe('active'));
    await s.hangup();
    expect(backend.states()).toEqual(['ringing', 'active', 'ended']);
    expect(backend.params('record_state')[0]!.raw).toMatchObject({ sdk: 'incoming', from: '+15558675310', custom_parameters: { ticket: '123' } });
    expect(ladder(backend)).toEqual(['← invite', '→ answer', '→ hangup']);
    expect(ended(backend)!.end?.by).toBe('local');
    expect(errors).toEqual([]);
  });

  it('rejected: the SDK sends reject; the invite, the decision and the reject go to the app-level journal', async () => {
    const { backend, lab, incoming, sdkCall } = await offered();
    incoming.reject();
    expect(sdkCall.state).toBe('closed');
    await lab.journal.flushed();
    const app = backend.params('record_event').filter((p) => p.call_id === null);
    const tail = app.slice(-3).map((p) => {
      const payload = p.payload as Record<string, unknown>;
      return p.kind === 'signal' ? `${String(payload.direction)} ${String(payload.summary)}` : `${p.kind} ${String(payload.action)}`;
    });
    expect(tail).toEqual(['received invite', 'action reject', 'sent reject']);
    expect(backend.params('create_call')).toEqual([]);
  });

  it('the caller gives up before we answer: gone, and a missed call at app level', async () => {
    const { backend, lab, incoming, sdkCall } = await offered();
    const gone = vi.fn();
    incoming.onGone(gone);
    lab.sdk.device.cancel(sdkCall);
    expect(gone).toHaveBeenCalledWith({ event: 'cancel', error: null });
    await lab.journal.flushed();
    const warnings = backend.params('record_event').filter((p) => p.call_id === null && p.kind === 'warning').map((p) => p.payload as Record<string, unknown>);
    expect(warnings.at(-1)).toMatchObject({ account: 'lab', event: 'cancel', message: 'the incoming call from +15558675310 ended before it was answered (the caller gave up)' });
  });
});
