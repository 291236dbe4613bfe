import { describe, expect, it, vi } from 'vitest';
import type { OsvRecord } from '../../src/advisories/types.js';

// Counts the questions the fix search asks the advisories' matchers.
const asked = vi.hoisted(() => ({ count: 0 }));
vi.mock('../../src/advisories/match.js', async (importOriginal) => {
  const match = await importOriginal<typeof import('../../src/advisories/match.js')>();
  return {
    ...match,
    matcherFor: (record: OsvRecord, name: string) => {
      const affects = match.matcherFor(record, name);
      return (version: string) => {
        asked.count++;
        return affects(version);
      };
    },
  };
});

const { affects, fixedVersions } = await import('../../src/advisories/match.js');
const { smallestFix } = await import('../../src/audit/fix.js');
const { compareVersions } = await import('../../src/python/pep440.js');

const advisory = (id: string, events: Array<{ introduced?: string; fixed?: string }>, versions?: string[]): OsvRecord => ({
  id,
  modified: '2024-01-01T00:00:00Z',
  affected: [{ package: { ecosystem: 'PyPI', name: 'demo' }, ranges: [{ type: 'ECOSYSTEM', events }], ...(versions ? { versions } : {}) }],
});

/** The first fixed version above `version` that no advisory affects (a withdrawn one affects none): what the search must answer. */
function firstClean(version: string, records: OsvRecord[]): string | null {
  const fixes = [...new Set(records.flatMap((r) => fixedVersions(r, 'demo')))].filter((v) => compareVersions(v, version) > 0).sort(compareVersions);
  return fixes.find((v) => records.every((r) => !affects(r, 'demo', v))) ?? null;
}

describe('the fix search over many advisories', () => {
  it('asks each advisory about a handful of releases, not every advisory about every release (300 advisories, one per release)', () => {
    // Listed in the order a mirror returns them, oldest fix last: each release is fixed by one
    // advisory and affected by the next, like a package with a long run of advisories.
    const records = Array.from({ length: 300 }, (_, i) => advisory(`X-${i}`, [{ introduced: `1.${i}` }, { fixed: `1.${i + 1}` }])).reverse();
    records.push(advisory('X-last', [{ introduced: '1.300' }, { fixed: '2.0' }]));
    asked.count = 0;
    expect(smallestFix('demo', '1.0', records, null)).toEqual({ ok: true, version: '2.0' });
    // Each release is asked of the advisory that stopped the one before, then of the one naming the
    // next fix; the answer is asked of all 301. Asking every advisory in order took about 45,000.
    expect(asked.count).toBeLessThan(4 * records.length);
  });

  it('gives the same answer as asking every advisory about every fix, whatever the advisories look like', () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 200; round++) {
      const records = Array.from({ length: 1 + random(12) }, (_, i) => {
        const from = random(20);
        const to = from + 1 + random(6);
        const listed = random(4) === 0 ? [`1.${to}`, `1.${random(30)}`] : undefined;
        const events = random(8) === 0 ? [{ introduced: `1.${from}` }] : [{ introduced: `1.${from}` }, { fixed: `1.${to}` }];
        return { ...advisory(`R-${round}-${i}`, events, listed), ...(random(15) === 0 ? { withdrawn: '2024-01-02T00:00:00Z' } : {}) };
      });
      const live = records.filter((r) => !r.withdrawn);
      const installed = `1.${random(20)}`;
      const fix = smallestFix('demo', installed, records, null);
      if (!live.some((r) => affects(r, 'demo', installed))) expect(fix).toEqual({ ok: false, reason: 'not affected' });
      else {
        expect(fix.ok ? fix.version : null).toBe(firstClean(installed, records));
      }
    }
  });
});
