// Answered calls through the Twilio line: the state sequence, audio both ways, the PStream
// ladder with the token redacted, mute and DTMF, and our own hang-up's diagnosis.

import { describe, test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { App, ladder, signals, states, suite } from '../harness.mjs';
import { endOf, twilioErrors } from './records.mjs';

export function answeredCalls() {
  describe('Twilio: answered calls', () => {
    let app;
    before(async () => {
      app = await App.start('calls', { accounts: [{ name: 'lab', callerId: '+15005550006' }] });
      await app.selectLine('lab');
    });
    afterEach(() => app.endCall());
    after(() => assert.deepEqual(app.problems, [], 'the page logged no errors of its own'));

    test('answered: dialing → ringing → active, audio both ways, DTMF, our hang-up; every PStream message journaled, tokens redacted', async () => {
      const to = suite.lab.scenario('answered').to;
      const callId = await app.dial(to);
      await app.waitForState('active', 15000);
      const flowing = await app.audioFlowing();
      assert.ok(flowing.totalAudioEnergy > 0, 'the echo of our tone came back');
      await app.journalUntil(callId, 'stats samples of the call', (d) => d.events.filter((e) => e.kind === 'stats').length >= 2);
      await app.page.click('[data-testid="dtmf-5"]');
      await app.page.click('[data-testid="dtmf-#"]');
      await app.page.waitForFunction(() => document.querySelector('[data-testid="dtmf-sent"]')?.textContent === '5#');
      await app.hangup();
      await app.waitForState('ended');

      const detail = await app.endedCall(callId);
      assert.equal(detail.call.provider, 'twilio');
      assert.equal(detail.call.account, 'lab');
      assert.deepEqual(states(detail), ['dialing', 'ringing', 'active', 'ended']);
      assert.deepEqual(endOf(detail), { by: 'local', provider_code: undefined });
      assert.deepEqual(twilioErrors(detail), []);
      // The lab's answer offers no telephone-event codec, so the SDK sends the digits as PStream
      // `dtmf` messages instead of RFC 2833 tones (its fallback when the RTCDTMFSender cannot insert).
      assert.deepEqual(ladder(detail), ['sent invite', 'received ringing', 'received answer', 'sent dtmf', 'sent dtmf', 'sent hangup']);
      const [invite, , answer, dtmf5, dtmfHash] = signals(detail);
      assert.deepEqual([dtmf5.body.payload.dtmf, dtmfHash.body.payload.dtmf], ['5', '#']);
      assert.equal(invite.protocol, 'pstream');
      assert.match(invite.body.payload.callsid, /^TJS/);
      // To and the account's caller ID go to the TwiML app.
      assert.equal(invite.body.payload.twilio.params, `To=${encodeURIComponent(to)}&CallerId=${encodeURIComponent('+15005550006')}`);
      assert.equal(answer.body.payload.reconnect, '[redacted]');
      const dialing = detail.events.find((e) => e.kind === 'state' && e.payload.state === 'dialing');
      assert.equal(dialing.payload.raw.pstream, 'invite');
      const active = detail.events.find((e) => e.kind === 'state' && e.payload.state === 'active');
      assert.equal(active.payload.raw.sdk, 'accept');
      assert.match(active.payload.raw.call_sid, /^CA[0-9a-f]{32}$/);
      // The media watch and the stats sampler had the SDK's peer connection.
      assert.ok(detail.events.some((e) => e.kind === 'media' && e.payload.pc === 'connection' && e.payload.state === 'connected'));
      const stats = detail.events.filter((e) => e.kind === 'stats');
      assert.ok(stats.length >= 2, 'stats were sampled');
      const last = stats.at(-1).payload;
      assert.ok(last.inbound_rtp.packetsReceived > 25 && last.outbound_rtp.packetsSent > 25, JSON.stringify(last));
      const dtmf = detail.events.filter((e) => e.kind === 'action' && e.payload.action === 'dtmf').map((e) => e.payload.digit);
      assert.deepEqual(dtmf, ['5', '#']);
      // The gateway got the digits and both directions of media.
      const gateway = await suite.lab.call(invite.body.payload.callsid);
      assert.equal(gateway.dtmf, '5#');
      assert.ok(gateway.media.rx_packets > 25 && gateway.media.tx_packets > 25, JSON.stringify(gateway.media));
      assert.deepEqual(gateway.ended, { by: 'client', error: null });
      assert.equal(detail.diagnosis.rule, 'local_hangup');
    });
  });
}
