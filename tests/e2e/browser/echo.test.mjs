// Echo calls end to end: browser mode in Debian's Chromium with a WAV as the microphone, the real
// backend answering from its str0m peer, and the journal read back through `callscope calls show`.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { isolatedHome, startServe, journalCall, states, waitFor } from '../lib/app.mjs';
import { launchChromium, openApp, rtpCounters, toneWav } from '../lib/browser.mjs';

let home;
let serve;
let browser;
let page;
let problems;

before(async () => {
  home = isolatedHome('callscope-echo');
  serve = await startServe(home);
  browser = await launchChromium({ wav: toneWav(home.root) });
  ({ page, problems } = await openApp(browser, serve.url));
});

after(async () => {
  await browser?.close();
  await serve?.stop();
});

async function dial(number) {
  await page.fill('[data-testid="dial-input"]', number);
  await page.click('[data-testid="call-button"]');
  return waitFor('a call id', () => page.evaluate(() => window.callscopeDebug?.callId()));
}

async function waitForState(state, timeoutMs = 10000) {
  await page.waitForFunction((s) => document.querySelector('[data-testid="call-state"]')?.textContent?.trim() === s, state, {
    timeout: timeoutMs,
  });
}

async function endedCall(callId, timeoutMs = 10000) {
  return waitFor(`call ${callId} to end in the journal`, async () => {
    const detail = await journalCall(home, callId);
    return detail.call.state === 'ended' ? detail : null;
  }, { timeoutMs, intervalMs: 200 });
}

test('100 answers and echoes: active, audio both ways, hang up, journaled', async () => {
  const callId = await dial('100');
  await waitForState('active');
  const counters = await waitFor('inbound audio', async () => {
    const c = await rtpCounters(page);
    return c && c.packetsReceived > 25 && c.totalAudioEnergy > 0 ? c : null;
  });
  assert.ok(counters.packetsSent > 0, 'outbound packets');
  await page.click('[data-testid="hangup-button"]');
  await waitForState('ended');

  const detail = await endedCall(callId);
  assert.deepEqual(states(detail), ['dialing', 'trying', 'active', 'ended']);
  assert.equal(detail.call.ended_by, 'local');
  assert.ok(detail.call.timings.to_answer_ms >= 0 && detail.call.timings.to_media_ms >= 0, JSON.stringify(detail.call.timings));
  const signals = detail.events.filter((e) => e.kind === 'signal').map((e) => e.payload.summary);
  assert.deepEqual(signals, ['INVITE 100', '100 Trying', '200 OK', 'BYE', '200 OK']);
  assert.ok(detail.events.some((e) => e.kind === 'stats' && e.source === 'ui'), 'getStats samples journaled');
  assert.equal(detail.diagnosis.rule, 'local_hangup');
  assert.equal(detail.diagnosis.outcome, 'ok');
  const timeline = await page.textContent('[data-testid="timeline"]');
  assert.match(timeline, /active/);
});

test('102 answers with silence: packets arrive, no audio energy', async () => {
  const callId = await dial('102');
  await waitForState('active');
  // Listen for a few seconds, as a person would before deciding it is silent.
  const counters = await waitFor('inbound packets', async () => {
    const c = await rtpCounters(page);
    return c && c.packetsReceived > 175 ? c : null;
  });
  assert.ok(counters.totalAudioEnergy < 1e-6, `silence, got energy ${counters.totalAudioEnergy}`);
  await page.keyboard.press('Escape');
  await waitForState('ended');
  const detail = await endedCall(callId);
  assert.deepEqual(states(detail), ['dialing', 'trying', 'active', 'ended']);
  assert.equal(detail.call.ended_by, 'local');
  // The user hung up, but the call's story is the silence.
  assert.equal(detail.diagnosis.rule, 'one_way_audio');
  assert.match(detail.diagnosis.summary, /silence/);
});

test('103 is rejected before answer with 603 and Q.850 21', async () => {
  const callId = await dial('103');
  await waitForState('ended');
  const detail = await endedCall(callId);
  assert.deepEqual(states(detail), ['dialing', 'trying', 'ended']);
  assert.equal(detail.call.ended_by, 'remote');
  assert.equal(detail.call.failure.sip_status, 603);
  assert.equal(detail.call.failure.q850_cause, 21);
  assert.match(await page.textContent('[data-testid="end-reason"]'), /603 Decline · Q.850 21/);
  assert.equal(detail.diagnosis.rule, 'sip_final_response');
  await page.waitForSelector('[data-testid="diagnosis-summary"]');
  assert.match(await page.textContent('[data-testid="diagnosis-summary"]'), /603 Decline/);
  const row = page.locator(`[data-testid="history-row"][data-call-id="${callId}"] [data-testid="history-reason"]`);
  await row.waitFor();
  assert.match(await row.textContent(), /603 Decline \(Q\.850 21/);
});

test('an unknown number gets 404', async () => {
  const callId = await dial('5550100');
  await waitForState('ended');
  const detail = await endedCall(callId);
  assert.equal(detail.call.failure.sip_status, 404);
  assert.equal(detail.call.failure.q850_cause, 1);
});

test('101 rings, is never answered, and ends by itself with 480', async () => {
  const callId = await dial('101');
  await waitForState('ringing');
  await waitForState('ended', 25000);
  const detail = await endedCall(callId);
  assert.deepEqual(states(detail), ['dialing', 'trying', 'ringing', 'ended']);
  assert.equal(detail.call.ended_by, 'remote');
  assert.equal(detail.call.failure.sip_status, 480);
  assert.equal(detail.call.failure.q850_cause, 19);
  assert.ok(detail.call.timings.total_ms > 14000 && detail.call.timings.total_ms < 20000, `${detail.call.timings.total_ms}`);
  assert.match(detail.diagnosis.explanation, /nobody answered/);
});

test('a ringing call hung up with Escape is recorded as a local cancel', async () => {
  const callId = await dial('101');
  await waitForState('ringing');
  await page.keyboard.press('Escape');
  await waitForState('ended');
  const detail = await endedCall(callId);
  assert.equal(detail.call.ended_by, 'local');
  const signals = detail.events.filter((e) => e.kind === 'signal').map((e) => e.payload.summary);
  assert.ok(signals.includes('CANCEL'), signals.join(', '));
  assert.equal(detail.diagnosis.rule, 'local_hangup');
  assert.equal(detail.diagnosis.summary, 'You hung up while it rang');
});

test('105 answers but media never connects: the call ends with an ICE failure', async () => {
  const callId = await dial('105');
  await waitForState('active');
  await waitForState('ended', 25000);
  const detail = await endedCall(callId);
  assert.equal(detail.call.ended_by, 'error');
  assert.match(detail.call.failure.message, /media/i);
  assert.equal(detail.call.timings.to_media_ms, undefined, 'media never connected');
  assert.equal(detail.diagnosis.rule, 'media_never_connected');
});

test('the page logged no errors of its own', () => {
  assert.deepEqual(problems.filter((p) => !/favicon/.test(p)), []);
});
