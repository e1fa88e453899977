// The Telnyx lab as a separate process: `callscope-lab telnyx` runs the Telnyx REST fake and the
// Verto (WSS) signalling emulator, prints one JSON line (REST base URL and seed, the WSS address,
// Chromium's flags, the control API, the scenario numbers) and runs until SIGTERM. Started and
// stopped by PID.

import { spawn } from 'node:child_process';
import { cliWithInput, stopProcess } from './app.mjs';
import { LAB_BIN } from './lab.mjs';

/**
 * Start the lab; `pingIntervalS` and `reattachWindowS` are the emulator's keepalive ping and how
 * long it keeps calls for a dropped client to re-attach.
 */
export async function startTelnyxLab({ pingIntervalS = null, reattachWindowS = null, timeoutMs = 20000 } = {}) {
  const args = ['telnyx'];
  if (pingIntervalS !== null) args.push('--ping-interval', String(pingIntervalS));
  if (reattachWindowS !== null) args.push('--reattach-window', String(reattachWindowS));
  const proc = spawn(LAB_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stderr.on('data', (d) => {
    stderr += d;
    if (stderr.length > 200_000) stderr = stderr.slice(-100_000);
  });
  const info = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`callscope-lab telnyx printed nothing in ${timeoutMs} ms\n${stderr}`)), timeoutMs);
    proc.stdout.on('data', (d) => {
      stdout += d;
      const line = stdout.split('\n').find((l) => l.startsWith('{') && l.endsWith('}'));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line));
      }
    });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`callscope-lab telnyx exited with ${code}\n${stderr}`));
    });
  });
  const control = info.verto.control_url;
  const json = async (path, init) => {
    const r = await fetch(`${control}${path}`, init);
    const body = await r.json().catch(() => null);
    if (!r.ok) throw new Error(`lab ${path}: ${r.status} ${JSON.stringify(body)}`);
    return body;
  };
  return {
    ...info,
    proc,
    pid: proc.pid,
    stderr: () => stderr,
    /**
     * What Chromium needs beyond launchChromium's own flags: the host rules that send the real
     * signalling host names to the emulator (STUN/TURN names fail), and trust in its certificate.
     */
    chromiumArgs: info.verto.chromium_args.filter((a) => a.startsWith('--host-resolver-rules=') || a === '--ignore-certificate-errors'),
    /** A scenario by name (`answered`, `busy`, ...): `{number, expected: {states, hangup, errors}}`. */
    scenario(name) {
      const found = info.verto.scenarios.find((s) => s.name === name);
      if (!found) throw new Error(`the lab has no scenario ${name}`);
      return found;
    },
    /** Ring the logged-in client: `{caller_id_number?, caller_id_name?, media?, ring_timeout_ms?}` → `{call_id}`. */
    ringClient(body = {}) {
      return json('/inbound_calls', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    },
    /** Every call the emulator saw (ended ones first), with its phases, DTMF, end and media counters. */
    calls() {
      return json('/calls');
    },
    async call(callId) {
      return (await this.calls()).findLast((c) => c.call_id === callId) ?? null;
    },
    /** Every frame in and out, as the emulator logged it. */
    frames() {
      return json('/frames');
    },
    stop: () => stopProcess(proc),
  };
}

/**
 * Add the lab's Telnyx account through the CLI, as a user would: the seed's API key on standard
 * input, the REST fake's base URL and the seeded credential connection. The signalling host stays
 * the default (rtc.telnyx.com), which Chromium's host rules send to the emulator.
 */
export async function addTelnyxAccount(home, lab, { name = 'lab', connectionId = lab.rest.seed.credential_connection_id, signallingHost = null } = {}) {
  const args = ['accounts', 'add', 'telnyx', name, '--api-url', lab.rest.base_url, '--connection-id', connectionId];
  if (signallingHost) args.push('--signalling-host', signallingHost);
  const result = await cliWithInput(home, args, `${lab.rest.seed.api_key}\n`);
  if (result.code !== 0) throw new Error(`accounts add telnyx ${name}: ${result.stderr}`);
  return result;
}
