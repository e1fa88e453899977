import { afterEach, describe, expect, it, vi } from 'vitest';
import { settle } from '../testing/fake-backend';
import { FakePeerConnection } from '../testing/fake-webrtc';
import { MediaWatch } from './watch';

function watch(timeoutMs = 15_000) {
  const pc = new FakePeerConnection();
  const records: Record<string, unknown>[] = [];
  const failures: string[] = [];
  const w = new MediaWatch(pc as unknown as RTCPeerConnection, (p) => records.push(p), (m) => failures.push(m), timeoutMs);
  return { pc, records, failures, w };
}

afterEach(() => vi.useRealTimers());

describe('MediaWatch', () => {
  it('records connection, ICE and gathering changes, and the selected pair once connected', async () => {
    const { pc, records, failures } = watch();
    pc.stats = [
      { id: 'T', type: 'transport', selectedCandidatePairId: 'P' },
      { id: 'P', type: 'candidate-pair', localCandidateId: 'L', remoteCandidateId: 'R', state: 'succeeded' },
      { id: 'L', type: 'local-candidate', candidateType: 'host', protocol: 'udp', address: '10.0.0.2', port: 5000 },
      { id: 'R', type: 'remote-candidate', candidateType: 'host', protocol: 'udp', address: '127.0.0.1', port: 6000 },
    ];
    pc.setState('iceGatheringState', 'gathering', 'icegatheringstatechange');
    pc.setState('iceConnectionState', 'checking', 'iceconnectionstatechange');
    pc.setState('iceConnectionState', 'connected', 'iceconnectionstatechange');
    pc.setState('connectionState', 'connected', 'connectionstatechange');
    await settle();
    expect(records).toEqual([
      { pc: 'ice_gathering', ice_gathering_state: 'gathering' },
      { pc: 'ice_connection', ice_connection_state: 'checking' },
      { pc: 'ice_connection', ice_connection_state: 'connected' },
      { pc: 'connection', state: 'connected' },
      {
        pc: 'selected_candidate_pair',
        local: { candidateType: 'host', protocol: 'udp', address: '10.0.0.2', port: 5000 },
        remote: { candidateType: 'host', protocol: 'udp', address: '127.0.0.1', port: 6000 },
        pair_state: 'succeeded',
        currentRoundTripTime: null,
      },
    ]);
    // Only the connection state (ICE + DTLS) says `state: 'connected'`: the backend's "time to media".
    expect(records.filter((r) => r.state === 'connected')).toHaveLength(1);
    expect(failures).toEqual([]);
  });

  it('asks again for the selected pair when the engine has none yet as the connection connects', async () => {
    vi.useFakeTimers();
    const { pc, records } = watch();
    pc.setState('connectionState', 'connected', 'connectionstatechange');
    await vi.advanceTimersByTimeAsync(250);
    expect(records.some((r) => r.pc === 'selected_candidate_pair')).toBe(false);
    pc.stats = [
      { id: 'P', type: 'candidate-pair', localCandidateId: 'L', remoteCandidateId: 'R', state: 'succeeded', selected: true },
      { id: 'L', type: 'local-candidate', candidateType: 'relay', protocol: 'udp', address: '10.0.0.2', port: 5000 },
      { id: 'R', type: 'remote-candidate', candidateType: 'host', protocol: 'udp', address: '127.0.0.1', port: 6000 },
    ];
    await vi.advanceTimersByTimeAsync(1000);
    const pairs = records.filter((r) => r.pc === 'selected_candidate_pair');
    expect(pairs).toHaveLength(1);
    expect(pairs[0]!.local).toMatchObject({ candidateType: 'relay' });
  });

  it('records null once when no pair ever shows up, and counts the local candidates when gathering completes', async () => {
    vi.useFakeTimers();
    const { pc, records } = watch();
    pc.stats = [
      { id: 'a', type: 'local-candidate', candidateType: 'relay' },
      { id: 'b', type: 'local-candidate', candidateType: 'relay' },
      { id: 'c', type: 'remote-candidate', candidateType: 'host' },
    ];
    pc.setState('iceGatheringState', 'complete', 'icegatheringstatechange');
    pc.setState('connectionState', 'connected', 'connectionstatechange');
    await vi.advanceTimersByTimeAsync(5000);
    expect(records).toContainEqual({ pc: 'ice_candidates', host: 0, srflx: 0, relay: 2, prflx: 0 });
    expect(records.filter((r) => r.pc === 'selected_candidate_pair')).toEqual([{ pc: 'selected_candidate_pair', local: null, remote: null }]);
  });

  it('records candidate errors with their url, code and text', () => {
    const { pc, records } = watch();
    const event = Object.assign(new Event('icecandidateerror'), {
      url: 'turn:turn.example:3478',
      errorCode: 401,
      errorText: 'Unauthorized',
      address: '192.0.2.10',
      port: 50000,
    });
    pc.dispatchEvent(event);
    expect(records).toEqual([
      { pc: 'ice_candidate_error', url: 'turn:turn.example:3478', errorCode: 401, errorText: 'Unauthorized', address: '192.0.2.10', port: 50000 },
    ]);
  });

  it('fails once when media has not connected 15 s after answer', () => {
    vi.useFakeTimers();
    const { pc, w, failures } = watch();
    pc.setState('iceConnectionState', 'checking', 'iceconnectionstatechange');
    w.answered();
    vi.advanceTimersByTime(14_999);
    expect(failures).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(failures).toEqual(['media never connected (ICE checking 15 s after answer)']);
    pc.setState('connectionState', 'failed', 'connectionstatechange');
    expect(failures).toHaveLength(1);
  });

  it('does not fail when media connects in time', () => {
    vi.useFakeTimers();
    const { pc, w, failures } = watch();
    w.answered();
    vi.advanceTimersByTime(5000);
    pc.setState('connectionState', 'connected', 'connectionstatechange');
    vi.advanceTimersByTime(60_000);
    expect(failures).toEqual([]);
  });

  it('fails when the connection fails, saying whether media ever connected', () => {
    const first = watch();
    first.pc.iceConnectionState = 'failed';
    first.pc.setState('connectionState', 'failed', 'connectionstatechange');
    expect(first.failures).toEqual(['media never connected (ICE failed)']);

    const second = watch();
    second.pc.setState('connectionState', 'connected', 'connectionstatechange');
    second.pc.iceConnectionState = 'failed';
    second.pc.setState('connectionState', 'failed', 'connectionstatechange');
    expect(second.failures).toEqual(['media path failed (ICE failed)']);
  });

  it('records nothing once stopped', () => {
    const { pc, w, records } = watch();
    w.stop();
    pc.setState('connectionState', 'closed', 'connectionstatechange');
    expect(records).toEqual([]);
  });
});
