import { describe, expect, it } from 'vitest';
import { advisoryFacts } from '../../src/packages/sources/advisories.js';
import type { OsvRecord } from '../../src/advisories/types.js';

/** One record of an alias pair, fixing `demo` at each of `fixes` (one range per fix). */
const record = (id: string, alias: string, fixes: string[]): OsvRecord => ({
  id,
  aliases: [alias],
  modified: '2024-01-01T00:00:00Z',
  affected: [{ package: { ecosystem: 'PyPI', name: 'demo' }, ranges: fixes.map((fixed) => ({ type: 'ECOSYSTEM' as const, events: [{ introduced: '0' }, { fixed }] })) }],
});

describe("the package card's fixed versions of an alias group", () => {
  it('are in version order, as the audit and check list them, whichever record names them first', () => {
    const facts = advisoryFacts([record('PYSEC-2024-1', 'GHSA-aaaa-bbbb-cccc', ['3.0']), record('GHSA-aaaa-bbbb-cccc', 'PYSEC-2024-1', ['1.5', '3.0'])], 'demo', '1.0');
    expect(facts).toHaveLength(1);
    expect(facts[0]!.fixedVersions).toEqual(['1.5', '3.0']);
  });
});
