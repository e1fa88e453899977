/** A getStats() entry, as plain data (RTCStatsReport values, or fakes in tests). */
export type StatsEntry = Record<string, unknown> & { id?: unknown; type?: unknown };

export interface InboundAudio {
  packetsReceived: number | null;
  packetsLost: number | null;
  jitter: number | null;
  bytesReceived: number | null;
  audioLevel: number | null;
  totalAudioEnergy: number | null;
}

export interface OutboundAudio {
  packetsSent: number | null;
  bytesSent: number | null;
}

/** One `stats` event's payload: the numbers a support engineer reads first, named as in WebRTC. */
export interface StatsSample {
  inbound_rtp: InboundAudio | null;
  outbound_rtp: OutboundAudio | null;
  candidate_pair: { currentRoundTripTime: number | null } | null;
  /** The last sample, taken as the call ended. */
  final: boolean;
}

export interface CandidateInfo {
  candidateType: string | null;
  protocol: string | null;
  address: string | null;
  port: number | null;
}

/** The candidate pair the media flows over. */
export interface SelectedPair {
  local: CandidateInfo | null;
  remote: CandidateInfo | null;
  /** The pair's own state ('succeeded', ...); named apart from the connection's `state`. */
  pair_state: string | null;
  currentRoundTripTime: number | null;
}

export function statsEntries(report: RTCStatsReport): StatsEntry[] {
  const entries: StatsEntry[] = [];
  report.forEach((value: unknown) => entries.push(value as StatsEntry));
  return entries;
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function isAudio(entry: StatsEntry): boolean {
  return entry.kind === 'audio' || entry.mediaType === 'audio';
}

/** The candidate pair in use: the transport's selected pair, else a selected/nominated succeeded one. */
export function selectedPairEntry(entries: StatsEntry[]): StatsEntry | null {
  const byId = new Map(entries.map((e) => [e.id, e]));
  for (const transport of entries.filter((e) => e.type === 'transport')) {
    const pair = byId.get(transport.selectedCandidatePairId);
    if (pair) return pair;
  }
  const pairs = entries.filter((e) => e.type === 'candidate-pair');
  return (
    pairs.find((p) => p.selected === true) ??
    pairs.find((p) => p.nominated === true && p.state === 'succeeded') ??
    null
  );
}

function candidate(entry: StatsEntry | undefined): CandidateInfo | null {
  if (!entry) return null;
  return {
    candidateType: str(entry.candidateType),
    protocol: str(entry.protocol),
    address: str(entry.address) ?? str(entry.ip),
    port: num(entry.port),
  };
}

export function selectedPair(entries: StatsEntry[]): SelectedPair | null {
  const pair = selectedPairEntry(entries);
  if (!pair) return null;
  const byId = new Map(entries.map((e) => [e.id, e]));
  return {
    local: candidate(byId.get(pair.localCandidateId)),
    remote: candidate(byId.get(pair.remoteCandidateId)),
    pair_state: str(pair.state),
    currentRoundTripTime: num(pair.currentRoundTripTime),
  };
}

/** How many local candidates of each type were gathered (`{host, srflx, relay, prflx}`). */
export function localCandidateCounts(entries: StatsEntry[]): Record<'host' | 'srflx' | 'relay' | 'prflx', number> {
  const counts = { host: 0, srflx: 0, relay: 0, prflx: 0 };
  for (const entry of entries) {
    const type = entry.candidateType;
    if (entry.type === 'local-candidate' && typeof type === 'string' && type in counts) counts[type as keyof typeof counts] += 1;
  }
  return counts;
}

export function sampleFromStats(entries: StatsEntry[], final = false): StatsSample {
  const inbound = entries.find((e) => e.type === 'inbound-rtp' && isAudio(e));
  const outbound = entries.find((e) => e.type === 'outbound-rtp' && isAudio(e));
  const pair = selectedPairEntry(entries);
  return {
    inbound_rtp: inbound
      ? {
          packetsReceived: num(inbound.packetsReceived),
          packetsLost: num(inbound.packetsLost),
          jitter: num(inbound.jitter),
          bytesReceived: num(inbound.bytesReceived),
          audioLevel: num(inbound.audioLevel),
          totalAudioEnergy: num(inbound.totalAudioEnergy),
        }
      : null,
    outbound_rtp: outbound ? { packetsSent: num(outbound.packetsSent), bytesSent: num(outbound.bytesSent) } : null,
    candidate_pair: pair ? { currentRoundTripTime: num(pair.currentRoundTripTime) } : null,
    final,
  };
}

/** Samples getStats() every second while a call is up, and once more as it ends. */
export class StatsSampler {
  #pc: RTCPeerConnection;
  #record: (sample: StatsSample) => void;
  #onError: (error: unknown) => void;
  #intervalMs: number;
  #timer: ReturnType<typeof setInterval> | null = null;
  #inFlight: Promise<void> | null = null;
  #failed = false;

  constructor(
    pc: RTCPeerConnection,
    record: (sample: StatsSample) => void,
    onError: (error: unknown) => void,
    intervalMs = 1000,
  ) {
    this.#pc = pc;
    this.#record = record;
    this.#onError = onError;
    this.#intervalMs = intervalMs;
  }

  get running(): boolean {
    return this.#timer !== null;
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => {
      if (!this.#inFlight) void this.sample(false);
    }, this.#intervalMs);
  }

  /** Stop sampling; with `final`, take the last sample first (before the peer connection closes). */
  async stop(final: boolean): Promise<void> {
    const wasRunning = this.#timer !== null;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    if (this.#inFlight) await this.#inFlight;
    if (final && wasRunning) await this.sample(true);
  }

  sample(final: boolean): Promise<void> {
    const run = (async () => {
      try {
        const report = await this.#pc.getStats();
        this.#record(sampleFromStats(statsEntries(report), final));
      } catch (error) {
        // Say so once; a closing peer connection can refuse getStats().
        if (!this.#failed) this.#onError(error);
        this.#failed = true;
      }
    })();
    this.#inFlight = run;
    void run.finally(() => {
      if (this.#inFlight === run) this.#inFlight = null;
    });
    return run;
  }
}
