import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LogLine } from '../api/generated';
import { ApiFailure } from '../api/errors';
import { formatLogArgs, installLogForwarding } from './forward';
import { LogThrottle } from './throttle';

function setup(send: (line: LogLine) => Promise<unknown>, throttle = new LogThrottle(20, 1000, () => 0)) {
  const printed: { level: string; args: unknown[] }[] = [];
  const fakeConsole = {
    info: (...args: unknown[]) => printed.push({ level: 'info', args }),
    warn: (...args: unknown[]) => printed.push({ level: 'warn', args }),
    error: (...args: unknown[]) => printed.push({ level: 'error', args }),
  };
  const target = new EventTarget();
  const uninstall = installLogForwarding(send, {
    console: fakeConsole,
    target: target as unknown as Window,
    throttle,
  });
  return { printed, fakeConsole, target, uninstall };
}

afterEach(() => vi.useRealTimers());

describe('log forwarding', () => {
  it('keeps the console output and sends info, warn and error to the app log', () => {
    const sent: LogLine[] = [];
    const { printed, fakeConsole, uninstall } = setup(async (line) => sent.push(line));
    fakeConsole.info('ready', 3);
    fakeConsole.warn('slow', { ms: 120 });
    fakeConsole.error(new ApiFailure('journal', 'disk full', 'Free space'));
    expect(printed.map((p) => p.level)).toEqual(['info', 'warn', 'error']);
    expect(sent).toEqual([
      { level: 'info', message: 'ready 3' },
      { level: 'warn', message: 'slow {"ms":120}' },
      { level: 'error', message: '[journal] disk full (hint: Free space)' },
    ]);
    uninstall();
    fakeConsole.error('after');
    expect(sent).toHaveLength(3);
  });

  it('sends uncaught errors and unhandled rejections', () => {
    const sent: LogLine[] = [];
    const { target } = setup(async (line) => sent.push(line));
    target.dispatchEvent(
      Object.assign(new Event('error'), { message: 'boom', filename: 'app.js', lineno: 3, colno: 7, error: null }),
    );
    target.dispatchEvent(Object.assign(new Event('unhandledrejection'), { reason: new TypeError('nope') }));
    expect(sent[0]).toEqual({ level: 'error', message: 'uncaught error: boom (app.js:3:7)' });
    expect(sent[1]!.level).toBe('error');
    expect(sent[1]!.message).toMatch(/^unhandled promise rejection: TypeError: nope/);
  });

  it('drops lines over 20 a second and says how many were dropped', async () => {
    vi.useFakeTimers();
    let now = 0;
    const sent: LogLine[] = [];
    const { fakeConsole } = setup(async (line) => sent.push(line), new LogThrottle(20, 1000, () => now));
    for (let i = 0; i < 50; i++) fakeConsole.warn(`line ${i}`);
    expect(sent).toHaveLength(20);
    now = 1000;
    await vi.advanceTimersByTimeAsync(1000);
    expect(sent).toHaveLength(21);
    expect(sent[20]).toEqual({ level: 'warn', message: '(30 log lines dropped: more than 20 in 1000 ms)' });
  });

  it('never recurses when sending logs itself, and reports a failed send on the original console only', async () => {
    let calls = 0;
    let fakeConsole!: { error: (...args: unknown[]) => void };
    const send = async () => {
      calls += 1;
      fakeConsole.error('send logged something'); // would loop forever without the guard
      throw new Error('backend gone');
    };
    const env = setup(send);
    fakeConsole = env.fakeConsole;
    env.fakeConsole.error('first');
    await Promise.resolve();
    await Promise.resolve();
    expect(calls).toBe(1);
    const warned = env.printed.filter((p) => p.level === 'warn');
    expect(warned).toHaveLength(1);
    expect(String(warned[0]!.args[0])).toMatch(/could not be sent/);
  });

  it('formats errors with their stack and objects as JSON', () => {
    const error = new Error('bad');
    expect(formatLogArgs(['x', error])).toContain('Error: bad');
    expect(formatLogArgs([{ a: 1 }, undefined, null])).toBe('{"a":1} undefined null');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => formatLogArgs([cyclic])).not.toThrow();
    expect(formatLogArgs(['y'.repeat(5000)]).length).toBeLessThanOrEqual(4001);
  });
});
