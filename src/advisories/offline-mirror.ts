/**
 * `--offline`: the local mirror answers alone, and nothing tells its answers apart from OSV's but
 * the age of its data. A mirror whose newest record is older than the limit cannot vouch for what
 * was published since, so its answers come with a warning, which makes the result partial (fail
 * closed): an empty answer from data weeks old must not pass a gate. Grype does the same: it
 * refuses a vulnerability database built more than `db.max-allowed-built-age` ago (120 hours by
 * default) unless told otherwise.
 */
import { dataAge, type AdvisoryDataAge, type AdvisoryFreshness } from './freshness.js';
import type { AdvisoryMirror } from './mirror.js';
import { describeIncompleteUpdate, incompleteUpdateFix, type IncompleteUpdate } from './incomplete-update.js';
import type { AdvisorySource, OsvRecord, PackageQuery } from './types.js';
import { plural } from '../plural.js';
import { MAX_DATA_AGE_ENV } from './max-data-age.js';

/**
 * Why data of this age cannot answer alone, as a partial reason, or null when it is within the
 * limit. An age that cannot be told (no readable `modified`) counts as too old.
 */
export function staleOfflineData(age: AdvisoryDataAge, maxDays: number): string | null {
  if (age.ageDays !== null && age.ageDays <= maxDays) return null;
  const howOld =
    age.ageDays === null
      ? `has no readable date (newest record modified ${age.newestModified ?? '-'}), so it counts as older than`
      : `is ${plural(age.ageDays, 'day')} old (newest record modified ${age.newestModified ?? '-'}), over`;
  return (
    `the local advisory mirror's data ${howOld} the ${maxDays}-day limit for --offline: advisories published or changed since were not checked; ` +
    `run \`depwatch db sync\` (or \`depwatch db import\` a newer file), or raise the limit with --max-data-age DAYS or ${MAX_DATA_AGE_ENV}`
  );
}

/**
 * Why a mirror whose last import or sync stopped early cannot answer alone, as a partial reason,
 * or null when the last one read all of its source. Not `unreached`: what it holds was matched, and
 * its findings stand; what the cut source held after the damage was not.
 */
export function incompleteOfflineData(update: IncompleteUpdate | null): string | null {
  if (update === null) return null;
  return `${describeIncompleteUpdate(update)}; ${incompleteUpdateFix(update)}`;
}

/**
 * The mirror as an offline command's only source: it answers as the mirror does, and warns (once
 * per result) when its data is older than `maxDataAgeDays` at `now`, and when its last import or
 * sync stopped before the end of its source.
 */
export class OfflineMirrorSource implements AdvisorySource {
  readonly kind = 'mirror' as const;
  private readonly tooOld: string | null;
  private readonly cutShort: string | null;
  private readonly now: Date;

  constructor(
    private readonly mirror: AdvisoryMirror,
    limit: { maxDataAgeDays: number; now: Date },
  ) {
    this.now = limit.now;
    this.tooOld = staleOfflineData(dataAge(mirror.freshness(limit.now), limit.now), limit.maxDataAgeDays);
    this.cutShort = incompleteOfflineData(mirror.incompleteUpdate());
  }

  warnings(): string[] {
    return [this.cutShort, this.tooOld].filter((w): w is string => w !== null);
  }

  affecting(queries: PackageQuery[]): Promise<Map<string, OsvRecord[]>> {
    return this.mirror.affecting(queries);
  }

  candidates(queries: PackageQuery[]): Promise<Map<string, OsvRecord[]>> {
    return this.mirror.candidates(queries);
  }

  forPackage(name: string): Promise<OsvRecord[]> {
    return this.mirror.forPackage(name);
  }

  byIds(ids: string[]): Promise<Map<string, OsvRecord>> {
    return this.mirror.byIds(ids);
  }

  changeMark(): string {
    return this.mirror.changeMark();
  }

  changedSince(mark: string): ReadonlySet<string> | null {
    return this.mirror.changedSince(mark);
  }

  holds(id: string): boolean {
    return this.mirror.holds(id);
  }

  /** At the time the limit was checked against, so the notice and the warning say the same age. */
  freshness(): AdvisoryFreshness {
    return this.mirror.freshness(this.now);
  }
}
