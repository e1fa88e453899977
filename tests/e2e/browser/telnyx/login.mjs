// The line outside calls: its login and the frames of no call (clientReady, gatewayState, pings)
// in the app-level journal with the token redacted, and a login Telnyx refuses.

import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '../../lib/app.mjs';
import { App, states, suite } from '../harness.mjs';

/** `call_credentials` as the page gets it (the token the line logs in with). */
function credentials(app) {
  return app.page.evaluate(async () => {
    const r = await fetch('/api/rpc', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ method: 'call_credentials', params: { name: 'lab' } }),
    });
    return r.json();
  });
}

export function loginAndFrames() {
  describe('Telnyx: the line outside calls', () => {
    const apps = [];
    after(() => {
      // The refused login's failed call is shown to the user (and so logged): nothing else.
      for (const app of apps) assert.deepEqual(app.problems.filter((p) => !/^console: Placing the call: \[telnyx_login\] lab: Telnyx refused the login/.test(p)), [], 'the page logged no errors of its own');
    });

    test('the login, clientReady, gatewayState and pings go to the app-level journal with the account; the token never is stored', async () => {
      const app = await App.start('frames');
      apps.push(app);
      await app.selectLine('lab');
      const { login_token: token, provider } = await credentials(app);
      assert.equal(provider, 'telnyx');
      assert.match(token, /^eyJ/);
      // The lab pings an idle client every few seconds; the SDK answers with a ping of its own.
      const events = await waitFor('a server ping and the SDK’s at app level', async () => {
        const all = (await app.appEvents()).filter((e) => e.kind === 'signal');
        const summaries = all.map((e) => `${e.payload.direction} ${e.payload.summary}`);
        return summaries.includes('received telnyx_rtc.ping') && summaries.includes('received result telnyx_rtc.ping') ? all : null;
      }, { timeoutMs: 15000, intervalMs: 250 });
      const summaries = events.map((e) => `${e.payload.direction} ${e.payload.summary}`);
      assert.deepEqual(summaries.slice(0, 5), [
        'sent login',
        'received result login',
        'received telnyx_rtc.clientReady',
        'sent telnyx_rtc.gatewayState',
        'received result telnyx_rtc.gatewayState',
      ]);
      assert.ok(summaries.includes('sent telnyx_rtc.ping'), summaries.join(', '));
      assert.ok(events.every((e) => e.source === 'signalling' && e.payload.protocol === 'verto' && e.payload.account === 'lab'));
      const login = events[0].payload.body;
      assert.equal(login.method, 'login');
      assert.equal(login.params.login_token, '[redacted]');
      assert.equal(events[4].payload.body.result.params.state, 'REGED');
      // Neither the journal nor the app's log (the SDK's console lines go there) holds the token.
      assert.ok(!app.journalBytes().includes(token), 'the login token is not in the journal');
      const logs = existsSync(app.home.logDir) ? readdirSync(app.home.logDir).map((f) => readFileSync(join(app.home.logDir, f), 'utf8')).join('') : '';
      assert.ok(logs.includes('webview'), 'the webview log was captured');
      assert.ok(!logs.includes(token), 'the login token is not in the log');
      assert.equal(await app.page.evaluate(() => window.callscopeDebug.registrationState('lab').state), 'registered');
      assert.equal((await app.page.textContent('[data-testid="registration-state"]')).trim(), 'registered');
    });

    test('a login Telnyx refuses (the credential expired): the line says so with the code and a hint, the error is journaled, and a call fails with that reason', async () => {
      const app = await App.start('refused');
      apps.push(app);
      // The backend mints (and keeps) the token; then the credential behind it expires.
      const minted = await credentials(app);
      const expired = await fetch(`${suite.lab.rest.origin}/__lab/telnyx/telephony_credentials/${minted.credential_id}/expire`, { method: 'POST' });
      assert.ok(expired.ok, `expire: ${expired.status}`);
      await app.selectLine('lab', 'failed');
      const status = (await app.page.textContent('[data-testid="registration-state"]')).trim();
      assert.match(status, /^failed: 46001 LOGIN_FAILED · Telnyx refused the login/);
      assert.match(await app.page.textContent('.hint'), /did not accept the login token/);
      const events = await app.appEvents();
      const error = events.find((e) => e.kind === 'error' && e.payload.code === 46001);
      assert.ok(error, JSON.stringify(events.map((e) => e.payload)));
      assert.equal(error.payload.account, 'lab');
      assert.equal(error.payload.source, 'telnyx.error');
      // The SDK's 46001 loses the server's code; the line took it off the wire.
      assert.deepEqual(error.payload.verto_error, { code: -32001, message: 'Login Incorrect' });
      assert.match(status, /\(-32001 Login Incorrect\)/);
      assert.ok(events.some((e) => e.kind === 'signal' && e.payload.summary === 'error -32001'));

      const callId = await app.dial(suite.lab.scenario('answered').number);
      await app.waitForState('ended', 15000);
      const detail = await waitFor('the failed call in the journal', async () => {
        const d = await app.endedCall(callId);
        return d;
      });
      assert.equal(detail.call.ended_by, 'error');
      assert.match(detail.call.failure.message, /Telnyx refused the login/);
      assert.deepEqual(states(detail), ['connecting', 'ended']);
      assert.deepEqual(app.problems, ['console: Placing the call: [telnyx_login] lab: Telnyx refused the login (-32001 Login Incorrect)']);
    });
  });
}
