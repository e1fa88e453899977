// Every way the lab's dial plan fails a call, and a registration with the wrong password: the
// status, reason and Q.850 cause as journaled, and a diagnosis that says the same.

import { describe, test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { states } from '../../lib/app.mjs';
import { App, LAB, ladder, signals, suite } from '../harness.mjs';

/** The dial plan's failures, and what the app must show before the end. */
const FAILURES = [
  { number: '486', states: ['dialing', 'ended'] },
  { number: '404', states: ['dialing', 'ended'] },
  { number: '403', states: ['dialing', 'ended'] },
  { number: '480', states: ['dialing', 'ended'] },
  { number: '503', states: ['dialing', 'ended'] },
  { number: '603', states: ['dialing', 'ended'] },
  { number: '408', states: ['dialing', 'trying', 'ended'], what: 'the next hop is silent' },
  { number: 'ringer', states: ['dialing', 'trying', 'ringing', 'ended'], what: 'rings and is never answered' },
  { number: 'offline', states: ['dialing', 'ended'], what: 'an unregistered user' },
];

function header(body, name) {
  return new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(body)?.[1]?.trim() ?? null;
}

export function dialPlanFailures() {
  describe('dial-plan failures', () => {
    let app;
    before(async () => {
      app = await App.start('failures');
      await app.selectLine('lab');
    });
    afterEach(() => app.endCall());

    for (const failure of FAILURES) {
      test(`${failure.number}${failure.what ? ` (${failure.what})` : ''}: ends with the dial plan's status, reason and Q.850 cause`, async () => {
        const expected = suite.lab.number(failure.number);
        const callId = await app.dial(failure.number);
        await app.waitForState('ended', expected.after_ms + 8000);
        const detail = await app.endedCall(callId);
        const call = detail.call;

        assert.deepEqual(states(detail), failure.states);
        assert.equal(call.ended_by, 'remote');
        assert.equal(call.failure.sip_status, expected.status);
        assert.equal(call.failure.sip_reason, expected.reason);
        assert.equal(call.failure.q850_cause, expected.q850_cause ?? undefined);

        // The final response is on the wire record, with its Reason header as sent.
        const sip = signals(detail);
        const final = sip.filter((s) => s.direction === 'received' && s.summary.startsWith(`SIP/2.0 ${expected.status} `)).at(-1);
        assert.ok(final, `no ${expected.status} in the journal:\n${ladder(detail).join('\n')}`);
        assert.equal(final.summary, `SIP/2.0 ${expected.status} ${expected.reason}`);
        assert.equal(header(final.body, 'Reason'), expected.reason_header);
        assert.match(sip.at(-1).summary, /^ACK /, 'the final response is acknowledged last');
        if (expected.provisional) assert.ok(sip.some((s) => s.summary === 'SIP/2.0 180 Ringing'), ladder(detail).join('\n'));

        // Slow failures end on the lab's timers, not later. (Not much earlier either; the lower
        // bounds are loose: Kamailio's timers tick every 62.5 ms, and the journal's stamps of UI
        // events drift by tens of milliseconds, see the timings test.)
        const lasted = (timer) => {
          assert.ok(call.timings.total_ms >= timer * 750 && call.timings.total_ms < timer * 1000 + 3000, JSON.stringify(call.timings));
        };
        if (failure.number === 'ringer') {
          assert.ok(call.timings.to_ring_ms < 2000, JSON.stringify(call.timings));
          lasted(LAB.sip.ringTimeoutS);
        }
        if (failure.number === '408') lasted(LAB.sip.silentHopTimeoutS);

        // The page says it, and the diagnosis agrees with the codes.
        const shown = await app.page.textContent('[data-testid="end-reason"]');
        assert.match(shown, new RegExp(`${expected.status} ${expected.reason}`));
        if (expected.q850_cause) assert.match(shown, new RegExp(`Q\\.850 ${expected.q850_cause}\\b`));
        const diagnosis = detail.diagnosis;
        assert.equal(diagnosis.rule, 'sip_final_response', JSON.stringify(diagnosis));
        assert.equal(diagnosis.outcome, 'failed');
        assert.ok(diagnosis.summary.startsWith(`${expected.status} ${expected.reason}`), diagnosis.summary);
        const codes = diagnosis.codes.map((c) => `${c.catalog} ${c.code}`);
        assert.ok(codes.includes(`SIP ${expected.status}`), codes.join(', '));
        if (expected.q850_cause) {
          assert.match(diagnosis.summary, new RegExp(`Q\\.850 ${expected.q850_cause}:`));
          assert.ok(codes.includes(`Q.850 ${expected.q850_cause}`), codes.join(', '));
        } else {
          assert.ok(!codes.some((c) => c.startsWith('Q.850')), codes.join(', '));
        }
        assert.equal(call.reason, diagnosis.summary, 'the history shows the diagnosis');
        if (failure.number === 'ringer') assert.match(diagnosis.explanation, /rang but nobody answered/);
      });
    }

    test('a number nobody knows gets 404 Not Found from the proxy', async () => {
      const expected = suite.lab.unknown_number;
      const callId = await app.dial('5550100');
      await app.waitForState('ended');
      const detail = await app.endedCall(callId);
      assert.equal(detail.call.failure.sip_status, expected.status);
      assert.equal(detail.call.failure.sip_reason, expected.reason);
      assert.equal(detail.call.failure.q850_cause, undefined);
      assert.equal(detail.diagnosis.rule, 'sip_final_response');
      assert.match(detail.diagnosis.summary, /^404 Not Found/);
    });

    test('hanging up while it rings cancels: CANCEL and the 487 are journaled, ended by us', async () => {
      const callId = await app.dial('ringer');
      await app.waitForState('ringing');
      await app.hangup();
      await app.waitForState('ended');
      const detail = await app.journalUntil(callId, 'the 487 in the journal',
        (d) => d.call.state === 'ended' && signals(d).some((s) => s.summary.startsWith('SIP/2.0 487')));
      assert.deepEqual(states(detail), ['dialing', 'trying', 'ringing', 'ended']);
      assert.equal(detail.call.ended_by, 'local');
      const sip = ladder(detail);
      assert.ok(sip.includes('sent CANCEL'), sip.join('\n'));
      assert.ok(sip.includes('received 487 Request Terminated'), sip.join('\n'));
      assert.equal(detail.diagnosis.rule, 'local_hangup');
      assert.equal(detail.diagnosis.outcome, 'ok');
    });
  });
}

export function registrationFailure() {
  describe('registration', () => {
    let app;
    before(async () => {
      app = await App.start('register', { accounts: [{ name: 'wrong', password: 'not-alice-s-password' }] });
    });
    after(() => app.stop());

    test('a wrong password fails registration with 403 after the 401 challenge, journaled at app level', async () => {
      await app.selectLine('wrong', 'failed');
      const status = await app.page.evaluate(() => window.callscopeDebug.registrationState('account:wrong'));
      assert.equal(status.state, 'failed');
      assert.equal(status.status_code, 403);
      assert.equal(status.reason, 'Forbidden');
      assert.match(await app.page.textContent('[data-testid="registration-state"]'), /403/);

      const events = await app.appEvents();
      const wire = events.filter((e) => e.kind === 'signal' && e.payload.account === 'wrong')
        .map((e) => `${e.payload.direction} ${e.payload.summary.replace(/^SIP\/2\.0 /, '').replace(/ \S+ SIP\/2\.0$/, '')}`);
      assert.deepEqual(wire.slice(0, 4), ['sent REGISTER', 'received 401 Unauthorized', 'sent REGISTER', 'received 403 Forbidden'], wire.join('\n'));
      const authed = events.find((e) => e.kind === 'signal' && e.payload.direction === 'sent' && /^Authorization:/im.test(e.payload.body));
      assert.match(authed.payload.body, /^Authorization: \[redacted\]\r?$/m);
      const error = events.find((e) => e.kind === 'error' && e.payload.account === 'wrong');
      assert.ok(error, JSON.stringify(events.map((e) => e.kind)));
      assert.equal(error.payload.registration, 'failed');
      assert.equal(error.payload.status_code, 403);
      assert.match(error.payload.message, /403 Forbidden/);
      assert.ok(error.payload.hint, 'a registration failure comes with a hint');
      assert.ok(!app.journalBytes().includes('not-alice-s-password'), 'the password is not in the journal');
    });
  });
}
