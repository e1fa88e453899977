// The Telnyx suite's shared pieces: one lab (`callscope-lab telnyx`) and one Chromium for the whole
// suite (telnyx.test.mjs starts them), and one Callscope in browser mode per group of tests, each
// in its own home with the lab's account added through the CLI (so the login token is minted by
// the backend from the REST fake, as in production), driven through its UI.

import { isolatedHome, stateEvents } from '../../lib/app.mjs';
import { PageApp } from '../../lib/page-app.mjs';
import { launchChromium, toneWav } from '../../lib/browser.mjs';
import { addTelnyxAccount, startTelnyxLab } from '../../lib/telnyx-lab.mjs';

export { states, stateEvents } from '../../lib/app.mjs';

/** The suite's lab and browser, filled in by `startSuite()`. */
export const suite = { lab: null, browser: null, wav: null, apps: [] };

/** Seconds the emulator keeps a dropped client's calls for it to re-attach. */
export const REATTACH_WINDOW_S = 10;
/** Seconds between the emulator's keepalive pings to an idle client (30 in production). */
export const PING_INTERVAL_S = 5;

export async function startSuite() {
  suite.lab = await startTelnyxLab({ reattachWindowS: REATTACH_WINDOW_S, pingIntervalS: PING_INTERVAL_S });
  const wavHome = isolatedHome('callscope-telnyx-wav');
  suite.wav = toneWav(wavHome.root);
  suite.browser = await launchChromium({ wav: suite.wav, extraArgs: suite.lab.chromiumArgs });
}

export async function stopSuite() {
  for (const app of suite.apps.reverse()) await app.stop();
  await suite.browser?.close();
  await suite.lab?.stop();
}

/** One Callscope (browser mode) in a fresh home with the lab's Telnyx account, open in a page. */
export class App extends PageApp {
  static async start(label, { accounts = [{ name: 'lab' }] } = {}) {
    const app = new App();
    suite.apps.push(app);
    const home = isolatedHome(`callscope-telnyx-${label}`);
    for (const account of accounts) await addTelnyxAccount(home, suite.lab, account);
    return app.open({ browser: suite.browser, home });
  }
}

/**
 * The SDK states the call went through, as the journal kept them: the `sdk_states` of the last
 * state event that has them (the end record's raw event, or our hang-up's confirmation).
 */
export function sdkStates(detail) {
  const ended = stateEvents(detail).find((e) => e.payload.state === 'ended');
  const raw = ended?.payload.raw ?? {};
  return raw.sdk_states ?? raw.hangup?.sdk_states ?? [];
}

/** The call's Verto frames, in journal order: `sent telnyx_rtc.invite`, `received result telnyx_rtc.invite`, ... */
export function ladder(detail) {
  return detail.events.filter((e) => e.kind === 'signal').map((e) => `${e.payload.direction} ${e.payload.summary}`);
}

export function signals(detail) {
  return detail.events.filter((e) => e.kind === 'signal').map((e) => e.payload);
}

/** The journal's events of one kind with `source` in their payload (`telnyx.error`, `telnyx.warning`). */
export function sdkEvents(detail, kind) {
  return detail.events.filter((e) => e.kind === kind && e.payload.source === `telnyx.${kind}`).map((e) => e.payload);
}

/** The failure an ended call carries, without message (compared field by field). */
export function causeOf(detail) {
  const { provider_code, q850_cause, sip_status, sip_reason } = detail.call.failure ?? {};
  return { provider_code, q850_cause, sip_status, sip_reason };
}

/** The lab's expected hangup as the failure record keeps it. */
export function expectedCause(hangup) {
  if (!hangup) return { provider_code: undefined, q850_cause: undefined, sip_status: undefined, sip_reason: undefined };
  return {
    provider_code: hangup.cause,
    q850_cause: hangup.causeCode,
    sip_status: hangup.sipCode ?? undefined,
    sip_reason: hangup.sipReason ?? undefined,
  };
}
