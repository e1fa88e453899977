// Media paths: calls relayed through coturn over UDP, TCP and TLS with the account's TURN
// credentials, and calls whose media never connects (wrong TURN credentials, a dead ICE-lite
// media address, a peer the TURN server refuses), each ended and diagnosed within 20 s.
//
// Relay-only calls use the account's own setting (`--relay-only true`: the peer connection gets
// `iceTransportPolicy: 'relay'`), as a support engineer tests a network where only TURN gets through.

import { describe, test, before, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { states } from '../../lib/app.mjs';
import { App, mediaEvents, selectedPair, signals, suite } from '../harness.mjs';

const TRANSPORTS = ['udp', 'tcp', 'tls'];

/** The lab's TURN server over one transport, with good (or wrong) credentials. */
function turn(transport, credentials = 'good') {
  const t = suite.lab.turn;
  return { urls: [t[transport]], username: t[credentials].username, credential: t[credentials].credential };
}

function turnAccounts({ relayOnly = false } = {}) {
  return [
    ...TRANSPORTS.map((transport) => ({ name: `turn-${transport}`, turn: turn(transport), relayOnly })),
    { name: 'turn-wrong', turn: turn('udp', 'wrong'), relayOnly },
  ];
}

/** The candidates the INVITE offered, by type (journaled with the dialing state). */
function offered(detail) {
  return detail.events.find((e) => e.kind === 'state' && e.payload.state === 'dialing').payload.raw.candidates;
}

function lastStats(detail) {
  return detail.events.filter((e) => e.kind === 'stats').at(-1)?.payload ?? null;
}

export function relayCalls() {
  describe('TURN relay', () => {
    let relayOnly;
    let plain;
    before(async () => {
      relayOnly = await App.start('relay-only', { accounts: turnAccounts({ relayOnly: true }) });
      plain = await App.start('relay-plain', { accounts: turnAccounts() });
    });
    afterEach(async () => {
      await relayOnly.endCall();
      await plain.endCall();
    });

    for (const transport of TRANSPORTS) {
      test(`relay-only over TURN/${transport}: the call connects through coturn on a relay candidate pair`, async () => {
        await relayOnly.selectLine(`turn-${transport}`);
        const callId = await relayOnly.dial('relay');
        await relayOnly.waitForState('active');
        const live = await relayOnly.audioFlowing();
        assert.equal(live.local.candidateType, 'relay', JSON.stringify(live));
        assert.equal(live.local.relayProtocol, transport, 'relayed over the account’s TURN transport');
        await relayOnly.hangup();
        const detail = await relayOnly.endedCall(callId);

        assert.deepEqual(states(detail), ['dialing', 'trying', 'ringing', 'active', 'ended']);
        assert.equal(detail.call.ended_by, 'local');
        const candidates = offered(detail);
        assert.ok(candidates.relay >= 1 && !candidates.host, `only relay candidates offered: ${JSON.stringify(candidates)}`);
        const invite = signals(detail).find((s) => s.direction === 'sent' && s.summary.startsWith('INVITE '));
        assert.match(invite.body, / typ relay /);
        assert.doesNotMatch(invite.body, / typ host /);
        const pair = selectedPair(detail, `relay-only TURN/${transport}`);
        // (The journal sometimes holds a null pair: see sip.test.mjs. When it has one, it is this.)
        if (pair.local) {
          assert.equal(pair.local.candidateType, 'relay', JSON.stringify(pair));
          assert.equal(pair.remote.candidateType, 'host');
          const [low, high] = suite.lab.signalling.media_ports;
          assert.ok(pair.remote.port >= low && pair.remote.port <= high, `the peer is rtpengine (${pair.remote.port})`);
        }
        assert.deepEqual(mediaEvents(detail, 'ice_candidate_error'), []);
        const stats = lastStats(detail);
        assert.ok(stats.inbound_rtp.packetsReceived >= 10 && stats.outbound_rtp.packetsSent >= 10, JSON.stringify(stats));
        assert.ok(stats.inbound_rtp.totalAudioEnergy > 0, JSON.stringify(stats));
        assert.equal(detail.diagnosis.rule, 'local_hangup');
      });
    }

    test('without a relay-only policy the account’s TURN server still gives relay candidates, and the call connects', async () => {
      await plain.selectLine('turn-udp');
      const callId = await plain.dial('relay');
      await plain.waitForState('active');
      await plain.audioFlowing();
      await plain.hangup();
      const detail = await plain.endedCall(callId);
      const candidates = offered(detail);
      assert.ok(candidates.relay >= 1 && candidates.host >= 1, JSON.stringify(candidates));
      selectedPair(detail, 'relay candidates offered, no relay-only policy');
      assert.deepEqual(mediaEvents(detail, 'ice_candidate_error'), []);
    });

    test('wrong TURN credentials without relay-only: the 401 is journaled, the call still connects directly', async () => {
      await plain.selectLine('turn-wrong');
      const callId = await plain.dial('relay');
      await plain.waitForState('active');
      await plain.audioFlowing();
      await plain.hangup();
      const detail = await plain.endedCall(callId);
      const errors = mediaEvents(detail, 'ice_candidate_error');
      assert.ok(errors.some((e) => e.errorCode === 401 && e.url.startsWith('turn:')), JSON.stringify(errors));
      assert.equal(offered(detail).relay ?? 0, 0);
      const pair = selectedPair(detail, 'wrong TURN credentials, no relay-only policy');
      if (pair.local) assert.equal(pair.local.candidateType, 'host');
      // The call worked, and the diagnosis still tells the support engineer about the relay.
      assert.equal(detail.diagnosis.rule, 'local_hangup');
      assert.ok(detail.diagnosis.also.some((a) => /refused the TURN credentials/.test(a)), JSON.stringify(detail.diagnosis));
    });
  });
}

export function mediaFailures() {
  // The two ICE failures wait for the media watch (15 s after the answer): run them side by side.
  describe('media that never connects', { concurrency: 3 }, () => {
    // One Callscope per test, so that they can run at the same time.
    let wrongTurn;
    let plain;
    let turnBlock;
    before(async () => {
      [wrongTurn, plain, turnBlock] = await Promise.all([
        App.start('ice-wrong-turn', { accounts: [{ name: 'turn-wrong', turn: turn('udp', 'wrong'), relayOnly: true }] }),
        App.start('ice-plain', { accounts: [{ name: 'lab' }] }),
        App.start('ice-turnblock', { accounts: [{ name: 'turn-udp', turn: turn('udp'), relayOnly: true }] }),
      ]);
      await Promise.all([wrongTurn.selectLine('turn-wrong'), plain.selectLine('lab'), turnBlock.selectLine('turn-udp')]);
    });

    /** Dial, then wait (at most 20 s from the dial) for the app to end the answered call. */
    async function failedCall(app, number) {
      const started = Date.now();
      const callId = await app.dial(number);
      // (turnblock is 'active' for a few milliseconds only: the journal's states show it was.)
      await app.waitForState('ended', 20000 - (Date.now() - started));
      const detail = await app.endedCall(callId);
      assert.deepEqual(states(detail), ['dialing', 'trying', 'ringing', 'active', 'ended']);
      assert.equal(detail.call.ended_by, 'error');
      assert.match(detail.call.failure.message, /media never connected/);
      assert.ok(detail.call.timings.total_ms < 20000, JSON.stringify(detail.call.timings));
      assert.equal(detail.call.timings.to_media_ms, undefined, 'media never connected');
      assert.equal(detail.diagnosis.rule, 'media_never_connected', JSON.stringify(detail.diagnosis));
      assert.equal(detail.diagnosis.outcome, 'failed');
      const sip = signals(detail).map((s) => s.summary);
      assert.ok(sip.some((s) => /^BYE /.test(s)), 'the app hung up the dead call with a BYE');
      return detail;
    }

    test('wrong TURN credentials, relay-only: TURN 401 journaled, the call ends as a TURN credentials failure', async () => {
      const detail = await failedCall(wrongTurn, 'relay');
      const errors = mediaEvents(detail, 'ice_candidate_error');
      const refused = errors.find((e) => e.errorCode === 401);
      assert.ok(refused, JSON.stringify(errors));
      assert.equal(refused.url, suite.lab.turn.udp);
      assert.match(refused.errorText, /Unauthorized/);
      assert.deepEqual(offered(detail), {}, 'no candidate at all');
      assert.match(detail.diagnosis.summary, /TURN server refused the credentials/);
      assert.ok(detail.diagnosis.evidence.some((e) => /401/.test(e.note)), JSON.stringify(detail.diagnosis.evidence));
    });

    test('icefail (dead ICE-lite media address): ICE fails, the call ends as an ICE failure', async () => {
      const detail = await failedCall(plain, 'icefail');
      assert.match(detail.diagnosis.summary, /ICE/);
      const ok = signals(detail).find((s) => s.summary.startsWith('SIP/2.0 200 '));
      assert.match(ok.body, new RegExp(`c=IN IP4 ${suite.lab.number('icefail').media_address.replace(/\./g, '\\.')}`));
      assert.match(ok.body, /^a=ice-lite/m);
    });

    test('turnblock, relay-only: coturn refuses the peer, the call ends with failed media', async () => {
      const detail = await failedCall(turnBlock, 'turnblock');
      assert.ok(mediaEvents(detail, 'connection').some((m) => m.state === 'failed'), 'Chromium reported the connection failed');
      assert.deepEqual(mediaEvents(detail, 'ice_candidate_error'), [], 'a refused peer raises no candidate error');
      // What tells it apart: only relay candidates were gathered, and still nothing connected.
      const gathered = mediaEvents(detail, 'ice_candidates');
      assert.ok(gathered.some((g) => g.relay >= 1 && g.host === 0 && g.srflx === 0), JSON.stringify(gathered));
      assert.match(detail.diagnosis.summary, /through the TURN relay/, JSON.stringify(detail.diagnosis));
    });
  });
}
