// Answered calls: audio both ways and the whole ladder; hold and resume through rtpengine; DTMF
// as RFC 2833 events and as SIP INFO, checked at the far end (baresip's control port).

import { describe, test, before, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { states, waitFor } from '../../lib/app.mjs';
import { BaresipControl } from '../../lib/sip-lab.mjs';
import { App, ladder, mediaEvents, selectedPair, signals, suite } from '../harness.mjs';

/** A message's method (requests) or status code (responses), from its first line. */
function wire(signal) {
  const status = /^SIP\/2\.0 (\d{3})/.exec(signal.summary);
  return status ? Number(status[1]) : signal.summary.split(' ')[0];
}

function header(body, name) {
  return new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(body)?.[1]?.trim() ?? null;
}

/** The last stats sample the journal holds (the final one, taken as the call ended). */
function lastStats(detail) {
  return detail.events.filter((e) => e.kind === 'stats').at(-1)?.payload ?? null;
}

/** A WebRTC answer towards the browser: ICE, DTLS-SRTP. */
function assertWebrtcSdp(body, what) {
  assert.match(body, /^m=audio \d+ UDP\/TLS\/RTP\/SAVPF /m, `${what}: not a WebRTC profile\n${body}`);
  assert.match(body, /^a=fingerprint:sha-256 /m, `${what}: no DTLS fingerprint`);
  assert.match(body, /^a=ice-ufrag:/m, `${what}: no ICE credentials`);
}

/** Press each digit's key and wait until the far end reports it; resolves with the digits it got. */
async function sendDigits(app, far, digits) {
  const received = () => far.events.filter((e) => e.event.type === 'CALL_DTMF_START').map((e) => e.event.param);
  const before = received().length;
  for (const [i, digit] of digits.entries()) {
    await app.page.click(`[data-testid="dtmf-${digit}"]`);
    await waitFor(`the far end to receive DTMF ${digit}`, () => received().length >= before + i + 1, { timeoutMs: 3000 })
      .catch(() => undefined);
  }
  return received().slice(before);
}

export function answeredCalls() {
  describe('answered calls', () => {
    let app;
    const lab = () => suite.lab;

    before(async () => {
      app = await App.start('calls', { accounts: [{ name: 'lab' }, { name: 'lab-info', dtmf: 'info' }] });
      await app.selectLine('lab');
    });
    afterEach(() => app.endCall());

    test('tone answers: audio both ways, the whole ladder journaled, no digest response stored', async () => {
      const callId = await app.dial('tone');
      await app.waitForState('active');
      const live = await app.audioFlowing();
      assert.ok(live.totalAudioEnergy > 0, 'the far end’s tone is heard');
      await app.hangup();
      await app.waitForState('ended');

      const detail = await app.endedCall(callId);
      assert.equal(detail.call.provider, 'sip');
      assert.equal(detail.call.account, 'lab');
      assert.deepEqual(states(detail), ['dialing', 'trying', 'ringing', 'active', 'ended']);
      assert.equal(detail.call.ended_by, 'local');
      assert.deepEqual(detail.call.failure ?? {}, {});
      // (Their values and order: see the test on timings below.)
      const t = detail.call.timings;
      for (const name of ['to_trying_ms', 'to_ring_ms', 'to_answer_ms', 'to_media_ms', 'talk_ms']) {
        assert.equal(typeof t[name], 'number', `${name}: ${JSON.stringify(t)}`);
      }

      // The wire, as it happened: a 407 challenge, the INVITE again with credentials, then the call.
      const sip = signals(detail);
      assert.deepEqual(sip.map(wire), ['INVITE', 407, 'ACK', 'INVITE', 100, 180, 200, 'ACK', 'BYE', 200], ladder(detail).join('\n'));
      assert.deepEqual(sip.map((s) => s.direction), ['sent', 'received', 'sent', 'sent', 'received', 'received', 'received', 'sent', 'sent', 'received']);
      const [invite, challenge, , authed, , ringing, ok, , bye, byeOk] = sip;
      assert.equal(header(invite.body, 'Proxy-Authorization'), null);
      assert.match(header(challenge.body, 'Proxy-Authenticate'), /^Digest realm="lab\.test", nonce="/);
      assert.equal(header(authed.body, 'Proxy-Authorization'), '[redacted]', 'the credentials are redacted in the journal');
      assert.match(header(ringing.body, 'Server') ?? header(ringing.body, 'User-Agent') ?? '', /baresip/);
      assertWebrtcSdp(ok.body, 'the 200 OK');
      assert.equal(header(bye.body, 'Call-ID'), header(invite.body, 'Call-ID'));
      assert.match(header(byeOk.body, 'CSeq'), /BYE$/);

      // Nothing that answers a digest challenge is kept: no response= value, no HA1, no password.
      const alice = lab().users.find((u) => u.user === 'alice');
      const ha1 = createHash('md5').update(`alice:${lab().domain}:${alice.password}`).digest('hex');
      const stored = [JSON.stringify(detail), app.journalBytes()];
      for (const text of stored) {
        assert.doesNotMatch(text, /response\s*=\s*\\?"?[0-9a-f]{32}/i, 'a digest response was stored');
        assert.ok(!text.includes(ha1), 'the HA1 was stored');
        assert.ok(!text.includes(alice.password), 'the password was stored');
      }

      // Media, from the journal: connected over a host pair to rtpengine, audio both ways, heard.
      assert.deepEqual(mediaEvents(detail, 'connection').map((m) => m.state).filter((s) => s === 'connected'), ['connected']);
      const pair = selectedPair(detail, 'tone');
      if (pair.local) {
        assert.equal(pair.local.candidateType, 'host');
        const [low, high] = lab().signalling.media_ports;
        assert.ok(pair.remote.port >= low && pair.remote.port <= high, `media goes through rtpengine (${pair.remote.port})`);
      }
      const stats = lastStats(detail);
      assert.equal(stats.final, true);
      assert.ok(stats.inbound_rtp.packetsReceived >= 10, JSON.stringify(stats));
      assert.ok(stats.outbound_rtp.packetsSent >= 10, JSON.stringify(stats));
      assert.ok(stats.inbound_rtp.totalAudioEnergy > 0, JSON.stringify(stats));

      assert.equal(detail.diagnosis.rule, 'local_hangup');
      assert.equal(detail.diagnosis.outcome, 'ok');

      // The ladder view draws the same messages.
      const arrows = await app.page.locator('[data-testid="ladder-arrow"]').count();
      assert.equal(arrows, sip.length);
    });

    test('hold and resume go through rtpengine (WebRTC SDP both times), media resumes, RFC 2833 DTMF reaches the far end', async () => {
      const far = await BaresipControl.connect(lab().farEnd('tone').control);
      try {
        const callId = await app.dial('tone');
        await app.waitForState('active');
        await app.audioFlowing();

        await app.page.click('[data-testid="hold-button"]');
        // The hold re-INVITE's 200 OK is a WebRTC answer the browser accepts: the call stays up.
        const heldDetail = await app.journalUntil(callId, 'the hold re-INVITE answered',
          (d) => signals(d).filter((s) => wire(s) === 200 && /^CSeq: \d+ INVITE/m.test(s.body)).length >= 2);
        await app.page.waitForTimeout(300);
        const held = await app.media();
        await app.page.waitForTimeout(1000);
        const stillHeld = await app.media();
        const state = await app.state();
        const why = state === 'ended' ? await app.page.textContent('[data-testid="end-reason"]') : '';
        assert.equal(state, 'held', `held a second after the re-INVITE's answer ${why}`);
        assert.ok(stillHeld.packetsReceived - held.packetsReceived < 10, `the far end stopped sending while held (${held.packetsReceived} → ${stillHeld.packetsReceived})`);
        assert.equal(heldDetail.call.state, 'held');

        await app.page.click('[data-testid="hold-button"]');
        await app.waitForState('active');
        await app.audioFlowing({ since: stillHeld });

        // RFC 2833 reaches the far end as telephone-events through rtpengine. Only the first
        // digit can be checked there: the far end answers telephone-event/8000 only, Chromium
        // then times its 100 ms events in Opus's 48 kHz ticks and sends each digit as end
        // packets only, and baresip 1.0 reports an end-only event once (no digit, no later ones).
        const before = far.events.length;
        for (const digit of ['1', '5', '#']) {
          await app.page.click(`[data-testid="dtmf-${digit}"]`);
          await app.page.waitForTimeout(250);
        }
        await waitFor('the far end to receive a telephone-event', () =>
          far.events.slice(before).some((e) => /^CALL_DTMF_(START|END)$/.test(e.event.type)), { timeoutMs: 3000 });
        assert.equal((await app.page.textContent('[data-testid="dtmf-sent"]')).trim(), '15#');

        await app.hangup();
        await app.waitForState('ended');
        const detail = await app.endedCall(callId);
        assert.deepEqual(states(detail), ['dialing', 'trying', 'ringing', 'active', 'held', 'active', 'ended']);
        assert.equal(detail.call.ended_by, 'local');
        assert.deepEqual(detail.call.failure ?? {}, {});

        const sip = signals(detail);
        const reinvites = sip.filter((s) => s.direction === 'sent' && wire(s) === 'INVITE' && header(s.body, 'To')?.includes(';tag='));
        assert.equal(reinvites.length, 2, ladder(detail).join('\n'));
        assert.match(reinvites[0].body, /^a=sendonly/m, 'hold offers sendonly');
        assert.match(reinvites[1].body, /^a=sendrecv/m, 'resume offers sendrecv');
        const answers = sip.filter((s) => wire(s) === 200 && /^CSeq: \d+ INVITE/m.test(s.body));
        assert.equal(answers.length, 3, 'the INVITE and both re-INVITEs are answered 200');
        for (const [i, answer] of answers.entries()) assertWebrtcSdp(answer.body, `200 OK #${i + 1}`);
        assert.match(answers[1].body, /^a=recvonly/m, 'the far end takes the hold');
        assert.match(answers[2].body, /^a=sendrecv/m, 'and the resume');

        selectedPair(detail, 'hold and resume');
        const dtmf = detail.events.filter((e) => e.kind === 'action' && e.payload.action === 'dtmf').map((e) => e.payload);
        assert.deepEqual(dtmf.map((d) => [d.digit, d.mode]), [['1', 'rfc2833'], ['5', 'rfc2833'], ['#', 'rfc2833']]);
        assert.deepEqual(detail.events.filter((e) => e.kind === 'action').map((e) => e.payload.action), ['hold', 'resume', 'dtmf', 'dtmf', 'dtmf', 'hangup']);
        assert.ok(!sip.some((s) => wire(s) === 'INFO'), 'RFC 2833 sends no INFO');
        // Media kept flowing after the resume: the final sample counts more than before the hold.
        const stats = detail.events.filter((e) => e.kind === 'stats').at(-1).payload;
        assert.ok(stats.inbound_rtp.packetsReceived > stillHeld.packetsReceived + 25, JSON.stringify(stats));
        assert.equal(detail.diagnosis.rule, 'local_hangup');
      } finally {
        far.close();
      }
    });

    test('DTMF as SIP INFO (the account’s setting) is journaled and reaches the far end', async () => {
      await app.selectLine('lab-info');
      const far = await BaresipControl.connect(lab().farEnd('tone').control);
      try {
        const callId = await app.dial('tone');
        await app.waitForState('active');
        await app.audioFlowing({ minPackets: 5 });
        assert.deepEqual(await sendDigits(app, far, ['7', '*']), ['7', '*']);
        await app.hangup();
        const detail = await app.endedCall(callId);
        assert.equal(detail.call.account, 'lab-info');
        const sip = signals(detail);
        const infos = sip.filter((s) => s.direction === 'sent' && wire(s) === 'INFO');
        assert.equal(infos.length, 2, ladder(detail).join('\n'));
        assert.match(header(infos[0].body, 'Content-Type'), /application\/dtmf-relay/);
        assert.match(infos[0].body, /^Signal=7\r?$/m);
        assert.match(infos[1].body, /^Signal=\*\r?$/m);
        const infoOks = sip.filter((s) => wire(s) === 200 && /^CSeq: \d+ INFO/m.test(s.body));
        assert.equal(infoOks.length, 2, 'each INFO answered 200');
        const dtmf = detail.events.filter((e) => e.kind === 'action' && e.payload.action === 'dtmf').map((e) => [e.payload.digit, e.payload.mode]);
        assert.deepEqual(dtmf, [['7', 'info'], ['*', 'info']]);
      } finally {
        far.close();
        await app.selectLine('lab');
      }
    });

    // The UI stamps each event on its own clock, mapped to the call's clock when the record was
    // opened, so a write's own latency never reorders the timeline.
    test('the journal’s timings follow the call: dialing ≤ trying ≤ ringing ≤ active, none negative', async () => {
      const seen = [];
      for (let i = 0; i < 5; i++) {
        const callId = await app.dial('tone');
        await app.waitForState('active');
        await app.hangup();
        const { call } = await app.endedCall(callId);
        seen.push(call.timings);
      }
      for (const t of seen) {
        assert.ok(t.to_trying_ms >= 0 && t.to_trying_ms <= t.to_ring_ms && t.to_ring_ms <= t.to_answer_ms, JSON.stringify(seen));
      }
    });

    test('the page logged no errors of its own', () => {
      assert.deepEqual(app.problems.filter((p) => !/favicon/.test(p)), []);
    });
  });
}
