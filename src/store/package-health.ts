/** What each channel's weekly digest last saw of package health (migrations/016_package_health_seen.sql). */
import type { HealthSnapshot } from '../packages/health-snapshot.js';
import type { Verdict } from '../packages/verdict.js';
import type { Db } from './db.js';

/** A row as both stores read it. */
export interface HealthSeenRow {
  package: string;
  verdict: Verdict;
  reasons_json: string;
  owners_json: string | null;
}

export const HEALTH_SEEN_COLUMNS = 'package, verdict, reasons_json, owners_json';

export const healthSnapshotOf = (r: HealthSeenRow): HealthSnapshot => ({
  package: r.package,
  verdict: r.verdict,
  reasons: JSON.parse(r.reasons_json) as string[],
  owners: r.owners_json === null ? null : (JSON.parse(r.owners_json) as string[]),
});

/** The upsert's conflict clause, the same in both dialects (their placeholders differ). */
export const HEALTH_SEEN_ON_CONFLICT =
  'ON CONFLICT (channel, package) DO UPDATE SET verdict = excluded.verdict, reasons_json = excluded.reasons_json, owners_json = excluded.owners_json, seen_at = excluded.seen_at';

/** Values of (channel, package, verdict, reasons_json, owners_json, seen_at) for one snapshot. */
export const healthSeenValues = (channel: string, s: HealthSnapshot, now: Date): [string, string, string, string, string | null, number] => [
  channel,
  s.package,
  s.verdict,
  JSON.stringify(s.reasons),
  s.owners === null ? null : JSON.stringify(s.owners),
  now.getTime(),
];

export class PackageHealthStore {
  constructor(private readonly db: Db) {}

  /** The snapshots the channel was last shown, by package. */
  seen(channel: string): Map<string, HealthSnapshot> {
    const rows = this.db.prepare<[string], HealthSeenRow>(`SELECT ${HEALTH_SEEN_COLUMNS} FROM package_health_seen WHERE channel = ?`).all(channel);
    return new Map(rows.map((r) => [r.package, healthSnapshotOf(r)]));
  }

  /** Records what the channel is shown now (packages that could not be read keep their last snapshot). */
  save(channel: string, snapshots: readonly HealthSnapshot[], now: Date): void {
    const upsert = this.db.prepare<[string, string, string, string, string | null, number]>(
      `INSERT INTO package_health_seen (channel, ${HEALTH_SEEN_COLUMNS}, seen_at) VALUES (?, ?, ?, ?, ?, ?) ${HEALTH_SEEN_ON_CONFLICT}`,
    );
    this.db.transaction(() => {
      for (const s of snapshots) upsert.run(...healthSeenValues(channel, s, now));
    })();
  }
}
