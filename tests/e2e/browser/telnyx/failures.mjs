// Calls the network ends, one per scenario number of the lab's dial plan: each ends with the
// SDK's state sequence the lab expects (checked with the real SDK), the cause fields as the SDK
// reported them, ended by the far end, and a diagnosis that says what happened.

import { describe, test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { App, ladder, states, suite } from '../harness.mjs';
import { causeOf, expectedCause, sdkStates } from './records.mjs';

/**
 * The call-model states each scenario goes through: the SDK's (requesting → dialing, …) with
 * the outgoing call's ringing read off the wire (the SDK keeps `trying` through `telnyx_rtc.ringing`).
 */
const MODEL_STATES = {
  remote_hangup: ['dialing', 'trying', 'ringing', 'early', 'active', 'ended'],
  busy: ['dialing', 'trying', 'ended'],
  unallocated: ['dialing', 'trying', 'ended'],
  no_answer: ['dialing', 'trying', 'ringing', 'ended'],
  cleared_before_routing: ['dialing', 'trying', 'ended'],
  no_outbound_profile: ['dialing', 'trying', 'ended'],
  invalid_caller_id: ['dialing', 'trying', 'ended'],
  country_not_enabled: ['dialing', 'trying', 'ended'],
  media_timeout: ['dialing', 'trying', 'ringing', 'early', 'active', 'ended'],
};

/** What the diagnosis must say, where the scenario has one thing to say. */
const DIAGNOSIS = {
  busy: (d) => {
    assert.equal(d.rule, 'sip_final_response');
    assert.match(d.summary, /^486 Busy Here/);
  },
  no_answer: (d) => assert.match(d.explanation, /nobody answered/),
  unallocated: (d) => assert.match(d.summary, /^404 Not Found/),
  // The seed's "calls end immediately": NORMAL_CLEARING right after trying, never rang.
  cleared_before_routing: (d) => {
    assert.equal(d.rule, 'rejected_before_routing');
    assert.equal(d.outcome, 'failed');
    assert.match(d.summary, /Rejected before routing/);
    assert.ok(d.fix.some((f) => /outbound voice profile/.test(f)), d.fix.join(' | '));
  },
  no_outbound_profile: (d) => {
    assert.equal(d.rule, 'telnyx_dcode');
    assert.match(d.summary, /D38/);
    assert.ok(d.fix.some((f) => /outbound voice profile/i.test(f)), d.fix.join(' | '));
  },
  invalid_caller_id: (d) => {
    assert.equal(d.rule, 'telnyx_dcode');
    assert.match(d.summary, /D35/);
  },
  country_not_enabled: (d) => {
    assert.equal(d.rule, 'telnyx_dcode');
    assert.match(d.summary, /D13/);
  },
  // Answered, and the far end hung up 3 s later: suspicious whatever its NORMAL_CLEARING says.
  remote_hangup: (d) => {
    assert.equal(d.rule, 'short_call');
    assert.notEqual(d.outcome, 'ok');
    assert.match(d.explanation, /Telnyx's BYE gave NORMAL_CLEARING\/16/);
  },
  // The provider ended it for lack of media: that cause headlines, read with the media before it.
  media_timeout: (d) => {
    assert.equal(d.rule, 'media_timeout');
    assert.match(d.summary, /MEDIA_TIMEOUT/);
  },
};

export function callsTheNetworkEnds() {
  describe('Telnyx: calls the network ends', () => {
    let app;
    before(async () => {
      app = await App.start('failures');
      await app.selectLine('lab');
    });
    afterEach(() => app.endCall());
    after(() => assert.deepEqual(app.problems, [], 'the page logged no errors of its own'));

    for (const name of Object.keys(MODEL_STATES)) {
      test(`${name}: the SDK's states and cause fields, ended by the far end`, async () => {
        const scenario = suite.lab.scenario(name);
        const callId = await app.dial(scenario.number);
        await app.waitForState('ended', 20000);
        const detail = await app.endedCall(callId);
        const why = JSON.stringify({ states: states(detail), sdk: sdkStates(detail), ladder: ladder(detail), failure: detail.call.failure });
        assert.deepEqual(sdkStates(detail), scenario.expected.states, why);
        assert.deepEqual(states(detail), MODEL_STATES[name], why);
        assert.equal(detail.call.ended_by, 'remote', why);
        assert.deepEqual(causeOf(detail), expectedCause(scenario.expected.hangup), why);
        // The BYE that ended it is in the call's signalling, then our ack.
        assert.deepEqual(ladder(detail).slice(-2), ['received telnyx_rtc.bye', 'sent result telnyx_rtc.bye'], why);
        DIAGNOSIS[name]?.(detail.diagnosis);
      });
    }
  });
}
