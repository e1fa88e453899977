import type { Socket } from 'jssip';
import { type CapturedFrame, frameText } from '../core/capture';
import { isKeepAlive } from './wire';

/**
 * JsSIP's socket interface around another socket (normally `JsSIP.WebSocketInterface`) that
 * hands every SIP message, sent and received, to `capture` as raw wire text: REGISTER and its
 * 401 challenge, INVITE, 100 Trying, CANCEL, ACK, BYE, the re-INVITEs of hold, INFO, OPTIONS.
 *
 * A received message is captured before JsSIP reads it, so the replies JsSIP sends while
 * handling it (the 200 to a BYE, the ACK to a 486) come after it in the trace, as on the wire.
 * CRLF keep-alives are passed on but not captured.
 */
export class CapturingSocket implements Socket {
  readonly #inner: Socket;
  readonly #capture: (message: CapturedFrame) => void;
  readonly #clock: () => number;

  constructor(inner: Socket, capture: (message: CapturedFrame) => void, clock: () => number = () => performance.now()) {
    this.#inner = inner;
    this.#capture = capture;
    this.#clock = clock;
    inner.onconnect = () => this.onconnect();
    inner.ondisconnect = (error: boolean, code?: number, reason?: string) => this.ondisconnect(error, code, reason);
    inner.ondata = <T>(data: T) => {
      const text = frameText(data);
      if (!isKeepAlive(text)) this.#safeCapture({ direction: 'received', text, at: this.#clock(), delivered: true });
      this.ondata(data);
    };
  }

  // JsSIP's Transport assigns these.
  onconnect(): void {}
  ondisconnect(_error: boolean, _code?: number, _reason?: string): void {}
  ondata<T>(_data: T): void {}

  get via_transport(): string {
    return this.#inner.via_transport;
  }

  set via_transport(value: string) {
    this.#inner.via_transport = value;
  }

  get url(): string {
    return this.#inner.url;
  }

  get sip_uri(): string {
    return this.#inner.sip_uri;
  }

  connect(): void {
    this.#inner.connect();
  }

  disconnect(): void {
    this.#inner.disconnect();
  }

  send(message: string | ArrayBufferLike | Blob | ArrayBufferView): boolean {
    const delivered = this.#inner.send(message);
    const text = frameText(message);
    if (!isKeepAlive(text)) this.#safeCapture({ direction: 'sent', text, at: this.#clock(), delivered });
    return delivered;
  }

  isConnected(): boolean {
    return this.#inner.isConnected();
  }

  isConnecting(): boolean {
    return this.#inner.isConnecting();
  }

  /** A failing capture must never break the SIP stack. */
  #safeCapture(message: CapturedFrame): void {
    try {
      this.#capture(message);
    } catch (error) {
      console.error('capturing a SIP message failed:', error);
    }
  }
}
