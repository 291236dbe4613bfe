/**
 * Pull-request reviews on PostgreSQL (migrations/postgres/008_pull_request_reviews.sql), shared by
 * replicas, each review's row written with its card's outbox row in one transaction.
 */
import { PostgresOutbox } from '../outbox/postgres.js';
import type { OutboundMessage } from '../outbox/types.js';
import { inTransaction, type PgPool } from '../postgres.js';
import { pullReviewOf, type PullReviewDbRow } from '../pull-reviews.js';
import type { PullRequestKey, PullReviewRow, PullReviewState, ReviewComment } from './types.js';

export class PostgresPullReviewState implements PullReviewState {
  readonly dialect = 'postgres' as const;

  constructor(private readonly pool: PgPool) {}

  async openNumbers() {
    const out = new Map<string, number[]>();
    const rows = await this.pool.query<{ repo: string; number: number }>("SELECT DISTINCT repo, number FROM pull_request_reviews WHERE state = 'open' ORDER BY repo, number");
    for (const r of rows.rows) out.set(r.repo, [...(out.get(r.repo) ?? []), r.number]);
    return out;
  }

  async reviewsOf(pulls: readonly PullRequestKey[]) {
    if (pulls.length === 0) return [];
    const res = await this.pool.query<PullReviewDbRow>(
      `SELECT r.* FROM unnest($1::text[], $2::int[]) AS p(repo, number)
       JOIN pull_request_reviews AS r ON r.repo = p.repo AND r.number = p.number
       ORDER BY r.repo, r.number, r.channel`,
      [pulls.map((p) => p.repo), pulls.map((p) => p.number)],
    );
    return res.rows.map(pullReviewOf);
  }

  async save(row: PullReviewRow, messages: readonly OutboundMessage[], now: Date) {
    await inTransaction(this.pool, async (c) => {
      await PostgresOutbox.write(c, messages, now);
      await c.query(
        `INSERT INTO pull_request_reviews (repo, number, channel, ts, head_oid, state, review_json, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (repo, number, channel) DO UPDATE SET ts = excluded.ts, head_oid = excluded.head_oid, state = excluded.state, review_json = excluded.review_json, updated_at = excluded.updated_at`,
        [row.repo, row.number, row.channel, row.ts, row.headOid, row.state, row.reviewJson, now.getTime()],
      );
    });
  }

  async comment(repo: string, number: number): Promise<ReviewComment | null> {
    const row = (await this.pool.query<{ comment_id: string; url: string; body: string }>('SELECT comment_id, url, body FROM pull_request_comments WHERE repo = $1 AND number = $2', [repo, number])).rows[0];
    return row ? { id: Number(row.comment_id), url: row.url, body: row.body } : null;
  }

  async saveComment(repo: string, number: number, comment: ReviewComment, now: Date) {
    await this.pool.query(
      `INSERT INTO pull_request_comments (repo, number, comment_id, url, body, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (repo, number) DO UPDATE SET comment_id = excluded.comment_id, url = excluded.url, body = excluded.body, updated_at = excluded.updated_at`,
      [repo, number, comment.id, comment.url, comment.body, now.getTime()],
    );
  }
}
