import { describe, expect, it } from 'vitest';
import { displayBody, redactSipText } from './redact';

describe('redactSipText', () => {
  it('replaces Authorization and Proxy-Authorization values, any case, with their folded lines', () => {
    const text = [
      'INVITE sip:486@lab.test SIP/2.0',
      'proxy-authorization: Digest username="alice",',
      '  response="deadbeef"',
      'AUTHORIZATION:Digest response="cafe"',
      'Call-ID: x',
      '',
      'Authorization: in the body stays unless asked',
    ].join('\r\n');
    expect(redactSipText(text)).toBe(
      ['INVITE sip:486@lab.test SIP/2.0', 'proxy-authorization: [redacted]', 'AUTHORIZATION: [redacted]', 'Call-ID: x', '', 'Authorization: in the body stays unless asked'].join('\r\n'),
    );
    expect(redactSipText(text, true)).not.toContain('in the body stays');
  });

  it('leaves challenges and other headers alone', () => {
    const text = 'SIP/2.0 401 Unauthorized\nWWW-Authenticate: Digest realm="lab.test", nonce="n"\n\n';
    expect(redactSipText(text)).toBe(text);
  });
});

describe('displayBody', () => {
  it('shows SIP text redacted and JSON pretty-printed with secret-looking keys redacted', () => {
    expect(displayBody('REGISTER sip:a SIP/2.0\r\nAuthorization: Digest x\r\n\r\n')).toBe('REGISTER sip:a SIP/2.0\r\nAuthorization: [redacted]\r\n\r\n');
    const shown = displayBody({ method: 'login', params: { login_token: 'eyJ', passwd: 'p', nested: [{ Authorization: 'Bearer x' }] }, sdp: 'v=0' });
    expect(shown).not.toMatch(/eyJ|"p"|Bearer/);
    expect(shown).toContain('"sdp": "v=0"');
    expect(displayBody(null)).toBe('');
  });
});
