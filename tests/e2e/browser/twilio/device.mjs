// The Device's own traffic: registration journaled at app level with the token redacted, no
// heartbeat journaled, the API key secret and the token never stored, sounds served by Callscope
// (never sdk.twilio.com), and Insights only when the account asks for it.

import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '../../lib/app.mjs';
import { App, suite } from '../harness.mjs';

export function device() {
  describe('Twilio: the Device', () => {
    const apps = [];
    after(() => {
      for (const app of apps) assert.deepEqual(app.problems, [], 'the page logged no errors of its own');
    });

    test('registration: listen → connected → register → ready at app level, token redacted, heartbeats not journaled, no secret stored', async () => {
      const app = await App.start('device', { accounts: [{ name: 'lab', insights: false }] });
      apps.push(app);
      await app.selectLine('lab');
      const events = await waitFor('the registration at app level', async () => {
        const all = await app.appEvents();
        return all.some((e) => e.kind === 'signal' && e.payload.summary === 'ready') ? all : null;
      });
      const signals = events.filter((e) => e.kind === 'signal');
      assert.deepEqual(signals.slice(0, 4).map((e) => `${e.payload.direction} ${e.payload.summary}`), ['sent listen', 'received connected', 'sent register', 'received ready']);
      assert.ok(signals.every((e) => e.payload.protocol === 'pstream' && e.payload.account === 'lab'));
      const [listen, connected] = signals;
      assert.equal(listen.payload.body.payload.token, '[redacted]');
      assert.equal(listen.payload.body.payload.browserinfo.v, '2.18.5');
      // 30 s: Twilio's maximum, so a dropped socket does not end the call.
      assert.equal(listen.payload.body.payload.reconnectTimeout, 30);
      // `connected` names the identity and the token's lifetime: not a secret, kept.
      assert.equal(typeof connected.payload.body.payload.token.ttl, 'number');
      // The gateway's heartbeats (every 5 s) are answered by the SDK but never journaled.
      await new Promise((r) => setTimeout(r, 6000));
      const later = await app.appEvents();
      assert.ok(!later.some((e) => e.kind === 'signal' && (e.payload.summary === 'not JSON' || e.payload.body === '\n')));
      const bytes = app.journalBytes();
      assert.ok(!bytes.includes(suite.lab.rest.seed.standard_key.secret), 'the API key secret is not in the journal');
      assert.ok(!/eyJ[A-Za-z0-9_-]{10,}\.eyJ/.test(bytes), 'no Access Token is in the journal');
      // Sounds come from Callscope itself; Insights is off for this account.
      await app.dial(suite.lab.scenario('busy').to);
      await app.waitForState('ended', 10000);
      assert.ok(!app.requests.some((r) => /sdk\.twilio\.com|twiliocdn/.test(r)), JSON.stringify(app.requests));
      assert.ok(!app.requests.some((r) => /eventgw/.test(r)), JSON.stringify(app.requests));
    });

    test('Insights on: the SDK publishes to Twilio’s event gateway', async () => {
      const app = await App.start('insights', { accounts: [{ name: 'lab', insights: true }] });
      apps.push(app);
      await app.selectLine('lab');
      await app.dial(suite.lab.scenario('busy').to);
      await app.waitForState('ended', 10000);
      await waitFor('an Insights post', () => app.requests.some((r) => /^POST https:\/\/eventgw\.[a-z0-9.]*twilio\.com\/v4\/Endpoint/.test(r)));
    });
  });
}
