// Callscope's browser-mode start-up and memory and Echo call set-up figures (the window's are in
// window.mjs). Prints numbers; asserts nothing.
// Run through scripts/bench (it provides the Xvfb display and D-Bus session the window needs).

import { BIN, isolatedHome, startServe, journalCall, waitFor } from '../e2e/lib/app.mjs';
import { launchChromium, openApp, toneWav } from '../e2e/lib/browser.mjs';
import { session } from '../e2e/lib/http.mjs';
import { processTree } from './proc.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)]; };
const ms = (x) => `${x.toFixed(0)} ms`;
const mib = (kib) => `${(kib / 1024).toFixed(1)} MiB`;

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
      idle = processTree(serve.pid);
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
