/**
 * A sweep split into batch jobs keeps to one sweep's re-checks (RECHECKS_PER_SWEEP) whatever the
 * number of batches, and with more batches than re-checks each batch gets its turn.
 */
import { describe, expect, it } from 'vitest';
import { rechecksShare } from '../../src/jobs/sweep-batches.js';

const shares = (max: number, batches: number, turn: number) => Array.from({ length: batches }, (_, n) => rechecksShare(max, batches, n, turn));
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe("a batch's share of a sweep's re-checks", () => {
  it('adds up to the sweep’s bound, however many batches', () => {
    for (const batches of [1, 2, 3, 4, 7, 25, 40, 100]) for (const turn of [0, 1, 13, 28_000_000]) expect(sum(shares(25, batches, turn))).toBe(25);
  });

  it('is even for four batches of 250 (1,000 repositories), the remainder taking turns', () => {
    expect(shares(25, 4, 0)).toEqual([7, 6, 6, 6]);
    expect(shares(25, 4, 1)).toEqual([6, 7, 6, 6]);
  });

  it('gives every batch some over successive sweeps when there are more batches than re-checks', () => {
    const got = new Array<number>(40).fill(0);
    for (let turn = 0; turn < 2; turn++) shares(25, 40, turn).forEach((s, n) => (got[n]! += s));
    expect(got.every((g) => g > 0)).toBe(true);
  });
});
