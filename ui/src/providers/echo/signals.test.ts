import { describe, expect, it } from 'vitest';
import type { EchoSignal } from '../../api/generated';
import { echoReaction } from './signals';

describe('Echo signal → call state', () => {
  it('maps progress signals to states', () => {
    expect(echoReaction({ signal: 'trying' })).toEqual({ kind: 'state', state: 'trying' });
    expect(echoReaction({ signal: 'ringing' })).toEqual({ kind: 'state', state: 'ringing' });
  });

  it('applies an answer before going active', () => {
    expect(echoReaction({ signal: 'answer', sdp: 'v=0' })).toEqual({ kind: 'answer', sdp: 'v=0' });
  });

  it('ends a rejected call by the far end with its SIP status, reason and Q.850 cause', () => {
    expect(echoReaction({ signal: 'reject', status: 486, reason: 'Busy Here', q850_cause: 17 })).toEqual({
      kind: 'ended',
      end: { by: 'remote', failure: { sip_status: 486, sip_reason: 'Busy Here', q850_cause: 17 } },
    });
    expect(echoReaction({ signal: 'reject', status: 480, reason: 'Temporarily Unavailable', q850_cause: 19 })).toMatchObject({
      end: { by: 'remote', failure: { sip_status: 480, q850_cause: 19 } },
    });
  });

  it("ends a call the far end hung up with the far end's reason", () => {
    expect(echoReaction({ signal: 'bye', reason: 'media path lost' })).toEqual({
      kind: 'ended',
      end: { by: 'remote', failure: { message: 'media path lost' } },
    });
  });

  it('treats hangup_confirmed as the answer to our own hangup, not as an end', () => {
    expect(echoReaction({ signal: 'hangup_confirmed', status: 487, reason: 'Request Terminated' })).toEqual({
      kind: 'hangup_confirmed',
      status: 487,
      reason: 'Request Terminated',
    });
  });

  it('does not guess at a signal it does not know', () => {
    expect(echoReaction({ signal: 'transfer' } as unknown as EchoSignal)).toEqual({ kind: 'unknown' });
  });
});
