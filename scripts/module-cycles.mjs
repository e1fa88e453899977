#!/usr/bin/env node
// Fails when the top-level modules of a Rust crate import each other in a circle.
//
// Cargo already rejects a loop between crates; inside a crate nothing does, so this reads each
// crate's files, finds which top-level module each `crate::…` and `super::…` path reaches, and
// reports every circle with the lines that close it. It reads text (comments stripped), which is
// enough for paths; it does not expand macros.
//
//   node scripts/module-cycles.mjs [crate-dir ...]   (default: crates/* and the app's src-tauri)

import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Every .rs file below `dir`. */
function rustFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return rustFiles(path);
    return name.endsWith('.rs') ? [path] : [];
  });
}

/** Comments and string contents out, line breaks kept (so line numbers stay right). */
export function stripComments(text) {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const two = text.slice(i, i + 2);
    if (two === '//') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (two === '/*') {
      let depth = 0;
      do {
        if (text.startsWith('/*', i)) { depth++; i += 2; }
        else if (text.startsWith('*/', i)) { depth--; i += 2; }
        else { if (text[i] === '\n') out += '\n'; i++; }
      } while (depth > 0 && i < text.length);
    } else if (text[i] === '"' && text[i - 1] !== "'") {
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\') i++;
        else if (text[i] === '\n') out += '\n';
        i++;
      }
      out += '""';
      i++;
    } else {
      out += text[i++];
    }
  }
  return out;
}

/** The module path of a file below `src`: `a.rs` and `a/mod.rs` → [a], `a/b.rs` → [a, b]. */
function modulePath(src, file) {
  const parts = relative(src, file).split(sep);
  const last = parts.pop().replace(/\.rs$/, '');
  if (last !== 'mod' && !(parts.length === 0 && (last === 'lib' || last === 'main'))) parts.push(last);
  return parts;
}

/** The first names of each path in a `use` tree after `crate::` or `super::`: `{a::X, b}` → [a, b]. */
function heads(text, at) {
  if (text[at] !== '{') {
    const name = /^\w+/.exec(text.slice(at));
    return name ? [name[0]] : [];
  }
  const names = [];
  let depth = 0;
  let expectName = true;
  for (let i = at; i < text.length; i++) {
    const c = text[i];
    if (c === '{') { depth++; expectName = depth === 1; continue; }
    if (c === '}') { if (--depth === 0) break; continue; }
    if (depth === 1 && c === ',') { expectName = true; continue; }
    if (depth === 1 && expectName && /\w/.test(c)) {
      const name = /^\w+/.exec(text.slice(i))[0];
      names.push(name);
      i += name.length - 1;
      expectName = false;
    }
  }
  return names;
}

/**
 * What the crate root brings in: name → the module it comes from (undefined for another crate's
 * item, such as `use callscope_calls as calls;`), and the modules it glob-re-exports.
 */
function rootExports(rootText, modules) {
  const names = new Map();
  const globs = [];
  for (const m of rootText.matchAll(/\buse\s+(\w+)(?:::([^;]+)|\s+as\s+(\w+))?;/g)) {
    const from = modules.has(m[1]) ? m[1] : undefined;
    if (m[3] || !m[2]) {
      names.set(m[3] ?? m[1], from);
      continue;
    }
    const rest = m[2].trim();
    if (rest === '*' && from) globs.push(from);
    for (const name of rest.replace(/[{}]/g, '').split(',')) {
      const last = name.trim().split('::').pop().split(/\s+as\s+/).pop();
      if (last && last !== '*') names.set(last, from);
    }
  }
  return { names, globs };
}

/** The edges between one crate's top-level modules, each with where it is made. */
export function moduleEdges(crateDir) {
  const src = join(crateDir, 'src');
  const root = ['lib.rs', 'main.rs'].map((f) => join(src, f)).find(existsSync);
  if (!root) return { modules: new Set(), edges: [] };
  const files = rustFiles(src).map((file) => ({ file, path: modulePath(src, file), text: stripComments(readFileSync(file, 'utf8')) }));
  const modules = new Set(files.map((f) => f.path[0]).filter(Boolean));
  const exports = rootExports(files.find((f) => f.file === root).text, modules);
  const moduleOfRootName = (name) => {
    if (modules.has(name)) return name;
    if (exports.names.has(name)) return exports.names.get(name);
    return exports.globs.length === 1 ? exports.globs[0] : undefined;
  };

  const edges = [];
  for (const { file, path, text } of files) {
    if (path.length === 0) continue; // the root only declares and re-exports
    const from = path[0];
    const add = (to, index) => {
      if (to && to !== from) edges.push({ from, to, file, line: text.slice(0, index).split('\n').length });
    };
    for (const m of text.matchAll(/(?<![$\w])crate::/g)) {
      for (const name of heads(text, m.index + m[0].length)) add(moduleOfRootName(name), m.index);
    }
    for (const m of text.matchAll(/(?<![\w:])((?:super::)+)/g)) {
      const up = m[1].length / 'super::'.length;
      const target = path.slice(0, Math.max(0, path.length - up));
      if (target.length > 0) add(target[0], m.index);
      else for (const name of heads(text, m.index + m[0].length)) add(moduleOfRootName(name), m.index);
    }
  }
  return { modules, edges };
}

/** Circles among the edges: each strongly connected group of two or more modules (Tarjan). */
export function cycles(edges) {
  const next = new Map();
  for (const { from, to } of edges) {
    if (!next.has(from)) next.set(from, new Set());
    next.get(from).add(to);
  }
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const groups = [];
  let counter = 0;
  const visit = (v) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) { visit(w); low.set(v, Math.min(low.get(v), low.get(w))); }
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) === index.get(v)) {
      const group = [];
      let w;
      do { w = stack.pop(); onStack.delete(w); group.push(w); } while (w !== v);
      if (group.length > 1) groups.push(group.sort());
    }
  };
  for (const v of [...next.keys()].sort()) if (!index.has(v)) visit(v);
  return groups;
}

function main(dirs) {
  const repo = join(fileURLToPath(import.meta.url), '..', '..');
  const crates = dirs.length
    ? dirs
    : [...readdirSync(join(repo, 'crates')).map((c) => join(repo, 'crates', c)), join(repo, 'src-tauri')];
  let failed = false;
  for (const crateDir of crates) {
    const { modules, edges } = moduleEdges(crateDir);
    const circles = cycles(edges);
    for (const group of circles) {
      console.error(`${relative(repo, crateDir)}: modules ${group.join(', ')} import each other in a circle:`);
      for (const e of edges.filter((e) => group.includes(e.from) && group.includes(e.to))) {
        console.error(`  ${e.from} → ${e.to}  (${relative(repo, e.file)}:${e.line})`);
      }
    }
    if (circles.length === 0) console.log(`${relative(repo, crateDir)}: ${modules.size} modules, no circle`);
    failed ||= circles.length > 0;
  }
  if (failed) process.exit(1);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
