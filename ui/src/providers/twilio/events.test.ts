import { describe, expect, it } from 'vitest';
import { endInfo, errorFailure, errorPayload, reconnectedPayload, reconnectingPayload, ringingState, warningPayload } from './events';
import type { SdkCall } from './sdk';

const call = (parameters: Record<string, string>, status = 'ringing') =>
  ({ parameters, outboundConnectionId: 'TJSabc', status: () => status }) as unknown as SdkCall;

const busy = {
  code: 31486,
  name: 'BusyHere',
  message: 'BusyHere (31486): The callee is busy.',
  description: 'The callee is busy.',
  explanation: 'The callee is busy.',
  causes: ['The callee is busy.'],
  solutions: ['Try again later.'],
};

describe('Twilio errors', () => {
  it('are recorded with code, name, message, what they wrap and the call’s sids', () => {
    const payload = errorPayload(busy, 'twilio.call', call({ CallSid: 'CA1' }));
    expect(payload).toEqual({
      source: 'twilio.call',
      code: 31486,
      name: 'BusyHere',
      message: 'BusyHere (31486): The callee is busy.',
      description: 'The callee is busy.',
      explanation: 'The callee is busy.',
      causes: ['The callee is busy.'],
      solutions: ['Try again later.'],
      original_error: null,
      call_sid: 'CA1',
      outbound_connection_id: 'TJSabc',
      call_status: 'ringing',
    });
  });

  it('keep the gateway’s code behind a masked one, and a getUserMedia error’s name', () => {
    const masked = errorPayload({ code: 31005, name: 'ConnectionError', message: 'ConnectionError (31005): Error sent from gateway in HANGUP', originalError: { code: 31503, message: 'Service Unavailable' } }, 'twilio.call', call({}, 'connecting'));
    expect(masked.original_error).toEqual({ code: 31503, name: null, message: 'Service Unavailable' });
    expect(masked.call_sid).toBeNull();
    expect(errorFailure(masked)).toEqual({ provider_code: '31005', message: 'ConnectionError (31005): Error sent from gateway in HANGUP (it wraps 31503 Service Unavailable)' });
    const denied = errorPayload({ code: 31401, name: 'PermissionDeniedError', message: 'x', originalError: new DOMException('Permission denied', 'NotAllowedError') }, 'twilio.call', null);
    expect(denied.original_error).toMatchObject({ name: 'NotAllowedError', message: 'Permission denied' });
  });

  it('end a call with the code as text and the message; the wire’s code is named when the SDK masked it', () => {
    const payload = errorPayload(busy, 'twilio.call', call({ CallSid: 'CA1' }));
    expect(endInfo('remote', payload)).toEqual({ by: 'remote', failure: { provider_code: '31486', message: 'BusyHere (31486): The callee is busy.' } });
    payload.gateway_error = { code: 31503, message: 'Service Unavailable', type: 'hangup' };
    expect(errorFailure(payload).message).toBe('BusyHere (31486): The callee is busy. (the gateway sent 31503 Service Unavailable)');
    expect(endInfo('remote', null)).toEqual({ by: 'remote', failure: {} });
    expect(endInfo('error', null, 'signalling lost')).toEqual({ by: 'error', failure: { message: 'signalling lost' } });
  });

  it('take anything thrown, not only TwilioErrors', () => {
    expect(errorPayload(new Error('boom'), 'twilio.device', null)).toMatchObject({ code: null, name: 'Error', message: 'boom', source: 'twilio.device' });
    expect(errorPayload('plain', 'twilio.device', null)).toMatchObject({ code: null, message: 'plain' });
  });
});

describe('Twilio call events', () => {
  it('ringing with the far end’s SDP is early media', () => {
    expect(ringingState(false)).toBe('ringing');
    expect(ringingState(true)).toBe('early');
  });

  it('warnings and their clearing are warning events with the threshold and the values, and no numeric code', () => {
    const data = { name: 'bytesReceived', threshold: { name: 'min', value: 1 }, values: [0, 0, 0], samples: [] };
    const raised = warningPayload('low-bytes-received', data, false, call({ CallSid: 'CA1' }, 'open'));
    expect(raised).toEqual({
      source: 'twilio.call',
      warning: 'low-bytes-received',
      cleared: false,
      message: 'Twilio warning: low-bytes-received (no audio bytes arriving)',
      threshold: { name: 'min', value: 1 },
      value: null,
      values: [0, 0, 0],
      call_sid: 'CA1',
      outbound_connection_id: 'TJSabc',
    });
    expect(raised).not.toHaveProperty('code');
    expect(warningPayload('low-bytes-received', null, true, null)).toMatchObject({ cleared: true, message: 'Twilio warning cleared: low-bytes-received', threshold: null });
  });

  it('reconnecting carries its code (53405 media, 53001 signalling); reconnected says what recovered and when', () => {
    const media = reconnectingPayload({ code: 53405, name: 'ConnectionError', message: 'ConnectionError (53405): ICE failed' }, call({ CallSid: 'CA1' }, 'reconnecting'));
    expect(media).toMatchObject({ event: 'reconnecting', reconnecting: 'media', code: 53405, message: 'Twilio is reconnecting the call’s media (53405 ConnectionError)' });
    const signalling = reconnectingPayload({ code: 53001, name: 'ConnectionDisconnected', message: 'x' }, null);
    expect(signalling).toMatchObject({ reconnecting: 'signalling', code: 53001 });
    expect(reconnectedPayload(53405, 70, call({ CallSid: 'CA1' }))).toEqual({ media: 'twilio_reconnected', event: 'reconnected', recovered_from: 53405, after_ms: 70, call_sid: 'CA1', outbound_connection_id: 'TJSabc' });
  });
});
