// The signalling socket drops mid-call: re-attached, the call survives (recovering → active on a
// new peer connection, audio again); forgotten by the server, the SDK ends it (48501).

import { describe, test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { App, ladder, stateEvents, states, suite } from '../harness.mjs';
import { causeOf, sdkEvents, sdkStates } from './records.mjs';

export function reconnects() {
  describe('Telnyx: the signalling connection drops mid-call', () => {
    let app;
    before(async () => {
      app = await App.start('reconnect');
      await app.selectLine('lab');
    });
    afterEach(() => app.endCall());
    after(() => assert.deepEqual(app.problems, [], 'the page logged no errors of its own'));

    test('re-attached (+…901): journaled recovering → active, and the call survives with audio on its new connection', async () => {
      const scenario = suite.lab.scenario('signalling_drop_reattached');
      const callId = await app.dial(scenario.number);
      await app.waitForState('active', 15000);
      await app.audioFlowing();
      const before = await app.page.evaluate(() => window.callscopeDebug.peerConnection());
      // The socket drops 2 s after the answer; the SDK reconnects and the server re-attaches the call.
      await app.journalUntil(callId, 'the call to be active again after recovering', (d) => states(d).join(',').endsWith('active,connecting,active'), 20000);
      const replaced = await app.page.evaluate(() => {
        const pc = window.callscopeDebug.peerConnection();
        return { state: pc?.connectionState ?? null };
      });
      assert.ok(replaced.state, 'the call has a peer connection');
      // Audio both ways again, on the connection the re-attach made (its counters start from zero).
      const media = await app.audioFlowing({ timeoutMs: 15000 });
      assert.ok(media.totalAudioEnergy > 0, JSON.stringify(media));
      assert.equal(await app.page.evaluate(() => window.callscopeDebug.state()), 'active');
      await app.hangup();
      await app.waitForState('ended');

      const detail = await app.endedCall(callId);
      assert.deepEqual(states(detail), ['dialing', 'trying', 'ringing', 'early', 'active', 'connecting', 'active', 'ended']);
      assert.deepEqual(sdkStates(detail), [...scenario.expected.states, 'hangup', 'destroy']);
      const events = stateEvents(detail);
      const recovering = events.find((e) => e.payload.state === 'connecting');
      assert.equal(recovering.payload.raw.state, 'recovering');
      assert.equal(recovering.payload.raw.socket?.code, 1006, JSON.stringify(recovering.payload.raw));
      const reattached = events.filter((e) => e.payload.state === 'active').at(-1);
      assert.equal(reattached.payload.raw.state, 'active');
      assert.equal(reattached.payload.raw.recovered_call_id, reattached.payload.raw.telnyx_call_id);
      assert.equal(detail.call.ended_by, 'local');
      assert.deepEqual(causeOf(detail).provider_code, 'NORMAL_CLEARING');
      // The re-attach is in the call's signalling: the server's attach and ours.
      const frames = ladder(detail);
      for (const frame of ['received telnyx_rtc.attach', 'sent result telnyx_rtc.attach', 'sent telnyx_rtc.attach', 'received result telnyx_rtc.attach']) {
        assert.ok(frames.includes(frame), `${frame} in ${frames.join(', ')}`);
      }
      // The media watch and the stats followed the new connection.
      assert.ok(detail.events.some((e) => e.kind === 'media' && e.payload.pc === 'replaced'));
      const connected = detail.events.filter((e) => e.kind === 'media' && e.payload.pc === 'connection' && e.payload.state === 'connected');
      assert.equal(connected.length, 2, 'connected twice: the first connection and the re-attached one');
      assert.ok(detail.events.some((e) => e.kind === 'stats' && e.payload.final && e.payload.inbound_rtp?.packetsReceived > 0));
      assert.ok(before !== undefined);

      // At app level: the outage, then the SDK logging in again on the new socket (token redacted).
      const app_ = await app.appEvents();
      const outage = app_.findLastIndex((e) => e.kind === 'warning' && e.payload.transport === 'disconnected');
      assert.ok(outage >= 0, 'the outage is journaled');
      const relogin = app_.slice(outage).find((e) => e.kind === 'signal' && e.payload.summary === 'login');
      assert.equal(relogin.payload.body.params.reconnection, true);
      assert.equal(relogin.payload.body.params.login_token, '[redacted]');
      assert.equal(relogin.payload.account, 'lab');
    });

    test('forgotten by the server (+…902): the SDK reports 48501 and ends the call itself: an error, with its fill-in cause', async () => {
      const scenario = suite.lab.scenario('signalling_drop_lost');
      const callId = await app.dial(scenario.number);
      await app.waitForState('active', 15000);
      await app.waitForState('ended', 20000);
      const detail = await app.endedCall(callId);
      assert.deepEqual(sdkStates(detail), scenario.expected.states);
      assert.deepEqual(states(detail), ['dialing', 'trying', 'ringing', 'early', 'active', 'ended']);
      assert.equal(detail.call.ended_by, 'error');
      assert.equal(detail.call.failure.provider_code, scenario.expected.hangup.cause);
      assert.equal(detail.call.failure.q850_cause, scenario.expected.hangup.causeCode);
      assert.match(detail.call.failure.message, /48501 SESSION_NOT_REATTACHED/);
      assert.deepEqual(sdkEvents(detail, 'error').map((e) => e.code), scenario.expected.errors);
      // No BYE from the network: the SDK ended it locally.
      assert.ok(!ladder(detail).includes('received telnyx_rtc.bye'));
    });
  });
}
