// The Twilio suite's shared pieces: one lab (`callscope-lab twilio`) and one Chromium for the whole
// suite (twilio.test.mjs starts them), and one Callscope in browser mode per group of tests, each
// in its own home with the lab's account added through the CLI (so the Access Token is minted by
// the backend with the API key secret from the keychain, as in production), driven through its UI.

import { isolatedHome } from '../../lib/app.mjs';
import { PageApp } from '../../lib/page-app.mjs';
import { launchChromium, toneWav } from '../../lib/browser.mjs';
import { addTwilioAccount, startTwilioLab } from '../../lib/twilio-lab.mjs';

export { states, stateEvents } from '../../lib/app.mjs';

/** The suite's lab and browser, filled in by `startSuite()`. */
export const suite = { lab: null, browser: null, wav: null, apps: [] };

/** Seconds an answered call may go without media before the gateway ends it with 53405 (8 in the lab's default). */
export const MEDIA_TIMEOUT_S = 6;

export async function startSuite() {
  suite.lab = await startTwilioLab({ mediaTimeoutS: MEDIA_TIMEOUT_S });
  const wavHome = isolatedHome('callscope-twilio-wav');
  suite.wav = toneWav(wavHome.root);
  suite.browser = await launchChromium({ wav: suite.wav, extraArgs: suite.lab.chromiumArgs });
}

export async function stopSuite() {
  for (const app of suite.apps.reverse()) await app.stop();
  await suite.browser?.close();
  await suite.lab?.stop();
}

/** One Callscope (browser mode) in a fresh home with the lab's Twilio account(s), open in a page. */
export class App extends PageApp {
  static async start(label, { accounts = [{ name: 'lab' }] } = {}) {
    const app = new App();
    suite.apps.push(app);
    const home = isolatedHome(`callscope-twilio-${label}`);
    for (const account of accounts) await addTwilioAccount(home, suite.lab, account);
    // The SDK logs every error it handles ("[TwilioVoice][Call] Received an error from the
    // gateway: BusyHere ..."); those are the scenarios' failures, journaled by the product.
    return app.open({ browser: suite.browser, home, expectedConsoleError: (text) => text.startsWith('[TwilioVoice]') });
  }
}

/** The call's PStream messages, in journal order: `sent invite`, `received ringing`, ... */
export function ladder(detail) {
  return detail.events.filter((e) => e.kind === 'signal').map((e) => `${e.payload.direction} ${e.payload.summary}`);
}

export function signals(detail) {
  return detail.events.filter((e) => e.kind === 'signal').map((e) => e.payload);
}

/** The TwilioErrors recorded for the call (`error` events from the SDK), in order. */
export function twilioErrors(detail) {
  return detail.events.filter((e) => e.kind === 'error' && /^twilio\./.test(e.payload.source ?? '')).map((e) => e.payload);
}

/** The call's `warning` events from the SDK (warnings, warning-cleared, reconnecting). */
export function twilioWarnings(detail) {
  return detail.events.filter((e) => e.kind === 'warning' && e.payload.source === 'twilio.call').map((e) => e.payload);
}

/** The failure an ended call carries: provider code and who ended it. */
export function endOf(detail) {
  return { by: detail.call.ended_by, provider_code: detail.call.failure?.provider_code };
}
