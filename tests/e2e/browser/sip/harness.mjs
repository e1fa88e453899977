// The SIP suite's shared pieces: one lab and one Chromium for the whole suite (sip.test.mjs starts
// them), and one Callscope in browser mode per group of tests, each in its own home with its own
// accounts, driven through its UI like a support engineer would.

import assert from 'node:assert/strict';
import { isolatedHome } from '../../lib/app.mjs';
import { PageApp } from '../../lib/page-app.mjs';
import { launchChromium, toneWav } from '../../lib/browser.mjs';
import { startSipLab, addLabAccount } from '../../lib/sip-lab.mjs';

/** The suite's lab and browser, filled in by `startSuite()`; the selected pairs journaled so far. */
export const suite = { lab: null, browser: null, wav: null, apps: [], pairs: [] };

/** The ring and silent-hop timeouts of the suite's lab (short: the suite waits for them). */
export const RING_TIMEOUT_S = 3;
export const SILENT_HOP_TIMEOUT_S = 1;

export async function startSuite() {
  suite.lab = await startSipLab({ ringTimeoutS: RING_TIMEOUT_S, silentHopTimeoutS: SILENT_HOP_TIMEOUT_S });
  const wavHome = isolatedHome('callscope-sip-wav');
  suite.wav = toneWav(wavHome.root);
  suite.browser = await launchChromium({ wav: suite.wav, extraArgs: suite.lab.callscope.chromium_flags });
}

export async function stopSuite() {
  for (const app of suite.apps.reverse()) await app.stop();
  await suite.browser?.close();
  await suite.lab?.stop();
}

/** One Callscope (browser mode) in a fresh home, its accounts added through the CLI, open in a page. */
export class App extends PageApp {
  /** `accounts`: `[{name, user?, password?, transport?, turn?, relayOnly?, dtmf?}]` (see addLabAccount). */
  static async start(label, { accounts = [{ name: 'lab' }] } = {}) {
    const app = new App();
    suite.apps.push(app);
    const home = isolatedHome(`callscope-sip-${label}`);
    for (const account of accounts) await addLabAccount(home, suite.lab, account);
    return app.open({ browser: suite.browser, home });
  }
}

/** A call's signalling, in journal order: `[{direction, summary, body, seq}]`. */
export function signals(detail) {
  return detail.events
    .filter((e) => e.kind === 'signal')
    .map((e) => ({ seq: e.seq, t_ms: e.t_ms, direction: e.payload.direction, summary: e.payload.summary, body: e.payload.body ?? '' }));
}

/** `sent INVITE`, `received 180 Ringing`...: one line per message, in journal order. */
export function ladder(detail) {
  return signals(detail).map((s) => `${s.direction} ${s.summary.replace(/^SIP\/2\.0 /, '').replace(/ \S+ SIP\/2\.0$/, '')}`);
}

/**
 * The selected candidate pair a connected call journaled (kept for the suite's check that none is
 * null). The journal sometimes holds `{local: null, remote: null}`: see that check in sip.test.mjs.
 */
export function selectedPair(detail, label) {
  const pairs = mediaEvents(detail, 'selected_candidate_pair');
  assert.equal(pairs.length, 1, `one selected pair journaled for ${label}`);
  suite.pairs.push({ label, pair: pairs[0] });
  return pairs[0];
}

/** The journal's media events of one kind (`{pc:'connection'}`, `{pc:'selected_candidate_pair'}`…). */
export function mediaEvents(detail, pc) {
  return detail.events.filter((e) => e.kind === 'media' && e.payload.pc === pc).map((e) => e.payload);
}
