import { describe, expect, it } from 'vitest';
import {
  causeFields,
  endInfo,
  errorPayload,
  isOver,
  MODEL_STATE,
  modelState,
  rawCallUpdate,
  ringsFromWire,
  SDK_STATES,
  warningPayload,
} from './events';
import type { SdkCall } from './sdk';

function call(change: Partial<SdkCall> = {}): SdkCall {
  return {
    id: 'call-1',
    state: 'hangup',
    prevState: 'active',
    direction: 'outbound',
    cause: null,
    causeCode: null,
    sipCode: null,
    sipReason: null,
    sipCallId: null,
    telnyxIDs: { telnyxSessionId: 'sess-1', telnyxLegId: 'leg-1', telnyxCallControlId: 'v3:cc-1' },
    options: {},
    hangup: async () => undefined,
    answer: async () => undefined,
    hold: async () => undefined,
    unhold: async () => undefined,
    dtmf: () => undefined,
    muteAudio: () => undefined,
    unmuteAudio: () => undefined,
    ...change,
  };
}

describe('SDK states onto the call model', () => {
  it('maps every SDK state (reference/telnyx.md §2.10)', () => {
    expect(Object.fromEntries(SDK_STATES.map((s) => [s, modelState(s)]))).toEqual({
      new: null,
      requesting: 'dialing',
      trying: 'trying',
      recovering: 'connecting',
      ringing: 'ringing',
      answering: null,
      early: 'early',
      active: 'active',
      held: 'held',
      hangup: 'ended',
      destroy: null,
      purge: null,
    });
    expect(Object.keys(MODEL_STATE)).toEqual([...SDK_STATES]);
    expect(modelState('bogus')).toBeNull();
    expect(['hangup', 'destroy', 'purge'].every(isOver)).toBe(true);
    expect(isOver('active')).toBe(false);
  });

  it('takes an outgoing call’s ringing from the wire only before it rang or answered', () => {
    expect(ringsFromWire('dialing')).toBe(true);
    expect(ringsFromWire('trying')).toBe(true);
    expect(ringsFromWire('early')).toBe(false);
    expect(ringsFromWire('active')).toBe(false);
  });
});

describe('how a call ended', () => {
  it('a local hang-up before answer is ours, even though the SDK fills in USER_BUSY/17 (kept in the record)', () => {
    const end = endInfo(call({ prevState: 'trying', cause: 'USER_BUSY', causeCode: 17 }), 'local');
    expect(end).toEqual({ by: 'local', failure: { provider_code: 'USER_BUSY', q850_cause: 17 } });
  });

  it('a local hang-up after answer is ours with the SDK’s NORMAL_CLEARING/16 fill-in and no SIP code', () => {
    const end = endInfo(call({ cause: 'NORMAL_CLEARING', causeCode: 16, sipCode: null, sipReason: null }), 'local');
    expect(end).toEqual({ by: 'local', failure: { provider_code: 'NORMAL_CLEARING', q850_cause: 16 } });
  });

  it('a BYE from Telnyx is the far end’s, with every cause field (cause, causeCode, sipCode, sipReason)', () => {
    const d38 = call({ prevState: 'trying', cause: 'CALL_REJECTED', causeCode: 21, sipCode: 403, sipReason: 'Connection has no Outbound Profile assigned D38' });
    expect(endInfo(d38, 'remote')).toEqual({
      by: 'remote',
      failure: { provider_code: 'CALL_REJECTED', q850_cause: 21, sip_status: 403, sip_reason: 'Connection has no Outbound Profile assigned D38' },
    });
    // A real busy is busy: USER_BUSY/17 with 486 from the network.
    expect(endInfo(call({ cause: 'USER_BUSY', causeCode: 17, sipCode: 486, sipReason: 'Busy Here' }), 'remote').failure).toEqual({
      provider_code: 'USER_BUSY',
      q850_cause: 17,
      sip_status: 486,
      sip_reason: 'Busy Here',
    });
    // "Calls end immediately": NORMAL_CLEARING right after trying, no SIP code.
    expect(endInfo(call({ cause: 'NORMAL_CLEARING', causeCode: 16 }), 'remote')).toEqual({ by: 'remote', failure: { provider_code: 'NORMAL_CLEARING', q850_cause: 16 } });
  });

  it('a call the SDK ended by itself is an error, with the SDK’s fill-in and its error', () => {
    const lost = errorPayload({ error: { code: 48501, name: 'SESSION_NOT_REATTACHED', message: 'Active call lost after reconnect' }, callId: 'call-1' });
    const end = endInfo(call({ cause: 'NORMAL_CLEARING', causeCode: 16 }), 'sdk', lost);
    expect(end).toEqual({
      by: 'error',
      failure: {
        provider_code: 'NORMAL_CLEARING',
        q850_cause: 16,
        message: 'the Telnyx SDK ended the call (48501 SESSION_NOT_REATTACHED: Active call lost after reconnect)',
      },
    });
    expect(endInfo(call({ cause: 'USER_BUSY', causeCode: 17 }), 'sdk').failure.message).toMatch(/no BYE came from Telnyx/);
  });

  it('leaves out cause fields the call does not have', () => {
    expect(causeFields(call())).toEqual({});
    expect(causeFields(call({ cause: '', causeCode: 0, sipReason: '' }))).toEqual({ q850_cause: 0 });
  });
});

describe('raw events for the journal', () => {
  it('a callUpdate keeps the SDK state, every state so far, the ids and the cause fields', () => {
    const raw = rawCallUpdate(call({ cause: 'CALL_REJECTED', causeCode: 21, sipCode: 403, sipReason: 'Forbidden D13', sipCallId: 'def@198.51.100.20' }), [
      'new',
      'requesting',
      'trying',
      'hangup',
    ]);
    expect(raw).toEqual({
      sdk: 'callUpdate',
      state: 'hangup',
      prev_state: 'active',
      sdk_states: ['new', 'requesting', 'trying', 'hangup'],
      direction: 'outbound',
      telnyx_call_id: 'call-1',
      telnyx_session_id: 'sess-1',
      telnyx_leg_id: 'leg-1',
      telnyx_call_control_id: 'v3:cc-1',
      sip_call_id: 'def@198.51.100.20',
      cause: 'CALL_REJECTED',
      causeCode: 21,
      sipCode: 403,
      sipReason: 'Forbidden D13',
    });
    expect(rawCallUpdate(call({ recoveredCallId: 'call-1', telnyxIDs: {} }), ['recovering'], { socket: { code: 1006 } })).toMatchObject({
      recovered_call_id: 'call-1',
      socket: { code: 1006 },
    });
  });

  it('telnyx.error and telnyx.warning keep their codes, names and what the SDK saw underneath', () => {
    expect(
      errorPayload({ error: { code: 46001, name: 'LOGIN_FAILED', message: 'Login failed', originalError: { code: -32001, message: 'Login Incorrect' }, fatal: true }, sessionId: 's' }),
    ).toEqual({ source: 'telnyx.error', code: 46001, name: 'LOGIN_FAILED', message: 'Login failed', fatal: true, error: 'Login Incorrect (-32001)', session_id: 's' });
    const denied = new DOMException('Permission denied', 'NotAllowedError');
    expect(errorPayload({ error: { code: 42001, name: 'MEDIA_MICROPHONE_PERMISSION_DENIED', message: 'Microphone access denied', originalError: denied }, callId: 'c' })).toMatchObject({
      code: 42001,
      error: 'NotAllowedError: Permission denied',
      call_id: 'c',
    });
    // What the SDK really passes for a refused login: the JSON-RPC error squashed into a string.
    expect(errorPayload({ error: { code: 46001, name: 'LOGIN_FAILED', message: 'Login failed', originalError: new Error(String({ code: -32001 })) } })).not.toHaveProperty('error');
    expect(errorPayload({})).toEqual({ source: 'telnyx.error', code: null, name: null, message: 'the Telnyx SDK reported an error' });
    expect(warningPayload({ warning: { code: 33005, name: 'ONLY_HOST_ICE_CANDIDATES', message: 'Only local network candidates available' }, callId: 'c' })).toEqual({
      source: 'telnyx.warning',
      code: 33005,
      name: 'ONLY_HOST_ICE_CANDIDATES',
      message: 'Only local network candidates available',
      call_id: 'c',
    });
  });
});
