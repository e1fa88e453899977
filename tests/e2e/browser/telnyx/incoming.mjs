// Calls to the logged-in client (the lab's control API rings it): through the same incoming-call
// view as a SIP line's, accepted, rejected, or missed.

import { describe, test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '../../lib/app.mjs';
import { App, ladder, states, suite } from '../harness.mjs';
import { causeOf, sdkStates } from './records.mjs';

export function incomingCalls() {
  describe('Telnyx: incoming calls', () => {
    let app;
    before(async () => {
      app = await App.start('incoming');
      await app.selectLine('lab');
    });
    afterEach(() => app.endCall());
    after(() => assert.deepEqual(app.problems, [], 'the page logged no errors of its own'));

    test('accepted: answered, audio both ways, journaled from the invite on; our hang-up is ours', async () => {
      const { call_id: telnyxCallId } = await suite.lab.ringClient({ caller_id_number: '+15559998888', caller_id_name: 'PSTN Caller' });
      await app.page.waitForSelector('[data-testid="incoming-call"]', { timeout: 10000 });
      assert.equal((await app.page.textContent('[data-testid="incoming-from"]')).trim(), '+15559998888');
      assert.equal((await app.page.textContent('[data-testid="incoming-name"]')).trim(), 'PSTN Caller');
      assert.deepEqual(await app.page.evaluate(() => window.callscopeDebug.incoming()), { account: 'lab', from: '+15559998888', displayName: 'PSTN Caller' });
      await app.page.click('[data-testid="accept-call"]');
      await app.waitForState('active', 15000);
      await app.audioFlowing();
      const callId = await app.page.evaluate(() => window.callscopeDebug.callId());
      await app.hangup();
      await app.waitForState('ended');

      const detail = await app.endedCall(callId);
      assert.equal(detail.call.direction, 'inbound');
      assert.equal(detail.call.destination, '+15559998888');
      assert.deepEqual(states(detail), ['ringing', 'active', 'ended']);
      assert.deepEqual(sdkStates(detail), ['new', 'ringing', 'answering', 'active', 'hangup', 'destroy']);
      assert.deepEqual(ladder(detail), [
        'received telnyx_rtc.invite',
        'sent result telnyx_rtc.invite',
        'sent telnyx_rtc.answer',
        'received result telnyx_rtc.answer',
        'sent telnyx_rtc.bye',
        'received result telnyx_rtc.bye',
      ]);
      assert.equal(detail.call.ended_by, 'local');
      assert.deepEqual(causeOf(detail), { provider_code: 'NORMAL_CLEARING', q850_cause: 16, sip_status: undefined, sip_reason: undefined });
      const emulated = await suite.lab.call(telnyxCallId);
      assert.equal(emulated.direction, 'inbound');
      assert.equal(emulated.ended.by, 'client');
      assert.ok(emulated.media.rx_packets > 25, JSON.stringify(emulated.media));
    });

    test('rejected: the SDK turns it down with USER_BUSY/17; the invite, the decision and the BYE are journaled at app level', async () => {
      const { call_id: telnyxCallId } = await suite.lab.ringClient({ caller_id_number: '+15550009999' });
      await app.page.waitForSelector('[data-testid="incoming-call"]', { timeout: 10000 });
      await app.page.click('[data-testid="reject-call"]');
      await app.page.waitForSelector('[data-testid="incoming-call"]', { state: 'detached' });
      const emulated = await waitFor('the emulator to see the reject', async () => {
        const c = await suite.lab.call(telnyxCallId);
        return c?.ended ? c : null;
      });
      assert.deepEqual(emulated.ended, { by: 'client', cause: 'USER_BUSY', causeCode: 17, sipCode: null, sipReason: null });
      const events = await waitFor('the reject at app level', async () => {
        const all = await app.appEvents();
        return all.some((e) => e.kind === 'signal' && e.payload.summary === 'result telnyx_rtc.bye' && e.payload.body?.result?.callID === telnyxCallId) ? all : null;
      });
      // From the invite to the answer to our BYE (the SDK's ack of the invite names no call; pings may interleave).
      const first = events.findIndex((e) => e.kind === 'signal' && e.payload.summary === 'telnyx_rtc.invite' && e.payload.body?.params?.callID === telnyxCallId);
      const last = events.findIndex((e) => e.kind === 'signal' && e.payload.summary === 'result telnyx_rtc.bye' && e.payload.body?.result?.callID === telnyxCallId);
      assert.ok(first >= 0 && last > first, 'the call’s frames are at app level');
      const ofCall = events.slice(first, last + 1).filter((e) => !/ping/.test(e.payload.summary ?? ''));
      assert.deepEqual(
        ofCall.map((e) => (e.kind === 'signal' ? `${e.payload.direction} ${e.payload.summary}` : `${e.kind} ${e.payload.action ?? ''}`.trim())),
        ['received telnyx_rtc.invite', 'sent result telnyx_rtc.invite', 'action reject', 'sent telnyx_rtc.bye', 'received result telnyx_rtc.bye'],
      );
      assert.ok(ofCall.every((e) => e.payload.account === 'lab'));
      assert.equal(ofCall[3].payload.body.params.cause, 'USER_BUSY');
      // No call was opened for it.
      assert.equal(await app.page.evaluate(() => window.callscopeDebug.incoming()), null);
    });

    test('missed: the caller gives up before anyone answers; a warning at app level', async () => {
      const { call_id: telnyxCallId } = await suite.lab.ringClient({ ring_timeout_ms: 1500 });
      await app.page.waitForSelector('[data-testid="incoming-call"]', { timeout: 10000 });
      await app.page.waitForSelector('[data-testid="incoming-call"]', { state: 'detached', timeout: 10000 });
      const warning = await waitFor('the missed call at app level', async () => {
        const all = await app.appEvents();
        return all.find((e) => e.kind === 'warning' && e.payload.telnyx_call_id === telnyxCallId) ?? null;
      });
      assert.match(warning.payload.message, /ended before it was answered \(ORIGINATOR_CANCEL, 487 Request Terminated\)/);
    });
  });
}
