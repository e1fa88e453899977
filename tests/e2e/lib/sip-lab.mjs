// The SIP lab (Kamailio, rtpengine, baresip, coturn) as a child process, and baresip's control
// port. `callscope-lab sip --json` prints one JSON line describing the run (tests/lab/sip/README.md)
// and stops every daemon on SIGTERM; the lab is started and stopped by PID, never by name.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { stopProcess, cliWithInput } from './app.mjs';
import { LAB_BIN } from './lab.mjs';

/**
 * Start the SIP lab; resolves with its description (`ws`, `wss`, users, far ends, dial plan, TURN…)
 * plus `proc`, `stop()`, `number(n)`, `farEnd(name)` and `log(name)`.
 */
export async function startSipLab({ ringTimeoutS = 3, silentHopTimeoutS = 1, timeoutMs = 30000 } = {}) {
  const args = ['sip', '--json', '--ring-timeout', String(ringTimeoutS), '--silent-hop-timeout', String(silentHopTimeoutS)];
  const proc = spawn(LAB_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const info = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`callscope-lab sip printed nothing in ${timeoutMs} ms\n${stderr}`)), timeoutMs);
    proc.stdout.on('data', (d) => {
      stdout += d;
      const newline = stdout.indexOf('\n');
      if (newline >= 0 && stdout.startsWith('{')) {
        clearTimeout(timer);
        resolve(JSON.parse(stdout.slice(0, newline)));
      }
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`callscope-lab sip exited with ${code}\n${stdout}\n${stderr}`)); });
  });
  return {
    ...info,
    proc,
    stop: () => stopProcess(proc, 10000),
    /** The dial-plan entry of a number (status, reason, reason_header, q850_cause, after_ms…). */
    number(n) {
      const entry = info.dial_plan.find((e) => e.number === n);
      if (!entry) throw new Error(`the lab's dial plan has no ${n}`);
      return entry;
    },
    farEnd(name) {
      const far = info.far_ends.find((f) => f.name === name);
      if (!far) throw new Error(`the lab has no far end ${name}`);
      return far;
    },
    /** A daemon's log so far (`kamailio`, `rtpengine`, `coturn`, `baresip-tone`…), for failure messages. */
    log(name) {
      const p = info.processes.find((x) => x.name === name);
      try { return p ? readFileSync(p.log, 'utf8') : ''; } catch { return ''; }
    },
  };
}

/**
 * Add the lab as a SIP account in Callscope through the CLI (passwords on stdin, to the keychain).
 * `turn`: `{ urls: [...], username, credential }` or null; `stun`: STUN server URLs (no credentials).
 */
export async function addLabAccount(home, lab, { name = 'lab', user = 'alice', password, transport = 'wss', turn = null, stun = [], relayOnly = false, dtmf = null } = {}) {
  const who = lab.users.find((u) => u.user === user);
  const args = ['accounts', 'add', 'sip', name, '--wss-uri', lab.signalling[transport], '--sip-uri', who.uri];
  let input = `${password ?? who.password}\n`;
  for (const url of stun) args.push('--ice-server', url);
  if (turn) {
    for (const url of turn.urls) args.push('--ice-server', url);
    args.push('--turn-user', turn.username);
    input += `${turn.credential}\n`;
  }
  if (relayOnly) args.push('--relay-only', 'true');
  if (dtmf) args.push('--dtmf', dtmf);
  const result = await cliWithInput(home, args, input);
  if (result.code !== 0) throw new Error(`accounts add sip ${name}: ${result.stderr}`);
  return name;
}

/**
 * A connection to a baresip far end's `ctrl_tcp` port: netstring JSON both ways. Keeps every
 * event with the time it arrived (`performance.now()`), so that callers can wait for one or time it.
 * baresip serves one control connection at a time: a new one replaces the old.
 */
export class BaresipControl {
  #socket;
  #buffer = Buffer.alloc(0);
  #token = 0;
  #responses = new Map();
  #waiters = [];
  /** Every event so far: `{ at, event }`. */
  events = [];

  static async connect(address) {
    const [host, port] = address.split(':');
    const control = new BaresipControl();
    await new Promise((resolve, reject) => {
      control.#socket = net.connect(Number(port), host, resolve);
      control.#socket.once('error', reject);
    });
    control.#socket.on('data', (d) => control.#read(d));
    control.#socket.on('error', () => undefined);
    return control;
  }

  /** Send a command (`dial`, `hangup`, `accept`…); resolves with baresip's response `{ok, data}`. */
  command(command, params, { timeoutMs = 5000 } = {}) {
    const token = `t${++this.#token}`;
    const message = { command, token };
    if (params !== undefined) message.params = params;
    const body = JSON.stringify(message);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#responses.delete(token);
        reject(new Error(`baresip did not answer ${command} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#responses.set(token, (response) => { clearTimeout(timer); resolve(response); });
      this.#socket.write(`${Buffer.byteLength(body)}:${body},`);
    });
  }

  /**
   * The first event of `type` (e.g. `CALL_ESTABLISHED`) that arrived at or after `since`
   * (a `performance.now()` time; default: any). Resolves with `{ at, event }`.
   */
  waitEvent(type, { since = 0, timeoutMs = 10000 } = {}) {
    const match = (e) => e.at >= since && e.event.type === type;
    const found = this.events.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter = { match, resolve };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        const seen = this.events.filter((e) => e.at >= since).map((e) => `${e.event.type} ${e.event.param ?? ''}`.trim());
        reject(new Error(`no ${type} from baresip within ${timeoutMs} ms; saw: ${seen.join(', ') || 'nothing'}`));
      }, timeoutMs);
      waiter.resolve = (e) => { clearTimeout(timer); resolve(e); };
      this.#waiters.push(waiter);
    });
  }

  close() {
    this.#socket?.destroy();
  }

  #read(data) {
    const at = performance.now();
    this.#buffer = Buffer.concat([this.#buffer, data]);
    for (;;) {
      const colon = this.#buffer.indexOf(':');
      if (colon < 0) return;
      const length = Number(this.#buffer.subarray(0, colon).toString());
      const end = colon + 1 + length;
      if (!Number.isInteger(length) || this.#buffer.length <= end) return;
      const message = JSON.parse(this.#buffer.subarray(colon + 1, end).toString());
      this.#buffer = this.#buffer.subarray(end + 1);
      if (message.response === true || message.response === 'true') {
        this.#responses.get(message.token)?.({ ok: message.ok === true || message.ok === 'true', data: message.data ?? '' });
        this.#responses.delete(message.token);
      } else if (message.event === true || message.event === 'true') {
        const entry = { at, event: message };
        this.events.push(entry);
        for (const waiter of [...this.#waiters]) {
          if (waiter.match(entry)) {
            this.#waiters = this.#waiters.filter((w) => w !== waiter);
            waiter.resolve(entry);
          }
        }
      }
    }
  }
}
