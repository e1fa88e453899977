// The Linux installer as a user gets it: the .deb that `tauri build --debug --bundles deb` made
// from the build the other tests run, installed with apt-get from a state without Callscope,
// its CLI and its window run from /usr/bin, then removed without leftovers. Needs root (or
// password-less sudo) and, for the window, `xvfb-run` and `dbus-run-session` (scripts/test).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { By } from 'selenium-webdriver';
import { ROOT, isolatedHome } from '../lib/app.mjs';
import { openWindow, saveScreenshot } from '../lib/desktop.mjs';

const PACKAGE = 'callscope';
const INSTALLED_BIN = '/usr/bin/callscope';
const DEB_DIR = join(ROOT, 'target/debug/bundle/deb');
const VERSION = JSON.parse(readFileSync(join(ROOT, 'tauri.conf.json'), 'utf8')).version;

/** Run a command; resolve with its output, or reject with what it printed. */
function run(command, args, { env = process.env, timeoutMs = 120000 } = {}) {
  return new Promise((resolve, reject) => {
    execFile(command, args, { env, timeout: timeoutMs, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')} failed (${error.code ?? error.signal}):\n${stdout}\n${stderr}`));
      else resolve({ stdout, stderr });
    });
  });
}

const asRoot = (command, args, options) =>
  process.getuid() === 0 ? run(command, args, options) : run('sudo', ['-n', command, ...args], options);

/** apt-get, non-interactive, waiting for another engineer's apt run rather than failing on its lock. */
const aptGet = (...args) =>
  asRoot('env', ['DEBIAN_FRONTEND=noninteractive', 'apt-get', '-o', 'DPkg::Lock::Timeout=300', '-y', '-q', ...args], { timeoutMs: 400000 });

async function installed() {
  try {
    const { stdout } = await run('dpkg-query', ['-W', '-f=${Status}', PACKAGE]);
    return stdout.includes('install ok installed');
  } catch {
    return false; // dpkg-query fails for a package it has never seen
  }
}

/** The .deb built last, so a stale one from an older version is never the one tested. */
function builtDeb() {
  const debs = existsSync(DEB_DIR) ? readdirSync(DEB_DIR).filter((f) => f.endsWith('.deb')) : [];
  assert.ok(debs.length > 0, `no .deb in ${DEB_DIR}: run \`ui/node_modules/.bin/tauri build --debug --bundles deb\` first`);
  return debs.map((f) => join(DEB_DIR, f)).sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
}

let deb;
let home;
let window;

before(async () => {
  deb = builtDeb();
  // A clean state: no Callscope from an earlier run that stopped half-way.
  if (await installed()) await aptGet('purge', PACKAGE);
  assert.ok(!existsSync(INSTALLED_BIN), `${INSTALLED_BIN} exists without the package: remove it by hand`);
  await aptGet('install', deb);
  home = isolatedHome('callscope-deb');
});

after(async () => {
  await window?.close();
  if (await installed()) await aptGet('purge', PACKAGE);
});

test('the package says what it is and what it needs', async () => {
  const fields = (await run('dpkg-deb', ['-f', deb, 'Package', 'Version', 'Depends', 'Section'])).stdout;
  assert.match(fields, new RegExp(`^Package: ${PACKAGE}$`, 'm'));
  assert.match(fields, new RegExp(`^Version: ${VERSION.replaceAll('.', '\\.')}$`, 'm'));
  const depends = fields.match(/^Depends: (.*)$/m)?.[1] ?? '';
  for (const dependency of ['libwebkit2gtk-4.1-0', 'libgtk-3-0', 'libdbus-1-3', 'xdg-utils']) {
    assert.ok(depends.split(/,\s*/).includes(dependency), `Depends lacks ${dependency}: ${depends}`);
  }
});

test('apt-get installed the binary, the menu entry and the icons', async () => {
  assert.ok(await installed(), 'dpkg lists the package as installed');
  const files = (await run('dpkg-query', ['-L', PACKAGE])).stdout.split('\n');
  assert.ok(files.includes(INSTALLED_BIN));
  const desktop = files.find((f) => f.startsWith('/usr/share/applications/') && f.endsWith('.desktop'));
  assert.ok(desktop, `no desktop entry among ${files.join(' ')}`);
  const entry = readFileSync(desktop, 'utf8');
  assert.match(entry, /^Exec=callscope$/m);
  assert.match(entry, /^Icon=callscope$/m);
  assert.match(entry, /^Categories=Network;Telephony;$/m);
  for (const size of ['32x32', '128x128', '512x512']) {
    assert.ok(files.includes(`/usr/share/icons/hicolor/${size}/apps/callscope.png`), `no ${size} icon`);
  }
});

test('the installed CLI answers: --version and decode 486', async () => {
  assert.equal((await run(INSTALLED_BIN, ['--version'], { env: home.env })).stdout.trim(), `callscope ${VERSION}`);
  const { stdout } = await run(INSTALLED_BIN, ['decode', '486'], { env: home.env });
  assert.match(stdout, /486/);
  assert.match(stdout, /Busy Here/);
});

test('the installed window starts and shows its UI', async () => {
  window = await openWindow(INSTALLED_BIN, { env: home.env });
  const { driver } = window;
  const status = await driver.findElement(By.css('[data-testid="status-line"]')).getText();
  assert.match(status, /Desktop window/i);
  // Debian's WebKitGTK has no WebRTC: the installed window says so and offers browser mode.
  assert.ok(await driver.findElement(By.css('[data-testid="no-webrtc-notice"]')).isDisplayed());
  assert.equal(await driver.findElement(By.css('h1')).getText(), 'Callscope');
  const tabs = await driver.findElements(By.css('[role="tab"]'));
  assert.deepEqual(await Promise.all(tabs.map((t) => t.getText())), ['Phone', 'Accounts']);
  await saveScreenshot(driver, 'package', 'installed-window');
  await window.close();
  window = null;
});

test('apt-get removes it without leftovers', async () => {
  await aptGet('purge', PACKAGE);
  assert.ok(!(await installed()), 'dpkg no longer lists the package');
  assert.ok(!existsSync(INSTALLED_BIN), `${INSTALLED_BIN} is gone`);
  assert.ok(!readdirSync('/usr/share/applications').some((f) => /callscope/i.test(f)), 'the menu entry is gone');
});
