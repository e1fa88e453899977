// Canary secrets: provider secrets stored through the CLI (the OS keychain) must never appear in
// the config file, the journal, the logs, any API answer to the UI, or browser-mode traffic —
// while the UI lists, opens and tests the accounts and fetches call credentials for each.
// Needs a Secret Service: scripts/test runs it through scripts/with-keyring.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { isolatedHome, startServe, cli, cliWithInput, ROOT } from '../lib/app.mjs';
import { launchChromium, openApp, toneWav } from '../lib/browser.mjs';
import { startRestFakes } from '../lib/lab.mjs';

const cleanups = [];
after(async () => { for (const c of cleanups.reverse()) await c(); });

test('no secret leaves the keychain except as short-lived tokens', async () => {
  const home = isolatedHome('callscope-secrets');
  const lab = await startRestFakes();
  cleanups.push(() => lab.stop());
  const tx = lab.telnyx.seed;
  const tw = lab.twilio.seed;
  const canaries = {
    telnyx_api_key: tx.api_key,
    twilio_api_key_secret: tw.main_key.secret,
    twilio_auth_token: 'CANARY-twilio-auth-token-5b7e1c',
    sip_password: 'CANARY-sip-password-9d3a44',
  };

  const add = async (args, input) => {
    const result = await cliWithInput(home, ['accounts', 'add', ...args], input);
    assert.equal(result.code, 0, `accounts add ${args.join(' ')}: ${result.stderr}`);
    for (const secret of Object.values(canaries)) assert.ok(!result.stdout.includes(secret) && !result.stderr.includes(secret));
  };
  await add(['telnyx', 'acme-telnyx', '--api-url', lab.telnyx.base_url, '--connection-id', tx.credential_connection_id], `${canaries.telnyx_api_key}\n`);
  await add(
    ['twilio', 'acme-twilio', '--account-sid', tw.account_sid, '--api-key-sid', tw.main_key.sid, '--twiml-app-sid', tw.application_sid,
      '--api-url', lab.twilio.api_base_url, '--with-auth-token'],
    `${canaries.twilio_api_key_secret}\n${canaries.twilio_auth_token}\n`,
  );
  await add(['sip', 'acme-pbx', '--wss-uri', 'wss://127.0.0.1:9/ws', '--sip-uri', 'sip:alice@pbx.test'], `${canaries.sip_password}\n`);

  const serve = await startServe(home);
  cleanups.push(() => serve.stop());
  const browser = await launchChromium({ wav: toneWav(home.root) });
  cleanups.push(() => browser.close());

  // Everything that crosses browser mode's wire, both ways.
  const traffic = [];
  const { page } = await openApp(browser, serve.url);
  page.on('request', (r) => traffic.push(`${r.method()} ${r.url()} ${r.postData() ?? ''}`));
  page.on('response', async (r) => { try { traffic.push(await r.text()); } catch { /* redirects have no body */ } });
  page.on('websocket', (ws) => {
    ws.on('framesent', (f) => traffic.push(String(f.payload)));
    ws.on('framereceived', (f) => traffic.push(String(f.payload)));
  });

  // The UI's own flows: the Accounts tab, each account opened, and tested.
  await page.click('[data-testid="nav-accounts"]');
  await page.waitForSelector('[data-testid="account-row"][data-account="acme-pbx"]');
  for (const name of ['acme-telnyx', 'acme-twilio', 'acme-pbx']) {
    const row = `[data-testid="account-row"][data-account="${name}"]`;
    await page.click(`${row} [data-testid="test-account"]`);
    await page.waitForSelector(`${row} [data-testid="account-test"]`);
    await page.click(`${row} [data-testid="edit-account"]`);
    await page.waitForSelector('[data-testid="account-form"]');
    // The form is drawn from the backend's field specs (app_info.account_fields).
    const labels = await page.$$eval('[data-testid="account-form"] label', (all) => all.map((l) => l.textContent.trim()));
    const expected = { 'acme-telnyx': 'Credential connection ID', 'acme-twilio': 'Account SID(required)', 'acme-pbx': 'WebSocket URI(required)' };
    assert.ok(labels.includes(expected[name]), `${name}: ${labels.join(' | ')}`);
    mkdirSync(join(ROOT, 'tests/e2e/.artifacts/secrets'), { recursive: true });
    await page.screenshot({ path: join(ROOT, 'tests/e2e/.artifacts/secrets', `${name}-form.png`), fullPage: true });
    await page.click('[data-testid="cancel-account"]');
  }
  // Tokens, as a provider adapter fetches them.
  const tokens = await page.evaluate(async () => {
    const out = {};
    for (const name of ['acme-telnyx', 'acme-twilio', 'acme-pbx']) {
      const r = await fetch('/api/rpc', { method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ method: 'call_credentials', params: { name } }) });
      out[name] = await r.json();
    }
    return out;
  });
  assert.equal(tokens['acme-telnyx'].provider, 'telnyx');
  assert.match(tokens['acme-telnyx'].login_token, /^ey/);
  assert.match(tokens['acme-twilio'].access_token, /^ey/);
  assert.match(tokens['acme-pbx'].ha1, /^[0-9a-f]{32}$/);
  await page.waitForTimeout(300);

  const places = {
    'browser-mode traffic': traffic.join('\n'),
    'the config file': readFileSync(join(home.env.XDG_CONFIG_HOME, 'callscope', 'accounts.toml'), 'utf8'),
    'the journal': ['journal.sqlite3', 'journal.sqlite3-wal']
      .map((f) => join(home.env.XDG_DATA_HOME, 'callscope', f))
      .filter(existsSync)
      .map((f) => readFileSync(f).toString('latin1'))
      .join(''),
    'the logs': readdirSync(home.logDir).map((f) => readFileSync(join(home.logDir, f), 'utf8')).join(''),
    'the CLI': (await cli(home, 'accounts', 'list', '--json')).stdout + (await cli(home, 'accounts', 'show', 'acme-twilio')).stdout,
  };
  assert.ok(places['browser-mode traffic'].includes('acme-twilio'), 'the traffic was captured');
  assert.ok(places['the config file'].includes(tw.main_key.sid), 'the config file has the settings');
  for (const [where, text] of Object.entries(places)) {
    for (const [kind, secret] of Object.entries(canaries)) {
      assert.ok(!text.includes(secret), `the ${kind} appeared in ${where}`);
    }
  }
});
