import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BackendEvent } from '../api/backend';
import { ApiFailure } from '../api/errors';
import { createHttpBackend, EventSocket, failureFromHttp, RECONNECT_BACKOFF_MS } from './http';

const location = { host: '127.0.0.1:4321', protocol: 'http:' };

/** A WebSocket stand-in the test opens, feeds and closes by hand. */
class FakeSocket extends EventTarget {
  static all: FakeSocket[] = [];
  url: string;
  closed = false;
  constructor(url: string) {
    super();
    this.url = url;
    FakeSocket.all.push(this);
  }
  open() {
    this.dispatchEvent(new Event('open'));
  }
  receive(data: unknown) {
    this.dispatchEvent(new MessageEvent('message', { data }));
  }
  drop(code = 1006) {
    const close = new Event('close') as Event & { code: number; reason: string };
    close.code = code;
    close.reason = '';
    this.dispatchEvent(close);
  }
  close() {
    this.closed = true;
  }
}

function backendWith(fetchImpl: (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>) {
  return createHttpBackend({
    fetch: fetchImpl as typeof fetch,
    WebSocket: FakeSocket as unknown as new (url: string) => WebSocket,
    location,
  });
}

afterEach(() => {
  FakeSocket.all = [];
  vi.useRealTimers();
});

describe('HTTP transport', () => {
  it('posts {method, params} as JSON to /api/rpc and returns the result', async () => {
    const fetchMock = vi.fn(async () => new Response(JSON.stringify({ face: 'browser' }), { status: 200 }));
    const backend = backendWith(fetchMock);
    const info = await backend.call('list_calls', { limit: 5 });
    expect(info).toEqual({ face: 'browser' });
    expect(fetchMock).toHaveBeenCalledTimes(1);
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/api/rpc');
    expect(init.method).toBe('POST');
    expect((init.headers as Record<string, string>)['content-type']).toBe('application/json');
    expect(JSON.parse(init.body as string)).toEqual({ method: 'list_calls', params: { limit: 5 } });
    expect(backend.face).toBe('browser');
  });

  it('turns an ApiError body into an ApiFailure with code, message and hint', async () => {
    const body = { code: 'unknown_call', message: 'no call with id x', hint: 'List the journal.' };
    const backend = backendWith(async () => new Response(JSON.stringify(body), { status: 404 }));
    const failure = await backend.call('get_call', { call_id: 'x' }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApiFailure);
    expect(failure).toMatchObject({ code: 'unknown_call', message: 'no call with id x', hint: 'List the journal.', method: 'get_call' });
  });

  it('keeps a null hint as null', async () => {
    const body = { code: 'bad_input', message: 'end: required', hint: null };
    const backend = backendWith(async () => new Response(JSON.stringify(body), { status: 400 }));
    await expect(backend.call('log', { level: 'info', message: 'x' })).rejects.toMatchObject({ code: 'bad_input', hint: null });
  });

  it("reads the gate's plain-text 401 as 'unauthorized' with its text", async () => {
    const text = 'Unauthorized: open the address that `callscope serve` printed when it started.';
    const backend = backendWith(async () => new Response(text, { status: 401, headers: { 'content-type': 'text/plain' } }));
    const failure = (await backend.call('app_info', {}).catch((e: unknown) => e)) as ApiFailure;
    expect(failure.code).toBe('unauthorized');
    expect(failure.message).toBe(text);
    expect(failure.hint).toMatch(/key/);
  });

  it('names the status when a failed answer is neither ApiError nor text', () => {
    expect(failureFromHttp('app_info', 502, 'Bad Gateway', '')).toMatchObject({
      code: 'http_502',
      message: 'app_info failed with HTTP 502: HTTP 502 Bad Gateway',
    });
    // JSON that is not an ApiError is not mistaken for one.
    expect(failureFromHttp('app_info', 500, '', '{"error":"x"}').code).toBe('http_500');
  });

  it('reports an unreachable server as such', async () => {
    const backend = backendWith(async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(backend.call('app_info', {})).rejects.toMatchObject({
      code: 'unreachable',
      message: expect.stringContaining('Failed to fetch') as unknown,
    });
  });

  it('refuses a 2xx answer that is not JSON', async () => {
    const backend = backendWith(async () => new Response('<html>', { status: 200 }));
    await expect(backend.call('app_info', {})).rejects.toMatchObject({ code: 'bad_response' });
  });
});

describe('event stream', () => {
  it('connects to ws://host/api/events and delivers each JSON event', async () => {
    const backend = backendWith(async () => new Response('{}'));
    const seen: BackendEvent[] = [];
    backend.onEvent((e) => seen.push(e));
    const socket = FakeSocket.all[0]!;
    expect(socket.url).toBe('ws://127.0.0.1:4321/api/events');
    const ready = backend.eventsReady(1000);
    socket.open();
    await ready;
    socket.receive(JSON.stringify({ type: 'echo', call_id: 'c1', seq: 1, signal: { signal: 'trying' } }));
    socket.receive(JSON.stringify({ type: 'lagged', missed: 7 }));
    expect(seen).toEqual([
      { type: 'stream', connected: true, resumed: false, detail: null },
      { type: 'echo', call_id: 'c1', seq: 1, signal: { signal: 'trying' } },
      { type: 'lagged', missed: 7 },
    ]);
  });

  it('ignores (and warns about) messages that are not JSON events', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const socket = new EventSocket('ws://x/api/events', FakeSocket as unknown as new (url: string) => WebSocket);
    const seen: BackendEvent[] = [];
    socket.listen((e) => seen.push(e));
    FakeSocket.all[0]!.open();
    FakeSocket.all[0]!.receive('not json');
    FakeSocket.all[0]!.receive('{"no":"type"}');
    expect(seen.filter((e) => e.type !== 'stream')).toEqual([]);
    expect(warn).toHaveBeenCalledTimes(2);
  });

  it('reconnects with backoff after a close and says it resumed', () => {
    vi.useFakeTimers();
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const socket = new EventSocket('ws://x/api/events', FakeSocket as unknown as new (url: string) => WebSocket);
    const seen: BackendEvent[] = [];
    socket.listen((e) => seen.push(e));
    FakeSocket.all[0]!.open();
    FakeSocket.all[0]!.drop();
    expect(socket.connected).toBe(false);
    expect(seen.at(-1)).toMatchObject({ type: 'stream', connected: false });

    vi.advanceTimersByTime(RECONNECT_BACKOFF_MS[0]! - 1);
    expect(FakeSocket.all).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.all).toHaveLength(2);
    // A second failure waits longer.
    FakeSocket.all[1]!.drop();
    vi.advanceTimersByTime(RECONNECT_BACKOFF_MS[1]! - 1);
    expect(FakeSocket.all).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.all).toHaveLength(3);
    FakeSocket.all[2]!.open();
    expect(socket.connected).toBe(true);
    expect(seen.at(-1)).toEqual({ type: 'stream', connected: true, resumed: true, detail: null });
    socket.stop();
  });

  it('eventsReady rejects with an ApiFailure when the stream does not connect in time', async () => {
    vi.useFakeTimers();
    const socket = new EventSocket('ws://x/api/events', FakeSocket as unknown as new (url: string) => WebSocket);
    const ready = socket.ready(500);
    vi.advanceTimersByTime(500);
    await expect(ready).rejects.toMatchObject({ code: 'events_unavailable' });
    socket.stop();
  });
});
