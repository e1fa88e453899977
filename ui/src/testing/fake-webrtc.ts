/** A minimal but valid audio SDP (sdp-transform, which JsSIP uses for hold, reads it). */
export function fakeSdp(kind: 'offer' | 'answer', direction = 'sendrecv'): string {
  return [
    'v=0',
    `o=- 4611731400430051336 ${kind === 'offer' ? 2 : 3} IN IP4 127.0.0.1`,
    's=-',
    't=0 0',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111 101',
    'c=IN IP4 0.0.0.0',
    'a=rtpmap:111 opus/48000/2',
    'a=rtpmap:101 telephone-event/8000',
    'a=ice-ufrag:fake',
    'a=ice-pwd:fakefakefakefakefakefake',
    'a=fingerprint:sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF',
    `a=setup:${kind === 'offer' ? 'actpass' : 'active'}`,
    'a=mid:0',
    `a=${direction}`,
    'a=rtcp-mux',
    '',
  ].join('\r\n');
}

/** The direction attribute of an SDP (`sendrecv` when none is given). */
export function sdpDirection(sdp: string): string {
  return /^a=(sendrecv|sendonly|recvonly|inactive)\s*$/m.exec(sdp)?.[1] ?? 'sendrecv';
}

const ANSWER_DIRECTION: Record<string, string> = { sendonly: 'recvonly', recvonly: 'sendonly', inactive: 'inactive', sendrecv: 'sendrecv' };

/** An RTCDTMFSender that keeps what it was asked to send. */
export class FakeDtmfSender {
  canInsertDTMF = true;
  toneBuffer = '';
  readonly inserted: { tones: string; duration: number | undefined; gap: number | undefined }[] = [];
  insertDTMF(tones: string, duration?: number, gap?: number): void {
    this.inserted.push({ tones, duration, gap });
  }
}

export class FakeSender {
  readonly dtmf = new FakeDtmfSender();
  constructor(readonly track: MediaStreamTrack) {}
}

/**
 * How a fake peer connection gathers ICE candidates after setLocalDescription:
 * `complete`: gathering completes at once (no candidate events, as a fast host-only gather);
 * `trickle`: one candidate event, then complete; `stuck`: one candidate, never complete
 * (a STUN server that does not answer); `none`: nothing at all (no usable interface).
 */
export type GatherMode = 'complete' | 'trickle' | 'stuck' | 'none';

/** A peer connection that does what the adapters, JsSIP and the media watch use, without a network. */
export class FakePeerConnection extends EventTarget {
  static created: FakePeerConnection[] = [];
  /** How connections created from now on gather candidates. */
  static gatherMode: GatherMode = 'complete';
  config: RTCConfiguration;
  iceGatheringState: RTCIceGatheringState = 'new';
  iceConnectionState: RTCIceConnectionState = 'new';
  connectionState: RTCPeerConnectionState = 'new';
  signalingState: RTCSignalingState = 'stable';
  localDescription: { type: RTCSdpType; sdp: string } | null = null;
  remoteDescription: RTCSessionDescriptionInit | null = null;
  tracks: MediaStreamTrack[] = [];
  senders: FakeSender[] = [];
  closed = false;
  stats: Record<string, unknown>[] = [];
  /** Set to make setRemoteDescription fail. */
  rejectAnswer: Error | null = null;
  /** Set to make createOffer fail, for connections created from now on. */
  static rejectOffer: Error | null = null;
  readonly gatherMode: GatherMode;

  constructor(config: RTCConfiguration = {}) {
    super();
    this.config = config;
    this.gatherMode = FakePeerConnection.gatherMode;
    FakePeerConnection.created.push(this);
  }

  addTrack(track: MediaStreamTrack): FakeSender {
    this.tracks.push(track);
    const sender = new FakeSender(track);
    this.senders.push(sender);
    return sender;
  }

  getSenders(): FakeSender[] {
    return this.senders;
  }

  async createOffer(): Promise<RTCSessionDescriptionInit> {
    if (FakePeerConnection.rejectOffer) throw FakePeerConnection.rejectOffer;
    return { type: 'offer', sdp: fakeSdp('offer') };
  }

  async createAnswer(): Promise<RTCSessionDescriptionInit> {
    const offered = sdpDirection(this.remoteDescription?.sdp ?? '');
    return { type: 'answer', sdp: fakeSdp('answer', ANSWER_DIRECTION[offered] ?? 'sendrecv') };
  }

  async setLocalDescription(description: RTCSessionDescriptionInit): Promise<void> {
    const type = description.type ?? 'offer';
    this.localDescription = {
      type,
      sdp: `${description.sdp ?? ''}a=candidate:1 1 udp 2122260223 192.0.2.10 50000 typ host\r\n`,
    };
    this.signalingState = type === 'offer' ? 'have-local-offer' : 'stable';
    if (this.iceGatheringState === 'complete') return;
    this.iceGatheringState = 'gathering';
    const mode = this.gatherMode;
    setTimeout(() => {
      if (this.closed) return;
      if (mode === 'trickle' || mode === 'stuck') {
        const candidate = { candidate: 'candidate:1 1 udp 2122260223 192.0.2.10 50000 typ host', sdpMid: '0', sdpMLineIndex: 0 };
        this.dispatchEvent(Object.assign(new Event('icecandidate'), { candidate }));
      }
      if (mode === 'complete' || mode === 'trickle') this.setState('iceGatheringState', 'complete', 'icegatheringstatechange');
    }, 0);
  }

  async setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void> {
    if (this.rejectAnswer) throw this.rejectAnswer;
    // As Chromium: DTLS-SRTP needs the far end's fingerprint.
    // (Only for SDP with media sections; tests that do not care pass a stub such as 'v=0'.)
    if (/^m=/m.test(description.sdp ?? '') && !/^a=fingerprint:/m.test(description.sdp ?? '')) {
      throw new DOMException(`Failed to set remote ${description.type} sdp: Called with SDP without DTLS fingerprint.`, 'InvalidAccessError');
    }
    this.remoteDescription = { type: description.type, sdp: description.sdp ?? '' };
    this.signalingState = description.type === 'offer' ? 'have-remote-offer' : 'stable';
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

/** `new RTCSessionDescription(init)` as JsSIP uses it. */
export class FakeSessionDescription {
  readonly type: RTCSdpType;
  readonly sdp: string;
  constructor(init: RTCSessionDescriptionInit) {
    this.type = init.type;
    this.sdp = init.sdp ?? '';
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
  getVideoTracks(): MediaStreamTrack[] {
    return [];
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
