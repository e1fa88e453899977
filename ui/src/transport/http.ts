import type { ApiError } from '../api/generated';
import { type Backend, type BackendEvent, type Method, type Params, type Result } from '../api/backend';
import { Listeners } from '../lib/listeners';
import { ApiFailure, failureFromApiError, isApiError } from '../api/errors';

/** What the HTTP transport needs from the page; tests pass fakes. */
export interface HttpEnvironment {
  fetch: typeof fetch;
  WebSocket: WebSocketFactory;
  /** `host` (name:port) and `protocol` of the page, as in `location`. */
  location: { host: string; protocol: string };
}

export type WebSocketFactory = new (url: string) => WebSocket;

/** Browser mode: `POST /api/rpc` for calls, a WebSocket at `/api/events` for events. */
export function createHttpBackend(env: Partial<HttpEnvironment> = {}): Backend {
  const fetchFn = env.fetch ?? globalThis.fetch.bind(globalThis);
  const location = env.location ?? globalThis.location;
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const events = new EventSocket(`${scheme}://${location.host}/api/events`, env.WebSocket ?? globalThis.WebSocket);

  return {
    face: 'browser',
    async call<M extends Method>(method: M, params: Params<M>): Promise<Result<M>> {
      let response: Response;
      try {
        response = await fetchFn('/api/rpc', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ method, params }),
        });
      } catch (error) {
        throw new ApiFailure(
          'unreachable',
          `Could not reach Callscope at ${location.host}: ${error instanceof Error ? error.message : String(error)}`,
          'Browser mode may have stopped. Start Callscope again and open the address it prints.',
          method,
        );
      }
      return (await readRpcResponse(method, response)) as Result<M>;
    },
    onEvent: (cb) => events.listen(cb),
    eventsReady: (timeoutMs) => events.ready(timeoutMs),
  };
}

/** The result of a 2xx answer, or the `ApiFailure` a non-2xx answer carries. */
export async function readRpcResponse(method: string, response: Response): Promise<unknown> {
  const text = await response.text().catch(() => '');
  if (!response.ok) throw failureFromHttp(method, response.status, response.statusText, text);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiFailure(
      'bad_response',
      `${method}: the backend answered ${response.status} with something that is not JSON: ${preview(text)}`,
      null,
      method,
    );
  }
}

/**
 * A non-2xx answer as an `ApiFailure`. The API answers with `ApiError` JSON; the browser-mode
 * gate (key, Host and Origin checks) answers in plain text.
 */
export function failureFromHttp(method: string, status: number, statusText: string, body: string): ApiFailure {
  let parsed: unknown = undefined;
  try {
    parsed = JSON.parse(body);
  } catch {
    // not JSON: handled below
  }
  if (isApiError(parsed)) return failureFromApiError(parsed as ApiError, method);

  const said = body.trim() ? preview(body.trim()) : `HTTP ${status}${statusText ? ` ${statusText}` : ''}`;
  switch (status) {
    case 401:
      return new ApiFailure(
        'unauthorized',
        said,
        'This page no longer has the key of the running Callscope. Open the address Callscope printed (or use "Open in browser" in the app) again.',
        method,
      );
    case 403:
      return new ApiFailure('forbidden', said, 'Open Callscope at http://127.0.0.1 with the port it printed.', method);
    default:
      return new ApiFailure('http_' + status, `${method} failed with HTTP ${status}: ${said}`, null, method);
  }
}

function preview(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** Delays between reconnection attempts; the last one repeats. */
export const RECONNECT_BACKOFF_MS = [250, 500, 1000, 2000, 5000];

/** The event WebSocket: parses each message, reconnects with backoff when it closes. */
export class EventSocket {
  #url: string;
  #factory: WebSocketFactory;
  #listeners = new Listeners<BackendEvent>();
  #socket: WebSocket | null = null;
  #open = false;
  #everOpened = false;
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #waiters = new Set<() => void>();
  #stopped = false;

  constructor(url: string, factory: WebSocketFactory) {
    this.#url = url;
    this.#factory = factory;
    this.#connect();
  }

  get connected(): boolean {
    return this.#open;
  }

  listen(cb: (event: BackendEvent) => void): () => void {
    return this.#listeners.add(cb);
  }

  ready(timeoutMs = 5000): Promise<void> {
    if (this.#open) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(done);
        reject(
          new ApiFailure(
            'events_unavailable',
            `The live event stream (${this.#url}) is not connected, so the far end's answers cannot arrive.`,
            'Check that Callscope is still running; this page reconnects by itself.',
          ),
        );
      }, timeoutMs);
      this.#waiters.add(done);
    });
  }

  /** Close for good (tests; page unload). */
  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#socket?.close();
  }

  #connect(): void {
    let socket: WebSocket;
    try {
      socket = new this.#factory(this.#url);
    } catch (error) {
      console.error(`could not open the event stream ${this.#url}:`, error);
      this.#scheduleReconnect();
      return;
    }
    this.#socket = socket;
    socket.addEventListener('open', () => {
      const resumed = this.#everOpened;
      this.#open = true;
      this.#everOpened = true;
      this.#attempt = 0;
      this.#listeners.emit({ type: 'stream', connected: true, resumed, detail: null });
      for (const waiter of [...this.#waiters]) waiter();
    });
    socket.addEventListener('message', (message: MessageEvent) => this.#onMessage(message.data));
    socket.addEventListener('close', (close: CloseEvent) => {
      if (this.#socket !== socket) return;
      const wasOpen = this.#open;
      this.#open = false;
      this.#socket = null;
      if (this.#stopped) return;
      const detail = `closed (code ${close.code}${close.reason ? `, ${close.reason}` : ''})`;
      if (wasOpen) {
        console.warn(`the event stream ${detail}; reconnecting`);
        this.#listeners.emit({ type: 'stream', connected: false, resumed: false, detail });
      }
      this.#scheduleReconnect();
    });
    // An 'error' is always followed by 'close', which reconnects.
  }

  #scheduleReconnect(): void {
    if (this.#stopped) return;
    const delay = RECONNECT_BACKOFF_MS[Math.min(this.#attempt, RECONNECT_BACKOFF_MS.length - 1)] ?? 5000;
    this.#attempt += 1;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#connect();
    }, delay);
  }

  #onMessage(data: unknown): void {
    if (typeof data !== 'string') {
      console.warn('the event stream sent a non-text message; ignored');
      return;
    }
    let event: unknown;
    try {
      event = JSON.parse(data);
    } catch {
      console.warn(`the event stream sent something that is not JSON; ignored: ${preview(data)}`);
      return;
    }
    if (typeof event !== 'object' || event === null || typeof (event as { type?: unknown }).type !== 'string') {
      console.warn(`the event stream sent an event without a type; ignored: ${preview(data)}`);
      return;
    }
    this.#listeners.emit(event as BackendEvent);
  }
}
