#!/usr/bin/env node
// Checks the built UI (ui/dist) for the end-to-end test hooks: the shipped bundle must have none
// of their code (`window.callscopeDebug`); with --test-build, the tests' build (made with
// CALLSCOPE_TEST_HOOKS=1) must have them. scripts/test runs both, after each build.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HOOKS = 'callscopeDebug';
/** A name every build has (an API method the page calls), so that the scan reads real code. */
const ALWAYS = 'record_state';

const testBuild = process.argv.includes('--test-build');
const dist = resolve(dirname(fileURLToPath(import.meta.url)), '../dist');

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

function fail(message) {
  console.error(`UI bundle: ${message}`);
  process.exit(1);
}

if (!existsSync(join(dist, 'index.html'))) fail(`${dist} has no index.html: build the UI first (npm run build)`);
const scripts = walk(dist).filter((file) => file.endsWith('.js'));
const text = (file) => readFileSync(file, 'utf8');
if (!scripts.some((file) => text(file).includes(ALWAYS))) fail(`no script in ${dist} calls ${ALWAYS}: this is not the Callscope UI`);
const hooked = scripts.filter((file) => text(file).includes(HOOKS)).map((file) => relative(dist, file));
if (testBuild && hooked.length === 0) fail(`the tests' build has no ${HOOKS} (was it built with CALLSCOPE_TEST_HOOKS=1?)`);
if (!testBuild && hooked.length > 0) fail(`the shipped bundle has the test hooks (${HOOKS}) in ${hooked.join(', ')}`);
console.log(`UI bundle: ${scripts.length} scripts, test hooks ${testBuild ? `in ${hooked.join(', ')} (tests' build)` : 'absent (shipped build)'}.`);
