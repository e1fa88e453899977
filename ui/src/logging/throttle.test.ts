import { describe, expect, it } from 'vitest';
import { LogThrottle } from './throttle';

describe('LogThrottle', () => {
  it('admits 20 lines a second, drops the rest and reports how many with the next admitted line', () => {
    let now = 0;
    const throttle = new LogThrottle(20, 1000, () => now);
    const verdicts = Array.from({ length: 25 }, () => throttle.admit());
    expect(verdicts.filter((v) => v.allowed)).toHaveLength(20);
    expect(verdicts.slice(20).every((v) => !v.allowed)).toBe(true);

    now = 999;
    expect(throttle.admit().allowed).toBe(false);
    now = 1000;
    expect(throttle.admit()).toEqual({ allowed: true, dropped: 6 });
    expect(throttle.admit()).toEqual({ allowed: true, dropped: 0 });
  });

  it('hands the dropped count over once', () => {
    let now = 0;
    const throttle = new LogThrottle(1, 1000, () => now);
    throttle.admit();
    throttle.admit();
    throttle.admit();
    expect(throttle.takeDropped()).toBe(2);
    expect(throttle.takeDropped()).toBe(0);
    now = 5000;
    expect(throttle.admit()).toEqual({ allowed: true, dropped: 0 });
  });
});
