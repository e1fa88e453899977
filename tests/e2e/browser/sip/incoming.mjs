// Calls from a far end: baresip dials the app's user through Kamailio (its control port), the
// app rings, and the user accepts (audio both ways, the far end hangs up) or rejects (486).

import { describe, test, before, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { cli, states } from '../../lib/app.mjs';
import { BaresipControl } from '../../lib/sip-lab.mjs';
import { App, ladder, selectedPair, signals, suite } from '../harness.mjs';

export function incomingCalls() {
  describe('incoming calls', () => {
    let app;
    let far;
    before(async () => {
      // Bob: no other Callscope of the suite registers him, so only this page rings.
      app = await App.start('incoming', { accounts: [{ name: 'bob', user: 'bob' }] });
      await app.selectLine('bob');
    });
    afterEach(async () => {
      if (far) {
        await far.command('hangup').catch(() => undefined);
        far.close();
        far = null;
      }
      await app.endCall();
    });

    /** baresip's tone far end calls bob; resolves once the app shows the call ringing in. */
    async function ringIn() {
      far = await BaresipControl.connect(suite.lab.farEnd('tone').control);
      const dialled = await far.command('dial', 'sip:bob@lab.test');
      assert.ok(dialled.ok, `baresip refused to dial: ${dialled.data}`);
      await app.page.waitForSelector('[data-testid="incoming-call"]', { timeout: 10000 });
      await far.waitEvent('CALL_RINGING', { timeoutMs: 5000 });
      assert.match(await app.page.textContent('[data-testid="incoming-from"]'), /sip:tone@lab\.test/);
      const incoming = await app.page.evaluate(() => window.callscopeDebug.incoming());
      assert.equal(incoming.account, 'bob');
    }

    test('an incoming call is accepted: audio both ways, journaled as inbound, the far end hangs up', async () => {
      await ringIn();
      await app.page.click('[data-testid="accept-call"]');
      await app.waitForState('active');
      await far.waitEvent('CALL_ESTABLISHED', { timeoutMs: 5000 });
      const callId = await app.page.evaluate(() => window.callscopeDebug.callId());
      const live = await app.audioFlowing();
      assert.ok(live.totalAudioEnergy > 0, 'the caller’s tone is heard');

      const sentAt = performance.now();
      assert.ok((await far.command('hangup')).ok);
      await app.waitForState('ended');
      await far.waitEvent('CALL_CLOSED', { since: sentAt });

      const detail = await app.endedCall(callId);
      assert.equal(detail.call.direction, 'inbound');
      assert.equal(detail.call.account, 'bob');
      assert.match(detail.call.destination, /tone/);
      assert.deepEqual(states(detail), ['ringing', 'active', 'ended']);
      assert.equal(detail.call.ended_by, 'remote');
      const wire = ladder(detail);
      assert.deepEqual(wire, ['received INVITE', 'sent 100 Trying', 'sent 180 Ringing', 'sent 200 OK', 'received ACK', 'received BYE', 'sent 200 OK'], wire.join('\n'));
      const ok = signals(detail).find((s) => s.summary === 'SIP/2.0 200 OK');
      assert.match(ok.body, /^m=audio \d+ UDP\/TLS\/RTP\/SAVPF /m, 'the app answers with WebRTC media');
      const pair = selectedPair(detail, 'incoming, accepted');
      if (pair.local) assert.equal(pair.local.candidateType, 'host');
      const stats = detail.events.filter((e) => e.kind === 'stats').at(-1).payload;
      assert.ok(stats.inbound_rtp.packetsReceived >= 10 && stats.outbound_rtp.packetsSent >= 10, JSON.stringify(stats));
      assert.ok(stats.inbound_rtp.totalAudioEnergy > 0, JSON.stringify(stats));
      // The caller hung up within seconds of the answer: suspicious whatever the BYE says.
      assert.equal(detail.diagnosis.rule, 'short_call', JSON.stringify(detail.diagnosis));
      assert.equal(detail.diagnosis.outcome, 'degraded');
      assert.match(detail.diagnosis.explanation, /The BYE came from baresip/);
    });

    test('an incoming call is rejected: the far end gets 486 Busy Here, no call record, journaled at app level', async () => {
      const before = JSON.parse((await cli(app.home, 'calls', 'list', '--json')).stdout);
      await ringIn();
      await app.page.click('[data-testid="reject-call"]');
      const closed = await far.waitEvent('CALL_CLOSED', { timeoutMs: 5000 });
      assert.match(closed.event.param, /486 Busy Here/);
      await app.page.waitForSelector('[data-testid="incoming-call"]', { state: 'detached', timeout: 5000 });

      const after = JSON.parse((await cli(app.home, 'calls', 'list', '--json')).stdout);
      assert.equal(after.length, before.length, 'a rejected call opens no call record');
      const events = await app.appEvents();
      const reject = events.filter((e) => e.kind === 'action' && e.payload.action === 'reject').at(-1);
      assert.ok(reject, JSON.stringify(events.map((e) => e.kind)));
      assert.equal(reject.payload.status, 486);
      assert.equal(reject.payload.account, 'bob');
      assert.match(reject.payload.from, /sip:tone@lab\.test/);
      // The rejected call's messages, by its Call-ID: all at app level, in order.
      const signalling = events.filter((e) => e.kind === 'signal');
      const busy = signalling.find((e) => e.payload.summary === 'SIP/2.0 486 Busy Here');
      assert.ok(busy, signalling.map((e) => e.payload.summary).join('\n'));
      const callIdOf = (e) => /^Call-ID:\s*(\S+)/im.exec(e.payload.body)?.[1];
      const wire = signalling.filter((e) => callIdOf(e) === callIdOf(busy))
        .map((e) => `${e.payload.direction} ${e.payload.summary.replace(/^SIP\/2\.0 /, '').replace(/ \S+ SIP\/2\.0$/, '')}`);
      assert.deepEqual(wire, ['received INVITE', 'sent 100 Trying', 'sent 180 Ringing', 'sent 486 Busy Here', 'received ACK'], wire.join('\n'));
      assert.ok(signalling.indexOf(busy) > 0 && events.indexOf(reject) < events.indexOf(busy), 'the decision is journaled before its answer');
    });

    test('the page logged no errors of its own', () => {
      assert.deepEqual(app.problems.filter((p) => !/favicon/.test(p)), []);
    });
  });
}
