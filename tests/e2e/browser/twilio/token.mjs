// The Access Token: minted by the backend (the API key secret never reaches the page), refreshed
// during a long call and journaled, and refused when the key secret is wrong.

import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '../../lib/app.mjs';
import { App, states, suite } from '../harness.mjs';
import { endOf, twilioErrors } from './records.mjs';

/** The shortest lifetime the backend mints: the SDK's tokenWillExpire comes 30 s before its end. */
const TOKEN_TTL_S = 60;

export function tokens() {
  describe('Twilio: the Access Token', () => {
    const apps = [];
    after(() => {
      for (const app of apps) assert.deepEqual(app.problems.filter((p) => !/20101|AccessTokenInvalid/.test(p)), [], 'the page logged no errors of its own');
    });

    test(`a token refresh during a long call (token TTL ${TOKEN_TTL_S} s) is journaled, and the call outlives the first token`, { timeout: 120000 }, async () => {
      const app = await App.start('refresh', { accounts: [{ name: 'short', tokenTtl: TOKEN_TTL_S }] });
      apps.push(app);
      await app.selectLine('short');
      const callId = await app.dial(suite.lab.scenario('answered').to);
      await app.waitForState('active', 15000);
      await app.audioFlowing();
      const refreshed = await app.journalUntil(
        callId,
        'the token refresh in the call’s journal',
        (d) => d.events.some((e) => e.kind === 'action' && e.payload.action === 'token_refresh'),
        TOKEN_TTL_S * 1000,
      );
      const refresh = refreshed.events.find((e) => e.kind === 'action' && e.payload.action === 'token_refresh').payload;
      assert.equal(refresh.trigger, 'tokenWillExpire');
      assert.ok(refresh.expires_at > refresh.previous_expires_at, JSON.stringify(refresh));
      // Past the first token's expiry: Twilio would have cut the Device off (20104) without the refresh.
      const wait = refresh.previous_expires_at * 1000 + 3000 - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      assert.equal(await app.page.evaluate(() => window.callscopeDebug.state()), 'active');
      assert.equal(await app.page.getAttribute('[data-testid="registration-state"]', 'data-state'), 'registered');
      const before = await app.media();
      await app.audioFlowing({ minPackets: before.packetsReceived + 25 });
      await app.hangup();
      const detail = await app.endedCall(callId);
      assert.deepEqual(states(detail), ['dialing', 'ringing', 'active', 'ended']);
      assert.deepEqual(endOf(detail), { by: 'local', provider_code: undefined });
      assert.deepEqual(twilioErrors(detail), []);
      // At app level: the refresh, and a second `listen` with the new token (redacted).
      const events = await app.appEvents();
      assert.ok(events.some((e) => e.kind === 'action' && e.payload.action === 'token_refresh' && e.payload.account === 'short'));
      const listens = events.filter((e) => e.kind === 'signal' && e.payload.summary === 'listen');
      assert.ok(listens.length >= 2, `${listens.length} listen messages`);
      assert.ok(listens.every((e) => e.payload.body.payload.token === '[redacted]'));
      assert.ok(!events.some((e) => e.kind === 'error' && e.payload.code === 20104), 'the token never expired');
      const notes = (await suite.lab.frames()).filter((f) => f.dir === 'NOTE').map((f) => f.frame);
      assert.ok(notes.some((n) => /token refreshed/.test(n)), JSON.stringify(notes.slice(-5)));
    });

    test('a wrong API key secret: Twilio refuses the token (20101), the line shows it, and a call says why', async () => {
      const app = await App.start('badkey', { accounts: [] });
      apps.push(app);
      const { cliWithInput } = await import('../../lib/app.mjs');
      const seed = suite.lab.rest.seed;
      const added = await cliWithInput(
        app.home,
        ['accounts', 'add', 'twilio', 'wrong', '--account-sid', seed.account_sid, '--api-key-sid', seed.standard_key.sid, '--twiml-app-sid', seed.application_sid, '--api-url', suite.lab.rest.api_base_url],
        'not-the-secret\n',
      );
      assert.equal(added.code, 0, added.stderr);
      await app.page.reload();
      await app.page.waitForSelector('body[data-ready="true"]');
      await app.selectLine('wrong', 'failed');
      const status = await app.page.evaluate(() => window.callscopeDebug.registrationState('wrong'));
      assert.equal(status.status_code, 20101);
      assert.equal(status.reason, 'AccessTokenInvalid');
      const callId = await app.dial(suite.lab.scenario('answered').to);
      const detail = await app.endedCall(callId, 20000);
      assert.deepEqual(states(detail), ['connecting', 'ended']);
      assert.equal(detail.call.ended_by, 'error');
      assert.ok(twilioErrors(detail).some((e) => e.code === 20101), JSON.stringify(detail.events.filter((e) => e.kind === 'error')));
      assert.equal(detail.diagnosis.rule, 'token');
    });
  });
}
