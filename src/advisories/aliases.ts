/**
 * One finding per vulnerability: PYSEC, GHSA and CVE records of the same flaw name each other in
 * `aliases`, not always symmetrically, so records are grouped with union-find over every id they
 * carry. The result does not depend on the order the records arrive in (osv-scanner#3081 was a
 * grouping that did).
 */
import type { OsvRecord } from './types.js';
import { compareCodeUnits } from '../text-order.js';

export interface AdvisoryGroup {
  /** The preferred id among the grouped records (PYSEC, then GHSA, then others; ties by string). */
  id: string;
  /** Every other id known for the group (record ids and their aliases), in string order. */
  aliases: string[];
  /** The grouped records, the one whose id is `id` first, then by the same preference. */
  records: OsvRecord[];
}

const PREFIX_RANK: readonly string[] = ['PYSEC-', 'GHSA-'];

function idRank(id: string): number {
  const rank = PREFIX_RANK.findIndex((prefix) => id.startsWith(prefix));
  return rank === -1 ? PREFIX_RANK.length : rank;
}

/** Preference order for primary ids: PYSEC before GHSA before anything else, then plain string order. */
export function compareIdPreference(a: string, b: string): number {
  return idRank(a) - idRank(b) || compareCodeUnits(a, b);
}

class DisjointSets {
  private readonly parent = new Map<string, string>();

  find(x: string): string {
    let root = x;
    for (let p = this.parent.get(root); p !== undefined && p !== root; p = this.parent.get(root)) root = p;
    if (!this.parent.has(x)) this.parent.set(x, x);
    // Path compression keeps later finds flat.
    let node = x;
    while (node !== root) {
      const next = this.parent.get(node) ?? root;
      this.parent.set(node, root);
      node = next;
    }
    return root;
  }

  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra === rb) return;
    // The smaller string becomes the root, so the structure is the same whatever the input order.
    if (ra < rb) this.parent.set(rb, ra);
    else this.parent.set(ra, rb);
  }
}

/** Groups records whose ids or aliases overlap, transitively. Records with the same id are kept once. */
export function groupByAlias(records: readonly OsvRecord[]): AdvisoryGroup[] {
  // Most releases are hit by one record: its group is itself, no sets to build (an audit groups
  // each of its releases, thousands in a large one).
  if (records.length === 1) {
    const record = records[0]!;
    const aliases = [...new Set(record.aliases ?? [])].filter((alias) => alias !== record.id).sort(compareCodeUnits);
    return [{ id: record.id, aliases, records: [record] }];
  }
  const sets = new DisjointSets();
  const byId = new Map<string, OsvRecord>();
  for (const record of records) {
    if (!byId.has(record.id)) byId.set(record.id, record);
    sets.find(record.id);
    for (const alias of record.aliases ?? []) sets.union(record.id, alias);
  }

  const members = new Map<string, { ids: Set<string>; records: OsvRecord[] }>();
  for (const record of byId.values()) {
    const root = sets.find(record.id);
    let group = members.get(root);
    if (group === undefined) {
      group = { ids: new Set(), records: [] };
      members.set(root, group);
    }
    group.records.push(record);
    group.ids.add(record.id);
    for (const alias of record.aliases ?? []) group.ids.add(alias);
  }

  const groups: AdvisoryGroup[] = [];
  for (const { ids, records: grouped } of members.values()) {
    grouped.sort((a, b) => compareIdPreference(a.id, b.id));
    // The primary is one of the records we hold, so callers can always show its summary.
    const id = grouped[0]!.id;
    ids.delete(id);
    groups.push({ id, aliases: [...ids].sort(compareCodeUnits), records: grouped });
  }
  return groups.sort((a, b) => compareCodeUnits(a.id, b.id));
}

/**
 * Each release's hits grouped, under the same keys (`name@version`). Grouped once per audit: the
 * alias rating lookups (alias-severity.ts) and the findings (rules/vulnerabilities.ts) both need
 * the groups, and grouping thousands of records twice was a tenth of a large offline audit.
 */
export function groupHits(hits: ReadonlyMap<string, readonly OsvRecord[]>): Map<string, AdvisoryGroup[]> {
  const groups = new Map<string, AdvisoryGroup[]>();
  for (const [key, records] of hits) groups.set(key, groupByAlias(records));
  return groups;
}
