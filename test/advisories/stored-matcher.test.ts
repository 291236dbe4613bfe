import { describe, expect, it } from 'vitest';
import { affectedEntries, fixedVersions, inEcosystemRange, matcherFor } from '../../src/advisories/match.js';
import { deriveStoredMatcher, matcherFromStored, parseStoredMatcher, storedMatcherJson } from '../../src/advisories/stored-matcher.js';
import { severityOf } from '../../src/advisories/severity.js';
import type { OsvRecord } from '../../src/advisories/types.js';
import { compareVersions, isValidVersion } from '../../src/python/pep440.js';
import { normalizeName } from '../../src/python/names.js';
import { fixtureRecords } from '../fixtures/osv/load.js';

/** The stored form as the mirror reads it back: derived, written as JSON, parsed, compiled. */
const storedPath = (record: OsvRecord, name: string) => matcherFromStored(parseStoredMatcher(storedMatcherJson(record, name))!);

/**
 * The full comparison, spelled out from the OSV rules (docs/pep440.md): a listed version matches
 * when PEP 440 equal to the release (compareVersions, found by binary search in the list sorted by
 * it) or, for a release that is not PEP 440, spelled the same; a range when the release is valid
 * and inside it.
 */
function fullComparison(record: OsvRecord, name: string): (version: string) => boolean {
  const entries = affectedEntries(record, name);
  const listed = entries.flatMap((entry) => entry.versions ?? []);
  const ordered = listed.filter(isValidVersion).sort(compareVersions);
  const ranges = entries.flatMap((entry) => (entry.ranges ?? []).filter((range) => range.type === 'ECOSYSTEM'));
  return (version) => {
    if (!isValidVersion(version)) return listed.includes(version);
    let low = 0;
    let high = ordered.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const order = compareVersions(ordered[middle]!, version);
      if (order === 0) return true;
      if (order < 0) low = middle + 1;
      else high = middle - 1;
    }
    return ranges.some((range) => inEcosystemRange(range, version));
  };
}

/** Releases to ask about: every version the record names, and other spellings and neighbours of each. */
function probesFor(record: OsvRecord, name: string): string[] {
  const seen = new Set<string>(['0', '0.0.0', '99999', 'not-a-version', '', 'latest', '1.0-foo']);
  for (const entry of affectedEntries(record, name)) {
    const named = [...(entry.versions ?? [])];
    for (const range of entry.ranges ?? []) for (const e of range.events) named.push(...Object.values(e).filter((v): v is string => typeof v === 'string'));
    // Every named version as written; other spellings of up to 40 of them, spread over the list.
    for (const v of named) seen.add(v);
    const step = Math.max(1, Math.ceil(named.length / 40));
    for (const v of named.filter((_, i) => i % step === 0)) {
      // Equal spellings, local versions, post and dev releases, epochs, prefixes and trailing zeros.
      for (const variant of [`${v}.0`, `${v}.0.0`, `v${v}`, ` ${v} `, v.toUpperCase(), `${v}+local.1`, `${v}.post1`, `${v}-1`, `${v}.dev0`, `${v}rc1`, `1!${v}`, `0!${v}`, `${v}x`]) {
        seen.add(variant);
      }
      seen.add(v.replace(/a(\d)/, '-alpha$1').replace(/b(\d)/, '.beta.$1').replace(/rc(\d)/, '-c$1'));
      seen.add(v.replace(/\.0+(?=\.|$)/g, '.00'));
    }
  }
  return [...seen];
}

describe('matchers stored at import time', () => {
  const records = [...fixtureRecords().values()].filter((r) => r.withdrawn === undefined);
  const pairs = records.flatMap((record) => [...new Set((record.affected ?? []).filter((e) => e.package?.ecosystem === 'PyPI').map((e) => normalizeName(e.package!.name)))].map((name) => ({ record, name })));

  it('answer exactly as matching the record does, and as the full comparison, for every fixture advisory', () => {
    expect(pairs.length).toBeGreaterThan(2_600);
    let asked = 0;
    const differences: string[] = [];
    for (const { record, name } of pairs) {
      const stored = storedPath(record, name);
      // A copy, so this record's matcher is compiled from its lists, never from a primed cache.
      const compiled = matcherFor(structuredClone(record), name);
      const full = fullComparison(record, name);
      for (const version of probesFor(record, name)) {
        asked += 1;
        const expected = full(version);
        if (compiled(version) !== expected) differences.push(`record path: ${record.id} ${name} ${JSON.stringify(version)}`);
        if (stored(version) !== expected) differences.push(`stored path: ${record.id} ${name} ${JSON.stringify(version)}`);
      }
    }
    expect(differences.slice(0, 20)).toEqual([]);
    expect(asked).toBeGreaterThan(300_000);
  }, 120_000);

  it('keep the fixed versions the fix search reads, and the severity findings are rated by', () => {
    for (const { record, name } of pairs.slice(0, 500)) {
      const stored = parseStoredMatcher(storedMatcherJson(record, name))!;
      expect(stored.fixed).toEqual(fixedVersions(record, name));
      expect(stored.severity).toEqual(severityOf(record, name));
    }
  });

  it('hold each valid listed version once in canonical form, and invalid ones as written', () => {
    const record: OsvRecord = {
      id: 'PYSEC-TEST-1',
      modified: '2024-01-01T00:00:00Z',
      affected: [
        { package: { ecosystem: 'PyPI', name: 'Demo' }, versions: ['1.0', '1.0.0', 'V1.0', '2.0+Local', '1!3.0', '2.0.post1', '3.0.dev0', 'not a version', '4.0-foo'] },
      ],
    };
    const stored = deriveStoredMatcher(record, 'demo');
    expect(stored.keys.split(' ').filter(Boolean).sort()).toEqual(['1', '1!3', '2+local', '2.post1', '3.dev0']);
    expect(stored.exact).toEqual(['not a version', '4.0-foo']);
    const affects = matcherFromStored(stored);
    expect(['1', '1.0.0.0', 'v1', '2.0+local', '2+LOCAL', '1!3', '2.0-1', '3.0dev', 'not a version', '4.0-foo'].every(affects)).toBe(true);
    // A local version is not its public release, nor an epoch the release without it; invalid text matches only itself.
    expect(['2.0', '2.0+other', '3.0', '1!1.0', '3.0.dev1', 'not  a version', '4.0-FOO'].some(affects)).toBe(false);
  });

  it('are not used when damaged or of another format (the record is matched instead)', () => {
    const good = storedMatcherJson({ id: 'X', modified: '2024-01-01T00:00:00Z', affected: [{ package: { ecosystem: 'PyPI', name: 'demo' }, versions: ['1.0'] }] }, 'demo');
    expect(parseStoredMatcher(good)).not.toBeNull();
    expect(parseStoredMatcher(null)).toBeNull();
    expect(parseStoredMatcher(good.slice(0, -5))).toBeNull();
    expect(parseStoredMatcher(good.replace('"format":2', '"format":1'))).toBeNull();
    expect(parseStoredMatcher(good.replace('"keys":"1 "', '"keys":["1"]'))).toBeNull();
    // Keys end with a space each: a cut-off list would hide its last key.
    expect(parseStoredMatcher(good.replace('"keys":"1 "', '"keys":"1"'))).toBeNull();
    expect(parseStoredMatcher(good.replace('"exact":[]', '"exact":[1]'))).toBeNull();
    expect(parseStoredMatcher(good.replace('"level":"unknown"', '"level":"dire"'))).toBeNull();
    expect(parseStoredMatcher('{"format":2,"keys":"","exact":[],"fixed":[],"ranges":[{"walked":[{"kind":"introduced","value":"not pep 440"}],"limits":[]}]}')).toBeNull();
  });
});
