// Callscope's start-up, memory and call-setup figures. Prints numbers; asserts nothing.
// Run through scripts/bench (it provides the Xvfb display and D-Bus session the window needs).

import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { BIN, isolatedHome, startServe, stopProcess, journalCall, waitFor } from '../e2e/lib/app.mjs';
import { launchChromium, openApp, toneWav } from '../e2e/lib/browser.mjs';
import { session } from '../e2e/lib/http.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)]; };
const ms = (x) => `${x.toFixed(0)} ms`;
const mib = (kib) => `${(kib / 1024).toFixed(1)} MiB`;

/** RSS (KiB) of a process and all its descendants, by name. */
function treeRss(pid) {
  const out = [];
  const visit = (p) => {
    let status;
    try { status = readFileSync(`/proc/${p}/status`, 'utf8'); } catch { return; }
    const name = status.match(/^Name:\s+(.*)$/m)[1];
    const rss = Number(status.match(/^VmRSS:\s+(\d+)/m)?.[1] ?? 0);
    out.push({ pid: p, name, rss });
    for (const task of readdirSync(`/proc/${p}/task`)) {
      let children = '';
      try { children = readFileSync(`/proc/${p}/task/${task}/children`, 'utf8'); } catch { /* gone */ }
      for (const child of children.split(' ').filter(Boolean)) visit(Number(child));
    }
  };
  visit(pid);
  return out;
}

/** Start the window; resolve with the time until the UI reported ready. */
async function windowStart(home) {
  const started = performance.now();
  const proc = spawn(BIN, [], { env: { ...home.env, CALLSCOPE_LOG: 'info' }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const readyMs = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`window not ready in 60 s:\n${stderr}`)), 60000);
    proc.stderr.on('data', (d) => {
      stderr += d;
      if (stderr.includes('ui ready')) { clearTimeout(timer); resolve(performance.now() - started); }
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`window exited ${code}:\n${stderr}`)); });
  });
  return { proc, readyMs };
}

async function benchWindow() {
  const times = [];
  let idle;
  for (let i = 0; i < RUNS + 1; i++) {
    const home = isolatedHome('callscope-bench-window');
    const { proc, readyMs } = await windowStart(home);
    times.push(readyMs);
    if (i === RUNS) {
      await new Promise((r) => setTimeout(r, 5000));
      idle = treeRss(proc.pid);
    }
    await stopProcess(proc);
  }
  console.log('\nDesktop window (Xvfb), process start → UI ready event');
  console.log(`  first start ${ms(times[0])}; median of next ${RUNS}: ${ms(median(times.slice(1)))} (min ${ms(Math.min(...times.slice(1)))}, max ${ms(Math.max(...times.slice(1)))})`);
  console.log('Idle memory of the window with all its processes (5 s after ready)');
  for (const p of idle) console.log(`  ${p.name.padEnd(22)} ${mib(p.rss)}`);
  console.log(`  ${'total'.padEnd(22)} ${mib(idle.reduce((a, p) => a + p.rss, 0))}`);
}

async function benchServe() {
  const times = [];
  let idle;
  for (let i = 0; i < RUNS * 2; i++) {
    const home = isolatedHome('callscope-bench-serve');
    const started = performance.now();
    const serve = await startServe(home);
    const api = await session(serve.url);
    const page = await fetch(`${api.origin}/`, { headers: { cookie: api.cookie } });
    await page.text();
    if (page.status !== 200) throw new Error(`first page: ${page.status}`);
    times.push(performance.now() - started);
    if (i === 0) {
      await new Promise((r) => setTimeout(r, 3000));
      idle = treeRss(serve.pid);
    }
    await serve.stop();
  }
  console.log('\nBrowser mode, process start → first page served (key → cookie → index.html)');
  console.log(`  median of ${times.length}: ${ms(median(times))} (min ${ms(Math.min(...times))}, max ${ms(Math.max(...times))})`);
  console.log(`Idle memory of browser mode: ${mib(idle.reduce((a, p) => a + p.rss, 0))}`);
}

async function benchEchoCalls() {
  const home = isolatedHome('callscope-bench-echo');
  const serve = await startServe(home);
  const browser = await launchChromium({ wav: toneWav(home.root) });
  const { page } = await openApp(browser, serve.url);
  const clickToActive = [];
  const toAnswer = [];
  const toMedia = [];
  for (let i = 0; i < RUNS * 2; i++) {
    await page.fill('[data-testid="dial-input"]', '100');
    const elapsed = await page.evaluate(() => new Promise((resolve) => {
      const state = () => document.querySelector('[data-testid="call-state"]')?.textContent?.trim();
      const start = performance.now();
      const observer = new MutationObserver(() => {
        if (state() === 'active') { observer.disconnect(); resolve(performance.now() - start); }
      });
      observer.observe(document.body, { subtree: true, childList: true, characterData: true });
      document.querySelector('[data-testid="call-button"]').click();
    }));
    clickToActive.push(elapsed);
    const callId = await page.evaluate(() => window.callscopeDebug.callId());
    await waitFor('media', async () => {
      const events = (await journalCall(home, callId)).events;
      return events.some((e) => e.kind === 'media' && e.payload.pc === 'connection' && e.payload.state === 'connected');
    }, { intervalMs: 100 });
    await page.click('[data-testid="hangup-button"]');
    const detail = await waitFor('end', async () => {
      const d = await journalCall(home, callId);
      return d.call.state === 'ended' ? d : null;
    }, { intervalMs: 100 });
    toAnswer.push(detail.call.timings.to_answer_ms);
    toMedia.push(detail.call.timings.to_media_ms);
  }
  await browser.close();
  await serve.stop();
  console.log(`\nEcho call in Chromium (browser mode), ${clickToActive.length} calls`);
  console.log(`  click → "active" shown: median ${ms(median(clickToActive))} (min ${ms(Math.min(...clickToActive))}, max ${ms(Math.max(...clickToActive))})`);
  console.log(`  journal, dialing → active: median ${ms(median(toAnswer))}; dialing → media connected: median ${ms(median(toMedia))}`);
}

console.log(`Callscope benchmark (${BIN})`);
await benchServe();
await benchEchoCalls();
if (process.env.DISPLAY) await benchWindow();
else console.log('\n(no DISPLAY: window figures skipped; run through scripts/bench)');
