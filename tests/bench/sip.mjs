// SIP call set-up through the real SIP lab, Callscope against a reference SIP phone: the time
// from pressing Call to 180 Ringing and to the answered call, for Callscope (browser mode in
// Chromium, JsSIP, WebRTC through rtpengine) and for baresip (plain SIP/RTP, dialling the same
// number through the same Kamailio from its control port), alternating, in one run. Callscope
// runs three times: with no ICE servers, with the lab's TURN server (reachable, on loopback), and
// with a STUN server that never answers (a UDP port that drops every request, as a firewall
// would); baresip keeps its plain SIP/RTP set-up throughout, the reference for what the network
// itself costs.
// Prints figures; asserts nothing. Run through scripts/bench (or scripts/with-keyring node
// tests/bench/sip.mjs: the SIP account's password goes to the OS keychain).

import { createSocket } from 'node:dgram';
import { BIN, isolatedHome, startServe, journalCall, waitFor } from '../e2e/lib/app.mjs';
import { launchChromium, openApp, toneWav } from '../e2e/lib/browser.mjs';
import { startSipLab, addLabAccount, BaresipControl } from '../e2e/lib/sip-lab.mjs';

const RUNS = Math.max(10, Number(process.env.BENCH_SIP_RUNS ?? process.env.BENCH_RUNS ?? 10));
/** Calls that wait for a dead STUN server can take many seconds each: fewer of them. */
const SLOW_RUNS = Number(process.env.BENCH_SIP_SLOW_RUNS ?? 3);
/** Answered at once by baresip (180 then 200): the same far end for both callers. */
const NUMBER = 'tone';

const sorted = (xs) => [...xs].sort((a, b) => a - b);
const median = (xs) => {
  const s = sorted(xs);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const fmt = (x) => (x === undefined || Number.isNaN(x) ? '   –  ' : `${x.toFixed(0).padStart(5)} ms`);
const row = (label, xs) =>
  console.log(`  ${label.padEnd(60)} median ${fmt(median(xs))}   min ${fmt(Math.min(...xs))}   max ${fmt(Math.max(...xs))}`);

/** One call from the app: click → ringing and → active as the page shows them; the journal's view. */
async function appCall(page, home, timeoutMs) {
  await page.fill('[data-testid="dial-input"]', NUMBER);
  const shown = await page.evaluate((timeoutMs) => new Promise((resolve, reject) => {
    const state = () => document.querySelector('[data-testid="call-state"]')?.textContent?.trim();
    const times = {};
    const timer = setTimeout(() => { observer.disconnect(); reject(new Error(`no active call in ${timeoutMs} ms (${state()})`)); }, timeoutMs);
    const observer = new MutationObserver(() => {
      const now = performance.now();
      const s = state();
      if (s === 'ringing' && times.ringing === undefined) times.ringing = now - start;
      if (s === 'active') {
        times.active = now - start;
        clearTimeout(timer);
        observer.disconnect();
        resolve(times);
      }
      if (s === 'ended') { clearTimeout(timer); observer.disconnect(); reject(new Error('the call ended before it was answered')); }
    });
    observer.observe(document.body, { subtree: true, childList: true, characterData: true });
    const start = performance.now();
    document.querySelector('[data-testid="call-button"]').click();
  }), timeoutMs);
  const callId = await page.evaluate(() => window.callscopeDebug.callId());
  await page.click('[data-testid="hangup-button"]');
  const detail = await waitFor('the call to end in the journal', async () => {
    const d = await journalCall(home, callId);
    return d.call.state === 'ended' ? d : null;
  }, { intervalMs: 50 });
  const at = (pred) => detail.events.find(pred)?.t_ms;
  return {
    pageRinging: shown.ringing,
    pageActive: shown.active,
    // From the call's record (created when Call is pressed).
    journalMicrophone: at((e) => e.kind === 'media' && e.payload.media === 'microphone'),
    journalGathered: at((e) => e.kind === 'media' && e.payload.pc === 'ice_gathering' && e.payload.ice_gathering_state === 'complete'),
    journalInvite: at((e) => e.kind === 'signal' && e.payload.direction === 'sent' && e.payload.summary.startsWith('INVITE ')),
    journal180: at((e) => e.kind === 'signal' && e.payload.summary.startsWith('SIP/2.0 180')),
    journalActive: at((e) => e.kind === 'state' && e.payload.state === 'active'),
    // The backend's own timings count from the dialing state (the INVITE leaving).
    toRing: detail.call.timings.to_ring_ms,
    toAnswer: detail.call.timings.to_answer_ms,
    timings: detail.call.timings,
  };
}

/** One call from baresip: `dial` → CALL_RINGING and → CALL_ESTABLISHED, as its control port reports them. */
async function baresipCall(control, domain) {
  const start = performance.now();
  const response = await control.command('dial', `sip:${NUMBER}@${domain}`);
  if (!response.ok) throw new Error(`baresip refused to dial: ${response.data}`);
  const ringing = await control.waitEvent('CALL_RINGING', { since: start });
  const established = await control.waitEvent('CALL_ESTABLISHED', { since: start });
  const hungUp = performance.now();
  await control.command('hangup');
  await control.waitEvent('CALL_CLOSED', { since: hungUp });
  return { ringing: ringing.at - start, active: established.at - start };
}

/** A UDP port that takes STUN requests and never answers: a STUN server behind a dropping firewall. */
function silentStunServer() {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.on('message', () => {});
    socket.bind(0, '127.0.0.1', () => resolve({ url: `stun:127.0.0.1:${socket.address().port}`, close: () => socket.close() }));
  });
}

const pick = (xs, key) => xs.map((x) => x[key]).filter((x) => x !== undefined);

/** Alternate `runs` calls from Callscope's line `account` and from baresip; print both. */
async function compare(setup, { page, home, control, domain }) {
  await page.selectOption('[data-testid="line-select"]', `account:${setup.account}`);
  await page.waitForSelector('[data-testid="registration-state"][data-state="registered"]', { timeout: 10000 });
  // One warm-up call each (first JsSIP call, first rtpengine session), not counted.
  await appCall(page, home, setup.timeoutMs);
  await baresipCall(control, domain);
  const app = [];
  const baresip = [];
  for (let i = 0; i < setup.runs; i++) {
    app.push(await appCall(page, home, setup.timeoutMs));
    baresip.push(await baresipCall(control, domain));
  }

  console.log(`\n-- ${setup.label}: ${setup.runs} calls each, alternating`);
  console.log('Callscope: Chromium, browser mode, JsSIP over wss://, WebRTC (ICE + DTLS-SRTP) through rtpengine');
  row('page: Call pressed → "ringing" shown (180)', pick(app, 'pageRinging'));
  row('page: Call pressed → "active" shown (200 OK)', pick(app, 'pageActive'));
  row('journal: call created → microphone open', pick(app, 'journalMicrophone'));
  row('journal: call created → ICE gathering complete', pick(app, 'journalGathered'));
  row('journal: call created → INVITE sent', pick(app, 'journalInvite'));
  row('journal: call created → 180 Ringing received', pick(app, 'journal180'));
  row('journal: call created → active', pick(app, 'journalActive'));
  row('journal timings: dialing → ringing (to_ring_ms)', pick(app, 'toRing'));
  row('journal timings: dialing → active (to_answer_ms)', pick(app, 'toAnswer'));
  console.log('baresip 1.0: plain SIP over UDP, RTP, no ICE servers, the same Kamailio (407 challenge included) and far end');
  row('control port: dial → CALL_RINGING (180)', pick(baresip, 'ringing'));
  row('control port: dial → CALL_ESTABLISHED (200 OK)', pick(baresip, 'active'));
  const overhead = median(pick(app, 'pageRinging')) - median(pick(baresip, 'ringing'));
  const verdict = setup.targetMs === undefined ? '' : `   (target under ${setup.targetMs} ms: ${overhead < setup.targetMs ? 'met' : 'NOT met'})`;
  console.log(`  Callscope's overhead to 180 Ringing over baresip, medians: ${fmt(overhead)}${verdict}`);
  console.log(`  of Callscope's time to 180, before the INVITE leaves (microphone, ICE): median ${fmt(median(pick(app, 'journalInvite')))}`);
  const inverted = app.filter(({ timings: t }) => t.to_ring_ms < t.to_trying_ms || t.to_answer_ms < t.to_ring_ms);
  if (inverted.length) {
    const t = inverted[0].timings;
    console.log(`  note: ${inverted.length} of ${app.length} journaled calls have timings out of order, e.g. to_trying ${fmt(t.to_trying_ms)}, to_ring ${fmt(t.to_ring_ms)}, to_answer ${fmt(t.to_answer_ms)}`);
  }
}

const lab = await startSipLab();
const home = isolatedHome('callscope-bench-sip');
const deadStun = await silentStunServer();
let serve;
let browser;
let control;
try {
  const turn = { urls: [lab.turn.udp], username: lab.turn.good.username, credential: lab.turn.good.credential };
  const setups = [
    { account: 'plain', label: 'No ICE servers', options: {}, runs: RUNS, timeoutMs: 10000 },
    { account: 'turn', label: `TURN server on loopback (${lab.turn.udp})`, options: { turn }, runs: RUNS, timeoutMs: 10000, targetMs: 60 },
    { account: 'deadstun', label: `STUN server that never answers (${deadStun.url})`, options: { stun: [deadStun.url] }, runs: SLOW_RUNS, timeoutMs: 60000, targetMs: 1000 },
  ];
  for (const setup of setups) await addLabAccount(home, lab, { name: setup.account, transport: 'wss', ...setup.options });
  serve = await startServe(home);
  browser = await launchChromium({ wav: toneWav(home.root), extraArgs: lab.callscope.chromium_flags });
  const { page } = await openApp(browser, serve.url);
  // The ringer far end never answers calls of its own, so it is free to be the reference caller.
  control = await BaresipControl.connect(lab.farEnd('ringer').control);

  console.log('\n== SIP calls through the lab: Callscope against baresip');
  console.log(`Call set-up to "${NUMBER}" (Kamailio + rtpengine + baresip) (${BIN})`);
  for (const setup of setups) await compare(setup, { page, home, control, domain: lab.domain });
} finally {
  control?.close();
  deadStun.close();
  await browser?.close();
  await serve?.stop();
  await lab.stop();
}
