// The lab's provider fakes as a separate process: `callscope-lab rest` prints its addresses and
// seeded test credentials as one JSON line.

import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, stopProcess } from './app.mjs';

export const LAB_BIN = process.env.CALLSCOPE_LAB_BIN ?? join(ROOT, 'target/debug/callscope-lab');

export async function startRestFakes({ timeoutMs = 15000 } = {}) {
  const proc = spawn(LAB_BIN, ['rest'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  const info = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`callscope-lab rest printed nothing in ${timeoutMs} ms`)), timeoutMs);
    proc.stdout.on('data', (d) => {
      stdout += d;
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      if (line) { clearTimeout(timer); resolve(JSON.parse(line)); }
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`callscope-lab rest exited with ${code}`)); });
  });
  return { ...info, proc, stop: () => stopProcess(proc) };
}
