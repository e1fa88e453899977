import type { SignalDirection } from '../../journal/signal';
import { CaptureOwners, type CapturedFrame, frameText, parseUrl, WEBSOCKET_OPEN } from '../core/capture';
import { isHeartbeat, parsePstream } from './frames';

/** Whoever reads a signalling socket's frames: a Twilio line (one Device). */
export interface CaptureOwner {
  /** Whether this Access Token is (or was) the line's: the first frame on every socket is `listen{token}`. */
  ownsToken(token: string): boolean;
  frame(frame: CapturedFrame): void;
  /** A heartbeat (`"\n"`) crossed the socket: counted, not journaled. */
  heartbeat(direction: SignalDirection): void;
}

/** `voice-js.<edge>.twilio.com`: the signalling hosts of every edge (reference/twilio.md §2.2). */
export function isSignallingHost(host: string): boolean {
  return /^voice-js\.[a-z0-9-]+\.twilio\.com(:\d+)?$/i.test(host);
}

/** How many frames a socket keeps while it does not yet know whose it is. */
const UNOWNED_LIMIT = 100;

/**
 * Which line reads which signalling socket. The SDK opens its sockets itself (and again on every
 * reconnect); each socket asks here whose it is when its first `listen` leaves (that carries the
 * line's token), or at once when only one line is running.
 */
export class PstreamCapture extends CaptureOwners<CaptureOwner> {
  get size(): number {
    return this.owners.size;
  }

  /** Whether sockets to this URL are captured (a Twilio signalling host, while a line runs). */
  watches(url: URL): boolean {
    return this.owners.size > 0 && url.protocol === 'wss:' && isSignallingHost(url.host);
  }

  /** The owner of a socket whose first sent frame was `listen` with `token` (null: not known yet). */
  ownerOf(token: string | null): CaptureOwner | null {
    if (token !== null) {
      for (const owner of this.owners) if (owner.ownsToken(token)) return owner;
    }
    return this.owners.size === 1 ? ([...this.owners][0] ?? null) : null;
  }
}

/** The page's one registry: the SDK module is loaded once, with one WebSocket class. */
export const pstreamCapture = new PstreamCapture();

/**
 * A WebSocket class for the Twilio SDK: the page's own WebSocket, which for Twilio's signalling
 * hosts hands every frame, sent and received, to the line it belongs to. The SDK (wstransport.ts)
 * reads frames through `addEventListener('message')`, added after the socket is made; this
 * class's own listener, added in the constructor, runs first, so a received frame is captured in
 * the same turn just before the SDK reads it, and what the SDK sends in reply follows it.
 *
 * The SDK keeps the class it finds when its module runs (`const WebSocket = globalThis.WebSocket`),
 * so the loader installs this one only for that moment; sockets to other hosts pass through
 * untouched. Heartbeats (`"\n"`) are counted, not journaled.
 */
export function capturingWebSocket(Base: typeof WebSocket, capture: PstreamCapture, clock: () => number = () => performance.now()): typeof WebSocket {
  class CapturingWebSocket extends Base {
    readonly #watched: boolean;
    #owner: CaptureOwner | null = null;
    /** Frames seen before the owner is known (several lines, no `listen` yet). */
    #pending: CapturedFrame[] = [];

    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      const parsed = parseUrl(url);
      this.#watched = parsed !== null && capture.watches(parsed);
      if (this.#watched) this.addEventListener('message', (event) => this.#record('received', (event as MessageEvent).data, true));
    }

    override send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
      try {
        super.send(data as string);
      } catch (error) {
        this.#record('sent', data, false);
        throw error;
      }
      this.#record('sent', data, this.readyState === WEBSOCKET_OPEN);
    }

    #record(direction: SignalDirection, data: unknown, delivered: boolean): void {
      if (!this.#watched) return;
      try {
        const text = frameText(data);
        if (isHeartbeat(text)) {
          this.#resolve(null)?.heartbeat(direction);
          return;
        }
        const frame: CapturedFrame = { direction, text, at: clock(), delivered };
        let token: string | null = null;
        if (direction === 'sent' && this.#owner === null) {
          const parsed = parsePstream(text);
          if (parsed.type === 'listen' && typeof parsed.payload.token === 'string') token = parsed.payload.token;
        }
        const owner = this.#resolve(token);
        if (!owner) {
          if (this.#pending.length < UNOWNED_LIMIT) this.#pending.push(frame);
          return;
        }
        owner.frame(frame);
      } catch (error) {
        // A failing capture must never break the SDK's signalling.
        console.error('capturing a Twilio signalling frame failed:', error);
      }
    }

    /** The owner, found once (from the `listen` token, or because only one line runs); held frames go to it. */
    #resolve(token: string | null): CaptureOwner | null {
      if (this.#owner) return this.#owner;
      const owner = capture.ownerOf(token);
      if (!owner) return null;
      this.#owner = owner;
      const pending = this.#pending;
      this.#pending = [];
      for (const frame of pending) owner.frame(frame);
      return owner;
    }
  }

  Object.defineProperty(CapturingWebSocket, 'name', { value: Base.name || 'WebSocket' });
  return CapturingWebSocket;
}
