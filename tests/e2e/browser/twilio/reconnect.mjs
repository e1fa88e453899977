// Reconnection: media lost and restored (ICE restart, 53405), the signalling socket dropped and
// resumed (53001), and a drop Twilio does not take back (31209). The call keeps its state; the
// reconnection shows as events with their codes.

import { describe, test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '../../lib/app.mjs';
import { App, ladder, states, suite } from '../harness.mjs';
import { endOf, twilioErrors, twilioWarnings } from './records.mjs';

export function reconnects() {
  describe('Twilio: reconnection', () => {
    let app;
    before(async () => {
      app = await App.start('reconnect');
      await app.selectLine('lab');
    });
    afterEach(() => app.endCall());
    after(() => assert.deepEqual(app.problems, [], 'the page logged no errors of its own'));

    const reconnected = (d) => d.events.some((e) => e.kind === 'media' && e.payload.event === 'reconnected');

    test('media lost and recovered: warnings, reconnecting 53405, reconnected; the call stays up', async () => {
      const callId = await app.dial(suite.lab.scenario('media-lost-recovered').to);
      await app.waitForState('active', 15000);
      const detail = await app.journalUntil(callId, 'the media reconnection', reconnected, 30000);
      const warnings = twilioWarnings(detail);
      const reconnecting = warnings.find((w) => w.event === 'reconnecting');
      assert.equal(reconnecting.code, 53405);
      assert.equal(reconnecting.reconnecting, 'media');
      assert.ok(warnings.some((w) => w.warning === 'low-bytes-received' && !w.cleared), JSON.stringify(warnings));
      const back = detail.events.find((e) => e.kind === 'media' && e.payload.event === 'reconnected').payload;
      assert.equal(back.recovered_from, 53405);
      assert.ok(ladder(detail).includes('sent reinvite'), JSON.stringify(ladder(detail)));
      assert.equal(await app.page.evaluate(() => window.callscopeDebug.state()), 'active');
      await app.hangup();
      const ended = await app.endedCall(callId);
      assert.deepEqual(states(ended), ['dialing', 'ringing', 'active', 'ended']);
      assert.deepEqual(endOf(ended), { by: 'local', provider_code: undefined });
    });

    test('signalling socket dropped and resumed: reconnecting 53001, reconnected, the line registers again', async () => {
      const callId = await app.dial(suite.lab.scenario('signalling-drop-recovered').to);
      await app.waitForState('active', 15000);
      const detail = await app.journalUntil(callId, 'the signalling reconnection', reconnected, 20000);
      const reconnecting = twilioWarnings(detail).find((w) => w.event === 'reconnecting');
      assert.equal(reconnecting.code, 53001);
      assert.equal(reconnecting.reconnecting, 'signalling');
      // The reconnect invite (with its reconnect token, redacted) and Twilio's answer are the call's.
      const signals = detail.events.filter((e) => e.kind === 'signal');
      const reinvite = signals.filter((e) => e.payload.summary === 'invite' && e.payload.direction === 'sent')[1];
      assert.ok(reinvite, JSON.stringify(ladder(detail)));
      assert.equal(reinvite.payload.body.payload.reconnect, '[redacted]');
      await app.page.waitForSelector('[data-testid="registration-state"][data-state="registered"]', { timeout: 10000 });
      // The socket's loss is the Device's (31005), journaled at app level with the new listen.
      const appEvents = await waitFor('the socket loss at app level', async () => {
        const all = await app.appEvents();
        return all.some((e) => e.kind === 'error' && e.payload.code === 31005) ? all : null;
      });
      assert.ok(appEvents.filter((e) => e.kind === 'signal' && e.payload.summary === 'listen').length >= 2);
      await app.audioFlowing();
      await app.hangup();
      const ended = await app.endedCall(callId);
      assert.deepEqual(states(ended), ['dialing', 'ringing', 'active', 'ended']);
      assert.deepEqual(endOf(ended), { by: 'local', provider_code: undefined });
    });

    test('signalling socket dropped, Twilio refuses the reconnect: error 31209, ended by the network', async () => {
      const callId = await app.dial(suite.lab.scenario('signalling-drop-lost').to);
      const detail = await app.endedCall(callId, 20000);
      assert.deepEqual(states(detail), ['dialing', 'ringing', 'active', 'ended']);
      assert.equal(twilioWarnings(detail).find((w) => w.event === 'reconnecting')?.code, 53001);
      assert.deepEqual(twilioErrors(detail).map((e) => e.code), [31209]);
      assert.deepEqual(endOf(detail), { by: 'remote', provider_code: '31209' });
      await app.page.waitForSelector('[data-testid="registration-state"][data-state="registered"]', { timeout: 10000 });
    });
  });
}
