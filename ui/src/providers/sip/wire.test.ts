import { describe, expect, it } from 'vitest';
import { isKeepAlive, parseSip, sipSignal } from './wire';

// As on the wire in reference/sip-lab.md §9 (with an Authorization header added).
const REGISTER = [
  'REGISTER sip:127.0.0.1 SIP/2.0',
  'Via: SIP/2.0/WS 2a6km81hk5ek.invalid;branch=z9hG4bK2131974',
  'To: <sip:alice@127.0.0.1>',
  'From: <sip:alice@127.0.0.1>;tag=tfg6idmpf8',
  'Call-ID: reg-1',
  'CSeq: 2 REGISTER',
  'Authorization: Digest algorithm=MD5, username="alice", realm="lab.test", nonce="abc", uri="sip:127.0.0.1", response="0123456789abcdef0123456789abcdef"',
  'Contact: <sip:gmgocpe9@2a6km81hk5ek.invalid;transport=ws>;expires=300',
  'User-Agent: JsSIP 3.13.8',
  'Content-Length: 0',
  '',
  '',
].join('\r\n');

describe('parseSip', () => {
  it('reads a request: method, Call-ID, CSeq, headers by any case', () => {
    const m = parseSip(REGISTER)!;
    expect(m.kind).toBe('request');
    expect(m.method).toBe('REGISTER');
    expect(m.firstLine).toBe('REGISTER sip:127.0.0.1 SIP/2.0');
    expect(m.callId).toBe('reg-1');
    expect(m.cseq).toEqual({ seq: 2, method: 'REGISTER' });
    expect(m.header('user-agent')).toBe('JsSIP 3.13.8');
    expect(m.toTag).toBeNull();
  });

  it('reads a response with compact headers, folded lines and a body', () => {
    const text = [
      'SIP/2.0 183 Session Progress',
      'v: SIP/2.0/WSS a.invalid;branch=z9hG4bK1',
      'f: <sip:alice@lab.test>;tag=a1',
      't: <sip:486@lab.test>;tag=b2',
      'i: call-7',
      'CSeq: 1 INVITE',
      'Reason: Q.850;cause=16;',
      ' text="Normal call clearing"',
      'c: application/sdp',
      'l: 5',
      '',
      'v=0\r\n',
    ].join('\r\n');
    const m = parseSip(text)!;
    expect(m.kind).toBe('response');
    expect(m.status).toBe(183);
    expect(m.reason).toBe('Session Progress');
    expect(m.callId).toBe('call-7');
    expect(m.toTag).toBe('b2');
    expect(m.headers('Reason')).toEqual(['Q.850;cause=16; text="Normal call clearing"']);
    expect(m.header('content-type')).toBe('application/sdp');
    expect(m.body).toBe('v=0\r\n');
  });

  it('is null for what is not SIP', () => {
    expect(parseSip('\r\n\r\n')).toBeNull();
    expect(parseSip('{"jsonrpc":"2.0"}')).toBeNull();
    expect(isKeepAlive('\r\n\r\n')).toBe(true);
    expect(isKeepAlive('\r\n')).toBe(true);
    expect(isKeepAlive(REGISTER)).toBe(false);
  });
});

describe('sipSignal', () => {
  it('keeps the whole message with its first line as summary, Authorization redacted', () => {
    const signal = sipSignal('sent', REGISTER);
    expect(signal).toMatchObject({ direction: 'sent', protocol: 'sip', summary: 'REGISTER sip:127.0.0.1 SIP/2.0' });
    const body = signal.body as string;
    expect(body).toContain('Authorization: [redacted]\r\n');
    expect(body).not.toContain('0123456789abcdef');
    expect(body).not.toContain('nonce="abc"');
    // Everything else is kept byte for byte.
    expect(body.replace('Authorization: [redacted]', '')).toBe(REGISTER.replace(/Authorization: [^\r]*/, ''));
  });
});
