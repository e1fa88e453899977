#!/usr/bin/env node
// The UI's layers, checked: every import of ui/src points down (or stays in its own unit), no
// provider imports another, product code never imports testing/, and no two units import each
// other (directly or round a circle). Run by `npm run check:layers` (scripts/test runs it).
//
// A unit is a folder of ui/src (`calls`, `views`, ...); under providers/ each provider's folder
// is a unit of its own (`providers/sip`), as is the provider list (`providers/index.ts`). Imports
// are read with TypeScript's own pre-processor (static, type-only and dynamic imports, re-exports),
// from .ts files and from the <script> blocks of .svelte files.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
// The same circle finder as the Rust crates' module check.
import { cycles } from '../../scripts/module-cycles.mjs';

/**
 * The layers, bottom first: a unit may import its own files and units of lower layers only.
 * Units in one layer are siblings and never import each other.
 */
export const LAYERS = [
  ['api'],
  ['lib'],
  ['transport', 'logging', 'journal', 'media'],
  ['providers/core'],
  // Each provider's folder (echo, sip, telnyx, twilio, and any new one).
  ['providers/*'],
  ['providers'],
  ['accounts', 'history', 'calls'],
  ['app'],
  ['views'],
  ['(root)'],
];

/** Test support: may import anything; product code may not import it. */
export const TESTING = 'testing';

/** The unit of a file (a path relative to ui/src, with `/`). */
export function unitOf(path) {
  const parts = path.split('/');
  if (parts.length === 1) return '(root)';
  if (parts[0] === 'providers') return parts.length === 2 ? 'providers' : `providers/${parts[1]}`;
  return parts[0];
}

/** A file that is test code (a test, or test support): exempt from the direction rules. */
export function isTestCode(path) {
  return unitOf(path) === TESTING || /\.test\.ts$/.test(path);
}

/** Where the layers put a unit; a unit in no layer is unknown (a new folder: say where it goes). */
export function layerOf(unit) {
  const provider = unit.startsWith('providers/') && unit !== 'providers/core';
  return LAYERS.findIndex((layer) => layer.includes(unit) || (provider && layer.includes('providers/*')));
}

/**
 * What is wrong with these imports (`[{from, to}]`, paths relative to ui/src): every upward or
 * sideways import, every import of testing/ from product code, every unit no layer lists, and
 * every circle of units. Test code may import anything (nothing in the product imports it).
 */
export function problems(imports) {
  const found = [];
  const edges = [];
  for (const { from, to } of imports) {
    const a = unitOf(from);
    const b = unitOf(to);
    if (a === b || isTestCode(from)) continue;
    edges.push({ from: a, to: b });
    if (b === TESTING) {
      found.push(`${from} imports ${to}: product code must not import test support`);
      continue;
    }
    const la = layerOf(a);
    const lb = layerOf(b);
    if (la < 0) found.push(`${from}: the unit "${a}" is in no layer (add it to LAYERS in ui/scripts/layers.mjs)`);
    else if (lb < 0) found.push(`${to}: the unit "${b}" is in no layer (add it to LAYERS in ui/scripts/layers.mjs)`);
    else if (lb > la) found.push(`${from} imports ${to}: "${a}" is below "${b}" (imports point down)`);
    else if (lb === la) found.push(`${from} imports ${to}: "${a}" and "${b}" are siblings and must not import each other`);
  }
  for (const circle of cycles(edges)) found.push(`units import each other in a circle: ${circle.join(' → ')} → ${circle[0]}`);
  return [...new Set(found)];
}

/** The relative imports of a .ts or .svelte file's text, as written. */
export function importsOf(text, isSvelte) {
  const code = isSvelte ? [...text.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]).join('\n') : text;
  return ts
    .preProcessFile(code, true, true)
    .importedFiles.map((f) => f.fileName)
    .filter((name) => name.startsWith('./') || name.startsWith('../'));
}

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

/** Every import between files of `src` (a directory), as paths relative to it. */
export function readImports(src) {
  const files = walk(src).filter((f) => /\.(ts|svelte)$/.test(f) && !f.endsWith('.d.ts'));
  const known = new Set(files);
  const rel = (file) => relative(src, file).split(sep).join('/');
  const imports = [];
  const unresolved = [];
  for (const file of files) {
    for (const spec of importsOf(readFileSync(file, 'utf8'), file.endsWith('.svelte'))) {
      if (/\.(css|svg|png|wav|json)$/.test(spec)) continue; // assets, not code
      const base = resolve(dirname(file), spec);
      const target = [base, `${base}.ts`, join(base, 'index.ts')].find((candidate) => known.has(candidate));
      if (target) imports.push({ from: rel(file), to: rel(target) });
      else unresolved.push(`${rel(file)} imports ${spec}, which is not a file of ui/src`);
    }
  }
  return { files: files.length, imports, unresolved };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const src = resolve(dirname(fileURLToPath(import.meta.url)), '../src');
  const { files, imports, unresolved } = readImports(src);
  const found = [...unresolved, ...problems(imports)];
  if (found.length > 0) {
    console.error(`UI layers: ${found.length} problem(s) in ${files} files:\n${found.map((p) => `  ${p}`).join('\n')}`);
    process.exit(1);
  }
  console.log(`UI layers: ${imports.length} imports between ${files} files point down; no unit imports another in a circle.`);
}
