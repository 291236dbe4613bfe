/** Dependency-review messages of pull requests (migrations/017_pull_request_reviews.sql). */
import type { Db } from './db.js';

export interface PullReviewRow {
  repo: string;
  number: number;
  channel: string;
  ts: string;
  headOid: string;
  state: 'open' | 'merged' | 'closed';
  reviewJson: string;
}

interface Row {
  repo: string;
  number: number;
  channel: string;
  ts: string;
  head_oid: string;
  state: PullReviewRow['state'];
  review_json: string;
}

const toRow = (r: Row): PullReviewRow => ({ repo: r.repo, number: r.number, channel: r.channel, ts: r.ts, headOid: r.head_oid, state: r.state, reviewJson: r.review_json });

export class PullReviewStore {
  constructor(private readonly db: Db) {}

  /** Open reviews of a repository (every channel). */
  open(repo: string): PullReviewRow[] {
    return this.db.prepare<[string], Row>("SELECT * FROM pull_request_reviews WHERE repo = ? AND state = 'open'").all(repo).map(toRow);
  }

  /** Pull request numbers still open in the store, by repository. */
  openNumbers(): Map<string, number[]> {
    const out = new Map<string, number[]>();
    for (const r of this.db.prepare<[], { repo: string; number: number }>("SELECT DISTINCT repo, number FROM pull_request_reviews WHERE state = 'open'").all()) {
      out.set(r.repo, [...(out.get(r.repo) ?? []), r.number]);
    }
    return out;
  }

  get(repo: string, number: number, channel: string): PullReviewRow | undefined {
    const row = this.db.prepare<[string, number, string], Row>('SELECT * FROM pull_request_reviews WHERE repo = ? AND number = ? AND channel = ?').get(repo, number, channel);
    return row ? toRow(row) : undefined;
  }

  save(row: PullReviewRow, now: Date): void {
    this.db
      .prepare<[string, number, string, string, string, string, string, number]>(
        `INSERT INTO pull_request_reviews (repo, number, channel, ts, head_oid, state, review_json, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (repo, number, channel) DO UPDATE SET ts = excluded.ts, head_oid = excluded.head_oid, state = excluded.state, review_json = excluded.review_json, updated_at = excluded.updated_at`,
      )
      .run(row.repo, row.number, row.channel, row.ts, row.headOid, row.state, row.reviewJson, now.getTime());
  }
}
