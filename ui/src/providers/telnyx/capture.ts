import type { SignalDirection } from '../../journal/signal';
import { CaptureOwners, type CapturedFrame, frameText, parseUrl, WEBSOCKET_OPEN } from '../core/capture';

/** Whoever reads a signalling socket's frames: a Telnyx line. */
export interface CaptureOwner {
  /** `host[:port]` of the signalling URL this owner's client connects to. */
  readonly host: string;
  /** Whether this socket is the owner's client's (asked when several owners share a host). */
  owns(socket: object): boolean;
  frame(frame: CapturedFrame): void;
}

/**
 * Which line reads which signalling socket. The SDK opens its sockets itself (and again on every
 * reconnect), so each socket asks here, when a frame first crosses it, whose it is.
 */
export class VertoCapture extends CaptureOwners<CaptureOwner> {
  /** Whether any line connects to this URL's host (only those sockets are captured). */
  watches(url: URL): boolean {
    for (const owner of this.owners) if (owner.host === url.host) return true;
    return false;
  }

  ownerOf(socket: object, url: URL): CaptureOwner | null {
    const candidates = [...this.owners].filter((o) => o.host === url.host);
    return candidates.find((o) => o.owns(socket)) ?? (candidates.length === 1 ? (candidates[0] ?? null) : null);
  }
}

/** The page's one registry: the SDK module is loaded once, with one WebSocket class. */
export const vertoCapture = new VertoCapture();

function findAccessor(proto: object | null, name: string): PropertyDescriptor | null {
  for (let p = proto; p; p = Object.getPrototypeOf(p) as object | null) {
    const descriptor = Object.getOwnPropertyDescriptor(p, name);
    if (descriptor) return descriptor.set ? descriptor : null;
  }
  return null;
}

const HANDLER = Symbol('callscope.onmessage');
/**
 * A WebSocket class for the Telnyx SDK: the page's own WebSocket, which for the signalling hosts
 * of the page's Telnyx lines hands every frame, sent and received, to its line. Received frames
 * are captured in the same turn as the SDK's `onmessage` handler, just before it, so what the
 * SDK sends in reply (acks, a BYE's answer) follows them in the journal, as on the wire.
 *
 * Installed only while the SDK module loads (the SDK keeps the class it finds then); every other
 * socket of the page is a plain WebSocket, and sockets to other hosts pass through untouched.
 */
export function capturingWebSocket(Base: typeof WebSocket, capture: VertoCapture, clock: () => number = () => performance.now()): typeof WebSocket {
  class CapturingWebSocket extends Base {
    readonly #url: URL | null;
    #owner: CaptureOwner | null = null;

    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      const parsed = parseUrl(url);
      this.#url = parsed && capture.watches(parsed) ? parsed : null;
    }

    /** The line this socket's frames go to (resolved on the first frame, kept after). */
    tap(): CaptureOwner | null {
      if (!this.#url) return null;
      this.#owner ??= capture.ownerOf(this, this.#url);
      return this.#owner;
    }

    record(direction: SignalDirection, data: unknown, delivered: boolean): void {
      try {
        this.tap()?.frame({ direction, text: frameText(data), at: clock(), delivered });
      } catch (error) {
        // A failing capture must never break the SDK's signalling.
        console.error('capturing a Telnyx signalling frame failed:', error);
      }
    }

    override send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
      try {
        super.send(data as string);
      } catch (error) {
        this.record('sent', data, false);
        throw error;
      }
      this.record('sent', data, this.readyState === WEBSOCKET_OPEN);
    }
  }

  // The SDK reads frames through `onmessage`: wrap the handler it sets (an accessor, so that the
  // capture and the SDK's handling happen in one turn).
  const base = findAccessor(Base.prototype, 'onmessage');
  if (base?.set) {
    Object.defineProperty(CapturingWebSocket.prototype, 'onmessage', {
      configurable: true,
      enumerable: true,
      get(this: CapturingWebSocket & { [HANDLER]?: unknown }) {
        return this[HANDLER] ?? null;
      },
      set(this: CapturingWebSocket & { [HANDLER]?: unknown }, handler: ((event: MessageEvent) => unknown) | null) {
        this[HANDLER] = handler;
        const wrapped =
          typeof handler === 'function'
            ? (event: MessageEvent) => {
                this.record('received', event.data, true);
                return handler.call(this, event);
              }
            : handler;
        base.set!.call(this, wrapped);
      },
    });
  } else {
    console.warn('Telnyx signalling capture: this WebSocket has no onmessage accessor; received frames are not captured');
  }
  Object.defineProperty(CapturingWebSocket, 'name', { value: Base.name || 'WebSocket' });
  return CapturingWebSocket;
}
