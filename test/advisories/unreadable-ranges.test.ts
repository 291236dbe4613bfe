/**
 * An advisory whose range cannot be read where it opens (an `introduced` that is not PEP 440, or
 * none at all) fails closed: ignoring the event made the range match nothing, so the package passed
 * as "not affected". Such a range is taken to cover every release (still below its limits), the
 * result that matched through it is partial and names the advisory, and an import counts them.
 */
import { describe, expect, it } from 'vitest';
import { affects, matcherFor, unreadableRangeOf, unreadableRangeWarnings } from '../../src/advisories/match.js';
import { AdvisoryMirror } from '../../src/advisories/mirror.js';
import { deriveStoredMatcher, matcherFromStored, parseStoredMatcher, storedMatcherJson } from '../../src/advisories/stored-matcher.js';
import type { OsvEvent, OsvRecord } from '../../src/advisories/types.js';
import { auditFileSource } from '../../src/audit/run.js';
import { memorySource } from '../../src/python/files.js';
import { openDb } from '../../src/store/db.js';

function advisory(id: string, name: string, events: OsvEvent[], extra: Partial<OsvRecord> = {}): OsvRecord {
  return { id, modified: '2025-01-01T00:00:00Z', affected: [{ package: { ecosystem: 'PyPI', name }, ranges: [{ type: 'ECOSYSTEM', events }] }], ...extra };
}

/** The user trial's record: introduced "garbage", fixed "2.0". */
const garbage = () => advisory('TEST-0002', 'weirdpkg2', [{ introduced: 'garbage' }, { fixed: '2.0' }]);

describe('a range whose opening cannot be read opens below every release, and its readable fix still closes it', () => {
  it('introduced "garbage", fixed 2.0: every release below 2.0 is affected (where it opens is unknown), 2.0 and 3.0 are not', () => {
    const record = garbage();
    expect(['1.0', '1.9.9', '0.0.1.dev1'].every((v) => affects(record, 'weirdpkg2', v))).toBe(true);
    expect(['2.0', '3.0'].some((v) => affects(record, 'weirdpkg2', v))).toBe(false);
    expect(unreadableRangeOf(record, 'WeirdPkg2')).toBe('introduced "garbage"');
  });

  it('a range with no introduced event at all reads the same', () => {
    const record = advisory('TEST-0003', 'demo', [{ fixed: '2.0' }]);
    expect(affects(record, 'demo', '1.0')).toBe(true);
    expect(affects(record, 'demo', '5.0')).toBe(false);
    const open = advisory('TEST-0007', 'demo', [{ introduced: 'garbage' }]);
    expect(affects(open, 'demo', '5.0')).toBe(true);
    expect(unreadableRangeOf(record, 'demo')).toBe('no introduced event');
  });

  it('still below its limits, and a version that is not PEP 440 is still in no range', () => {
    const record = advisory('TEST-0004', 'demo', [{ introduced: 'garbage' }, { limit: '3.0' }]);
    expect(affects(record, 'demo', '2.9')).toBe(true);
    expect(affects(record, 'demo', '3.0')).toBe(false);
    expect(affects(record, 'demo', 'not a version')).toBe(false);
  });

  it('ranges that can be read say nothing, and unreadable `fixed` / `limit` values keep their old meaning (the range stays open)', () => {
    const readable = advisory('TEST-0005', 'demo', [{ introduced: '0' }, { fixed: '2.0' }]);
    expect(unreadableRangeOf(readable, 'demo')).toBeNull();
    expect(affects(readable, 'demo', '2.0')).toBe(false);
    const openFixed = advisory('TEST-0006', 'demo', [{ introduced: '1.0' }, { fixed: '2019-09-12' }]);
    expect(unreadableRangeOf(openFixed, 'demo')).toBeNull();
    expect(affects(openFixed, 'demo', '0.9')).toBe(false);
    expect(affects(openFixed, 'demo', '9.0')).toBe(true);
  });

  it('the matcher stored at import answers the same and keeps what could not be read', () => {
    const record = garbage();
    const stored = parseStoredMatcher(storedMatcherJson(record, 'weirdpkg2'));
    expect(stored).not.toBeNull();
    expect(stored!.ranges[0]!.unreadable).toBe('introduced "garbage"');
    const fromStored = matcherFromStored(stored!);
    const compiled = matcherFor(record, 'weirdpkg2');
    for (const v of ['1.0', '2.0', '3.0', 'garbage']) expect(fromStored(v)).toBe(compiled(v));
    // A readable record's stored form carries nothing more than before.
    expect(JSON.stringify(deriveStoredMatcher(advisory('TEST-0005', 'demo', [{ introduced: '0' }]), 'demo'))).not.toContain('unreadable');
  });
});

describe('a hit through a range that cannot be read', () => {
  it('gives one line per advisory and package, naming the advisory, what could not be read and the releases', () => {
    const record = garbage();
    const readable = advisory('TEST-0005', 'weirdpkg2', [{ introduced: '0' }]);
    const queries = [
      { name: 'weirdpkg2', version: '1.0' },
      { name: 'weirdpkg2', version: '3.0' },
      { name: 'other', version: '1.0' },
    ];
    const hits = new Map([
      ['weirdpkg2@1.0', [record, readable]],
      ['weirdpkg2@3.0', [record, readable]],
      ['other@1.0', []],
    ]);
    expect(unreadableRangeWarnings(queries, hits)).toEqual([
      'advisory TEST-0002 has a range for weirdpkg2 that cannot be read (introduced "garbage"): it was taken to affect weirdpkg2 1.0, 3.0, but whether it does is unknown',
    ]);
  });

  it('makes an offline audit from the mirror report the finding and be partial, naming the advisory; without decoding any record', async () => {
    const mirror = new AdvisoryMirror(openDb(':memory:'));
    const summary = await mirror.importRecords([garbage(), advisory('TEST-0005', 'fine', [{ introduced: '0' }, { fixed: '2.0' }])]);
    expect(summary).toMatchObject({ added: 2, rejected: 0, unreadableRanges: 1, unreadableRangeIds: ['TEST-0002'] });
    const tree = memorySource({ 'requirements.txt': 'weirdpkg2==1.0\nfine==2.0\n' });
    const result = await auditFileSource(tree, { target: 'app', advisories: mirror, registry: null, now: new Date('2025-02-01T00:00:00Z') });
    expect(result.findings.filter((f) => f.kind === 'vulnerability').map((f) => f.id)).toEqual(['TEST-0002']);
    expect(result.partial).toBe(true);
    expect(result.partialReasons).toEqual([
      {
        kind: 'data-source',
        message: 'advisory TEST-0002 has a range for weirdpkg2 that cannot be read (introduced "garbage"): it was taken to affect weirdpkg2 1.0, but whether it does is unknown',
      },
    ]);
    expect(mirror.stats.lazyRecordsLoaded).toBe(0);
  });

  it('an audit whose hits can all be read is complete, as before', async () => {
    const mirror = new AdvisoryMirror(openDb(':memory:'));
    const summary = await mirror.importRecords([advisory('TEST-0005', 'fine', [{ introduced: '0' }, { fixed: '2.0' }]), { ...garbage(), withdrawn: '2025-01-02T00:00:00Z' }]);
    // A withdrawn record matches nothing: nothing to count.
    expect(summary.unreadableRanges).toBeUndefined();
    const result = await auditFileSource(memorySource({ 'requirements.txt': 'fine==1.0\nweirdpkg2==1.0\n' }), { target: 'app', advisories: mirror, registry: null, now: new Date('2025-02-01T00:00:00Z') });
    expect(result.findings.map((f) => f.id)).toContain('TEST-0005');
    expect(result.partial).toBe(false);
  });
});
