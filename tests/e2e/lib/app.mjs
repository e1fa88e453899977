// Start and stop the real Callscope binary for end-to-end tests, each in its own folders.

import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../../..');
export const BIN = process.env.CALLSCOPE_BIN ?? join(ROOT, 'target/debug/callscope');

/** A fresh home for one test: journal, logs and config in a temporary folder. */
export function isolatedHome(label = 'callscope') {
  const root = mkdtempSync(join(tmpdir(), `${label}-`));
  const dirs = { data: join(root, 'data'), state: join(root, 'state'), config: join(root, 'config') };
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
  const env = {
    ...process.env,
    XDG_DATA_HOME: dirs.data,
    XDG_STATE_HOME: dirs.state,
    XDG_CONFIG_HOME: dirs.config,
    CALLSCOPE_LOG: process.env.CALLSCOPE_LOG ?? 'info',
  };
  return { root, env, logDir: join(dirs.state, 'callscope', 'logs') };
}

/** `callscope serve --no-open --port 0`; resolves once it printed its address. */
export async function startServe(home, { timeoutMs = 20000 } = {}) {
  const proc = spawn(BIN, ['serve', '--no-open', '--port', '0'], { env: home.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const url = await new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve printed no address in ${timeoutMs} ms\n${stdout}\n${stderr}`)), timeoutMs);
    proc.stdout.on('data', (d) => {
      stdout += d;
      const match = stdout.match(/(http:\/\/127\.0\.0\.1:\d+\/\?key=[A-Za-z0-9_-]+)/);
      if (match) { clearTimeout(timer); resolvePromise(match[1]); }
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`serve exited with ${code}\n${stdout}\n${stderr}`)); });
  });
  const address = new URL(url).origin;
  return {
    proc,
    url,
    address,
    pid: proc.pid,
    output: () => ({ stdout, stderr }),
    stop: () => stopProcess(proc),
  };
}

/** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
export async function stopProcess(proc, graceMs = 5000) {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Run the CLI; never throws on a non-zero exit. */
export async function cli(home, ...args) {
  return cliWithInput(home, args, '');
}

/** Run the CLI with `input` on standard input (how secrets are given without a terminal). */
export function cliWithInput(home, args, input) {
  return new Promise((resolve) => {
    const child = execFile(BIN, args, { env: home.env }, (error, stdout, stderr) => {
      resolve({ code: error ? (error.code ?? 1) : 0, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

/** The journal's view of a call, through the CLI. */
export async function journalCall(home, callId) {
  const result = await cli(home, 'calls', 'show', callId, '--json');
  if (result.code !== 0) throw new Error(`calls show ${callId} failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

/** The states a journaled call went through, in order. */
export function states(detail) {
  return stateEvents(detail).map((e) => e.payload.state);
}

/** The call's state events, in journal order. */
export function stateEvents(detail) {
  return detail.events.filter((e) => e.kind === 'state');
}

export async function waitFor(what, check, { timeoutMs = 10000, intervalMs = 50 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await check();
    if (last) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
