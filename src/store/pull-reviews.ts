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

/** Which pull request: its repository (owner/repo, lower case as watched) and number. */
export interface PullRequestKey {
  repo: string;
  number: number;
}

/** A `pull_request_reviews` row (both drivers return the same types). */
export interface PullReviewDbRow {
  repo: string;
  number: number;
  channel: string;
  ts: string;
  head_oid: string;
  state: PullReviewRow['state'];
  review_json: string;
}

export const pullReviewOf = (r: PullReviewDbRow): PullReviewRow => ({ repo: r.repo, number: r.number, channel: r.channel, ts: r.ts, headOid: r.head_oid, state: r.state, reviewJson: r.review_json });

export class PullReviewStore {
  constructor(private readonly db: Db) {}

  /** Pull request numbers still open in the store, by repository. */
  openNumbers(): Map<string, number[]> {
    const out = new Map<string, number[]>();
    for (const r of this.db.prepare<[], { repo: string; number: number }>("SELECT DISTINCT repo, number FROM pull_request_reviews WHERE state = 'open'").all()) {
      out.set(r.repo, [...(out.get(r.repo) ?? []), r.number]);
    }
    return out;
  }

  /** Every channel's review of each of these pull requests, in one statement (the pairs travel as one JSON parameter). */
  reviewsOf(pulls: readonly PullRequestKey[]): PullReviewRow[] {
    if (pulls.length === 0) return [];
    return this.db
      .prepare<[string], PullReviewDbRow>(
        `SELECT r.* FROM json_each(?) AS p
         JOIN pull_request_reviews AS r ON r.repo = json_extract(p.value, '$.repo') AND r.number = json_extract(p.value, '$.number')
         ORDER BY r.repo, r.number, r.channel`,
      )
      .all(JSON.stringify(pulls.map(({ repo, number }) => ({ repo, number }))))
      .map(pullReviewOf);
  }

  /** The review comment on a pull request (migrations/023), when Depwatch wrote one. */
  comment(repo: string, number: number): { id: number; url: string; body: string } | null {
    const row = this.db.prepare<[string, number], { comment_id: number; url: string; body: string }>('SELECT comment_id, url, body FROM pull_request_comments WHERE repo = ? AND number = ?').get(repo, number);
    return row ? { id: row.comment_id, url: row.url, body: row.body } : null;
  }

  saveComment(repo: string, number: number, comment: { id: number; url: string; body: string }, now: Date): void {
    this.db
      .prepare<[string, number, number, string, string, number]>(
        `INSERT INTO pull_request_comments (repo, number, comment_id, url, body, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (repo, number) DO UPDATE SET comment_id = excluded.comment_id, url = excluded.url, body = excluded.body, updated_at = excluded.updated_at`,
      )
      .run(repo, number, comment.id, comment.url, comment.body, now.getTime());
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
