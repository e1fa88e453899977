import { describe, expect, it } from 'vitest';
import { stateEvent, event } from '../testing/fake-backend';
import {
  describeEnd,
  failureLine,
  formatOffset,
  formatStartTime,
  journalTimeline,
  timelineLines,
  timingsLines,
} from './format';

describe('timeline formatting', () => {
  it('formats offsets in ms, then seconds, then minutes', () => {
    expect(formatOffset(0)).toBe('+0 ms');
    expect(formatOffset(12.4)).toBe('+12 ms');
    expect(formatOffset(9999.4)).toBe('+9999 ms');
    expect(formatOffset(15_012)).toBe('+15.0 s');
    expect(formatOffset(125_000)).toBe('+2 min 05.0 s');
    expect(formatOffset(-3)).toBe('-3 ms');
  });

  it('measures every transition from dialling', () => {
    const lines = timelineLines([
      { state: 'idle', at: 100 },
      { state: 'dialing', at: 140 },
      { state: 'trying', at: 152 },
      { state: 'active', at: 175 },
      { state: 'ended', at: 1175 },
    ]);
    expect(lines.map((l) => l.text)).toEqual([
      '-40 ms idle',
      '+0 ms dialing',
      '+12 ms trying',
      '+35 ms active',
      '+1035 ms ended',
    ]);
  });

  it('measures from the first entry when the call never dialled', () => {
    expect(timelineLines([{ state: 'ended', at: 50 }]).map((l) => l.text)).toEqual(['+0 ms ended']);
    expect(timelineLines([])).toEqual([]);
  });

  it("reads a journaled call's state events and its end", () => {
    const end = { by: 'remote' as const, failure: { sip_status: 486, sip_reason: 'Busy Here', q850_cause: 17 } };
    const { lines, end: found } = journalTimeline([
      stateEvent('c', 1, 5, 'dialing'),
      event('c', 2, 'signal', { summary: 'INVITE 104' }, 6),
      stateEvent('c', 3, 30, 'trying'),
      event('c', 4, 'media', { pc: 'connection', state: 'connected' }, 31),
      stateEvent('c', 5, 182.5, 'ended', end),
    ]);
    expect(lines.map((l) => l.text)).toEqual(['+0 ms dialing', '+25 ms trying', '+178 ms ended']);
    expect(found).toEqual(end);
  });
});

describe('end reasons', () => {
  it('names every code like the CLI does', () => {
    expect(failureLine({ sip_status: 486, sip_reason: 'Busy Here', q850_cause: 17 })).toBe('486 Busy Here · Q.850 17');
    expect(failureLine({ sip_status: 503 })).toBe('503');
    expect(failureLine({ provider_code: 'USER_BUSY', message: 'far end busy' })).toBe('USER_BUSY · far end busy');
    expect(failureLine({})).toBeNull();
    expect(failureLine(null)).toBeNull();
  });

  it('says who ended the call, then why', () => {
    expect(describeEnd({ by: 'remote', failure: { sip_status: 486, sip_reason: 'Busy Here', q850_cause: 17 } })).toBe(
      'Ended by the far end · 486 Busy Here · Q.850 17',
    );
    expect(describeEnd({ by: 'local', failure: {} })).toBe('Ended by you');
    expect(describeEnd({ by: 'error', failure: { message: 'media never connected (ICE failed)' } })).toBe(
      'Ended by an error · media never connected (ICE failed)',
    );
  });

  it('lists the timings a call has', () => {
    expect(timingsLines({ to_trying_ms: 12, to_answer_ms: 35, total_ms: 12_500 })).toEqual([
      'to trying 12 ms',
      'to answer 35 ms',
      'total 12.5 s',
    ]);
    expect(timingsLines(null)).toEqual([]);
  });

  it('shows start times in local time', () => {
    const iso = new Date(2026, 10, 21, 9, 5, 7).toISOString();
    expect(formatStartTime(iso)).toBe('2026-11-21 09:05:07');
    expect(formatStartTime('not a date')).toBe('not a date');
  });
});
