// The desktop window against Debian's Linphone desktop softphone under the same Xvfb: time from
// process start to the window on screen (and, for Callscope, to its UI's ready event), and idle
// memory of each app with all its processes. Each start gets a fresh, empty profile. Prints
// figures; asserts nothing. Run through scripts/bench (it installs linphone-desktop and xdotool,
// and provides the display, a D-Bus session and a loopback-only network).

import { spawn, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { BIN, isolatedHome, stopProcess } from '../e2e/lib/app.mjs';
import { processTree } from './proc.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const LINPHONE = '/usr/bin/linphone';
const IDLE_WAIT_MS = 5000;

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)]; };
const ms = (x) => (x === undefined ? '    –' : `${x.toFixed(0).padStart(5)} ms`);
const mib = (kib) => `${(kib / 1024).toFixed(1).padStart(7)} MiB`;

/** True once any process of the tree has a visible top-level window (xdotool reads _NET_WM_PID). */
function hasVisibleWindow(pid) {
  return processTree(pid).some(({ pid: p }) => {
    try {
      return execFileSync('xdotool', ['search', '--onlyvisible', '--pid', String(p)], { stdio: ['ignore', 'pipe', 'ignore'] }).length > 0;
    } catch {
      return false; // xdotool exits 1 when nothing matches
    }
  });
}

/** Start `command`; resolve when its window is visible and (if `readyLine`) it printed that line. */
async function start(command, args, env, readyLine) {
  const started = performance.now();
  const proc = spawn(command, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  let readyMs;
  proc.stderr.on('data', (d) => {
    stderr += d;
    if (readyLine && readyMs === undefined && stderr.includes(readyLine)) readyMs = performance.now() - started;
  });
  let exited = null;
  proc.on('exit', (code) => { exited = code; });
  let shownMs;
  const deadline = started + 60000;
  while (shownMs === undefined || (readyLine && readyMs === undefined)) {
    if (exited !== null) throw new Error(`${command} exited ${exited} before it was ready:\n${stderr.slice(-2000)}`);
    if (performance.now() > deadline) throw new Error(`${command}: no window in 60 s:\n${stderr.slice(-2000)}`);
    if (shownMs === undefined && hasVisibleWindow(proc.pid)) shownMs = performance.now() - started;
    await new Promise((r) => setTimeout(r, 20));
  }
  return { proc, shownMs, readyMs };
}

/** RUNS + 1 starts, each with a fresh profile; the idle memory is taken on the last one. */
async function measure(label, slug, launch) {
  const shown = [];
  const ready = [];
  let idle;
  for (let i = 0; i <= RUNS; i++) {
    const home = isolatedHome(`bench-${slug}`);
    const env = { ...home.env, HOME: home.root };
    const run = await launch(env);
    shown.push(run.shownMs);
    if (run.readyMs !== undefined) ready.push(run.readyMs);
    if (i === RUNS) {
      await new Promise((r) => setTimeout(r, IDLE_WAIT_MS));
      idle = processTree(run.proc.pid);
    }
    await stopProcess(run.proc);
  }
  return { label, shown, ready, idle };
}

function report(result) {
  const warm = (xs) => xs.slice(1);
  console.log(`\n${result.label}`);
  console.log(`  start → window shown: first ${ms(result.shown[0])}; median of next ${RUNS} ${ms(median(warm(result.shown)))}`);
  if (result.ready.length) {
    console.log(`  start → UI ready:     first ${ms(result.ready[0])}; median of next ${RUNS} ${ms(median(warm(result.ready)))}`);
  }
  console.log(`  idle memory, ${IDLE_WAIT_MS / 1000} s after start-up (RSS / PSS):`);
  for (const p of result.idle) console.log(`    ${p.name.padEnd(22)} ${mib(p.rss)} / ${mib(p.pss)}`);
  const sum = (key) => result.idle.reduce((a, p) => a + p[key], 0);
  console.log(`    ${'all processes'.padEnd(22)} ${mib(sum('rss'))} / ${mib(sum('pss'))}`);
  return { ready: median(warm(result.ready.length ? result.ready : result.shown)), pss: sum('pss'), rss: sum('rss') };
}

console.log(`\n== The desktop window against Linphone (Xvfb, fresh profile per start; ${BIN})`);
const callscope = report(await measure('Callscope window', 'callscope', (env) => start(BIN, [], { ...env, CALLSCOPE_LOG: 'info' }, 'ui ready')));
const linphone = existsSync(LINPHONE)
  ? report(await measure(`Linphone desktop (${LINPHONE}, Debian's linphone-desktop)`, 'linphone', (env) => start(LINPHONE, [], env, null)))
  : null;
if (!linphone) console.log(`\nLinphone not measured: no ${LINPHONE} (scripts/bench installs linphone-desktop)`);
if (linphone) {
  const ratio = (a, b) => (a / b).toFixed(2);
  console.log('\nCallscope / Linphone');
  console.log(`  start (Callscope to UI ready, Linphone to window shown), medians: ${ratio(callscope.ready, linphone.ready)}×   (target ≤ 0.5×)`);
  console.log(`  idle memory, all processes, PSS: ${ratio(callscope.pss, linphone.pss)}×   RSS: ${ratio(callscope.rss, linphone.rss)}×   (target ≤ 0.7×)`);
}
