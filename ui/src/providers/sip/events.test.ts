import { describe, expect, it } from 'vitest';
import { endedBy, endInfo, provisionalState, rawEvent, type SipMessageLike } from './events';

/** A JsSIP IncomingResponse's fields, with headers. */
function response(status: number, reason: string, headers: Record<string, string[]> = {}, body = ''): SipMessageLike {
  return { status_code: status, reason_phrase: reason, body, getHeaders: (name) => headers[name.toLowerCase()] ?? [] };
}

describe('provisionalState', () => {
  it('maps 100 → trying, 180/183 without SDP → ringing, with SDP → early', () => {
    expect(provisionalState(100, false)).toBe('trying');
    expect(provisionalState(180, false)).toBe('ringing');
    expect(provisionalState(183, false)).toBe('ringing');
    expect(provisionalState(183, true)).toBe('early');
    expect(provisionalState(180, true)).toBe('early');
    expect(provisionalState(200, true)).toBeNull();
  });
});

describe('endInfo', () => {
  it('keeps 403 and 603 apart although JsSIP calls both "Rejected"', () => {
    const forbidden = endInfo({ originator: 'remote', cause: 'Rejected', message: response(403, 'Forbidden') });
    const decline = endInfo({ originator: 'remote', cause: 'Rejected', message: response(603, 'Decline') });
    expect(forbidden).toEqual({ by: 'remote', failure: { sip_status: 403, sip_reason: 'Forbidden' } });
    expect(decline).toEqual({ by: 'remote', failure: { sip_status: 603, sip_reason: 'Decline' } });
  });

  // The journal completes the codes from the raw header (crates/journal/src/journal/reason_header.rs).
  it('leaves the Reason header to the raw event, as it came', () => {
    const event = {
      originator: 'remote',
      cause: 'SIP Failure Code',
      message: response(503, 'Service Unavailable', { reason: ['Q.850;cause=34;text="No circuit/channel available"'] }),
    };
    expect(endInfo(event)).toEqual({ by: 'remote', failure: { sip_status: 503, sip_reason: 'Service Unavailable' } });
    expect(rawEvent('failed', event).reason_header).toEqual(['Q.850;cause=34;text="No circuit/channel available"']);
  });

  it('a BYE from the far end: remote, its Reason header in the raw event', () => {
    const bye: SipMessageLike = { method: 'BYE', getHeaders: (n) => (n.toLowerCase() === 'reason' ? ['Q.850;cause=16;text="Normal call clearing"'] : []) };
    expect(endInfo({ originator: 'remote', cause: 'Terminated', message: bye })).toEqual({ by: 'remote', failure: {} });
    expect(rawEvent('ended', { originator: 'remote', cause: 'Terminated', message: bye })).toMatchObject({ method: 'BYE', reason_header: ['Q.850;cause=16;text="Normal call clearing"'] });
    expect(endInfo({ originator: 'remote', cause: 'Terminated', message: { method: 'BYE', getHeaders: () => [] } })).toEqual({ by: 'remote', failure: {} });
  });

  it('our hangup, cancel or reject is local; JsSIP’s own failures are errors with words', () => {
    expect(endInfo({ originator: 'local', cause: 'Canceled', message: null })).toEqual({ by: 'local', failure: {} });
    expect(endInfo({ originator: 'local', cause: 'Terminated', message: null })).toEqual({ by: 'local', failure: {} });
    expect(endInfo({ originator: 'local', cause: 'RTP Timeout', message: null })).toEqual({
      by: 'error',
      failure: { message: 'JsSIP ended the call because ICE failed (RTP Timeout)' },
    });
    expect(endInfo({ originator: 'system', cause: 'Connection Error', message: null })).toEqual({
      by: 'error',
      failure: { message: 'the SIP WebSocket connection failed' },
    });
    expect(endInfo({ originator: 'remote', cause: 'Bad Media Description', message: response(200, 'OK') })).toEqual({
      by: 'error',
      failure: { sip_status: 200, sip_reason: 'OK' },
    });
    expect(endedBy('remote', 'Canceled')).toBe('remote');
    expect(endedBy('system', 'Request Timeout')).toBe('error');
  });
});

describe('rawEvent', () => {
  it('keeps originator, cause, status, reason and Reason headers as plain data', () => {
    const raw = rawEvent('failed', {
      originator: 'remote',
      cause: 'SIP Failure Code',
      message: response(503, 'Service Unavailable', { reason: ['Q.850;cause=34'] }),
    });
    expect(raw).toEqual({
      jssip: 'failed',
      originator: 'remote',
      cause: 'SIP Failure Code',
      status_code: 503,
      reason_phrase: 'Service Unavailable',
      reason_header: ['Q.850;cause=34'],
    });
    expect(JSON.parse(JSON.stringify(raw))).toEqual(raw);
  });
});
