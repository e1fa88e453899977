import { describe, expect, it } from 'vitest';
import { parseReasons, reasonCodes } from './reason';

describe('parseReasons', () => {
  it('reads Q.850 and SIP reasons, several per line, commas inside quotes kept', () => {
    const values = parseReasons(['Q.850;cause=34;text="No circuit/channel available"', 'SIP ;cause=200 ;text="Call completed, elsewhere", Q.850;cause=16']);
    expect(values).toEqual([
      { protocol: 'Q.850', cause: 34, text: 'No circuit/channel available' },
      { protocol: 'SIP', cause: 200, text: 'Call completed, elsewhere' },
      { protocol: 'Q.850', cause: 16, text: null },
    ]);
    expect(reasonCodes(values)).toEqual({ q850: values[0], sip: values[1] });
  });

  it('skips what does not parse and keeps unknown protocols', () => {
    expect(parseReasons(['', 'preemption ;cause=1 ;text="UA preemption"', 'Q.850;cause=abc'])).toEqual([
      { protocol: 'preemption', cause: 1, text: 'UA preemption' },
      { protocol: 'Q.850', cause: null, text: null },
    ]);
    expect(reasonCodes(parseReasons(['Q.850;cause=abc']))).toEqual({ q850: null, sip: null });
  });
});
