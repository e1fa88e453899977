import type { SignalDirection, SignalMessage } from '../../journal/signal';

/** One frame as it crossed a signalling WebSocket, before the SDK (or the server) read it. */
export interface CapturedFrame {
  direction: SignalDirection;
  text: string;
  /** When it crossed, on the page's monotonic clock (ms). */
  at: number;
  /** False when the SDK sent it while the socket was not open (the browser dropped it). */
  delivered: boolean;
}

/** A captured frame with what the journal needs of it; each provider adds its own parse. */
export interface WireMessage {
  captured: CapturedFrame;
  /** As the journal keeps it: redacted. */
  signal: SignalMessage;
}

/** `WebSocket.OPEN`. */
export const WEBSOCKET_OPEN = 1;

const decoder = typeof TextDecoder === 'undefined' ? null : new TextDecoder('utf-8');

/** A WebSocket frame's data as text (binary frames decoded as UTF-8). */
export function frameText(data: unknown): string {
  if (typeof data === 'string') return data;
  if (decoder && (data instanceof ArrayBuffer || ArrayBuffer.isView(data))) return decoder.decode(data as ArrayBuffer);
  return String(data);
}

/**
 * The page's lines that read an SDK's signalling sockets. The SDK opens its sockets itself (and
 * again on every reconnect), so each socket asks here whose it is.
 */
export class CaptureOwners<Owner> {
  protected readonly owners = new Set<Owner>();

  add(owner: Owner): () => void {
    this.owners.add(owner);
    return () => {
      this.owners.delete(owner);
    };
  }
}

/** A WebSocket's URL, parsed (null when it is not one). */
export function parseUrl(url: string | URL): URL | null {
  try {
    return new URL(String(url));
  } catch {
    return null;
  }
}
