/** What each channel's weekly digest last saw of package health (migrations/016_package_health_seen.sql). */
import type { HealthSnapshot } from '../packages/health-snapshot.js';
import type { Verdict } from '../packages/verdict.js';
import type { Db } from './db.js';

interface Row {
  package: string;
  verdict: Verdict;
  reasons_json: string;
  owners_json: string | null;
}

export class PackageHealthStore {
  constructor(private readonly db: Db) {}

  /** The snapshots the channel was last shown, by package. */
  seen(channel: string): Map<string, HealthSnapshot> {
    const rows = this.db.prepare<[string], Row>('SELECT package, verdict, reasons_json, owners_json FROM package_health_seen WHERE channel = ?').all(channel);
    return new Map(rows.map((r) => [r.package, { package: r.package, verdict: r.verdict, reasons: JSON.parse(r.reasons_json) as string[], owners: r.owners_json === null ? null : (JSON.parse(r.owners_json) as string[]) }]));
  }

  /** Records what the channel is shown now (packages that could not be read keep their last snapshot). */
  save(channel: string, snapshots: readonly HealthSnapshot[], now: Date): void {
    const upsert = this.db.prepare<[string, string, string, string, string | null, number]>(
      `INSERT INTO package_health_seen (channel, package, verdict, reasons_json, owners_json, seen_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (channel, package) DO UPDATE SET verdict = excluded.verdict, reasons_json = excluded.reasons_json, owners_json = excluded.owners_json, seen_at = excluded.seen_at`,
    );
    this.db.transaction(() => {
      for (const s of snapshots) upsert.run(channel, s.package, s.verdict, JSON.stringify(s.reasons), s.owners === null ? null : JSON.stringify(s.owners), now.getTime());
    })();
  }
}
