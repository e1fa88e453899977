// One Callscope in browser mode, in its own home, open in a Chromium page and driven through its
// UI like a support engineer would: the part every provider suite (sip, telnyx, twilio) shares.
// Each suite's harness adds how its accounts are made (through the CLI, against its lab).

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { journalCall, ROOT, startServe, waitFor } from './app.mjs';

export class PageApp {
  home;
  serve;
  page;
  context;
  problems = [];
  /** Console lines of the page (the SDKs log there), for failures. */
  console = [];
  /** Requests the page made to anything but Callscope itself. */
  requests = [];

  /**
   * Serve Callscope from `home` and open it in a new context of `browser`.
   * `expectedConsoleError(text)` says which console errors are a scenario's own (an SDK logging
   * the failure it handles) rather than a problem.
   */
  async open({ browser, home, expectedConsoleError = () => false }) {
    this.home = home;
    this.serve = await startServe(home);
    this.context = await browser.newContext();
    this.page = await this.context.newPage();
    this.page.on('pageerror', (e) => this.problems.push(`pageerror: ${e.message}`));
    this.page.on('console', (m) => {
      this.console.push(`${m.type()}: ${m.text()}`);
      if (this.console.length > 400) this.console.shift();
      if (m.type() === 'error' && !expectedConsoleError(m.text())) this.problems.push(`console: ${m.text()}`);
    });
    this.page.on('request', (r) => {
      if (!r.url().startsWith(this.serve?.address ?? '\0')) this.requests.push(`${r.method()} ${r.url().split('?')[0]}`);
    });
    await this.page.goto(this.serve.url);
    await this.page.waitForSelector('body[data-ready="true"]', { timeout: 15000 });
    return this;
  }

  /** Save the whole page under tests/e2e/.artifacts/<suite>/<name>.png; returns the path. */
  async screenshot(suite, name) {
    const dir = join(ROOT, 'tests/e2e/.artifacts', suite);
    mkdirSync(dir, { recursive: true });
    const path = join(dir, `${name}.png`);
    await this.page.screenshot({ path, fullPage: true });
    return path;
  }

  async stop() {
    await this.context?.close().catch(() => undefined);
    await this.serve?.stop();
    this.context = null;
    this.serve = null;
  }

  /** Select an account's line; wait for its registration (or login) to reach `state` (registered or failed). */
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

  /**
   * The call's journal record (through `callscope calls show --json`) once it has ended and the
   * history's one-line reason is kept (the backend stores it just after the `ended` state).
   */
  endedCall(callId, timeoutMs = 15000) {
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

  /**
   * Wait until the page's call has received and sent audio (and heard something, unless
   * `energy: false`), counting from the `since` reading if given.
   */
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

  /**
   * App-level journal events (no call: registration or login traffic, token refreshes, rejected
   * incoming calls). Neither `callscope calls` nor the API shows them, so this reads the SQLite
   * journal (read-only, WAL) with the sqlite3 command (Debian's coturn, a lab package, depends on it).
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
