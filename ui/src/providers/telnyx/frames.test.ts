import { describe, expect, it } from 'vitest';
import { displayBody } from '../../journal/redact';
import { parseVerto, redactVerto, VertoCorrelator, vertoSignal } from './frames';

const JWT = 'eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9.eyJleHAiOjQxMDI0NDQ4MDB9.c2lnbmF0dXJl';

// Frames as the SDK 2.27.10 sent them and the lab answered (reference/telnyx.md §2.4–2.8).
const LOGIN = {
  jsonrpc: '2.0',
  id: '39a58239-63d6-4b8b-b41e-1cf472095c40',
  method: 'login',
  params: {
    login_token: JWT,
    userVariables: { push_when_active: false, pn_late_fanout: false },
    reconnection: false,
    loginParams: { early_sdp_answer: false },
    'User-Agent': { sdkVersion: '2.27.10', data: 'Mozilla/5.0' },
  },
};
const PASSWORD_LOGIN = { jsonrpc: '2.0', id: 'p-1', method: 'login', params: { login: 'gencredAbc', passwd: 'secretpw', reconnection: true, sessid: 'S1' } };
const INVITE = {
  jsonrpc: '2.0',
  id: 'f6a4204d-ea2d-4be7-b897-f28ae46207c0',
  method: 'telnyx_rtc.invite',
  params: {
    sessid: 'c0ffee00',
    sdp: 'v=0\r\n',
    dialogParams: {
      callID: '014d9ad0-b5ac-4d7d-81b2-733d68364d44',
      destination_number: '+15551234567',
      iceServers: [
        { urls: 'stun:stun.telnyx.com:3478' },
        { urls: 'turn:turn.telnyx.com:3478?transport=udp', username: 'testuser', credential: 'testpassword' },
      ],
    },
    'User-Agent': 'Web-2.27.10',
  },
};
const INVITE_RESULT = { jsonrpc: '2.0', id: INVITE.id, result: { message: 'CALL CREATED', callID: '014d9ad0-b5ac-4d7d-81b2-733d68364d44', sessid: 'c0ffee00' } };
const RINGING = { jsonrpc: '2.0', id: 1002, method: 'telnyx_rtc.ringing', params: { callID: '014d9ad0-b5ac-4d7d-81b2-733d68364d44', telnyx_leg_id: 'leg-1' }, voice_sdk_id: 'VSDK1abc' };
const RINGING_ACK = { jsonrpc: '2.0', id: 1002, result: { method: 'telnyx_rtc.ringing' } };
const BYE = {
  jsonrpc: '2.0',
  id: '3d177fd1',
  method: 'telnyx_rtc.bye',
  params: { sipCode: null, sip_call_id: null, sessid: 'c0ffee00', dialogParams: { callID: 'call-2' }, cause: 'USER_BUSY', causeCode: 17 },
};
const LOGIN_ERROR = { jsonrpc: '2.0', id: LOGIN.id, error: { code: -32001, message: 'Login Incorrect' } };
const GATEWAY = { jsonrpc: '2.0', id: 'g-1', method: 'telnyx_rtc.gatewayState', voice_sdk_id: 'VSDK1abc', params: {} };
const REGED = { jsonrpc: '2.0', id: 'g-1', result: { params: { state: 'REGED' }, sessid: 'S1' } };

describe('Verto frames', () => {
  it('reads the kind, id, method and the call a frame names', () => {
    expect(parseVerto(JSON.stringify(INVITE))).toMatchObject({ kind: 'request', method: 'telnyx_rtc.invite', id: INVITE.id, callId: '014d9ad0-b5ac-4d7d-81b2-733d68364d44' });
    expect(parseVerto(JSON.stringify(INVITE_RESULT))).toMatchObject({ kind: 'result', method: null, callId: '014d9ad0-b5ac-4d7d-81b2-733d68364d44' });
    expect(parseVerto(JSON.stringify(RINGING))).toMatchObject({ kind: 'request', id: 1002, callId: '014d9ad0-b5ac-4d7d-81b2-733d68364d44' });
    expect(parseVerto(JSON.stringify(RINGING_ACK))).toMatchObject({ kind: 'result', id: 1002, callId: null });
    expect(parseVerto(JSON.stringify(BYE))).toMatchObject({ kind: 'request', callId: 'call-2' });
    expect(parseVerto(JSON.stringify(LOGIN_ERROR))).toMatchObject({ kind: 'error', errorCode: -32001 });
    expect(parseVerto('#SPU1234')).toMatchObject({ kind: 'other', json: null });
  });

  it('summarises each frame for the ladder: the method, or "result <method>" / "error <code>"', () => {
    const correlator = new VertoCorrelator();
    const summary = (frame: unknown) => {
      const text = JSON.stringify(frame);
      const parsed = parseVerto(text);
      return vertoSignal('sent', text, parsed, correlator.see(parsed).answers).summary;
    };
    expect(summary(LOGIN)).toBe('login');
    expect(summary(LOGIN_ERROR)).toBe('error -32001');
    expect(summary(GATEWAY)).toBe('telnyx_rtc.gatewayState');
    expect(summary(REGED)).toBe('result telnyx_rtc.gatewayState');
    expect(summary(INVITE)).toBe('telnyx_rtc.invite');
    expect(summary(INVITE_RESULT)).toBe('result telnyx_rtc.invite');
    expect(summary(RINGING)).toBe('telnyx_rtc.ringing');
    // The SDK's ack names what it acknowledges.
    expect(summary(RINGING_ACK)).toBe('result telnyx_rtc.ringing');
    expect(summary({ jsonrpc: '2.0', id: 'x', result: {} })).toBe('result');
    expect(vertoSignal('received', '#SPD42').summary).toBe('speed test');
  });

  it('routes an answer that does not name its call to the call of the request it answers', () => {
    const correlator = new VertoCorrelator();
    const see = (frame: unknown) => correlator.see(parseVerto(JSON.stringify(frame)));
    expect(see(RINGING)).toEqual({ callId: '014d9ad0-b5ac-4d7d-81b2-733d68364d44', answers: null });
    expect(see(RINGING_ACK)).toEqual({ callId: '014d9ad0-b5ac-4d7d-81b2-733d68364d44', answers: 'telnyx_rtc.ringing' });
    expect(see(BYE).callId).toBe('call-2');
    expect(see({ jsonrpc: '2.0', id: '3d177fd1', result: { message: 'CALL ENDED' } })).toEqual({ callId: 'call-2', answers: 'telnyx_rtc.bye' });
    // Answered once: a late duplicate answer names nothing.
    expect(see({ jsonrpc: '2.0', id: '3d177fd1', result: {} })).toEqual({ callId: null, answers: null });
  });

  it('redacts the login token, passwords and TURN credentials before anything is recorded, and keeps the rest', () => {
    const login = vertoSignal('sent', JSON.stringify(LOGIN));
    expect(login).toMatchObject({ direction: 'sent', protocol: 'verto', summary: 'login' });
    expect(login.body).toEqual({ ...LOGIN, params: { ...LOGIN.params, login_token: '[redacted]' } });
    expect(JSON.stringify(login)).not.toContain(JWT);

    const password = vertoSignal('sent', JSON.stringify(PASSWORD_LOGIN)).body as typeof PASSWORD_LOGIN;
    expect(password.params).toEqual({ login: 'gencredAbc', passwd: '[redacted]', reconnection: true, sessid: 'S1' });

    const invite = vertoSignal('sent', JSON.stringify(INVITE)).body as typeof INVITE;
    expect(invite.params.dialogParams.iceServers[1]).toEqual({ urls: 'turn:turn.telnyx.com:3478?transport=udp', username: 'testuser', credential: '[redacted]' });
    expect(invite.params.sdp).toBe('v=0\r\n');
    // The frame itself is not touched (the SDK keeps using it).
    expect(INVITE.params.dialogParams.iceServers[1]!.credential).toBe('testpassword');
  });

  it('redacts a token under any *_token key, and a JWT anywhere in a string or in a frame that is not JSON', () => {
    expect(redactVerto({ params: { refresh_token: 'abc', accessToken: 'def', token: 'ghi', note: `Bearer ${JWT} here`, voice_sdk_id: 'VSDK1' } })).toEqual({
      params: { refresh_token: '[redacted]', accessToken: '[redacted]', token: '[redacted]', note: 'Bearer [redacted] here', voice_sdk_id: 'VSDK1' },
    });
    expect(vertoSignal('sent', `{broken ${JWT}`).body).toBe('{broken [redacted]');
    // Nulls stay nulls (a bye's sipCode: null is evidence, not a secret).
    expect(redactVerto({ login_token: null, credential: '' })).toEqual({ login_token: null, credential: '' });
  });

  it('shows a recorded frame with every secret still hidden (display-time redaction agrees)', () => {
    const shown = displayBody(vertoSignal('sent', JSON.stringify(LOGIN)).body);
    expect(shown).toContain('"login_token": "[redacted]"');
    expect(shown).not.toContain(JWT);
  });
});
