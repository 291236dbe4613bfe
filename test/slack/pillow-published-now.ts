/**
 * A pillow advisory published during the test, for every release before 99 (pillow 8.0.0 among
 * them): what a sweep after "now" finds new. Built on a real pillow record from the fixtures so it
 * has the shape OSV gives; `id`, `summary` and `details` tell tests' advisories apart.
 */
import type { OsvRecord } from '../../src/advisories/types.js';
import { fixtureRecords } from '../fixtures/osv/load.js';

export function pillowAdvisoryPublishedNow(fields: { id: string; summary: string; details: string }): OsvRecord {
  const pillow = [...fixtureRecords().values()].find((r) => r.affected?.some((a) => a.package?.name.toLowerCase() === 'pillow'))!;
  const now = new Date().toISOString();
  return {
    ...pillow,
    ...fields,
    aliases: [],
    published: now,
    modified: now,
    affected: [{ package: { ecosystem: 'PyPI', name: 'pillow' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '99.0.0' }] }] }],
  } as OsvRecord;
}
