import { describe, expect, it } from 'vitest';
import type { SignalDirection } from '../../journal/signal';
import type { CapturedFrame } from '../core/capture';
import { capturingWebSocket, isSignallingHost, PstreamCapture } from './capture';
import { FakeSocket } from '../../testing/twilio/fake-twilio';

function owner(tokens: string[]) {
  const frames: CapturedFrame[] = [];
  const beats: SignalDirection[] = [];
  return { frames, beats, ownsToken: (t: string) => tokens.includes(t), frame: (f: CapturedFrame) => frames.push(f), heartbeat: (d: SignalDirection) => beats.push(d) };
}

const listen = (token: string) => JSON.stringify({ payload: { token }, type: 'listen', version: '1.6' });

describe('the PStream capture', () => {
  it('knows Twilio’s signalling hosts, every edge', () => {
    expect(isSignallingHost('voice-js.roaming.twilio.com')).toBe(true);
    expect(isSignallingHost('voice-js.ashburn-ix.twilio.com:443')).toBe(true);
    expect(isSignallingHost('eventgw.twilio.com')).toBe(false);
    expect(isSignallingHost('voice-js.roaming.twilio.com.evil.example')).toBe(false);
  });

  it('hands every frame, both ways, to the line whose token the socket’s listen carried; received ones before the SDK reads them', () => {
    const capture = new PstreamCapture();
    const a = owner(['token-a']);
    const b = owner(['token-b']);
    capture.add(a);
    capture.add(b);
    const Ws = capturingWebSocket(FakeSocket as unknown as typeof WebSocket, capture, () => 42);
    const socket = new Ws('wss://voice-js.roaming.twilio.com/signal') as unknown as FakeSocket & WebSocket;
    const seenBySdk: number[] = [];
    socket.addEventListener('message', () => seenBySdk.push(a.frames.length + b.frames.length));
    socket.send(listen('token-b'));
    socket.receive('{"payload":{},"type":"connected","version":"1.6"}');
    expect(a.frames).toEqual([]);
    expect(b.frames.map((f) => [f.direction, JSON.parse(f.text).type, f.at, f.delivered])).toEqual([
      ['sent', 'listen', 42, true],
      ['received', 'connected', 42, true],
    ]);
    // The capture ran before the SDK's own listener.
    expect(seenBySdk).toEqual([2]);
    expect(socket.sent).toEqual([listen('token-b')]);
  });

  it('counts heartbeats without journaling them, and marks frames sent on a closed socket as not delivered', () => {
    const capture = new PstreamCapture();
    const only = owner(['t']);
    capture.add(only);
    const Ws = capturingWebSocket(FakeSocket as unknown as typeof WebSocket, capture);
    const socket = new Ws('wss://voice-js.roaming.twilio.com/signal') as unknown as FakeSocket & WebSocket;
    socket.receive('\n');
    socket.send('\n');
    expect(only.beats).toEqual(['received', 'sent']);
    expect(only.frames).toEqual([]);
    socket.readyState = 3;
    socket.send(listen('t'));
    expect(only.frames.map((f) => f.delivered)).toEqual([false]);
  });

  it('leaves every other socket alone', () => {
    const capture = new PstreamCapture();
    const only = owner(['t']);
    capture.add(only);
    const Ws = capturingWebSocket(FakeSocket as unknown as typeof WebSocket, capture);
    const other = new Ws('wss://rtc.telnyx.com/') as unknown as FakeSocket & WebSocket;
    other.send(listen('t'));
    other.receive('{"type":"ready"}');
    expect(only.frames).toEqual([]);
    expect(other.sent).toEqual([listen('t')]);
  });
});
