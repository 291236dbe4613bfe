import type { MirrorUpdateKind } from './mirror-status.js';
import { plural } from '../plural.js';

/**
 * How old the mirror's data is. The mirror's freshness is the age of its data (the newest record's
 * `modified`), not when it was last synced: a sync that succeeded against a stale copy, or an
 * import of an old bundle, leaves old data behind a recent sync time.
 */
export interface AdvisoryFreshness {
  /**
   * `modified` of the newest record held, as OSV wrote it, among those not dated in the future;
   * null when the mirror is empty, or (`undated`) holds only records dated in the future.
   */
  newestModified: string | null;
  /** Records are held, but every one is dated in the future: the data's age cannot be told. */
  undated?: true;
  /** When the mirror was last synced or imported into (ISO), null if never. */
  lastSync: string | null;
  /** Whether that was a sync of OSV's feed or an import of a file; null if never. */
  lastSyncKind: MirrorUpdateKind | null;
}

export interface AdvisoryDataAge extends AdvisoryFreshness {
  /** Whole days between the newest `modified` and now; null when unknown. */
  ageDays: number | null;
}

const DAY_MS = 86_400_000;

export function dataAge(freshness: AdvisoryFreshness, now: Date): AdvisoryDataAge {
  const at = freshness.newestModified === null ? Number.NaN : Date.parse(freshness.newestModified);
  const ageDays = Number.isNaN(at) ? null : Math.max(0, Math.floor((now.getTime() - at) / DAY_MS));
  return { ...freshness, ageDays };
}

/** One line for people: where the answers came from and how old the data is. */
export function describeDataAge(age: AdvisoryDataAge): string {
  if (age.newestModified === null) {
    return age.undated
      ? 'advisories from the local mirror, whose records are all dated in the future: how old its data is cannot be told'
      : 'advisories from the local mirror, which holds no records';
  }
  const days = age.ageDays === null ? '' : ` (${plural(age.ageDays, 'day')} old)`;
  const update = age.lastSyncKind === 'import' ? `imported ${age.lastSync} (an import, not synced from OSV since)` : `last synced ${age.lastSync ?? 'never'}`;
  return `advisories from the local mirror: newest record modified ${age.newestModified}${days}; ${update}`;
}
