/** Pull-request reviews in the replica's SQLite file (src/store/pull-reviews.ts) with its outbox. */
import type { Db } from '../db.js';
import { SqliteOutbox } from '../outbox/sqlite.js';
import type { OutboundMessage } from '../outbox/types.js';
import { PullReviewStore, type PullRequestKey, type PullReviewRow } from '../pull-reviews.js';
import type { PullReviewState, ReviewComment } from './types.js';

export class SqlitePullReviewState implements PullReviewState {
  readonly dialect = 'sqlite' as const;
  private readonly reviews: PullReviewStore;
  private readonly outbox: SqliteOutbox;

  constructor(private readonly db: Db) {
    this.reviews = new PullReviewStore(db);
    this.outbox = new SqliteOutbox(db);
  }

  async openNumbers() {
    return this.reviews.openNumbers();
  }

  async reviewsOf(pulls: readonly PullRequestKey[]) {
    return this.reviews.reviewsOf(pulls);
  }

  async save(row: PullReviewRow, messages: readonly OutboundMessage[], now: Date) {
    this.db.transaction(() => {
      this.outbox.write(messages, now);
      this.reviews.save(row, now);
    })();
  }

  async comment(repo: string, number: number) {
    return this.reviews.comment(repo, number);
  }

  async saveComment(repo: string, number: number, comment: ReviewComment, now: Date) {
    this.reviews.saveComment(repo, number, comment, now);
  }
}
