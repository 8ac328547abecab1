/** When released request memory is collected (reclaim.ts): after a quiet moment, never under steady large traffic. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { garbageCollector, heapBound, reclaimer } from './reclaim.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('reclaimer', () => {
  const setup = () => {
    vi.useFakeTimers();
    const collect = vi.fn();
    const r = reclaimer({ thresholdBytes: 100, quietMs: 1000, largeBytes: 10, collect });
    return { r, collect };
  };

  it('does nothing for less than the threshold', () => {
    const { r, collect } = setup();
    r.released(99);
    vi.advanceTimersByTime(5000);
    expect(collect).not.toHaveBeenCalled();
  });

  it('collects once, after the quiet time, when the threshold is reached', () => {
    const { r, collect } = setup();
    r.released(60);
    r.released(60);
    vi.advanceTimersByTime(999);
    expect(collect).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(collect).toHaveBeenCalledTimes(1);
    expect(r.runs).toBe(1);
    vi.advanceTimersByTime(5000);
    expect(collect).toHaveBeenCalledTimes(1);
  });

  it('ignores small releases: steady typical traffic never forces a collection', () => {
    const { r, collect } = setup();
    for (let i = 0; i < 1000; i++) r.released(9);
    vi.advanceTimersByTime(5000);
    expect(collect).not.toHaveBeenCalled();
  });

  it('is postponed by large releases but not by small ones', () => {
    const { r, collect } = setup();
    r.released(100);
    for (let i = 0; i < 5; i++) {
      vi.advanceTimersByTime(900);
      r.released(50);
    }
    expect(collect).not.toHaveBeenCalled();
    // A trickle of typical calls after a burst does not keep the burst's memory resident.
    r.released(5);
    vi.advanceTimersByTime(600);
    r.released(5);
    vi.advanceTimersByTime(400);
    expect(collect).toHaveBeenCalledTimes(1);
  });

  it('gets V8 collection without --expose-gc', () => {
    const gc = garbageCollector();
    expect(typeof gc).toBe('function');
    expect(() => gc?.()).not.toThrow();
  });
});

describe('heapBound', () => {
  const setup = (growthBytes = 100) => {
    let used = 50;
    const collect = vi.fn(() => {
      used = 60;
    });
    const bound = heapBound({ growthBytes, used: () => used, collect });
    return { bound, collect, grow: (n: number) => (used += n) };
  };

  it('does not collect while the old generation stays within the bound', () => {
    const { bound, collect, grow } = setup();
    grow(99);
    expect(bound.check()).toBe(false);
    expect(collect).not.toHaveBeenCalled();
  });

  it('collects once it grew by the bound, then measures growth from what the collection left', () => {
    const { bound, collect, grow } = setup();
    grow(100);
    expect(bound.check()).toBe(true);
    expect(collect).toHaveBeenCalledTimes(1);
    // 60 left after the collection: the next one comes at 160, not at 150.
    grow(95);
    expect(bound.check()).toBe(false);
    grow(5);
    expect(bound.check()).toBe(true);
    expect(bound.runs).toBe(2);
  });
});
