// Memory of a process with all its descendants, for the benchmarks.

import { readFileSync, readdirSync } from 'node:fs';

/** A process and all its descendants: name, RSS and PSS (KiB). PSS splits shared pages fairly. */
export function processTree(pid) {
  const out = [];
  const visit = (p) => {
    let status;
    let rollup = '';
    try {
      status = readFileSync(`/proc/${p}/status`, 'utf8');
      rollup = readFileSync(`/proc/${p}/smaps_rollup`, 'utf8');
    } catch {
      return; // exited meanwhile
    }
    const field = (text, name) => Number(text.match(new RegExp(`^${name}:\\s+(\\d+)`, 'm'))?.[1] ?? 0);
    out.push({ pid: p, name: status.match(/^Name:\s+(.*)$/m)[1], rss: field(status, 'VmRSS'), pss: field(rollup, 'Pss') });
    for (const task of readdirSync(`/proc/${p}/task`)) {
      let children = '';
      try { children = readFileSync(`/proc/${p}/task/${task}/children`, 'utf8'); } catch { /* gone */ }
      for (const child of children.split(' ').filter(Boolean)) visit(Number(child));
    }
  };
  visit(pid);
  return out;
}
