// The module-circle check finds a circle where there is one, names its lines, and passes a crate
// whose modules point one way.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { cycles, moduleEdges, stripComments } from './module-cycles.mjs';

function crate(files) {
  const dir = mkdtempSync(join(tmpdir(), 'module-cycles-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, 'src', path, '..'), { recursive: true });
    writeFileSync(join(dir, 'src', path), text);
  }
  return dir;
}

test('a circle through a re-export at the root is found, with its lines', (t) => {
  const dir = crate({
    'lib.rs': 'pub mod error;\npub mod journal;\npub mod diagnosis;\npub use error::{Error, Result};\n',
    'error.rs': 'pub enum Error { Rule(crate::diagnosis::RuleError) }\n',
    'journal/mod.rs': 'mod store;\n',
    'journal/store.rs': 'use crate::{Error, Result};\n',
    'diagnosis/mod.rs': 'use super::journal::Journal;\npub struct RuleError;\n',
  });
  t.after(() => rmSync(dir, { recursive: true }));
  const { edges } = moduleEdges(dir);
  assert.deepEqual(cycles(edges), [['diagnosis', 'error', 'journal']]);
  const closing = edges.find((e) => e.from === 'error' && e.to === 'diagnosis');
  assert.equal(closing.line, 1);
  assert.match(closing.file, /error\.rs$/);
});

test('modules that point one way pass; comments, strings and $crate do not count', (t) => {
  const dir = crate({
    'lib.rs': 'pub mod error;\npub mod journal;\npub mod diagnosis;\n',
    'error.rs': '//! See [`crate::diagnosis`].\nconst S: &str = "crate::journal";\n',
    'journal/mod.rs': 'use crate::error::Error;\nmod store;\n',
    'journal/store.rs': 'use super::Thing;\n/* crate::diagnosis */\n',
    'diagnosis/mod.rs': 'use crate::{error::Error, journal::Journal};\nmacro_rules! m { () => { $crate::error::E } }\n',
  });
  t.after(() => rmSync(dir, { recursive: true }));
  const { modules, edges } = moduleEdges(dir);
  assert.deepEqual([...modules].sort(), ['diagnosis', 'error', 'journal']);
  assert.deepEqual(cycles(edges), []);
  assert.deepEqual(
    edges.map((e) => `${e.from}→${e.to}`).sort(),
    ['diagnosis→error', 'diagnosis→journal', 'journal→error'],
  );
});

test("another crate's item named at the root is not the glob-re-exported module", (t) => {
  const dir = crate({
    'lib.rs': 'pub mod accounts;\npub mod error;\nuse callscope_calls as calls;\npub use accounts::*;\n',
    'accounts/mod.rs': 'use crate::error::Error;\n',
    'error.rs': 'use crate::calls::Provider;\nuse crate::Accounts;\n',
  });
  t.after(() => rmSync(dir, { recursive: true }));
  const { edges } = moduleEdges(dir);
  assert.deepEqual(edges.map((e) => `${e.from}→${e.to}`).sort(), ['accounts→error', 'error→accounts']);
  assert.deepEqual(cycles(edges), [['accounts', 'error']]);
});

test('comments go, line breaks stay', () => {
  assert.equal(stripComments('a // b\n/* c\nd */e "f\ng"'), 'a \n\ne \n""');
});
