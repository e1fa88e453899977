import { ApiFailure, isErrorLike, safeJson } from '../api/errors';
import type { LogLevel, LogLine } from '../api/generated';
import { LogThrottle } from './throttle';

const MAX_LINE = 4000;

/** One log line from console arguments. */
export function formatLogArgs(args: readonly unknown[]): string {
  const text = args.map(formatValue).join(' ');
  return text.length > MAX_LINE ? `${text.slice(0, MAX_LINE)}…` : text;
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof ApiFailure) return value.toString();
  if (isErrorLike(value)) {
    const head = `${value.name}: ${value.message}`;
    if (!value.stack) return head;
    return value.stack.startsWith(head) || value.stack.includes(value.message) ? value.stack : `${head}\n${value.stack}`;
  }
  if (value === undefined) return 'undefined';
  return safeJson(value);
}

export interface ForwardingOptions {
  console?: Pick<Console, 'info' | 'warn' | 'error'>;
  target?: Pick<Window, 'addEventListener' | 'removeEventListener'>;
  throttle?: LogThrottle;
}

/**
 * Send console.info/warn/error and uncaught errors to the app log (target `webview`), keeping
 * the console's own output. At most 20 lines a second (the rest are counted and reported as
 * dropped); a failing `send` is reported on the original console only, so it can never recurse.
 * Returns the function that undoes it.
 */
export function installLogForwarding(send: (line: LogLine) => Promise<unknown>, options: ForwardingOptions = {}): () => void {
  const target = options.target ?? window;
  const con = options.console ?? console;
  const throttle = options.throttle ?? new LogThrottle();
  const original = { info: con.info, warn: con.warn, error: con.error };
  let forwarding = false;
  let lastFailureNote = Number.NEGATIVE_INFINITY;
  let flushTimer: ReturnType<typeof setTimeout> | null = null;

  const noteFailure = (error: unknown) => {
    // Only the original console: a failing log call must not log itself again.
    const now = Date.now();
    if (now - lastFailureNote < 10_000) return;
    lastFailureNote = now;
    original.warn.call(con, 'callscope: a log line could not be sent to the app log:', error);
  };

  const sendLine = (level: LogLevel, message: string) => {
    try {
      send({ level, message }).catch(noteFailure);
    } catch (error) {
      noteFailure(error);
    }
  };

  const droppedLine = (dropped: number) =>
    `(${dropped} log line${dropped === 1 ? '' : 's'} dropped: more than ${throttle.limit} in ${throttle.windowMs} ms)`;

  const flushDropped = () => {
    flushTimer = null;
    const dropped = throttle.takeDropped();
    if (dropped > 0) sendLine('warn', droppedLine(dropped));
  };

  const forward = (level: LogLevel, message: string) => {
    if (forwarding) return; // something inside send() logged: never recurse
    forwarding = true;
    try {
      const verdict = throttle.admit();
      if (!verdict.allowed) {
        flushTimer ??= setTimeout(flushDropped, throttle.windowMs);
        return;
      }
      if (verdict.dropped > 0) sendLine('warn', droppedLine(verdict.dropped));
      sendLine(level, message);
    } finally {
      forwarding = false;
    }
  };

  const wrap = (name: 'info' | 'warn' | 'error', level: LogLevel) => {
    const inner = original[name];
    con[name] = (...args: unknown[]) => {
      inner.apply(con, args);
      forward(level, formatLogArgs(args));
    };
  };
  wrap('info', 'info');
  wrap('warn', 'warn');
  wrap('error', 'error');

  const onError = (event: Event) => {
    const e = event as ErrorEvent;
    const where = e.filename ? ` (${e.filename}:${e.lineno}:${e.colno})` : '';
    const stack = e.error instanceof Error && e.error.stack ? `\n${e.error.stack}` : '';
    forward('error', `uncaught error: ${e.message}${where}${stack}`);
  };
  const onRejection = (event: Event) => {
    forward('error', `unhandled promise rejection: ${formatLogArgs([(event as PromiseRejectionEvent).reason])}`);
  };
  target.addEventListener('error', onError);
  target.addEventListener('unhandledrejection', onRejection);

  return () => {
    con.info = original.info;
    con.warn = original.warn;
    con.error = original.error;
    target.removeEventListener('error', onError);
    target.removeEventListener('unhandledrejection', onRejection);
    if (flushTimer) clearTimeout(flushTimer);
  };
}
