import { describe, expect, it, vi } from 'vitest';
import type { Socket } from 'jssip';
import type { CapturedFrame } from '../core/capture';
import { CapturingSocket } from './capture';

/** JsSIP's socket interface, scripted: what JsSIP's WebSocketInterface does, without a network. */
class ScriptedSocket {
  url = 'wss://pbx.example.com:443/ws';
  via_transport = 'WSS';
  sip_uri = 'sip:pbx.example.com;transport=ws';
  open = false;
  sent: unknown[] = [];
  onconnect: () => void = () => undefined;
  ondisconnect: (error: boolean, code?: number, reason?: string) => void = () => undefined;
  ondata: (data: unknown) => void = () => undefined;
  connect() {
    this.open = true;
    this.onconnect();
  }
  disconnect() {
    this.open = false;
  }
  send(message: unknown) {
    if (!this.open) return false;
    this.sent.push(message);
    return true;
  }
  isConnected() {
    return this.open;
  }
  isConnecting() {
    return false;
  }
}

function setup(capture: (m: CapturedFrame) => void = () => undefined) {
  const inner = new ScriptedSocket();
  let now = 100;
  const socket = new CapturingSocket(inner as unknown as Socket, capture, () => now++);
  const seen: unknown[] = [];
  const events: string[] = [];
  // As JsSIP's Transport does.
  socket.onconnect = () => events.push('connect');
  socket.ondisconnect = (error, code) => events.push(`disconnect ${error} ${code}`);
  socket.ondata = (data) => seen.push(data);
  return { inner, socket, seen, events };
}

describe('CapturingSocket', () => {
  it('is a JsSIP socket: passes url, transport, connection and data through', () => {
    const { inner, socket, seen, events } = setup();
    expect([socket.url, socket.via_transport, socket.sip_uri]).toEqual([inner.url, 'WSS', inner.sip_uri]);
    socket.via_transport = 'ws';
    expect(inner.via_transport).toBe('ws');
    socket.connect();
    expect(socket.isConnected()).toBe(true);
    inner.ondata('SIP/2.0 200 OK\r\n\r\n');
    inner.ondisconnect(true, 1006);
    expect(events).toEqual(['connect', 'disconnect true 1006']);
    expect(seen).toEqual(['SIP/2.0 200 OK\r\n\r\n']);
  });

  it('captures every message both ways as text, received ones before JsSIP reads them', () => {
    const captured: CapturedFrame[] = [];
    const order: string[] = [];
    const { inner, socket } = setup((m) => {
      captured.push(m);
      order.push(`capture ${m.direction}`);
    });
    socket.ondata = () => order.push('jssip reads');
    socket.connect();
    expect(socket.send('REGISTER sip:example.com SIP/2.0\r\n\r\n')).toBe(true);
    inner.ondata(new TextEncoder().encode('SIP/2.0 401 Unauthorized\r\n\r\n').buffer);
    expect(captured).toEqual([
      { direction: 'sent', text: 'REGISTER sip:example.com SIP/2.0\r\n\r\n', at: 100, delivered: true },
      { direction: 'received', text: 'SIP/2.0 401 Unauthorized\r\n\r\n', at: 101, delivered: true },
    ]);
    expect(order).toEqual(['capture sent', 'capture received', 'jssip reads']);
  });

  it('skips CRLF keep-alives, and marks what could not be sent', () => {
    const captured: CapturedFrame[] = [];
    const { inner, socket, seen } = setup((m) => captured.push(m));
    expect(socket.send('INVITE sip:1@example.com SIP/2.0\r\n\r\n')).toBe(false);
    socket.connect();
    inner.ondata('\r\n\r\n');
    socket.send('\r\n');
    expect(seen).toEqual(['\r\n\r\n']);
    expect(inner.sent).toEqual(['\r\n']);
    expect(captured).toEqual([{ direction: 'sent', text: 'INVITE sip:1@example.com SIP/2.0\r\n\r\n', at: 100, delivered: false }]);
  });

  it('a failing capture never breaks the SIP stack', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const { inner, socket, seen } = setup(() => {
      throw new Error('journal down');
    });
    socket.connect();
    expect(socket.send('OPTIONS sip:x SIP/2.0\r\n\r\n')).toBe(true);
    inner.ondata('SIP/2.0 200 OK\r\n\r\n');
    expect(seen).toHaveLength(1);
    expect(error).toHaveBeenCalledTimes(2);
  });
});
