// The SIP suite's shared pieces: one lab and one Chromium for the whole suite (sip.test.mjs starts
// them), and one Callscope in browser mode per group of tests, each in its own home with its own
// accounts, driven through its UI like a support engineer would.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { isolatedHome, startServe, journalCall, waitFor } from '../../lib/app.mjs';
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

/**
 * Make the page's peer connections relay-only (`iceTransportPolicy: 'relay'`), as on a network
 * where only the TURN server gets through. A test-side stand-in: a SIP account has no setting
 * that asks Callscope for it (the app passes the account's ICE servers and nothing else).
 */
export const FORCE_RELAY = () => {
  const Native = window.RTCPeerConnection;
  class RelayOnly extends Native {
    constructor(config = {}, ...rest) {
      super({ ...config, iceTransportPolicy: 'relay' }, ...rest);
    }
  }
  window.RTCPeerConnection = RelayOnly;
};

/** One Callscope (browser mode) in a fresh home, its accounts added through the CLI, open in a page. */
export class App {
  home;
  serve;
  page;
  context;
  problems = [];

  /**
   * `accounts`: `[{name, user?, password?, transport?, turn?, dtmf?}]` (see addLabAccount);
   * `initScript`: a function run in the page before the app (e.g. FORCE_RELAY).
   */
  static async start(label, { accounts = [{ name: 'lab' }], initScript = null } = {}) {
    const app = new App();
    suite.apps.push(app);
    app.home = isolatedHome(`callscope-sip-${label}`);
    for (const account of accounts) await addLabAccount(app.home, suite.lab, account);
    app.serve = await startServe(app.home);
    app.context = await suite.browser.newContext();
    if (initScript) await app.context.addInitScript(initScript);
    app.page = await app.context.newPage();
    app.page.on('pageerror', (e) => app.problems.push(`pageerror: ${e.message}`));
    app.page.on('console', (m) => { if (m.type() === 'error') app.problems.push(`console: ${m.text()}`); });
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

  /** Select an account's line; wait for its registration to reach `state` (registered or failed). */
  async selectLine(account, state = 'registered', timeoutMs = 10000) {
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

  state() {
    return this.page.evaluate(() => window.callscopeDebug.state());
  }

  /**
   * Wait for the call state the page shows (polled every 25 ms, not per animation frame: pages
   * that are not in front get few frames). A state shown for less than that may be missed; the
   * journal has every state.
   */
  async waitForState(state, timeoutMs = 10000) {
    await this.page.waitForFunction(
      (s) => document.querySelector('[data-testid="call-state"]')?.textContent?.trim() === s,
      state,
      { timeout: timeoutMs, polling: 25 },
    );
  }

  /**
   * The call's journal record once it has ended and the history's one-line reason is kept (the
   * backend stores it just after the `ended` state).
   */
  endedCall(callId, timeoutMs = 10000) {
    return waitFor(`call ${callId} to end in the journal, with its reason`, async () => {
      const detail = await journalCall(this.home, callId);
      return detail.call.state === 'ended' && detail.call.reason ? detail : null;
    }, { timeoutMs, intervalMs: 150 });
  }

  /** The call's journal record once `check(detail)` holds. */
  journalUntil(callId, what, check, timeoutMs = 10000) {
    return waitFor(what, async () => {
      const detail = await journalCall(this.home, callId);
      return check(detail) ? detail : null;
    }, { timeoutMs, intervalMs: 150 });
  }

  /** RTP counters and the selected pair of the current call's peer connection, in the page. */
  media() {
    return this.page.evaluate(async () => {
      const pc = window.callscopeDebug?.peerConnection();
      if (!pc) return null;
      const out = { packetsReceived: 0, packetsSent: 0, totalAudioEnergy: 0, local: null, remote: null, connectionState: pc.connectionState };
      const stats = await pc.getStats();
      const byId = new Map();
      stats.forEach((s) => byId.set(s.id, s));
      stats.forEach((s) => {
        if (s.type === 'inbound-rtp' && s.kind === 'audio') {
          out.packetsReceived = s.packetsReceived ?? 0;
          out.totalAudioEnergy = s.totalAudioEnergy ?? 0;
        }
        if (s.type === 'outbound-rtp' && s.kind === 'audio') out.packetsSent = s.packetsSent ?? 0;
        if (s.type === 'transport' && s.selectedCandidatePairId) {
          const pair = byId.get(s.selectedCandidatePairId);
          const pick = (c) => c && { candidateType: c.candidateType, protocol: c.protocol, relayProtocol: c.relayProtocol ?? null, address: c.address, port: c.port, url: c.url ?? null };
          out.local = pick(byId.get(pair?.localCandidateId));
          out.remote = pick(byId.get(pair?.remoteCandidateId));
        }
      });
      return out;
    });
  }

  /** Wait until the page's call has received and sent audio (and heard something, unless `energy: false`). */
  audioFlowing({ minPackets = 25, energy = true, since = null, timeoutMs = 10000 } = {}) {
    return waitFor('audio both ways', async () => {
      const m = await this.media();
      if (!m) return null;
      const received = m.packetsReceived - (since?.packetsReceived ?? 0);
      const sent = m.packetsSent - (since?.packetsSent ?? 0);
      const heard = m.totalAudioEnergy - (since?.totalAudioEnergy ?? 0);
      return received >= minPackets && sent >= minPackets && (!energy || heard > 0) ? m : null;
    }, { timeoutMs, intervalMs: 100 });
  }

  /** After a test: hang up a call a failed assertion left behind, so the next test can dial. */
  async endCall() {
    const state = await this.page.evaluate(() => window.callscopeDebug?.state() ?? 'idle').catch(() => 'idle');
    if (state === 'idle' || state === 'ended') return;
    await this.page.click('[data-testid="hangup-button"]').catch(() => undefined);
    await this.waitForState('ended', 5000).catch(() => undefined);
  }

  async hangup() {
    await this.page.click('[data-testid="hangup-button"]');
  }

  /**
   * App-level journal events (no call: REGISTER traffic, registration failures, rejected incoming
   * calls). Neither `callscope calls` nor the API shows them, so this reads the SQLite journal
   * (read-only, WAL) with the sqlite3 command (Debian's coturn, a lab package, depends on it).
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
