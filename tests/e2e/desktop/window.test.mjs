// The real Tauri window, driven through tauri-driver and WebKitWebDriver. Run under
// `xvfb-run` and `dbus-run-session` (scripts/test does): Linux's WebKitGTK has no WebRTC, so the
// window must say so, offer browser mode, and still show the call history.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync, chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { By, until } from 'selenium-webdriver';
import { BIN, isolatedHome, startServe, waitFor } from '../lib/app.mjs';
import { openWindow, saveScreenshot } from '../lib/desktop.mjs';
import { session } from '../lib/http.mjs';

let home;
let driver;
let window;
let openedFile;

before(async () => {
  home = isolatedHome('callscope-desktop');
  // A call in the journal for the history to show: recorded through the real API.
  const serve = await startServe(home);
  const api = await session(serve.url);
  const call = await api.rpc('create_call', { provider: 'echo', destination: '103' });
  await api.rpc('record_state', { call_id: call.id, source: 'ui', state: 'dialing', raw: null });
  await api.rpc('record_state', {
    call_id: call.id, source: 'ui', state: 'ended', raw: null,
    end: { by: 'remote', failure: { sip_status: 603, sip_reason: 'Decline', q850_cause: 21 } },
  });
  await serve.stop();

  // The OS's "open in the default browser" for the hand-off: an xdg-open first on PATH that
  // writes down the address it was given, instead of starting a real browser.
  openedFile = join(home.root, 'opened-url');
  const bin = join(home.root, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'xdg-open'), `#!/bin/sh\necho "$1" > '${openedFile}'\n`);
  chmodSync(join(bin, 'xdg-open'), 0o755);

  window = await openWindow(BIN, { env: { ...home.env, PATH: `${bin}:${process.env.PATH}` } });
  driver = window.driver;
});

after(async () => {
  await window?.close();
});

const appLog = () => readdirSync(home.logDir).map((f) => readFileSync(join(home.logDir, f), 'utf8')).join('');

test('the window says plainly that it has no WebRTC and offers browser mode', async () => {
  const notice = await driver.findElement(By.css('[data-testid="no-webrtc-notice"]'));
  assert.ok(await notice.isDisplayed());
  assert.match(await notice.getText(), /WebRTC/);
  assert.equal(await driver.executeScript('return typeof RTCPeerConnection'), 'undefined');
  const status = await driver.findElement(By.css('[data-testid="status-line"]')).getText();
  assert.match(status, /Desktop window/i);
  assert.ok(await driver.findElement(By.css('[data-testid="open-browser-button"]')).isDisplayed());
});

test('WebKitGTK\'s WebRTC and media settings are on, and the page probed with them', async () => {
  // Where the distribution built WebKitGTK with WebRTC, these settings put calls in the window;
  // Debian's build has none, so the probe after them still finds no RTCPeerConnection.
  assert.match(appLog(), /webview media settings.*enable_webrtc=true enable_media_stream=true/);
  assert.match(appLog(), /no RTCPeerConnection/);
});

test('the history lists the journal\'s calls', async () => {
  const rows = await driver.wait(until.elementsLocated(By.css('[data-testid="history-row"]')), 10000);
  assert.ok(rows.length >= 1);
  const text = await rows[0].getText();
  assert.match(text, /103/);
  assert.match(text, /603/);
});

test('Open in browser starts browser mode and hands its address to the default browser', async () => {
  await driver.findElement(By.css('[data-testid="open-browser-button"]')).click();
  const url = await waitFor('the browser to be opened', () => existsSync(openedFile) && readFileSync(openedFile, 'utf8').trim());
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/\?key=/);
  const api = await session(url);
  const info = await api.rpc('app_info');
  assert.equal(info.face, 'browser');
  const calls = await api.rpc('list_calls', {});
  assert.equal(calls[0].destination, '103', 'the same backend and journal as the window');
  assert.ok(!appLog().includes(new URL(url).searchParams.get('key')), 'the launch key never reaches the log');
  await saveScreenshot(driver, 'desktop', 'window-after-hand-off');
});
