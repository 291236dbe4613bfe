/**
 * Which packages' health worsened since a channel's last weekly digest: the verdict got worse
 * (ok → caution, ok or caution → avoid: archived, quarantined, deprecated, no release in two years,
 * yanked…) or PyPI lists new owners (a transferred project is how several takeovers began). Pure.
 * A package seen for the first time sets the baseline and is not reported; one that could not be
 * read this week is counted apart, never treated as unchanged.
 */
import type { HealthSnapshot } from '../packages/health-snapshot.js';
import type { Verdict } from '../packages/verdict.js';

export interface WorsenedPackage {
  package: string;
  from: Verdict;
  to: Verdict;
  /** This week's reasons (empty when only the owners changed). */
  reasons: string[];
  /** Owners PyPI lists now and did not last week; empty when unchanged or unpublished. */
  newOwners: string[];
  /** Owners listed last week and gone now. */
  goneOwners: string[];
}

export interface HealthChanges {
  worsened: WorsenedPackage[];
  /** Packages whose index answers could not be read this week. */
  unread: string[];
}

const RANK: Record<Verdict, number> = { ok: 0, caution: 1, avoid: 2 };

export function healthChanges(previous: ReadonlyMap<string, HealthSnapshot>, current: ReadonlyMap<string, HealthSnapshot | null>): HealthChanges {
  const worsened: WorsenedPackage[] = [];
  const unread: string[] = [];
  for (const [name, now] of current) {
    if (now === null) {
      unread.push(name);
      continue;
    }
    const before = previous.get(name);
    if (!before) continue;
    const newOwners = before.owners && now.owners ? now.owners.filter((o) => !before.owners!.includes(o)) : [];
    const goneOwners = before.owners && now.owners ? before.owners.filter((o) => !now.owners!.includes(o)) : [];
    const worse = RANK[now.verdict] > RANK[before.verdict];
    if (!worse && newOwners.length === 0) continue;
    worsened.push({ package: name, from: before.verdict, to: now.verdict, reasons: worse ? now.reasons : [], newOwners, goneOwners });
  }
  worsened.sort((a, b) => RANK[b.to] - RANK[a.to] || a.package.localeCompare(b.package));
  return { worsened, unread: unread.sort() };
}
