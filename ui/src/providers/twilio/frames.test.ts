import { describe, expect, it } from 'vitest';
import { isHeartbeat, parsePstream, pstreamSignal, pstreamSummary, redactPstream } from './frames';

const JWT = 'eyJhbGciOiJIUzI1NiIsImN0eSI6InR3aWxpby1mcGE7dj0xIiwidHlwIjoiSldUIn0.eyJqdGkiOiJTSzEiLCJpc3MiOiJTSzEifQ.c2lnbmF0dXJl';
const f = (type: string, payload: Record<string, unknown>) => JSON.stringify({ payload, type, version: '1.6' });

describe('PStream frames', () => {
  it('are parsed for routing: type, call sid, the error code', () => {
    const hangup = parsePstream(f('hangup', { callsid: 'CA1', error: { code: 31486, message: 'Busy Here' } }));
    expect(hangup).toMatchObject({ type: 'hangup', callsid: 'CA1', errorCode: 31486, errorMessage: 'Busy Here' });
    expect(parsePstream(f('ready', {}))).toMatchObject({ type: 'ready', callsid: null, errorCode: null });
    expect(parsePstream('not json')).toMatchObject({ type: null, json: null, callsid: null });
  });

  it('summarise as the message type, with the code of an error or a failed hangup', () => {
    const summary = (text: string) => pstreamSummary(parsePstream(text));
    expect(summary(f('invite', { callsid: 'TJS1', sdp: 'v=0' }))).toBe('invite');
    expect(summary(f('answer', { callsid: 'CA1' }))).toBe('answer');
    expect(summary(f('hangup', { callsid: 'CA1' }))).toBe('hangup');
    expect(summary(f('hangup', { callsid: 'CA1', error: { code: 31486, message: 'Busy Here' } }))).toBe('hangup 31486');
    expect(summary(f('error', { callsid: 'CA1', error: { code: 31002, message: 'Connection declined' } }))).toBe('error 31002');
    expect(summary(f('register', { media: { audio: true } }))).toBe('register');
    expect(summary(f('register', { media: { audio: false } }))).toBe('unregister');
    expect(summary('garbage')).toBe('not JSON');
    expect(summary('{"hello":1}')).toBe('not a PStream message');
  });

  it('are journaled with every token redacted: listen’s payload.token, accessToken, reconnect tokens, JWTs in text', () => {
    const listen = pstreamSignal('sent', f('listen', { token: JWT, browserinfo: { v: '2.18.5' }, reconnectTimeout: 30 }));
    expect(listen).toEqual({
      direction: 'sent',
      protocol: 'pstream',
      summary: 'listen',
      body: { payload: { token: '[redacted]', browserinfo: { v: '2.18.5' }, reconnectTimeout: 30 }, type: 'listen', version: '1.6' },
    });
    const answer = pstreamSignal('received', f('answer', { callsid: 'CA1', sdp: 'v=0', reconnect: 'opaque-token' }));
    expect((answer.body as { payload: Record<string, unknown> }).payload).toEqual({ callsid: 'CA1', sdp: 'v=0', reconnect: '[redacted]' });
    expect(redactPstream({ accessToken: JWT, nested: [{ AccessToken: 'x' }], note: `token was ${JWT}` })).toEqual({
      accessToken: '[redacted]',
      nested: [{ AccessToken: '[redacted]' }],
      note: 'token was [redacted]',
    });
    const text = pstreamSignal('sent', `broken ${JWT}`);
    expect(text.body).toBe('broken [redacted]');
    expect(JSON.stringify([listen, answer, text])).not.toContain(JWT.slice(0, 40));
  });

  it('keep connected’s token description (identity and ttl are no secret)', () => {
    const connected = pstreamSignal('received', f('connected', { region: 'US_EAST_VIRGINIA', token: { identity: 'agent', ttl: 60 } }));
    expect((connected.body as { payload: { token: unknown } }).payload.token).toEqual({ identity: 'agent', ttl: 60 });
  });

  it('tell heartbeats (a bare newline) apart', () => {
    expect(isHeartbeat('\n')).toBe(true);
    expect(isHeartbeat('\n\n')).toBe(false);
    expect(isHeartbeat(f('ready', {}))).toBe(false);
  });
});
