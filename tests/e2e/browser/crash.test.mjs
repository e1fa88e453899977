// Crash safety: kill -9 the app in the middle of an active Echo call; on the next start every
// event recorded before the kill is in the journal, and the call is closed as interrupted.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { isolatedHome, startServe, journalCall, waitFor } from '../lib/app.mjs';
import { launchChromium, openApp, toneWav } from '../lib/browser.mjs';
import { session } from '../lib/http.mjs';

const cleanups = [];
after(async () => { for (const c of cleanups.reverse()) await c(); });

test('kill -9 during an active call loses no recorded event', async () => {
  const home = isolatedHome('callscope-crash');
  const serve = await startServe(home);
  cleanups.push(() => serve.stop());
  const browser = await launchChromium({ wav: toneWav(home.root) });
  cleanups.push(() => browser.close());
  const { page } = await openApp(browser, serve.url);

  await page.fill('[data-testid="dial-input"]', '100');
  await page.click('[data-testid="call-button"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="call-state"]')?.textContent?.trim() === 'active');
  const callId = await page.evaluate(() => window.callscopeDebug.callId());

  const api = await session(serve.url);
  // Wait until getStats samples are being journaled, so the kill lands mid-call.
  const before = await waitFor('stats in the journal', async () => {
    const detail = await api.rpc('get_call', { call_id: callId });
    return detail.events.filter((e) => e.kind === 'stats').length >= 2 ? detail : null;
  });

  serve.proc.kill('SIGKILL');
  await new Promise((r) => serve.proc.once('exit', r));

  const restarted = await startServe(home);
  cleanups.push(() => restarted.stop());
  const after = await journalCall(home, callId);
  for (const event of before.events) {
    const kept = after.events.find((e) => e.seq === event.seq);
    assert.ok(kept, `event ${event.seq} (${event.kind}) was lost`);
    assert.deepEqual(kept, event);
  }
  assert.equal(after.call.state, 'ended');
  assert.equal(after.call.ended_by, 'interrupted');
  const last = after.events.at(-1);
  assert.equal(last.kind, 'warning');
  assert.match(last.payload.message, /stopped while this call was open/);
});
