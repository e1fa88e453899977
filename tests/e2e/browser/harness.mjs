// The browser suites' one harness, parameterised by provider: one lab (the provider's) and one
// Chromium for a whole suite (its entry file calls `providerSuite('sip')`), and one Callscope in
// browser mode per group of tests, each in its own home with its accounts added through the CLI
// (so credentials are minted by the backend, as in production), driven through its UI like a
// support engineer would. Each suite runs in a process of its own, so one `suite` serves it.

import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { isolatedHome } from '../lib/app.mjs';
import { launchChromium, toneWav } from '../lib/browser.mjs';
import { PageApp } from '../lib/page-app.mjs';
import { addLabAccount, startSipLab } from '../lib/sip-lab.mjs';
import { addTelnyxAccount, startTelnyxLab } from '../lib/telnyx-lab.mjs';
import { addTwilioAccount, startTwilioLab } from '../lib/twilio-lab.mjs';

export { states, stateEvents } from '../lib/app.mjs';

/** Each provider's lab (and its settings for the suite), how Chromium reaches it, how an account is added. */
const PROVIDERS = {
  sip: {
    // The ring and silent-hop timeouts (short: the suite waits for them).
    lab: { ringTimeoutS: 3, silentHopTimeoutS: 1 },
    start: startSipLab,
    chromiumArgs: (lab) => lab.callscope.chromium_flags,
    addAccount: addLabAccount,
  },
  telnyx: {
    // How long the emulator keeps a dropped client's calls for it to re-attach; its keepalive
    // pings to an idle client (30 s in production).
    lab: { reattachWindowS: 10, pingIntervalS: 5 },
    start: startTelnyxLab,
    chromiumArgs: (lab) => lab.chromiumArgs,
    addAccount: addTelnyxAccount,
  },
  twilio: {
    // How long an answered call may go without media before the gateway ends it with 53405 (8 s by default).
    lab: { mediaTimeoutS: 6 },
    start: startTwilioLab,
    chromiumArgs: (lab) => lab.chromiumArgs,
    addAccount: addTwilioAccount,
    // The SDK logs every error it handles ("[TwilioVoice][Call] Received an error from the
    // gateway: BusyHere ..."); those are the scenarios' failures, journaled by the product.
    expectedConsoleError: (text) => text.startsWith('[TwilioVoice]'),
  },
};

/** The lab settings of each provider's suite. */
export const LAB = Object.fromEntries(Object.entries(PROVIDERS).map(([provider, { lab }]) => [provider, lab]));

/** The suite's provider, lab and browser, filled in by `providerSuite()`; the selected pairs journaled so far. */
export const suite = { provider: null, lab: null, browser: null, wav: null, apps: [], pairs: [] };

/** Start `provider`'s lab and a Chromium before the suite's tests, and stop everything after. */
export function providerSuite(provider) {
  const setup = PROVIDERS[provider];
  assert.ok(setup, `no lab for the provider ${provider}`);
  before(async () => {
    suite.provider = provider;
    suite.lab = await setup.start(setup.lab);
    suite.wav = toneWav(isolatedHome(`callscope-${provider}-wav`).root);
    suite.browser = await launchChromium({ wav: suite.wav, extraArgs: setup.chromiumArgs(suite.lab) });
  }, { timeout: 60000 });
  after(async () => {
    for (const app of suite.apps.reverse()) {
      // What each group's page showed last (its last call, ladder, history), to look at.
      await app.screenshot(`browser-${provider}`, app.label).catch((error) => console.error(`no screenshot of ${app.label}: ${error.message}`));
      await app.stop();
    }
    await suite.browser?.close();
    await suite.lab?.stop();
  }, { timeout: 60000 });
}

/** One Callscope (browser mode) in a fresh home with the suite's lab accounts, open in a page. */
export class App extends PageApp {
  label = '';

  /** `accounts`: each as the provider's lab adds it (`{name, ...}`, see lib/<provider>-lab.mjs). */
  static async start(label, { accounts = [{ name: 'lab' }] } = {}) {
    const setup = PROVIDERS[suite.provider];
    const app = new App();
    app.label = label;
    suite.apps.push(app);
    const home = isolatedHome(`callscope-${suite.provider}-${label}`);
    for (const account of accounts) await setup.addAccount(home, suite.lab, account);
    return app.open({ browser: suite.browser, home, expectedConsoleError: setup.expectedConsoleError });
  }
}

/** A call's signalling messages, in journal order, each with its `seq` and `t_ms` (and `body`, '' when none). */
export function signals(detail) {
  return detail.events
    .filter((e) => e.kind === 'signal')
    .map((e) => ({ ...e.payload, seq: e.seq, t_ms: e.t_ms, body: e.payload.body ?? '' }));
}

/**
 * One line per message, in journal order: `sent INVITE`, `received 180 Ringing`, `sent
 * telnyx_rtc.invite`, `received ringing` (SIP first lines without the version and the URI).
 */
export function ladder(detail) {
  return signals(detail).map((s) => {
    const summary = s.protocol === 'sip' ? s.summary.replace(/^SIP\/2\.0 /, '').replace(/ \S+ SIP\/2\.0$/, '') : s.summary;
    return `${s.direction} ${summary}`;
  });
}

/** The journal's events of one kind whose payload's `source` matches (`telnyx.error`, /^twilio\./). */
export function sourcedEvents(detail, kind, source) {
  const matches = (s) => (source instanceof RegExp ? source.test(s ?? '') : s === source);
  return detail.events.filter((e) => e.kind === kind && matches(e.payload.source)).map((e) => e.payload);
}

/** The journal's media events of one kind (`{pc:'connection'}`, `{pc:'selected_candidate_pair'}`…). */
export function mediaEvents(detail, pc) {
  return detail.events.filter((e) => e.kind === 'media' && e.payload.pc === pc).map((e) => e.payload);
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
