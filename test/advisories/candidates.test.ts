/**
 * Reading apart from matching: a source's `candidates` are what it read (the mirror: every record
 * naming the package; the OSV API: what OSV listed), and our matcher over them gives exactly what
 * `affecting` answers. The audit runs that matching in a worker thread, so the two must agree.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchCandidates } from '../../src/advisories/match.js';
import { AdvisoryMirror } from '../../src/advisories/mirror.js';
import { OsvApi } from '../../src/advisories/osv-api.js';
import { FallbackSource } from '../../src/advisories/select.js';
import { queryKey, type AdvisorySource, type PackageQuery } from '../../src/advisories/types.js';
import { openDb } from '../../src/store/db.js';
import { startFakeOsv, type FakeOsv } from '../fakes/osv.js';
import { fixtureRecords } from '../fixtures/osv/load.js';

const QUERIES: PackageQuery[] = [
  { name: 'Django', version: '2.1.5' },
  { name: 'django', version: '5.0.1' },
  { name: 'jinja2', version: '2.10' },
  { name: 'jinja2', version: '2.10' },
  { name: 'PyYAML', version: '5.1' },
  { name: 'requests', version: 'not.a.version' },
  { name: 'no-such-package-anywhere', version: '1.0' },
];

describe('candidates, then our matcher, is affecting', () => {
  let osv: FakeOsv;
  let mirror: AdvisoryMirror;
  let api: OsvApi;

  beforeAll(async () => {
    const records = [...fixtureRecords().values()];
    osv = await startFakeOsv({ records });
    mirror = new AdvisoryMirror(openDb(':memory:'));
    await mirror.importRecords(records);
    api = new OsvApi({ baseUrl: osv.url, db: openDb(':memory:'), backoffMs: 5, timeoutMs: 5_000 });
  });
  afterAll(async () => {
    await osv?.close();
  });

  const sources: [string, () => AdvisorySource][] = [
    ['the local mirror', () => mirror],
    ['the OSV API', () => api],
    ['the OSV API with the mirror as fallback', () => new FallbackSource(api, mirror)],
  ];

  for (const [label, source] of sources) {
    it(label, async () => {
      const candidates = await source().candidates!(QUERIES);
      const affecting = await source().affecting(QUERIES);
      expect(matchCandidates(QUERIES, candidates)).toEqual(affecting);
      expect([...affecting.keys()].sort()).toEqual([...new Set(QUERIES.map(queryKey))].sort());
      expect(affecting.get('Django@2.1.5')!.map((r) => r.id)).toContain('PYSEC-2019-13');
      for (const [key, hits] of affecting) for (const hit of hits) expect(candidates.get(key)).toContainEqual(hit);
    });
  }

  it('the mirror reads every record of the package, matched or not: the matching is left to the matcher', async () => {
    const candidates = await mirror.candidates(QUERIES);
    const affecting = await mirror.affecting(QUERIES);
    expect(candidates.get('django@5.0.1')!.length).toBeGreaterThan(affecting.get('django@5.0.1')!.length);
  });
});
