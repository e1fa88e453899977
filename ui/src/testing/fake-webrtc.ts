/** A peer connection that does what the Echo adapter and the media watch use, without a network. */
export class FakePeerConnection extends EventTarget {
  static created: FakePeerConnection[] = [];
  config: RTCConfiguration;
  iceGatheringState: RTCIceGatheringState = 'new';
  iceConnectionState: RTCIceConnectionState = 'new';
  connectionState: RTCPeerConnectionState = 'new';
  localDescription: { type: RTCSdpType; sdp: string } | null = null;
  remoteDescription: RTCSessionDescriptionInit | null = null;
  tracks: MediaStreamTrack[] = [];
  closed = false;
  stats: Record<string, unknown>[] = [];
  /** Set to make setRemoteDescription fail. */
  rejectAnswer: Error | null = null;

  constructor(config: RTCConfiguration = {}) {
    super();
    this.config = config;
    FakePeerConnection.created.push(this);
  }

  addTrack(track: MediaStreamTrack): void {
    this.tracks.push(track);
  }

  async createOffer(): Promise<RTCSessionDescriptionInit> {
    return { type: 'offer', sdp: 'v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n' };
  }

  async setLocalDescription(description: RTCSessionDescriptionInit): Promise<void> {
    this.iceGatheringState = 'gathering';
    this.localDescription = {
      type: 'offer',
      sdp: `${description.sdp ?? ''}a=candidate:1 1 udp 2122260223 192.0.2.10 50000 typ host\r\n`,
    };
    setTimeout(() => this.setState('iceGatheringState', 'complete', 'icegatheringstatechange'), 0);
  }

  async setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void> {
    if (this.rejectAnswer) throw this.rejectAnswer;
    this.remoteDescription = description;
  }

  async getStats(): Promise<Map<string, Record<string, unknown>>> {
    if (this.closed) throw new DOMException('closed', 'InvalidStateError');
    return new Map(this.stats.map((s) => [String(s.id), s]));
  }

  close(): void {
    this.closed = true;
  }

  setState<K extends 'iceGatheringState' | 'iceConnectionState' | 'connectionState'>(
    key: K,
    value: this[K],
    eventName: string,
  ): void {
    this[key] = value;
    this.dispatchEvent(new Event(eventName));
  }
}

export class FakeTrack {
  kind = 'audio';
  label = 'Fake microphone';
  enabled = true;
  muted = false;
  stopped = false;
  stop(): void {
    this.stopped = true;
  }
  getSettings(): MediaTrackSettings {
    return { sampleRate: 48000, channelCount: 1, echoCancellation: false };
  }
}

export class FakeStream {
  readonly track = new FakeTrack();
  getTracks(): MediaStreamTrack[] {
    return [this.track as unknown as MediaStreamTrack];
  }
  getAudioTracks(): MediaStreamTrack[] {
    return this.getTracks();
  }
}

/** A fake getUserMedia that remembers the constraints and hands out one FakeStream. */
export function fakeGetUserMedia(stream = new FakeStream()) {
  const calls: MediaStreamConstraints[] = [];
  const fn = async (constraints: MediaStreamConstraints) => {
    calls.push(constraints);
    return stream as unknown as MediaStream;
  };
  return { fn, calls, stream };
}
