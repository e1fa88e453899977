// The Telnyx suite's shared pieces: one lab (`callscope-lab telnyx`) and one Chromium for the whole
// suite (telnyx.test.mjs starts them), and one Callscope in browser mode per group of tests, each
// in its own home with the lab's account added through the CLI (so the login token is minted by
// the backend from the REST fake, as in production), driven through its UI.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isolatedHome, journalCall, startServe, waitFor } from '../../lib/app.mjs';
import { launchChromium, toneWav } from '../../lib/browser.mjs';
import { addTelnyxAccount, startTelnyxLab } from '../../lib/telnyx-lab.mjs';

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
export class App {
  home;
  serve;
  page;
  context;
  problems = [];
  /** Console lines of the page (the SDK logs there), for failures. */
  console = [];

  static async start(label, { accounts = [{ name: 'lab' }] } = {}) {
    const app = new App();
    suite.apps.push(app);
    app.home = isolatedHome(`callscope-telnyx-${label}`);
    for (const account of accounts) await addTelnyxAccount(app.home, suite.lab, account);
    app.serve = await startServe(app.home);
    app.context = await suite.browser.newContext();
    app.page = await app.context.newPage();
    app.page.on('pageerror', (e) => app.problems.push(`pageerror: ${e.message}`));
    app.page.on('console', (m) => {
      app.console.push(`${m.type()}: ${m.text()}`);
      if (app.console.length > 400) app.console.shift();
      if (m.type() === 'error') app.problems.push(`console: ${m.text()}`);
    });
    await app.page.goto(app.serve.url);
    await app.page.waitForSelector('body[data-ready="true"]', { timeout: 15000 });
    return app;
  }

  async stop() {
    await this.context?.close().catch(() => undefined);
    await this.serve?.stop();
    this.context = null;
    this.serve = null;
  }

  /** Select the account's line; wait for its login to reach `state` (registered = logged in, or failed). */
  async selectLine(account = 'lab', state = 'registered', timeoutMs = 15000) {
    await this.page.selectOption('[data-testid="line-select"]', `account:${account}`);
    await this.page.waitForSelector(`[data-testid="registration-state"][data-state="${state}"]`, { timeout: timeoutMs });
  }

  /** Dial through the UI; resolves with the new call's id. */
  async dial(number) {
    const before = await this.page.evaluate(() => window.callscopeDebug?.callId() ?? null);
    await this.page.fill('[data-testid="dial-input"]', number);
    await this.page.click('[data-testid="call-button"]');
    return waitFor(`a call id for ${number}`, async () => {
      const id = await this.page.evaluate(() => window.callscopeDebug?.callId() ?? null);
      return id && id !== before ? id : null;
    });
  }

  /** Wait for the call state the page shows. */
  async waitForState(state, timeoutMs = 10000) {
    await this.page.waitForFunction(
      (s) => document.querySelector('[data-testid="call-state"]')?.textContent?.trim() === s,
      state,
      { timeout: timeoutMs },
    );
  }

  async hangup() {
    await this.page.click('[data-testid="hangup-button"]');
  }

  /** After a test: hang up a call a failed assertion left behind, so the next test can dial. */
  async endCall() {
    const state = await this.page.evaluate(() => window.callscopeDebug?.state() ?? 'idle').catch(() => 'idle');
    if (state === 'idle' || state === 'ended') return;
    await this.page.click('[data-testid="hangup-button"]').catch(() => undefined);
    await this.waitForState('ended', 8000).catch(() => undefined);
  }

  /** The call's journal record (through `callscope calls show --json`) once it has ended. */
  endedCall(callId, timeoutMs = 15000) {
    return waitFor(`call ${callId} to end in the journal`, async () => {
      const detail = await journalCall(this.home, callId);
      return detail.call.state === 'ended' ? detail : null;
    }, { timeoutMs, intervalMs: 150 });
  }

  /** The call's journal record once `check(detail)` holds. */
  journalUntil(callId, what, check, timeoutMs = 10000) {
    return waitFor(what, async () => {
      const detail = await journalCall(this.home, callId);
      return check(detail) ? detail : null;
    }, { timeoutMs, intervalMs: 150 });
  }

  /** RTP counters of the current call's peer connection, in the page. */
  media() {
    return this.page.evaluate(async () => {
      const pc = window.callscopeDebug?.peerConnection();
      if (!pc) return null;
      const out = { packetsReceived: 0, packetsSent: 0, totalAudioEnergy: 0, connectionState: pc.connectionState };
      (await pc.getStats()).forEach((s) => {
        if (s.type === 'inbound-rtp' && s.kind === 'audio') {
          out.packetsReceived = s.packetsReceived ?? 0;
          out.totalAudioEnergy = s.totalAudioEnergy ?? 0;
        }
        if (s.type === 'outbound-rtp' && s.kind === 'audio') out.packetsSent = s.packetsSent ?? 0;
      });
      return out;
    });
  }

  /** Wait until the page's call has received and sent audio (and heard something, unless `energy: false`). */
  audioFlowing({ minPackets = 25, energy = true, timeoutMs = 10000 } = {}) {
    return waitFor('audio both ways', async () => {
      const m = await this.media();
      if (!m) return null;
      return m.packetsReceived >= minPackets && m.packetsSent >= minPackets && (!energy || m.totalAudioEnergy > 0) ? m : null;
    }, { timeoutMs, intervalMs: 100 });
  }

  /**
   * App-level journal events (no call: login traffic, pings, rejected incoming calls). Neither
   * `callscope calls` nor the API shows them, so this reads the SQLite journal (read-only, WAL)
   * with the sqlite3 command.
   */
  async appEvents() {
    const db = join(this.home.env.XDG_DATA_HOME, 'callscope', 'journal.sqlite3');
    assert.ok(existsSync(db), `no journal at ${db}`);
    const sql = 'SELECT seq, t_ms, source, kind, payload FROM events WHERE call_id IS NULL ORDER BY id';
    const out = await new Promise((resolve, reject) => {
      execFile('sqlite3', ['-readonly', '-json', db, sql], (error, stdout, stderr) => {
        if (error) reject(new Error(`sqlite3 (needed to read app-level journal events): ${error.message} ${stderr}`));
        else resolve(stdout);
      });
    });
    return (out.trim() ? JSON.parse(out) : []).map((e) => ({ ...e, payload: JSON.parse(e.payload) }));
  }

  /** The raw journal files, to look for what must never be stored. */
  journalBytes() {
    return ['journal.sqlite3', 'journal.sqlite3-wal']
      .map((f) => join(this.home.env.XDG_DATA_HOME, 'callscope', f))
      .filter(existsSync)
      .map((f) => readFileSync(f).toString('latin1'))
      .join('');
  }
}

/** The call-model states a journaled call went through, in order. */
export function states(detail) {
  return stateEvents(detail).map((e) => e.payload.state);
}

export function stateEvents(detail) {
  return detail.events.filter((e) => e.kind === 'state');
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
