// The Twilio lab as a separate process: `callscope-lab twilio` runs the Twilio REST fake and the
// PStream (WSS) signalling emulator with str0m media, prints one JSON line (REST base URLs and
// seed, the WSS address, Chromium's flags, the control API, the scenario numbers) and runs until
// SIGTERM. Started and stopped by PID.

import { spawn } from 'node:child_process';
import { cliWithInput, stopProcess } from './app.mjs';
import { LAB_BIN } from './lab.mjs';

/**
 * Start the lab. `mediaTimeoutS`: how long an answered call may go without media before the
 * gateway hangs up with 53405; `reconfirmRefreshedTokens`: answer a token refresh with a new
 * `connected` (re-arms the SDK's tokenWillExpire; Twilio itself does not, twilio-voice.js #93).
 */
export async function startTwilioLab({ mediaTimeoutS = null, heartbeatIntervalS = null, reconfirmRefreshedTokens = false, timeoutMs = 20000 } = {}) {
  const args = ['twilio'];
  if (mediaTimeoutS !== null) args.push('--media-timeout', String(mediaTimeoutS));
  if (heartbeatIntervalS !== null) args.push('--heartbeat-interval', String(heartbeatIntervalS));
  if (reconfirmRefreshedTokens) args.push('--reconfirm-refreshed-tokens');
  const proc = spawn(LAB_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stderr.on('data', (d) => {
    stderr += d;
    if (stderr.length > 200_000) stderr = stderr.slice(-100_000);
  });
  const info = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`callscope-lab twilio printed nothing in ${timeoutMs} ms\n${stderr}`)), timeoutMs);
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
      reject(new Error(`callscope-lab twilio exited with ${code}\n${stderr}`));
    });
  });
  const control = info.pstream.control_url;
  const json = async (path, init) => {
    const r = await fetch(`${control}${path}`, init);
    const body = await r.json().catch(() => null);
    if (!r.ok) throw new Error(`lab ${path}: ${r.status} ${JSON.stringify(body)}`);
    return body;
  };
  const post = (path, body = {}) => json(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return {
    ...info,
    proc,
    pid: proc.pid,
    stderr: () => stderr,
    /**
     * What Chromium needs beyond launchChromium's own flags: the host rules that send Twilio's
     * signalling, Insights and sounds hosts to the emulator (every other twilio.com name fails),
     * and trust in its certificate.
     */
    chromiumArgs: info.pstream.chromium_args.filter((a) => a.startsWith('--host-resolver-rules=') || a === '--ignore-certificate-errors'),
    /** A scenario by name (`answered`, `busy`, ...): `{name, to, sdk, wire}`. */
    scenario(name) {
      const found = info.pstream.scenarios.numbers.find((s) => s.name === name);
      if (!found) throw new Error(`the lab has no scenario ${name}`);
      return found;
    },
    /** Ring a registered client: `{identity?, from?, params?, media?, cancel_after_ms?}` → `{callsid}`. */
    ringClient(body = {}) {
      return post('/incoming_calls', body);
    },
    /** Every call the gateway saw, with its phases, end, DTMF and media counters. */
    calls() {
      return json('/calls');
    },
    /** The call whose `CA…` sid or `TJS…` id is `sid`. */
    async call(sid) {
      return (await this.calls()).findLast((c) => c.callsid === sid || c.temporary_sid === sid) ?? null;
    },
    /** Every frame in and out (and the gateway's notes), as the emulator logged them. */
    frames() {
      return json('/frames');
    },
    /** Insights posts the gateway received. */
    insights() {
      return json('/insights');
    },
    stop: () => stopProcess(proc),
  };
}

/**
 * Add the lab's Twilio account through the CLI, as a user would: the seed's standard API key
 * secret on standard input, the REST fake's base URL, the seeded TwiML app. The edge stays the
 * default (roaming): Chromium's host rules send voice-js.roaming.twilio.com to the emulator.
 */
export async function addTwilioAccount(home, lab, { name = 'lab', identity = null, app = lab.rest.seed.application_sid, tokenTtl = null, insights = null, callerId = null, edge = null } = {}) {
  const seed = lab.rest.seed;
  const args = ['accounts', 'add', 'twilio', name, '--account-sid', seed.account_sid, '--api-key-sid', seed.standard_key.sid, '--api-url', lab.rest.api_base_url];
  if (app) args.push('--twiml-app-sid', app);
  if (identity) args.push('--identity', identity);
  if (tokenTtl !== null) args.push('--token-ttl', String(tokenTtl));
  if (insights !== null) args.push('--insights', String(insights));
  if (callerId) args.push('--caller-id', callerId);
  if (edge) args.push('--edge', edge);
  const result = await cliWithInput(home, args, `${seed.standard_key.secret}\n`);
  if (result.code !== 0) throw new Error(`accounts add twilio ${name}: ${result.stderr}`);
  return result;
}
