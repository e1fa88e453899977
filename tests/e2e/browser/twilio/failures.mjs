// Calls the network ends, one per lab scenario: each ends with the right state sequence and the
// right TwilioError code (improved precision on, so the gateway's code is not masked), recorded as
// an `error` event with its name, message and the call's sids, and in the end's failure.

import { describe, test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { App, ladder, states, suite } from '../harness.mjs';
import { endOf, twilioErrors, twilioWarnings } from './records.mjs';

/** Scenario → what the journal must say: the states, who ended it, the code, the gateway's code behind it. */
const ENDED_BY_THE_NETWORK = [
  { name: 'busy', states: ['dialing', 'ringing', 'ended'], code: 31486, errorName: 'BusyHere' },
  { name: 'unavailable', states: ['dialing', 'ringing', 'ended'], code: 31480, errorName: 'TemporarilyUnavailable' },
  { name: 'declined', states: ['dialing', 'ringing', 'ended'], code: 31603, errorName: 'Decline' },
  { name: 'not-found', states: ['dialing', 'ended'], code: 31404, errorName: 'NotFound' },
  { name: 'connection-declined', states: ['dialing', 'ended'], code: 31002, errorName: 'ConnectionDeclinedError', diagnosis: 'twilio_31002' },
  // 31503 is unknown to the SDK: it becomes 31005 even with precision on; the gateway's code is kept.
  { name: 'gateway-hangup', states: ['dialing', 'ringing', 'ended'], code: 31005, errorName: 'ConnectionError', gateway: 31503, diagnosis: 'twilio_masked' },
];

export function callsTheNetworkEnds() {
  describe('Twilio: calls the network ends', () => {
    let app;
    before(async () => {
      app = await App.start('failures');
      await app.selectLine('lab');
    });
    afterEach(() => app.endCall());
    after(() => assert.deepEqual(app.problems, [], 'the page logged no errors of its own'));

    for (const expected of ENDED_BY_THE_NETWORK) {
      test(`${expected.name}: ${expected.states.join(' → ')}, error ${expected.code} journaled and in the end's failure`, async () => {
        const { to } = suite.lab.scenario(expected.name);
        const callId = await app.dial(to);
        const detail = await app.endedCall(callId);
        assert.deepEqual(states(detail), expected.states);
        assert.deepEqual(endOf(detail), { by: 'remote', provider_code: String(expected.code) });
        assert.match(detail.call.failure.message, new RegExp(`${expected.errorName} \\(${expected.code}\\)`));
        const errors = twilioErrors(detail);
        assert.equal(errors.length, 1, JSON.stringify(errors));
        const [error] = errors;
        assert.equal(error.source, 'twilio.call');
        assert.equal(error.code, expected.code);
        assert.equal(error.name, expected.errorName);
        assert.match(error.message, new RegExp(`\\(${expected.code}\\)`));
        // Failures before ringing carry only the SDK's own id; after, Twilio's CA sid as well.
        assert.match(error.outbound_connection_id, /^TJS/);
        if (expected.states.includes('ringing')) assert.match(error.call_sid, /^CA[0-9a-f]{32}$/);
        assert.deepEqual(error.gateway_error, { code: expected.gateway ?? expected.code, message: error.gateway_error.message, type: 'hangup' });
        if (expected.gateway) assert.match(detail.call.failure.message, new RegExp(`gateway sent ${expected.gateway}`));
        assert.equal(ladder(detail).at(-1), `received hangup ${expected.gateway ?? expected.code}`);
        if (expected.diagnosis) assert.equal(detail.diagnosis.rule, expected.diagnosis);
      });
    }

    test('connection-declined is diagnosed as Twilio declining the connection, with the usual account causes', async () => {
      const callId = await app.dial(suite.lab.scenario('connection-declined').to);
      const detail = await app.endedCall(callId);
      assert.equal(detail.diagnosis.rule, 'twilio_31002');
      assert.match(detail.diagnosis.summary, /31002/);
      assert.ok(detail.diagnosis.fix.some((f) => /TwiML app/.test(f)), JSON.stringify(detail.diagnosis.fix));
    });

    test('remote hang-up after the answer: dialing → ringing → active → ended by the far end, no error', async () => {
      const callId = await app.dial(suite.lab.scenario('remote-hangup').to);
      const detail = await app.endedCall(callId, 20000);
      assert.deepEqual(states(detail), ['dialing', 'ringing', 'active', 'ended']);
      assert.deepEqual(endOf(detail), { by: 'remote', provider_code: undefined });
      assert.deepEqual(twilioErrors(detail), []);
      assert.equal(ladder(detail).at(-1), 'received hangup');
      // Answered and hung up by the far end 3 s later: not OK, whatever the (absent) code says.
      assert.equal(detail.diagnosis.rule, 'short_call');
      assert.notEqual(detail.diagnosis.outcome, 'ok');
    });

    test('early media: ringing with the far end’s SDP is early, then active', async () => {
      const callId = await app.dial(suite.lab.scenario('early-media').to);
      await app.waitForState('active', 15000);
      await app.audioFlowing();
      await app.hangup();
      const detail = await app.endedCall(callId);
      assert.deepEqual(states(detail), ['dialing', 'early', 'active', 'ended']);
      const early = detail.events.find((e) => e.kind === 'state' && e.payload.state === 'early');
      assert.equal(early.payload.raw.hasEarlyMedia, true);
      assert.deepEqual(endOf(detail), { by: 'local', provider_code: undefined });
    });

    test('no answer, we hang up while it rings: ended by us, diagnosed as a local hang-up', async () => {
      const callId = await app.dial(suite.lab.scenario('no-answer').to);
      await app.waitForState('ringing', 10000);
      await app.hangup();
      const detail = await app.endedCall(callId);
      assert.deepEqual(states(detail), ['dialing', 'ringing', 'ended']);
      assert.deepEqual(endOf(detail), { by: 'local', provider_code: undefined });
      assert.deepEqual(twilioErrors(detail), []);
      assert.equal(ladder(detail).at(-1), 'sent hangup');
      assert.equal(detail.diagnosis.rule, 'local_hangup');
      assert.equal(detail.diagnosis.summary, 'You hung up while it rang');
    });

    test('the far end sends nothing: Twilio warns low-bytes-received, journaled as a warning event', async () => {
      const callId = await app.dial(suite.lab.scenario('answered-mute').to);
      await app.waitForState('active', 15000);
      const detail = await app.journalUntil(callId, 'the low-bytes-received warning', (d) => twilioWarnings(d).some((w) => w.warning === 'low-bytes-received'), 15000);
      const warning = twilioWarnings(detail).find((w) => w.warning === 'low-bytes-received');
      assert.equal(warning.cleared, false);
      assert.match(warning.call_sid, /^CA/);
      await app.hangup();
      const ended = await app.endedCall(callId);
      assert.deepEqual(states(ended), ['dialing', 'ringing', 'active', 'ended']);
      assert.equal(ended.diagnosis.rule, 'one_way_audio');
    });

    test('media never connects: the gateway ends the call with 53405, diagnosed as media never connected', async () => {
      const callId = await app.dial(suite.lab.scenario('media-failure').to);
      const detail = await app.endedCall(callId, 30000);
      assert.deepEqual(states(detail), ['dialing', 'ringing', 'active', 'ended']);
      assert.equal(detail.call.failure.provider_code, '53405');
      assert.ok(twilioErrors(detail).some((e) => e.code === 53405));
      assert.equal(detail.diagnosis.rule, 'media_never_connected');
    });
  });
}
