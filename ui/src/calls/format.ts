import type { CallState, EndedBy, EndInfo, Failure, JournalEvent, Timings } from '../api/generated';

/** One line of a timeline: a state and when it happened, relative to dialling. */
export interface TimelineLine {
  state: CallState;
  /** Milliseconds since dialling (negative before it, e.g. a failure while preparing). */
  offsetMs: number;
  /** e.g. "+12 ms trying". */
  text: string;
}

/** "+0 ms", "+12 ms", "+9999 ms", then "+10.0 s", "+15.2 s", "+2 min 05.0 s". */
export function formatOffset(ms: number): string {
  const sign = ms < 0 ? '-' : '+';
  const abs = Math.abs(ms);
  if (abs < 10_000) return `${sign}${Math.round(abs)} ms`;
  const seconds = abs / 1000;
  if (seconds < 120) return `${sign}${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  const rest = (seconds - minutes * 60).toFixed(1).padStart(4, '0');
  return `${sign}${minutes} min ${rest} s`;
}

/** A duration without sign: "35 ms", "1.2 s". */
export function formatDuration(ms: number): string {
  return formatOffset(ms).slice(1);
}

/** One line for every code a failure carries: "486 Busy Here · Q.850 17" (as the CLI prints it). */
export function failureLine(failure: Failure | null | undefined): string | null {
  if (!failure) return null;
  const parts: string[] = [];
  if (failure.sip_status !== undefined && failure.sip_reason !== undefined) {
    parts.push(`${failure.sip_status} ${failure.sip_reason}`);
  } else if (failure.sip_status !== undefined) {
    parts.push(String(failure.sip_status));
  } else if (failure.sip_reason !== undefined) {
    parts.push(failure.sip_reason);
  }
  if (failure.q850_cause !== undefined) parts.push(`Q.850 ${failure.q850_cause}`);
  if (failure.provider_code !== undefined) parts.push(failure.provider_code);
  if (failure.message !== undefined) parts.push(failure.message);
  return parts.length ? parts.join(' · ') : null;
}

/** Who ended a call, in words. */
export function endedByText(by: EndedBy): string {
  switch (by) {
    case 'local':
      return 'Ended by you';
    case 'remote':
      return 'Ended by the far end';
    case 'error':
      return 'Ended by an error';
    case 'interrupted':
      return 'Interrupted: Callscope stopped during the call';
  }
}

/** Short form for lists. */
export function endedByShort(by: EndedBy | null): string {
  switch (by) {
    case 'local':
      return 'you';
    case 'remote':
      return 'far end';
    case 'error':
      return 'error';
    case 'interrupted':
      return 'interrupted';
    case null:
      return '';
  }
}

/** "Ended by the far end · 486 Busy Here · Q.850 17". */
export function describeEnd(end: EndInfo): string {
  const codes = failureLine(end.failure);
  return codes ? `${endedByText(end.by)} · ${codes}` : endedByText(end.by);
}

/** Timeline lines from `(state, time)` pairs, measured from the first `dialing` (or the first entry). */
export function timelineLines(entries: ReadonlyArray<{ state: CallState; at: number }>): TimelineLine[] {
  const origin = entries.find((e) => e.state === 'dialing')?.at ?? entries[0]?.at ?? 0;
  return entries.map(({ state, at }) => {
    const offsetMs = at - origin;
    return { state, offsetMs, text: `${formatOffset(offsetMs)} ${state}` };
  });
}

/** The state transitions of a journaled call, with the end record of its `ended` event. */
export function journalTimeline(events: ReadonlyArray<JournalEvent>): { lines: TimelineLine[]; end: EndInfo | null } {
  const states: { state: CallState; at: number }[] = [];
  let end: EndInfo | null = null;
  for (const event of events) {
    if (event.kind !== 'state') continue;
    const payload = event.payload as { state?: CallState; end?: EndInfo } | null;
    if (!payload || typeof payload.state !== 'string') continue;
    states.push({ state: payload.state, at: event.t_ms });
    if (payload.state === 'ended' && payload.end) end = payload.end;
  }
  return { lines: timelineLines(states), end };
}

/** The milestones of a call's timings that it has, in order. */
export function timingsLines(timings: Timings | null): string[] {
  if (!timings) return [];
  const named: [keyof Timings, string][] = [
    ['to_trying_ms', 'to trying'],
    ['to_ring_ms', 'to ringing (post-dial delay)'],
    ['to_answer_ms', 'to answer'],
    ['to_media_ms', 'to media'],
    ['talk_ms', 'talk time'],
    ['total_ms', 'total'],
  ];
  return named.flatMap(([key, label]) => {
    const value = timings[key];
    return value === undefined ? [] : [`${label} ${formatDuration(value)}`];
  });
}

/** "2026-11-21 13:45:02" in local time. */
export function formatStartTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  );
}
