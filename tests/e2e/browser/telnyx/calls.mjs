// Answered calls through a Telnyx line: the states, audio both ways, hold, DTMF, and hang-ups
// that are ours even though the SDK fills in USER_BUSY/17 or NORMAL_CLEARING/16.

import { describe, test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { App, ladder, signals, stateEvents, states, suite } from '../harness.mjs';
import { causeOf, sdkStates } from './records.mjs';

const wait = (ms) => new Promise((r) => setTimeout(r, ms));

export function answeredCalls() {
  describe('Telnyx: answered calls', () => {
    let app;
    before(async () => {
      app = await App.start('calls');
      await app.selectLine('lab');
    });
    afterEach(() => app.endCall());
    after(() => assert.deepEqual(app.problems, [], 'the page logged no errors of its own'));

    test('answered (+…001): rings, early media, active; audio both ways; hold and DTMF; our hang-up is ours with the SDK’s NORMAL_CLEARING/16', async () => {
      const scenario = suite.lab.scenario('answered');
      const callId = await app.dial(scenario.number);
      await app.waitForState('active', 15000);
      const media = await app.audioFlowing();
      assert.ok(media.totalAudioEnergy > 0, 'the echo of our tone came back');

      await app.page.click('[data-testid="hold-button"]');
      await app.waitForState('held');
      await app.page.click('[data-testid="hold-button"]');
      await app.waitForState('active');
      await app.page.click('[data-testid="dtmf-1"]');
      await app.page.click('[data-testid="dtmf-#"]');
      await app.page.waitForFunction(() => document.querySelector('[data-testid="dtmf-sent"]')?.textContent?.trim() === '1#');
      await wait(300);
      await app.hangup();
      await app.waitForState('ended');

      const detail = await app.endedCall(callId);
      assert.deepEqual(states(detail), ['dialing', 'trying', 'ringing', 'early', 'active', 'held', 'active', 'ended']);
      assert.deepEqual(sdkStates(detail), [...scenario.expected.states, 'held', 'active', 'hangup', 'destroy']);
      assert.equal(detail.call.provider, 'telnyx');
      assert.equal(detail.call.account, 'lab');
      assert.equal(detail.call.ended_by, 'local');
      // The SDK's fill-in for a hang-up after answer, kept; no SIP code (none came from the network).
      assert.deepEqual(causeOf(detail), { provider_code: 'NORMAL_CLEARING', q850_cause: 16, sip_status: undefined, sip_reason: undefined });
      assert.equal(detail.diagnosis.rule, 'local_hangup');
      assert.match(detail.diagnosis.explanation, /NORMAL_CLEARING\/16 — that code is its own fill-in/);

      // Every Verto frame of the call, both ways, in order.
      const frames = ladder(detail);
      assert.deepEqual(frames.slice(0, 8), [
        'sent telnyx_rtc.invite',
        'received result telnyx_rtc.invite',
        'received telnyx_rtc.ringing',
        'sent result telnyx_rtc.ringing',
        'received telnyx_rtc.media',
        'sent result telnyx_rtc.media',
        'received telnyx_rtc.answer',
        'sent result telnyx_rtc.answer',
      ]);
      assert.deepEqual(frames.filter((f) => /modify|info/.test(f)), [
        'sent telnyx_rtc.modify',
        'received result telnyx_rtc.modify',
        'sent telnyx_rtc.modify',
        'received result telnyx_rtc.modify',
        'sent telnyx_rtc.info',
        'received result telnyx_rtc.info',
        'sent telnyx_rtc.info',
        'received result telnyx_rtc.info',
      ]);
      assert.deepEqual(frames.slice(-2), ['sent telnyx_rtc.bye', 'received result telnyx_rtc.bye']);
      const invite = signals(detail)[0];
      assert.equal(invite.protocol, 'verto');
      assert.equal(invite.body.params.dialogParams.destination_number, scenario.number);
      assert.ok(invite.body.params.dialogParams.iceServers.filter((s) => 'credential' in s).every((s) => s.credential === '[redacted]'));

      // The Telnyx ids are in the raw events; the emulator saw our DTMF, the hold and our hang-up.
      const active = stateEvents(detail).find((e) => e.payload.state === 'active');
      const telnyxCallId = active.payload.raw.telnyx_call_id;
      assert.ok(active.payload.raw.telnyx_session_id && active.payload.raw.telnyx_leg_id, JSON.stringify(active.payload.raw));
      const emulated = await suite.lab.call(telnyxCallId);
      assert.equal(emulated.dtmf, '1#');
      assert.ok(emulated.phases.includes('held'), emulated.phases.join(', '));
      assert.deepEqual(emulated.ended, { by: 'client', cause: 'NORMAL_CLEARING', causeCode: 16, sipCode: null, sipReason: null });
      assert.ok(emulated.media.rx_packets > 25 && emulated.media.tx_packets > 25, JSON.stringify(emulated.media));

      // Media events and stats from the SDK's own peer connection.
      assert.ok(detail.events.some((e) => e.kind === 'media' && e.payload.pc === 'connection' && e.payload.state === 'connected'));
      assert.ok(detail.events.some((e) => e.kind === 'stats' && e.payload.final === true && e.payload.inbound_rtp?.packetsReceived > 0));
      assert.ok(detail.call.timings.to_answer_ms > 0 && detail.call.timings.to_media_ms > 0, JSON.stringify(detail.call.timings));
      // The SDK's warnings are journaled with their codes (the namespace has no STUN: host candidates only).
      assert.ok(detail.events.some((e) => e.kind === 'warning' && e.payload.source === 'telnyx.warning' && e.payload.code === 33005));
    });

    test('a local hang-up while it rings (+…004) is ours, not busy, though the SDK sends USER_BUSY/17', async () => {
      const scenario = suite.lab.scenario('rings_until_cancelled');
      const callId = await app.dial(scenario.number);
      await app.waitForState('ringing', 10000);
      await wait(300);
      await app.hangup();
      await app.waitForState('ended');
      const detail = await app.endedCall(callId);
      assert.deepEqual(states(detail), ['dialing', 'trying', 'ringing', 'ended']);
      assert.deepEqual(sdkStates(detail), [...scenario.expected.states, 'hangup', 'destroy']);
      assert.equal(detail.call.ended_by, 'local');
      assert.deepEqual(causeOf(detail), { provider_code: 'USER_BUSY', q850_cause: 17, sip_status: undefined, sip_reason: undefined });
      assert.equal(detail.diagnosis.rule, 'local_hangup');
      assert.equal(detail.diagnosis.summary, 'You hung up while it rang');
      assert.match(detail.diagnosis.explanation, /USER_BUSY\/17 — that code is its own fill-in, not a report from the network: nobody was busy/);
      assert.doesNotMatch(detail.call.reason, /busy/i);
      const bye = signals(detail).find((s) => s.summary === 'telnyx_rtc.bye');
      assert.equal(bye.direction, 'sent');
      assert.equal(bye.body.params.cause, 'USER_BUSY');
      const telnyxCallId = stateEvents(detail)[0].payload.raw.telnyx_call_id;
      assert.deepEqual((await suite.lab.call(telnyxCallId)).ended, { by: 'client', cause: 'USER_BUSY', causeCode: 17, sipCode: null, sipReason: null });
      assert.match(await app.page.textContent('[data-testid="end-reason"]'), /^Ended by you · Q\.850 17 · USER_BUSY$/);
    });

    test('silence (+…002): packets arrive but carry no audio, and the diagnosis says so', async () => {
      const callId = await app.dial(suite.lab.scenario('answered_silent').number);
      await app.waitForState('active', 15000);
      const media = await app.audioFlowing({ minPackets: 100, energy: false });
      assert.equal(media.totalAudioEnergy, 0);
      // The diagnosis reads at least 2 s of stats samples (taken from the answer on).
      await wait(3000);
      await app.hangup();
      const detail = await app.endedCall(callId);
      assert.equal(detail.call.ended_by, 'local');
      assert.equal(detail.diagnosis.rule, 'one_way_audio');
      assert.match(detail.diagnosis.summary, /silence/);
    });

    test('one-way audio (+…005): we send, nothing comes back', async () => {
      const callId = await app.dial(suite.lab.scenario('answered_one_way').number);
      await app.waitForState('active', 15000);
      await wait(3000);
      const media = await app.media();
      assert.ok(media.packetsSent > 50 && media.packetsReceived === 0, JSON.stringify(media));
      await app.hangup();
      const detail = await app.endedCall(callId);
      assert.equal(detail.diagnosis.rule, 'one_way_audio');
      assert.match(detail.diagnosis.summary, /no audio packets arrived/);
    });
  });
}
