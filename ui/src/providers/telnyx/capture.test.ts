import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeVertoServer, FakeVertoSocket } from '../../testing/telnyx/fake-telnyx';
import type { CapturedFrame } from '../core/capture';
import { type CaptureOwner, capturingWebSocket, VertoCapture } from './capture';

function owner(host: string, owns: (socket: object) => boolean = () => false) {
  const frames: CapturedFrame[] = [];
  const o: CaptureOwner = { host, owns, frame: (f) => frames.push(f) };
  return { owner: o, frames };
}

const open = () => new Promise((r) => setTimeout(r, 5));

afterEach(() => {
  FakeVertoSocket.server = null;
});

describe('capturing the Telnyx signalling socket', () => {
  it('hands every frame of a watched host to its line: sent ones as sent, received ones before the SDK reads them', async () => {
    const server = new FakeVertoServer();
    FakeVertoSocket.server = server;
    const capture = new VertoCapture();
    const line = owner('rtc.telnyx.com');
    capture.add(line.owner);
    let tick = 0;
    const Capturing = capturingWebSocket(FakeVertoSocket as unknown as typeof WebSocket, capture, () => ++tick);
    const socket = new Capturing('wss://rtc.telnyx.com/?voice_sdk_id=VSDK1');
    const seen: string[] = [];
    socket.onmessage = (event: MessageEvent) => {
      // By the time the SDK reads a frame, it has been captured.
      seen.push(`${line.frames.length} ${String(event.data)}`);
      socket.send('{"jsonrpc":"2.0","id":1000,"result":{"method":"telnyx_rtc.clientReady"}}');
    };
    await open();
    socket.send('{"jsonrpc":"2.0","id":"a","method":"login","params":{}}');
    await open();
    expect(line.frames.map((f) => [f.direction, f.text, f.delivered])).toEqual([
      ['sent', '{"jsonrpc":"2.0","id":"a","method":"login","params":{}}', true],
      ['received', '{"jsonrpc":"2.0","id":"a","result":{"message":"logged in","sessid":"sess-1"}}', true],
      ['sent', '{"jsonrpc":"2.0","id":1000,"result":{"method":"telnyx_rtc.clientReady"}}', true],
      ['received', '{"jsonrpc":"2.0","id":1000,"method":"telnyx_rtc.clientReady","params":{"reattached_sessions":[]}}', true],
      ['sent', '{"jsonrpc":"2.0","id":1000,"result":{"method":"telnyx_rtc.clientReady"}}', true],
    ]);
    expect(seen[0]).toMatch(/^2 /);
    // Each with its time on the page's clock, in order.
    expect(line.frames.map((f) => f.at)).toEqual([1, 2, 3, 4, 5]);
    expect(socket.onmessage).toBeTypeOf('function');
    expect(socket).toBeInstanceOf(FakeVertoSocket);
  });

  it('marks a frame sent on a socket that is not open as not delivered (and lets the SDK see the error)', async () => {
    FakeVertoSocket.server = new FakeVertoServer();
    const capture = new VertoCapture();
    const line = owner('rtc.telnyx.com');
    capture.add(line.owner);
    const Capturing = capturingWebSocket(FakeVertoSocket as unknown as typeof WebSocket, capture);
    const socket = new Capturing('wss://rtc.telnyx.com');
    expect(() => socket.send('{"method":"login"}')).toThrow(/CONNECTING/);
    await open();
    socket.close();
    await open();
    socket.send('{"method":"telnyx_rtc.ping"}');
    expect(line.frames.map((f) => f.delivered)).toEqual([false, false]);
  });

  it('leaves sockets to other hosts alone, and asks the lines which socket is whose', async () => {
    FakeVertoSocket.server = new FakeVertoServer();
    const capture = new VertoCapture();
    const mine: { socket: object | null } = { socket: null };
    const a = owner('rtc.telnyx.com', (s) => s === mine.socket);
    const b = owner('rtc.telnyx.com', (s) => s !== mine.socket);
    const eu = owner('eu.rtc.telnyx.com');
    capture.add(a.owner);
    capture.add(b.owner);
    const stopEu = capture.add(eu.owner);
    const Capturing = capturingWebSocket(FakeVertoSocket as unknown as typeof WebSocket, capture);
    const first = new Capturing('wss://rtc.telnyx.com');
    mine.socket = first;
    const second = new Capturing('wss://rtc.telnyx.com');
    const other = new Capturing('ws://127.0.0.1:9000/api/events');
    await open();
    first.send('1');
    second.send('2');
    other.send('3');
    expect(a.frames.map((f) => f.text)).toEqual(['1']);
    expect(b.frames.map((f) => f.text)).toEqual(['2']);
    stopEu();
    const euSocket = new Capturing('wss://eu.rtc.telnyx.com');
    await open();
    euSocket.send('4');
    expect(eu.frames).toEqual([]);
  });

  it('never breaks the socket when a capture fails', async () => {
    FakeVertoSocket.server = new FakeVertoServer();
    const capture = new VertoCapture();
    capture.add({
      host: 'rtc.telnyx.com',
      owns: () => true,
      frame: () => {
        throw new Error('journal down');
      },
    });
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const Capturing = capturingWebSocket(FakeVertoSocket as unknown as typeof WebSocket, capture);
    const socket = new Capturing('wss://rtc.telnyx.com');
    const received: string[] = [];
    socket.onmessage = (event: MessageEvent) => received.push(String(event.data));
    await open();
    socket.send('{"jsonrpc":"2.0","id":"p","method":"telnyx_rtc.ping","params":{}}');
    await open();
    expect(received).toHaveLength(1);
    expect(error).toHaveBeenCalled();
  });
});
