/**
 * A pinned release whose version is not PEP 440 (`0.12-internal`, `2.1.5.`, `===` to anything) has
 * no place in PEP 440 order, so an advisory's version ranges cannot say whether it is affected.
 * Answering "not affected" passed such pins silently (user trial). Now each such release whose
 * package has advisories with ranges makes the result partial, one reason per release; an exact
 * listed spelling still matches (a finding); a package with no advisories stays complete. The OSV
 * API may answer nothing for such a version: the package's list is read and matched here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OsvApi } from '../../src/advisories/osv-api.js';
import { AdvisoryMirror } from '../../src/advisories/mirror.js';
import { checkUncomparableVersions, findUncomparable, uncomparedVersionWarnings } from '../../src/advisories/uncompared-versions.js';
import type { AdvisorySource, OsvRecord } from '../../src/advisories/types.js';
import { auditFileSource } from '../../src/audit/run.js';
import { memorySource } from '../../src/python/files.js';
import { openDb } from '../../src/store/db.js';
import { startFakeOsv, type FakeOsv } from '../fakes/osv.js';

const NOW = new Date('2025-02-01T00:00:00Z');

function ranged(id: string, name: string, extra: Partial<OsvRecord> = {}): OsvRecord {
  return { id, modified: '2025-01-01T00:00:00Z', affected: [{ package: { ecosystem: 'PyPI', name }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.0' }] }] }], ...extra };
}

function listed(id: string, name: string, versions: string[], withRange = false): OsvRecord {
  return {
    id,
    modified: '2025-01-01T00:00:00Z',
    affected: [{ package: { ecosystem: 'PyPI', name }, versions, ...(withRange ? { ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '0.9' }] }] } : {}) }],
  };
}

const RECORDS: OsvRecord[] = [
  ranged('PYSEC-1', 'flask', { aliases: ['GHSA-aaaa'] }),
  ranged('GHSA-aaaa', 'flask', { aliases: ['PYSEC-1'] }), // the same flaw: one advisory
  ranged('PYSEC-2', 'flask'),
  ranged('PYSEC-3', 'flask', { withdrawn: '2025-01-02T00:00:00Z' }), // withdrawn: not a question
  listed('PYSEC-4', 'flask', ['0.10']), // a list only: compared exactly, nothing left open
  listed('PYSEC-5', 'legacy', ['0.1-charmander'], true), // listed exactly, and with a range
  listed('PYSEC-6', 'legacy', ['0.2'], true),
  listed('PYSEC-7', 'onlylisted', ['0.1-charmander']),
];

describe('which releases are left unanswered', () => {
  const packages = new Map<string, OsvRecord[]>([
    ['flask', RECORDS.slice(0, 5)],
    ['legacy', RECORDS.slice(5, 7)],
    ['onlylisted', [RECORDS[7]!]],
    ['nothing', []],
  ]);

  it('one line per release that is not PEP 440, counting the advisories with ranges as findings count them (aliases merged, withdrawn left out)', () => {
    const queries = [
      { name: 'flask', version: '0.12-internal' },
      { name: 'flask', version: '0.12-internal' },
      { name: 'flask', version: '0.12' },
      { name: 'flask', version: 'garbage' },
    ];
    expect(uncomparedVersionWarnings(findUncomparable(queries), new Map(), packages).warnings).toEqual([
      'flask 0.12-internal is not a PEP 440 version: the 2 advisories for flask with version ranges could not be compared with it',
      'flask garbage is not a PEP 440 version: the 2 advisories for flask with version ranges could not be compared with it',
    ]);
  });

  it('an advisory that matched through its listed spelling is a finding, not a question; the others with ranges still are', () => {
    const query = { name: 'legacy', version: '0.1-charmander' };
    const hits = new Map([['legacy@0.1-charmander', [RECORDS[5]!]]]);
    expect(uncomparedVersionWarnings(findUncomparable([query]), hits, packages).warnings).toEqual([
      'legacy 0.1-charmander is not a PEP 440 version: the 1 advisory for legacy with version ranges could not be compared with it',
    ]);
  });

  it('says nothing for a package with no advisories, or whose advisories only list versions', () => {
    const queries = [
      { name: 'nothing', version: '1.0-custom' },
      { name: 'onlylisted', version: '0.1-charmander' },
    ];
    expect(uncomparedVersionWarnings(findUncomparable(queries), new Map(), packages).warnings).toEqual([]);
  });

  it('a package whose list could not be read leaves every advisory it may have open, said as a source not reached', () => {
    const out = uncomparedVersionWarnings(findUncomparable([{ name: 'absent', version: 'x-1' }]), new Map(), packages, new Map([['absent', 'OSV answered 503']]));
    expect(out.warnings).toEqual(['absent x-1 is not a PEP 440 version, and the advisories for absent could not be read (OSV answered 503) to compare with it: whether any affects it is unknown']);
    expect(out.notReached).toEqual(out.warnings);
  });

  it('finds the releases that are not PEP 440 once each, with their packages\' names, once per audit', () => {
    const found = findUncomparable([
      { name: 'Legacy_Pkg', version: '0.1-charmander' },
      { name: 'flask', version: '0.12' },
      { name: 'Legacy_Pkg', version: '0.1-charmander' }, // the same pin in two files
      { name: 'legacy.pkg', version: '2.1.5.' },
    ]);
    expect(found.queries).toEqual([
      { name: 'Legacy_Pkg', version: '0.1-charmander' },
      { name: 'legacy.pkg', version: '2.1.5.' },
    ]);
    expect(found.names).toEqual(['legacy-pkg']);
  });

  it('reads nothing when every version is PEP 440', async () => {
    const source = { kind: 'mirror', affecting: async () => new Map(), forPackage: async () => expect.fail('not read') } as unknown as AdvisorySource;
    expect(await checkUncomparableVersions(source, findUncomparable([{ name: 'flask', version: '0.12' }]), new Map())).toMatchObject({ warnings: [] });
  });
});

describe('an audit of pins that are not PEP 440', () => {
  let mirror: AdvisoryMirror;
  let osv: FakeOsv;
  let api: OsvApi;

  beforeAll(async () => {
    mirror = new AdvisoryMirror(openDb(':memory:'));
    await mirror.importRecords(RECORDS);
    // OSV may answer nothing for a version it cannot read: the listed spelling must still be found.
    osv = await startFakeOsv({ records: RECORDS, nothingForVersionsOutsidePep440: true });
    api = new OsvApi({ baseUrl: osv.url, db: openDb(':memory:'), backoffMs: 5, timeoutMs: 5_000 });
  });
  afterAll(async () => {
    await osv?.close();
  });

  for (const [label, source] of [
    ['from the local mirror', () => mirror],
    ['from the OSV API, which answers nothing for such a version', () => api],
  ] as const) {
    it(`${label}: partial, one reason per release; the listed spelling is a finding; a package with no advisories says nothing`, async () => {
      const tree = memorySource({ 'requirements.txt': 'flask===0.12-internal\nlegacy===0.1-charmander\nnothing===1.0-custom\nonlylisted===0.1-charmander\n' });
      const result = await auditFileSource(tree, { target: 'app', advisories: source(), registry: null, now: NOW });
      expect(result.findings.filter((f) => f.kind === 'vulnerability').map((f) => `${f.package} ${f.id}`).sort()).toEqual(['legacy PYSEC-5', 'onlylisted PYSEC-7']);
      expect(result.partial).toBe(true);
      expect(result.partialReasons).toEqual([
        { kind: 'data-source', message: 'flask 0.12-internal is not a PEP 440 version: the 2 advisories for flask with version ranges could not be compared with it' },
        { kind: 'data-source', message: 'legacy 0.1-charmander is not a PEP 440 version: the 1 advisory for legacy with version ranges could not be compared with it' },
      ]);
    });
  }

  it('is complete when the only such pins belong to packages with no advisory with a range', async () => {
    const tree = memorySource({ 'requirements.txt': 'nothing===1.0-custom\nonlylisted===0.2-other\n' });
    const result = await auditFileSource(tree, { target: 'app', advisories: mirror, registry: null, now: NOW });
    expect(result.partial).toBe(false);
    expect(result.findings.filter((f) => f.kind === 'vulnerability')).toEqual([]);
  });
});
