import { describe, expect, it } from 'vitest';
import { partitionPoint } from '../src/sorted.js';

describe('partitionPoint', () => {
  const starts = [0, 4, 9, 9, 15];

  it('is the first index where the test stops holding: how many entries pass it', () => {
    expect(partitionPoint(0, starts.length, (i) => starts[i]! <= 8)).toBe(2);
    expect(partitionPoint(0, starts.length, (i) => starts[i]! <= 9)).toBe(4);
    expect(partitionPoint(0, starts.length, (i) => starts[i]! < 9)).toBe(2);
  });

  it('is `from` when the test holds for none, `to` when it holds for all, and `from` for an empty range', () => {
    expect(partitionPoint(0, starts.length, (i) => starts[i]! < 0)).toBe(0);
    expect(partitionPoint(0, starts.length, (i) => starts[i]! <= 100)).toBe(starts.length);
    expect(partitionPoint(3, 3, () => true)).toBe(3);
  });

  it('searches only within [from, to)', () => {
    const asked: number[] = [];
    expect(partitionPoint(2, 4, (i) => (asked.push(i), starts[i]! <= 9))).toBe(4);
    expect(asked.every((i) => i >= 2 && i < 4)).toBe(true);
  });

  it('agrees with a linear scan on every prefix length of random sorted lists, in O(log n) calls', () => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let run = 0; run < 200; run++) {
      const values = Array.from({ length: next() % 50 }, () => next() % 20).sort((a, b) => a - b);
      const probe = next() % 22;
      let calls = 0;
      const found = partitionPoint(0, values.length, (i) => (calls++, values[i]! <= probe));
      expect(found).toBe(values.filter((v) => v <= probe).length);
      expect(calls).toBeLessThanOrEqual(Math.ceil(Math.log2(values.length + 1)) + 1);
    }
  });
});
