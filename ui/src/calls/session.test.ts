import { describe, expect, it, vi } from 'vitest';
import { ApiFailure } from '../api/errors';
import type { EndInfo, RecordState } from '../api/generated';
import type { DialContext, LineFeatures, ProviderAdapter } from '../providers/core/adapter';
import type { CallSink } from '../journal/call-sink';
import { FakeBackend, settle } from '../testing/fake-backend';
import { FakePeerConnection } from '../testing/fake-webrtc';
import { CallSession } from './session';

/** An adapter the test drives by hand through the sink it was given. */
class FakeAdapter implements ProviderAdapter {
  readonly provider = 'echo' as const;
  readonly label = 'fake line';
  features: LineFeatures = { hold: true, dtmf: 'info' };
  held: boolean[] = [];
  digits: string[] = [];
  /** Set to make setHeld/sendDtmf throw. */
  refuse: Error | null = null;
  sink: CallSink | null = null;
  dialled: string | null = null;
  hangups = 0;
  disposed = 0;
  muted: boolean[] = [];
  hangupResult: unknown = { confirmed: 487 };
  /** What dial() does after taking the sink; by default it reports dialing. */
  dialImpl: (sink: CallSink) => Promise<void> = (sink) => sink.state('dialing', { fake: 'offer sent' });

  async dial(destination: string, context: DialContext): Promise<void> {
    this.sink = context.sink;
    this.dialled = destination;
    await this.dialImpl(context.sink);
  }
  /** Replaces what hangup() does (it may report through the sink, as JsSIP does). */
  hangupImpl: (() => unknown) | null = null;
  async hangup(): Promise<unknown> {
    this.hangups += 1;
    return this.hangupImpl ? this.hangupImpl() : this.hangupResult;
  }
  setMuted(muted: boolean): void {
    this.muted.push(muted);
  }
  setHeld(held: boolean): void {
    if (this.refuse) throw this.refuse;
    this.held.push(held);
  }
  sendDtmf(digit: string): void {
    if (this.refuse) throw this.refuse;
    this.digits.push(digit);
  }
  peerConnection(): RTCPeerConnection | null {
    return null;
  }
  dispose(): void {
    this.disposed += 1;
  }
}

function setup() {
  const backend = new FakeBackend();
  const adapter = new FakeAdapter();
  const errors: { context: string; error: unknown }[] = [];
  let now = 1000;
  const session = new CallSession({
    backend,
    adapter,
    destination: '104',
    onError: (context, error) => errors.push({ context, error }),
    clock: () => now,
  });
  const advance = (ms: number) => (now += ms);
  return { backend, adapter, errors, session, advance };
}

function endedRecords(backend: FakeBackend): RecordState[] {
  return backend.params('record_state').filter((p) => p.state === 'ended');
}

describe('CallSession', () => {
  it('opens the call record, then records every state in the order the adapter reported it', async () => {
    const { backend, adapter, session, advance, errors } = setup();
    await session.start();
    expect(backend.sent[0]).toEqual({ method: 'create_call', params: { provider: 'echo', destination: '104', ui_clock: 1000 } });
    expect(adapter.dialled).toBe('104');
    advance(12);
    void adapter.sink!.state('trying', { signal: 'trying' });
    advance(100);
    void adapter.sink!.state('ringing', { signal: 'ringing' });
    adapter.sink!.ended({ by: 'remote', failure: { sip_status: 486, sip_reason: 'Busy Here', q850_cause: 17 } }, { signal: 'reject' });
    await session.closed();

    expect(backend.states()).toEqual(['dialing', 'trying', 'ringing', 'ended']);
    const ended = endedRecords(backend)[0]!;
    expect(ended).toMatchObject({
      call_id: 'call-1',
      source: 'ui',
      end: { by: 'remote', failure: { sip_status: 486, sip_reason: 'Busy Here', q850_cause: 17 } },
      raw: { signal: 'reject' },
    });
    // The raw event is kept beside each state.
    expect(backend.params('record_state')[1]).toMatchObject({ state: 'trying', raw: { signal: 'trying' } });
    expect(session.snapshot.entries.map((e) => [e.state, e.at])).toEqual([
      ['dialing', 1000],
      ['trying', 1012],
      ['ringing', 1112],
      ['ended', 1112],
    ]);
    expect(session.snapshot).toMatchObject({ state: 'ended', closed: true, ending: false });
    expect(errors).toEqual([]);
  });

  it('records ended exactly once, whoever reports it and however often', async () => {
    const { backend, adapter, session } = setup();
    await session.start();
    const busy: EndInfo = { by: 'remote', failure: { sip_status: 486, sip_reason: 'Busy Here' } };
    adapter.sink!.ended(busy, { first: true });
    adapter.sink!.ended({ by: 'remote', failure: { message: 'again' } }, { second: true });
    adapter.sink!.failed('late failure', {});
    void session.hangup();
    await session.closed();
    await settle();

    expect(endedRecords(backend)).toHaveLength(1);
    expect(endedRecords(backend)[0]!.end).toEqual(busy);
    expect(session.snapshot.end).toEqual(busy);
    // The far end ended it: nothing to hang up.
    expect(adapter.hangups).toBe(0);
    expect(adapter.disposed).toBe(1);
  });

  it('shows the end as the journal recorded it (the journal completes codes from a raw Reason header)', async () => {
    const { backend, adapter, session } = setup();
    const raw = { jssip: 'failed', reason_header: ['Q.850;cause=34;text="No circuit/channel available"'] };
    const given = { sip_status: 503, sip_reason: 'Service Unavailable' };
    // What the real journal does with the header (crates/journal/src/journal/reason_header.rs).
    const completed = { ...given, q850_cause: 34, message: 'No circuit/channel available' };
    const recordState = backend.handler('record_state');
    backend.handle('record_state', async (p) => {
      const events = await recordState(p);
      return p.end ? events.map((e) => ({ ...e, payload: { ...(e.payload as object), end: { ...p.end!, failure: completed } } })) : events;
    });
    await session.start();
    adapter.sink!.ended({ by: 'remote', failure: given }, raw);
    await session.closed();
    expect(endedRecords(backend)[0]).toMatchObject({ end: { failure: given }, raw });
    expect(session.snapshot.end).toEqual({ by: 'remote', failure: completed });
  });

  it('sends end info with ended and never with another state', async () => {
    const { backend, adapter, session } = setup();
    await session.start();
    void adapter.sink!.state('trying', {});
    void adapter.sink!.state('active', {});
    await session.hangup();
    for (const record of backend.params('record_state')) {
      if (record.state === 'ended') expect(record.end).toBeDefined();
      else expect(record).not.toHaveProperty('end');
    }
  });

  it('records a local hangup as local: the action first, then the provider hangup, then ended', async () => {
    const { backend, adapter, session } = setup();
    await session.start();
    void adapter.sink!.state('active', { signal: 'answer' });
    await session.hangup('keyboard');

    expect(adapter.hangups).toBe(1);
    expect(backend.trace().slice(-2)).toEqual(['action', 'state:ended']);
    expect(backend.params('record_event').at(-1)).toMatchObject({ kind: 'action', payload: { action: 'hangup', via: 'keyboard' } });
    expect(endedRecords(backend)[0]).toMatchObject({
      end: { by: 'local', failure: {} },
      raw: { cause: { action: 'hangup', via: 'keyboard' }, hangup: { confirmed: 487 } },
    });
    expect(adapter.disposed).toBe(1);
    // A second press does nothing more.
    await session.hangup();
    expect(adapter.hangups).toBe(1);
    expect(endedRecords(backend)).toHaveLength(1);
  });

  it('records nothing for the call after it ended', async () => {
    const { backend, adapter, session } = setup();
    await session.start();
    adapter.sink!.ended({ by: 'remote', failure: { message: 'bye' } }, {});
    await session.closed();
    const before = backend.sent.length;
    adapter.sink!.event('media', { pc: 'connection', state: 'closed' });
    void adapter.sink!.state('active', {});
    session.setMuted(true);
    await settle();
    expect(backend.sent.length).toBe(before);
  });

  it('ends the call {by:error} when dialling fails, with the reason, and shows the error', async () => {
    const { backend, adapter, session, errors } = setup();
    adapter.dialImpl = async () => {
      throw new ApiFailure('microphone', 'microphone: NotAllowedError: Permission denied', 'Allow the microphone.');
    };
    await session.start();
    await session.closed();
    expect(backend.trace()).toEqual(['create_call', 'error', 'state:ended']);
    expect(backend.params('record_event')[0]).toMatchObject({
      kind: 'error',
      payload: { during: 'dial', code: 'microphone', hint: 'Allow the microphone.' },
    });
    expect(endedRecords(backend)[0]!.end).toEqual({
      by: 'error',
      failure: { message: 'microphone: NotAllowedError: Permission denied' },
    });
    expect(errors.map((e) => e.context)).toEqual(['Placing the call']);
  });

  it('hangs up the provider and ends {by:error} when the adapter reports a failure', async () => {
    const { backend, adapter, session } = setup();
    await session.start();
    void adapter.sink!.state('active', {});
    adapter.sink!.failed('media never connected (ICE checking 15 s after answer)', { media: 'timeout' });
    await session.closed();
    expect(adapter.hangups).toBe(1);
    expect(endedRecords(backend)[0]).toMatchObject({
      end: { by: 'error', failure: { message: 'media never connected (ICE checking 15 s after answer)' } },
      raw: { cause: { media: 'timeout' }, hangup: { confirmed: 487 } },
    });
  });

  it('a hangup while dialling ends the call locally and the stopped dial is not an error', async () => {
    const { backend, adapter, session, errors } = setup();
    let release!: () => void;
    adapter.dialImpl = () =>
      new Promise<void>((_, reject) => {
        release = () => reject(new Error('the call was hung up while dialling'));
      });
    const started = session.start();
    await settle();
    const hungUp = session.hangup();
    release();
    await Promise.all([started, hungUp]);
    expect(backend.states()).toEqual(['ended']);
    expect(endedRecords(backend)[0]!.end?.by).toBe('local');
    expect(errors).toEqual([]);
  });

  it('a hangup before the call record exists ends the call as soon as it does', async () => {
    const { backend, adapter, session } = setup();
    const started = session.start(); // create_call is in flight
    const hungUp = session.hangup('button');
    expect(session.snapshot.ending).toBe(true);
    await Promise.all([started, hungUp]);
    expect(adapter.dialled).toBeNull();
    expect(backend.trace()).toEqual(['create_call', 'action', 'state:ended']);
    expect(endedRecords(backend)[0]!.end?.by).toBe('local');
  });

  it('rejects start() and records nothing when the call record cannot be opened', async () => {
    const { backend, session, adapter } = setup();
    backend.handle('create_call', () => {
      throw new ApiFailure('journal', 'disk full', 'Free some space.');
    });
    await expect(session.start()).rejects.toMatchObject({ code: 'journal' });
    expect(adapter.dialled).toBeNull();
    expect(backend.sent.map((s) => s.method)).toEqual(['create_call']);
    expect(session.snapshot.closed).toBe(true);
  });

  it('shows a failed journal write and keeps recording the rest', async () => {
    const { backend, adapter, session, errors } = setup();
    await session.start();
    const real = backend.call.bind(backend);
    const spy = vi.spyOn(backend, 'call').mockImplementation((method, params) => {
      if (method === 'record_event') return Promise.reject(new ApiFailure('unreachable', 'connection refused'));
      return real(method, params);
    });
    adapter.sink!.event('media', { pc: 'connection', state: 'connecting' });
    void adapter.sink!.state('trying', {});
    await settle();
    spy.mockRestore();
    expect(errors.map((e) => e.context)).toEqual(['Recording a media event']);
    expect(backend.states()).toEqual(['dialing', 'trying']);
  });

  it('mutes through the adapter and records the action', async () => {
    const { backend, adapter, session } = setup();
    await session.start();
    void adapter.sink!.state('active', {});
    session.setMuted(true);
    session.setMuted(true); // no change, nothing recorded
    session.setMuted(false);
    await settle();
    expect(adapter.muted).toEqual([true, false]);
    expect(backend.params('record_event').map((p) => p.payload)).toEqual([{ action: 'mute' }, { action: 'unmute' }]);
    expect(session.snapshot.muted).toBe(false);
  });
});

describe('CallSession with a provider that reports its end while hanging up', () => {
  it('keeps our hangup as the one end (JsSIP emits failed/ended inside terminate())', async () => {
    const { backend, adapter, session } = setup();
    adapter.hangupImpl = () => {
      adapter.sink!.ended({ by: 'local', failure: { message: 'reported from inside hangup' } }, { jssip: 'failed' });
      return { hangup: 'cancel' };
    };
    await session.start();
    await session.hangup();
    const ended = backend.params('record_state').filter((p) => p.state === 'ended');
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({ end: { by: 'local', failure: {} }, raw: { hangup: { hangup: 'cancel' } } });
    expect(adapter.disposed).toBe(1);
  });
});

describe('CallSession: hold, DTMF, signalling, early media', () => {
  it('records hold and resume as actions before asking the provider, and keeps the local hold', async () => {
    const { backend, adapter, session } = setup();
    await session.start();
    void adapter.sink!.state('active', {});
    session.setHeld(true);
    session.setHeld(true); // already held: nothing
    void adapter.sink!.state('held', { jssip: 'hold' });
    session.setHeld(false);
    await settle();
    expect(adapter.held).toEqual([true, false]);
    expect(backend.trace().filter((t) => t !== 'create_call')).toEqual(['state:dialing', 'state:active', 'action', 'state:held', 'action']);
    expect(backend.params('record_event').map((p) => p.payload)).toEqual([{ action: 'hold' }, { action: 'resume' }]);
    expect(session.snapshot.held).toBe(false);
  });

  it('sends DTMF digits the line’s way, journals each, and refuses what is not a digit', async () => {
    const { backend, adapter, session, errors } = setup();
    await session.start();
    session.sendDtmf('1');
    session.sendDtmf('#');
    session.sendDtmf('x');
    await settle();
    expect(adapter.digits).toEqual(['1', '#']);
    expect(session.snapshot.dtmf).toBe('1#');
    expect(backend.params('record_event').map((p) => p.payload)).toEqual([
      { action: 'dtmf', digit: '1', mode: 'info' },
      { action: 'dtmf', digit: '#', mode: 'info' },
    ]);
    expect(errors.map((e) => e.context)).toEqual(['Sending DTMF']);
  });

  it('a refused hold shows the error and journals it; the snapshot does not pretend', async () => {
    const { backend, adapter, session, errors } = setup();
    await session.start();
    adapter.refuse = new ApiFailure('hold', 'the call cannot be held now');
    session.setHeld(true);
    await settle();
    expect(session.snapshot.held).toBe(false);
    expect(errors.map((e) => e.context)).toEqual(['Holding the call']);
    expect(backend.params('record_event').map((p) => [p.kind, (p.payload as { during?: string; action?: string }).during ?? (p.payload as { action: string }).action])).toEqual([
      ['action', 'hold'],
      ['error', 'hold'],
    ]);
  });

  it('a line without hold or DTMF ignores both', async () => {
    const { backend, adapter, session } = setup();
    adapter.features = { hold: false, dtmf: null };
    await session.start();
    session.setHeld(true);
    session.sendDtmf('1');
    await settle();
    expect(adapter.held).toEqual([]);
    expect(adapter.digits).toEqual([]);
    expect(backend.params('record_event')).toEqual([]);
  });

  it('journals signalling messages as source signalling, kind signal, in order with the states', async () => {
    const { backend, adapter, session, advance } = setup();
    await session.start();
    // Captured at 1000; its write goes out once the writes queued before it are done, at 1025.
    backend.handle('record_state', () => {
      advance(25);
      return [];
    });
    void adapter.sink!.state('trying', {});
    adapter.sink!.signal({ direction: 'received', protocol: 'sip', summary: 'SIP/2.0 180 Ringing', body: 'SIP/2.0 180 Ringing\r\n\r\n' }, 1000);
    adapter.sink!.signal({ direction: 'received', protocol: 'echo', summary: 'BYE', body: null });
    void adapter.sink!.state('ringing', {});
    await settle();
    const recorded = backend.params('record_event');
    // The journal gets the UI-clock time it crossed the wire, not the time its write went out.
    expect(recorded[0]).toEqual({
      call_id: 'call-1',
      source: 'signalling',
      kind: 'signal',
      payload: { direction: 'received', protocol: 'sip', summary: 'SIP/2.0 180 Ringing', body: 'SIP/2.0 180 Ringing\r\n\r\n' },
      observed_at: 1000,
    });
    expect(recorded[1]!.payload).toEqual({ direction: 'received', protocol: 'echo', summary: 'BYE', body: null });
    expect(backend.trace().slice(-4)).toEqual(['state:trying', 'signal', 'signal', 'state:ringing']);
  });

  it('early media whose path never connects ends the call {by:error} too', async () => {
    vi.useFakeTimers();
    try {
      const backend = new FakeBackend();
      const adapter = new FakeAdapter();
      const session = new CallSession({ backend, adapter, destination: '1', mediaTimeoutMs: 15_000 });
      await session.start();
      const pc = new FakePeerConnection();
      adapter.sink!.peerConnection(pc as unknown as RTCPeerConnection);
      void adapter.sink!.state('early', {});
      await vi.advanceTimersByTimeAsync(10_000);
      // The answer starts the count again.
      void adapter.sink!.state('active', {});
      await vi.advanceTimersByTimeAsync(14_999);
      expect(session.snapshot.state).toBe('active');
      await vi.advanceTimersByTimeAsync(1);
      await session.closed();
      expect(endedRecords(backend)[0]!.end).toEqual({ by: 'error', failure: { message: 'media never connected (ICE new 15 s after answer)' } });
      expect(adapter.hangups).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('watches and samples a replacement peer connection (a call re-attached after a reconnect)', async () => {
    vi.useFakeTimers();
    try {
      const backend = new FakeBackend();
      const adapter = new FakeAdapter();
      const session = new CallSession({ backend, adapter, destination: '1', mediaTimeoutMs: 15_000, statsIntervalMs: 1000 });
      await session.start();
      const first = new FakePeerConnection();
      adapter.sink!.peerConnection(first as unknown as RTCPeerConnection);
      void adapter.sink!.state('active', {});
      first.setState('connectionState', 'connected', 'connectionstatechange');
      await vi.advanceTimersByTimeAsync(1000);
      void adapter.sink!.state('connecting', { sdk: 'recovering' });
      const second = new FakePeerConnection();
      second.stats = [{ id: 'in', type: 'inbound-rtp', kind: 'audio', packetsReceived: 7 }];
      adapter.sink!.peerConnection(second as unknown as RTCPeerConnection);
      // The same connection again changes nothing.
      adapter.sink!.peerConnection(second as unknown as RTCPeerConnection);
      // The old one is no longer watched.
      first.setState('connectionState', 'failed', 'connectionstatechange');
      void adapter.sink!.state('active', {});
      await vi.advanceTimersByTimeAsync(1000);
      const media = backend.params('record_event').filter((p) => p.kind === 'media').map((p) => p.payload);
      expect(media.filter((p) => (p as { pc?: string }).pc === 'replaced')).toHaveLength(1);
      expect(media).not.toContainEqual({ pc: 'connection', state: 'failed' });
      const stats = backend.params('record_event').filter((p) => p.kind === 'stats').map((p) => p.payload);
      expect(stats.at(-1)).toMatchObject({ inbound_rtp: { packetsReceived: 7 } });
      // The new connection must connect within the media timeout, as after an answer.
      await vi.advanceTimersByTimeAsync(15_000);
      await session.closed();
      expect(endedRecords(backend)[0]!.end).toEqual({ by: 'error', failure: { message: 'media never connected (ICE new 15 s after answer)' } });
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps the codes a provider put on our own hang-up in the end record, still ended by us', async () => {
    const { backend, adapter, session } = setup();
    await session.start();
    (adapter as FakeAdapter & { hangupFailure: () => unknown }).hangupFailure = () => ({ provider_code: 'USER_BUSY', q850_cause: 17 });
    await session.hangup();
    expect(endedRecords(backend)[0]!.end).toEqual({ by: 'local', failure: { provider_code: 'USER_BUSY', q850_cause: 17 } });
    expect(session.snapshot.end).toEqual({ by: 'local', failure: { provider_code: 'USER_BUSY', q850_cause: 17 } });
  });
});
