// Calls to the registered Device (the lab's control API rings it): through the same incoming-call
// view as a SIP line's, accepted, rejected, or missed.

import { describe, test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '../../lib/app.mjs';
import { App, ladder, states, suite } from '../harness.mjs';
import { endOf } from './records.mjs';

export function incomingCalls() {
  describe('Twilio: incoming calls', () => {
    let app;
    before(async () => {
      app = await App.start('incoming', { accounts: [{ name: 'lab', identity: 'agent-7' }] });
      await app.selectLine('lab');
    });
    afterEach(() => app.endCall());
    after(() => assert.deepEqual(app.problems, [], 'the page logged no errors of its own'));

    const ring = (body = {}) => suite.lab.ringClient({ identity: 'agent-7', from: '+15558675310', params: { ticket: '123' }, ...body });

    test('accepted: ringing → active, audio both ways, journaled from the invite on; our hang-up is ours', async () => {
      const { callsid } = await ring();
      await app.page.waitForSelector('[data-testid="incoming-call"]', { timeout: 10000 });
      assert.equal((await app.page.textContent('[data-testid="incoming-from"]')).trim(), '+15558675310');
      assert.deepEqual(await app.page.evaluate(() => window.callscopeDebug.incoming()), { account: 'lab', from: '+15558675310', displayName: null });
      await app.page.click('[data-testid="accept-call"]');
      await app.waitForState('active', 15000);
      await app.audioFlowing();
      const callId = await app.page.evaluate(() => window.callscopeDebug.callId());
      await app.hangup();
      await app.waitForState('ended');

      const detail = await app.endedCall(callId);
      assert.equal(detail.call.direction, 'inbound');
      assert.equal(detail.call.destination, '+15558675310');
      assert.deepEqual(states(detail), ['ringing', 'active', 'ended']);
      const ringing = detail.events.find((e) => e.kind === 'state' && e.payload.state === 'ringing');
      assert.deepEqual(ringing.payload.raw.custom_parameters, { ticket: '123' });
      assert.equal(ringing.payload.raw.call_sid, callsid);
      const calls = ladder(detail);
      assert.equal(calls[0], 'received invite');
      assert.ok(calls.includes('sent answer'), JSON.stringify(calls));
      assert.equal(calls.at(-1), 'sent hangup');
      assert.equal(detail.events.find((e) => e.kind === 'signal').payload.body.payload.reconnect, '[redacted]');
      assert.deepEqual(endOf(detail), { by: 'local', provider_code: undefined });
      const gateway = await suite.lab.call(callsid);
      assert.deepEqual(gateway.ended, { by: 'client', error: null });
      assert.ok(gateway.media.rx_packets > 25 && gateway.media.tx_packets > 25, JSON.stringify(gateway.media));
    });

    test('rejected: the SDK sends reject; the invite, the decision and the reject are journaled at app level', async () => {
      const { callsid } = await ring();
      await app.page.waitForSelector('[data-testid="incoming-call"]', { timeout: 10000 });
      await app.page.click('[data-testid="reject-call"]');
      await app.page.waitForSelector('[data-testid="incoming-call"]', { state: 'detached' });
      const gateway = await waitFor('the gateway to see the reject', async () => {
        const c = await suite.lab.call(callsid);
        return c?.ended ? c : null;
      });
      assert.equal(gateway.ended.by, 'rejected');
      const events = await waitFor('the reject at app level', async () => {
        const all = await app.appEvents();
        return all.some((e) => e.kind === 'signal' && e.payload.summary === 'reject' && e.payload.body?.payload?.callsid === callsid) ? all : null;
      });
      const ofCall = events.filter((e) => e.payload.body?.payload?.callsid === callsid || e.payload.call_sid === callsid);
      assert.deepEqual(
        ofCall.map((e) => (e.kind === 'signal' ? `${e.payload.direction} ${e.payload.summary}` : `${e.kind} ${e.payload.action ?? ''}`.trim())),
        ['received invite', 'action reject', 'sent reject'],
      );
      assert.ok(ofCall.every((e) => e.payload.account === 'lab'));
      assert.equal(await app.page.evaluate(() => window.callscopeDebug.incoming()), null);
    });

    test('the caller gives up before we answer: the offer goes away, a missed call is journaled at app level', async () => {
      const { callsid } = await ring({ cancel_after_ms: 1500 });
      await app.page.waitForSelector('[data-testid="incoming-call"]', { timeout: 10000 });
      await app.page.waitForSelector('[data-testid="incoming-call"]', { state: 'detached', timeout: 10000 });
      const events = await waitFor('the missed call at app level', async () => {
        const all = await app.appEvents();
        return all.some((e) => e.kind === 'warning' && e.payload.call_sid === callsid) ? all : null;
      });
      const missed = events.find((e) => e.kind === 'warning' && e.payload.call_sid === callsid);
      assert.match(missed.payload.message, /ended before it was answered \(the caller gave up\)/);
      assert.ok(events.some((e) => e.kind === 'signal' && e.payload.summary === 'cancel' && e.payload.body.payload.callsid === callsid));
    });
  });
}
