// The real desktop window, driven through tauri-driver and WebKitWebDriver. Run under `xvfb-run`
// and `dbus-run-session` (scripts/test does). Shared by the window suite and the installed-package
// test, which points it at /usr/bin/callscope instead of the build.

import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Builder, By, until } from 'selenium-webdriver';
import { ROOT, stopProcess, waitFor } from './app.mjs';

function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Open `application`'s window under WebDriver and wait until its UI says it is ready.
 * Resolves with the WebDriver session and `close()`, which ends the app and tauri-driver.
 */
export async function openWindow(application, { env = process.env, readyTimeoutMs = 30000 } = {}) {
  const port = await freePort();
  const nativePort = await freePort();
  const tauriDriver = spawn('tauri-driver', ['--port', String(port), '--native-port', String(nativePort)], {
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  let driver;
  const close = async () => {
    await driver?.quit().catch(() => {});
    await stopProcess(tauriDriver);
  };
  try {
    await waitFor('tauri-driver', async () => {
      try { return (await fetch(`http://127.0.0.1:${port}/status`)).ok; } catch { return false; }
    });
    driver = await new Builder()
      .usingServer(`http://127.0.0.1:${port}/`)
      .withCapabilities({ browserName: 'wry', 'tauri:options': { application, args: [] } })
      .build();
    await driver.wait(until.elementLocated(By.css('body[data-ready="true"]')), readyTimeoutMs);
  } catch (error) {
    await close();
    throw error;
  }
  return { driver, close };
}

/** Save what the window shows under tests/e2e/.artifacts/<suite>/<name>.png; returns the path. */
export async function saveScreenshot(driver, suite, name) {
  const dir = join(ROOT, 'tests/e2e/.artifacts', suite);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  writeFileSync(path, await driver.takeScreenshot(), 'base64');
  return path;
}
