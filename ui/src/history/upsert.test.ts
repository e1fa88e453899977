import { describe, expect, it } from 'vitest';
import { summary } from '../testing/fake-backend';
import { upsertCall } from './upsert';

describe('upsertCall', () => {
  it('replaces a known call in place and adds a new one on top, newest first, within the limit', () => {
    const list = [summary(3, '100'), summary(2, '104'), summary(1, '101')];
    const updated = upsertCall(list, summary(2, '104', { state: 'ended', ended_by: 'remote' }), 10);
    expect(updated.map((c) => [c.number, c.state])).toEqual([
      [3, 'idle'],
      [2, 'ended'],
      [1, 'idle'],
    ]);
    const added = upsertCall(updated, summary(4, '105'), 3);
    expect(added.map((c) => c.number)).toEqual([4, 3, 2]);
    expect(list).toHaveLength(3); // the original is left alone
  });
});
