import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EchoSignal } from '../../api/generated';
import { CallSession } from '../../calls/session';
import { describeEnd } from '../../calls/format';
import { FakeBackend, settle } from '../../testing/fake-backend';
import { FakePeerConnection, fakeGetUserMedia } from '../../testing/fake-webrtc';
import { EchoAdapter, type EchoEnvironment } from './call';

function setup(options: { confirmHangup?: boolean; env?: Partial<EchoEnvironment> } = {}) {
  const backend = new FakeBackend();
  let seq = 100;
  const signal = (callId: string, s: EchoSignal) => backend.emit({ type: 'echo', call_id: callId, seq: seq++, signal: s });
  backend.handle('echo_dial', () => ({}));
  backend.handle('echo_hangup', (p) => {
    if (options.confirmHangup !== false) {
      setTimeout(() => signal(p.call_id, { signal: 'hangup_confirmed', status: 200, reason: 'OK' }), 5);
    }
    return {};
  });
  const mic = fakeGetUserMedia();
  const audio = { play: vi.fn(), stop: vi.fn() };
  const adapter = new EchoAdapter(backend, {
    getUserMedia: mic.fn,
    createPeerConnection: (config) => new FakePeerConnection(config) as unknown as RTCPeerConnection,
    remoteAudio: audio,
    iceGatheringTimeoutMs: 2000,
    hangupConfirmTimeoutMs: 2000,
    ...options.env,
  });
  const errors: string[] = [];
  const session = new CallSession({
    backend,
    adapter,
    destination: '100',
    onError: (context, error) => errors.push(`${context}: ${String(error)}`),
  });
  return { backend, adapter, session, mic, audio, errors, signal };
}

const pc = () => FakePeerConnection.created.at(-1)!;

beforeEach(() => {
  FakePeerConnection.created = [];
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Echo adapter', () => {
  it('dials with a raw microphone and a complete offer, then follows the far end to active', async () => {
    const { backend, session, mic, signal } = setup();
    await session.start();

    expect(mic.calls).toEqual([{ audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false } }]);
    expect(pc().config).toEqual({ iceServers: [] });
    expect(pc().tracks).toHaveLength(1);
    const dial = backend.params('echo_dial')[0]!;
    expect(dial.call_id).toBe('call-1');
    // Sent after gathering completed, with the candidates in it (no trickle).
    expect(dial.offer_sdp).toContain('a=candidate:');
    expect(backend.params('record_state')[0]).toMatchObject({
      state: 'dialing',
      raw: { ice_gathering: 'complete', candidates: { host: 1 } },
    });
    // dialing is recorded before the offer goes out.
    expect(backend.trace().indexOf('state:dialing')).toBeLessThan(backend.trace().indexOf('echo_dial'));

    signal('call-1', { signal: 'trying' });
    signal('other-call', { signal: 'ringing' }); // not ours
    signal('call-1', { signal: 'answer', sdp: 'v=0 answer' });
    await settle();
    expect(pc().remoteDescription).toEqual({ type: 'answer', sdp: 'v=0 answer' });
    expect(backend.states()).toEqual(['dialing', 'trying', 'active']);
    expect(session.snapshot.state).toBe('active');
    session.setMuted(true);
    expect(mic.stream.track.enabled).toBe(false);
    await session.hangup();
  });

  it('hangs up with echo_hangup, waits for the confirmation, ends local, and releases everything', async () => {
    const { backend, session, mic, audio, signal } = setup();
    await session.start();
    signal('call-1', { signal: 'answer', sdp: 'v=0' });
    await settle();
    await session.hangup();

    expect(backend.params('echo_hangup')).toEqual([{ call_id: 'call-1' }]);
    const ended = backend.params('record_state').at(-1)!;
    expect(ended).toMatchObject({
      state: 'ended',
      end: { by: 'local', failure: {} },
      raw: { hangup: { signal: 'hangup_confirmed', status: 200, reason: 'OK' } },
    });
    expect(mic.stream.track.stopped).toBe(true);
    expect(pc().closed).toBe(true);
    expect(audio.stop).toHaveBeenCalled();
  });

  it('does not wait more than the confirmation timeout for the far end', async () => {
    const { backend, session, signal } = setup({ confirmHangup: false, env: { hangupConfirmTimeoutMs: 30 } });
    await session.start();
    signal('call-1', { signal: 'ringing' });
    await settle();
    const started = Date.now();
    await session.hangup();
    expect(Date.now() - started).toBeLessThan(1000);
    const ended = backend.params('record_state').at(-1)!;
    expect(ended).toMatchObject({ state: 'ended', end: { by: 'local' }, raw: { hangup: { hangup_confirmed: null, waited_ms: 30 } } });
    expect(backend.params('record_event').some((p) => p.kind === 'warning')).toBe(true);
    expect(session.snapshot.warnings).toEqual(['the far end did not confirm the hangup within 30 ms']);
  });

  it('replays far-end signals it missed from the journal, once each', async () => {
    const { backend, session, signal } = setup();
    await session.start();
    signal('call-1', { signal: 'trying' }); // seq 100, seen live
    await settle();
    const journaled = (seq: number, body: EchoSignal) => ({
      call_id: 'call-1', launch_id: 1, seq, t_ms: seq, at: '', source: 'signalling' as const, kind: 'signal' as const,
      payload: { direction: 'received', protocol: 'echo', summary: body.signal, body },
    });
    backend.handle('get_call', () => ({
      call: backend.params('create_call')[0] as never,
      events: [
        journaled(100, { signal: 'trying' }),
        journaled(101, { signal: 'answer', sdp: 'v=0 missed' }),
        { ...journaled(102, { signal: 'trying' }), payload: { direction: 'sent', protocol: 'echo', summary: 'BYE', body: null } },
      ],
      diagnosis: null,
    }));
    backend.emit({ type: 'lagged', missed: 3 });
    await settle();
    expect(pc().remoteDescription).toEqual({ type: 'answer', sdp: 'v=0 missed' });
    expect(backend.states()).toEqual(['dialing', 'trying', 'active']);
    expect(session.snapshot.warnings).toContain('replayed 1 missed Echo line signal(s) from the journal');
    // The live copy of a replayed signal is not handled twice.
    backend.emit({ type: 'echo', call_id: 'call-1', seq: 101, signal: { signal: 'answer', sdp: 'v=0 missed' } });
    await settle();
    expect(backend.states()).toEqual(['dialing', 'trying', 'active']);
    await session.hangup();
  });

  it('ends a busy call by the far end with 486 and Q.850 17', async () => {
    const { backend, session, signal } = setup();
    await session.start();
    signal('call-1', { signal: 'trying' });
    signal('call-1', { signal: 'reject', status: 486, reason: 'Busy Here', q850_cause: 17 });
    await session.closed();
    expect(backend.states()).toEqual(['dialing', 'trying', 'ended']);
    expect(backend.params('echo_hangup')).toEqual([]);
    expect(describeEnd(session.snapshot.end!)).toBe('Ended by the far end · 486 Busy Here · Q.850 17');
    expect(pc().closed).toBe(true);
  });

  it('ends a call the far end hung up (bye) by the far end, with its reason', async () => {
    const { session, signal } = setup();
    await session.start();
    signal('call-1', { signal: 'answer', sdp: 'v=0' });
    signal('call-1', { signal: 'bye', reason: 'media path lost' });
    await session.closed();
    expect(session.snapshot.end).toEqual({ by: 'remote', failure: { message: 'media path lost' } });
    expect(session.snapshot.entries.map((e) => e.state)).toEqual(['dialing', 'active', 'ended']);
  });

  it('ends {by:error} and hangs up when the answer cannot be applied', async () => {
    const { backend, session, signal } = setup();
    await session.start();
    pc().rejectAnswer = new DOMException('bad fingerprint', 'InvalidAccessError');
    signal('call-1', { signal: 'answer', sdp: 'v=0 broken' });
    await session.closed();
    expect(session.snapshot.end).toEqual({
      by: 'error',
      failure: { message: "could not apply the far end's answer: InvalidAccessError: bad fingerprint" },
    });
    expect(backend.params('echo_hangup')).toHaveLength(1);
  });

  it('ends {by:error} with the microphone error, without dialling, when the microphone is refused', async () => {
    const denied = async () => {
      throw new DOMException('Permission denied', 'NotAllowedError');
    };
    const { backend, session, errors } = setup({ env: { getUserMedia: denied } });
    await session.start();
    await session.closed();
    expect(backend.params('echo_dial')).toEqual([]);
    expect(backend.params('echo_hangup')).toEqual([]);
    expect(session.snapshot.end).toEqual({ by: 'error', failure: { message: 'microphone: NotAllowedError: Permission denied' } });
    expect(errors[0]).toMatch(/^Placing the call: .*NotAllowedError/);
  });

  it('ends the call {by:error} when media never connects within the timeout after answer', async () => {
    vi.useFakeTimers();
    const { backend, session, signal } = setup();
    const started = session.start();
    await vi.advanceTimersByTimeAsync(10);
    await started;
    signal('call-1', { signal: 'answer', sdp: 'v=0' });
    await vi.advanceTimersByTimeAsync(10);
    pc().setState('iceConnectionState', 'checking', 'iceconnectionstatechange');
    await vi.advanceTimersByTimeAsync(14_980);
    expect(session.snapshot.state).toBe('active');
    await vi.advanceTimersByTimeAsync(100);
    await vi.runAllTimersAsync();
    expect(session.snapshot.end).toEqual({
      by: 'error',
      failure: { message: 'media never connected (ICE checking 15 s after answer)' },
    });
    expect(backend.params('echo_hangup')).toHaveLength(1);
    expect(backend.params('record_event').map((p) => p.payload)).toContainEqual({
      pc: 'ice_connection',
      ice_connection_state: 'checking',
    });
  });
});
