import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakePeerConnection } from '../testing/fake-webrtc';
import { sampleFromStats, selectedPair, type StatsEntry, StatsSampler } from './stats';

/** A Chromium-like getStats() report for one audio call over a host pair. */
const REPORT: StatsEntry[] = [
  { id: 'T01', type: 'transport', selectedCandidatePairId: 'CP1' },
  { id: 'CP0', type: 'candidate-pair', localCandidateId: 'L2', remoteCandidateId: 'R1', state: 'failed', nominated: false },
  {
    id: 'CP1',
    type: 'candidate-pair',
    localCandidateId: 'L1',
    remoteCandidateId: 'R1',
    state: 'succeeded',
    nominated: true,
    currentRoundTripTime: 0.002,
  },
  { id: 'L1', type: 'local-candidate', candidateType: 'host', protocol: 'udp', address: '192.0.2.10', port: 50000 },
  { id: 'L2', type: 'local-candidate', candidateType: 'srflx', protocol: 'udp', address: '198.51.100.1', port: 50001 },
  { id: 'R1', type: 'remote-candidate', candidateType: 'host', protocol: 'udp', ip: '127.0.0.1', port: 40000 },
  { id: 'IV', type: 'inbound-rtp', kind: 'video', packetsReceived: 999 },
  {
    id: 'IA',
    type: 'inbound-rtp',
    kind: 'audio',
    packetsReceived: 250,
    packetsLost: 2,
    jitter: 0.004,
    bytesReceived: 20000,
    audioLevel: 0.12,
    totalAudioEnergy: 0.5,
  },
  { id: 'OA', type: 'outbound-rtp', kind: 'audio', packetsSent: 251, bytesSent: 21000 },
];

afterEach(() => vi.useRealTimers());

describe('stats sample', () => {
  it('takes the audio counters, the outbound counters and the round trip of the selected pair', () => {
    expect(sampleFromStats(REPORT)).toEqual({
      inbound_rtp: {
        packetsReceived: 250,
        packetsLost: 2,
        jitter: 0.004,
        bytesReceived: 20000,
        audioLevel: 0.12,
        totalAudioEnergy: 0.5,
      },
      outbound_rtp: { packetsSent: 251, bytesSent: 21000 },
      candidate_pair: { currentRoundTripTime: 0.002 },
      final: false,
    });
  });

  it('says null for what the engine does not report yet', () => {
    expect(sampleFromStats([], true)).toEqual({ inbound_rtp: null, outbound_rtp: null, candidate_pair: null, final: true });
    const partial = sampleFromStats([{ id: 'IA', type: 'inbound-rtp', kind: 'audio', packetsReceived: 3 }]);
    expect(partial.inbound_rtp).toMatchObject({ packetsReceived: 3, audioLevel: null });
  });

  it("names the selected pair's candidates (type, protocol, address)", () => {
    expect(selectedPair(REPORT)).toEqual({
      local: { candidateType: 'host', protocol: 'udp', address: '192.0.2.10', port: 50000 },
      remote: { candidateType: 'host', protocol: 'udp', address: '127.0.0.1', port: 40000 },
      pair_state: 'succeeded',
      currentRoundTripTime: 0.002,
    });
  });

  it('falls back to the nominated succeeded pair when there is no transport entry', () => {
    const withoutTransport = REPORT.filter((e) => e.type !== 'transport');
    expect(selectedPair(withoutTransport)?.local?.address).toBe('192.0.2.10');
    expect(selectedPair([])).toBeNull();
  });
});

describe('StatsSampler', () => {
  it('samples every second while running and once more, marked final, when stopped', async () => {
    vi.useFakeTimers();
    const pc = new FakePeerConnection();
    pc.stats = REPORT;
    const samples: unknown[] = [];
    const sampler = new StatsSampler(pc as unknown as RTCPeerConnection, (s) => samples.push(s), () => undefined);
    sampler.start();
    await vi.advanceTimersByTimeAsync(3000);
    expect(samples).toHaveLength(3);
    await sampler.stop(true);
    expect(samples).toHaveLength(4);
    expect(samples.at(-1)).toMatchObject({ final: true });
    await vi.advanceTimersByTimeAsync(3000);
    expect(samples).toHaveLength(4);
  });

  it('reports a failing getStats once', async () => {
    vi.useFakeTimers();
    const pc = new FakePeerConnection();
    pc.closed = true;
    const problems: unknown[] = [];
    const sampler = new StatsSampler(pc as unknown as RTCPeerConnection, () => undefined, (e) => problems.push(e));
    sampler.start();
    await vi.advanceTimersByTimeAsync(5000);
    await sampler.stop(true);
    expect(problems).toHaveLength(1);
  });
});
