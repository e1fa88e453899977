import { describe, expect, it } from 'vitest';
import type { JournalEvent } from '../api/generated';
import { event, stateEvent } from '../testing/fake-backend';
import { ladderArrows } from './ladder';
import type { SignalMessage } from '../journal/signal';

function sip(direction: 'sent' | 'received', lines: string[], body = ''): SignalMessage {
  return { direction, protocol: 'sip', summary: lines[0]!, body: `${lines.join('\r\n')}\r\nContent-Length: ${body.length}\r\n\r\n${body}` };
}

const common = ['Call-ID: c1', 'From: <sip:alice@lab.test>;tag=a', 'Via: SIP/2.0/WSS x.invalid;branch=z9hG4bK1'];
let seq = 0;
const signal = (payload: SignalMessage, t: number): JournalEvent => event('call-1', ++seq, 'signal', payload, t, 'signalling');

describe('ladderArrows', () => {
  it('orders arrows by journal seq, times them from dialling, and puts each at the proxy or the far end', () => {
    seq = 0;
    const events = [
      stateEvent('call-1', ++seq, 100, 'dialing'),
      signal(sip('sent', ['INVITE sip:486@lab.test SIP/2.0', ...common, 'CSeq: 1 INVITE', 'To: <sip:486@lab.test>']), 101),
      signal(sip('received', ['SIP/2.0 100 Trying', ...common, 'CSeq: 1 INVITE', 'To: <sip:486@lab.test>', 'Server: lab-kamailio']), 110),
      signal(sip('received', ['SIP/2.0 180 Ringing', ...common, 'CSeq: 1 INVITE', 'To: <sip:486@lab.test>;tag=b', 'Server: baresip']), 150),
      signal(sip('received', ['SIP/2.0 486 Busy Here', ...common, 'CSeq: 1 INVITE', 'To: <sip:486@lab.test>;tag=b', 'Server: baresip']), 250),
      signal(sip('sent', ['ACK sip:486@lab.test SIP/2.0', ...common, 'CSeq: 1 ACK', 'To: <sip:486@lab.test>;tag=b']), 251),
      signal(sip('received', ['SIP/2.0 404 Not Found', ...common, 'CSeq: 2 INVITE', 'To: <sip:x@lab.test>;tag=k', 'Server: lab-kamailio']), 300),
      signal(sip('sent', ['ACK sip:x@lab.test SIP/2.0', ...common, 'CSeq: 2 ACK', 'To: <sip:x@lab.test>;tag=k']), 301),
      event('call-1', ++seq, 'media', { pc: 'connection', state: 'new' }, 302),
    ];
    const arrows = ladderArrows([...events].reverse());
    expect(arrows.map((a) => [a.seq, a.offsetMs, a.direction, a.peer, a.summary])).toEqual([
      [2, 1, 'sent', 'far_end', 'INVITE sip:486@lab.test SIP/2.0'],
      [3, 10, 'received', 'proxy', 'SIP/2.0 100 Trying'],
      [4, 50, 'received', 'far_end', 'SIP/2.0 180 Ringing'],
      [5, 150, 'received', 'far_end', 'SIP/2.0 486 Busy Here'],
      [6, 151, 'sent', 'far_end', 'ACK sip:486@lab.test SIP/2.0'],
      // The same Server as the 100 Trying: the proxy answered itself; the ACK goes back to it.
      [7, 200, 'received', 'proxy', 'SIP/2.0 404 Not Found'],
      [8, 201, 'sent', 'proxy', 'ACK sip:x@lab.test SIP/2.0'],
    ]);
    expect(arrows[1]!.text).toContain('Server: lab-kamailio');
  });

  it('places each message at its journal time, which is when it crossed the wire', () => {
    seq = 0;
    const arrows = ladderArrows([
      stateEvent('call-1', ++seq, 120, 'dialing'),
      signal(sip('sent', ['INVITE sip:1@lab.test SIP/2.0', ...common, 'CSeq: 1 INVITE']), 101),
      signal(sip('received', ['SIP/2.0 180 Ringing', ...common, 'CSeq: 1 INVITE']), 160),
    ]);
    // The INVITE went out before the dialing record's write arrived: the origin is the earlier.
    expect(arrows.map((a) => a.offsetMs)).toEqual([0, 59]);
  });

  it('never shows a message before the one journaled ahead of it (write delays jitter)', () => {
    seq = 0;
    const arrows = ladderArrows([
      stateEvent('call-1', ++seq, 100, 'dialing'),
      signal(sip('sent', ['INVITE sip:1@lab.test SIP/2.0', ...common, 'CSeq: 1 INVITE']), 108),
      signal(sip('received', ['SIP/2.0 407 Proxy Authentication Required', ...common, 'CSeq: 1 INVITE']), 106),
      signal(sip('sent', ['ACK sip:1@lab.test SIP/2.0', ...common, 'CSeq: 1 ACK']), 125),
    ]);
    expect(arrows.map((a) => a.offsetMs)).toEqual([8, 8, 25]);
  });

  it('never shows an Authorization value, even one that slipped past capture', () => {
    seq = 0;
    const leaked = sip('sent', ['INVITE sip:1@lab.test SIP/2.0', ...common, 'CSeq: 2 INVITE', 'Proxy-Authorization: Digest username="alice", response="0123456789abcdef0123456789abcdef"']);
    const arrows = ladderArrows([stateEvent('call-1', ++seq, 0, 'dialing'), signal(leaked, 5)]);
    expect(arrows[0]!.text).toContain('Proxy-Authorization: [redacted]');
    expect(arrows[0]!.text).not.toContain('0123456789abcdef');
  });

  it('reads any protocol: Echo signals are JSON, all at the far end', () => {
    seq = 0;
    const arrows = ladderArrows([
      stateEvent('call-1', ++seq, 10, 'dialing'),
      signal({ direction: 'sent', protocol: 'echo', summary: 'INVITE 100', body: { sdp: 'v=0' } }, 12),
      signal({ direction: 'received', protocol: 'echo', summary: '100 Trying', body: { signal: 'trying' } }, 13),
    ]);
    expect(arrows.map((a) => [a.peer, a.summary, a.offsetMs])).toEqual([
      ['far_end', 'INVITE 100', 2],
      ['far_end', '100 Trying', 3],
    ]);
    expect(arrows[0]!.text).toBe('{\n  "sdp": "v=0"\n}');
  });

  it('an incoming call counts from its INVITE', () => {
    seq = 0;
    const invite = sip('received', ['INVITE sip:alice@x.invalid SIP/2.0', ...common, 'CSeq: 1 INVITE', 'To: <sip:alice@lab.test>']);
    const arrows = ladderArrows([
      signal(invite, 5),
      signal(sip('sent', ['SIP/2.0 180 Ringing', ...common, 'CSeq: 1 INVITE', 'To: <sip:alice@lab.test>;tag=z']), 4006),
      stateEvent('call-1', ++seq, 4007, 'ringing'),
      signal(sip('sent', ['SIP/2.0 200 OK', ...common, 'CSeq: 1 INVITE', 'To: <sip:alice@lab.test>;tag=z']), 4020),
    ]);
    expect(arrows.map((a) => a.offsetMs)).toEqual([0, 4001, 4015]);
  });
});
