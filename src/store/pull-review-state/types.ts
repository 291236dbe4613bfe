/**
 * Which pull-request dependency reviews were posted, per channel, and the review comment kept on
 * each pull request (issue 13 item 4). SQLite (sqlite.ts, the replica's file) or PostgreSQL
 * (postgres.ts, shared): with replicas, whichever one runs the next sweep knows what another posted,
 * so a review is posted once and then updated, never posted again. A review's row and the outbox
 * row of its card are written in one transaction of the same database.
 */
import type { OutboundMessage } from '../outbox/types.js';
import type { PullRequestKey, PullReviewRow } from '../pull-reviews.js';

export type { PullRequestKey, PullReviewRow };

export interface ReviewComment {
  id: number;
  url: string;
  body: string;
}

export interface PullReviewState {
  readonly dialect: 'sqlite' | 'postgres';
  /** Pull request numbers still open in the store, by repository. */
  openNumbers(): Promise<Map<string, number[]>>;
  /** Every channel's stored review (any state) of each of these pull requests, in one query. */
  reviewsOf(pulls: readonly PullRequestKey[]): Promise<PullReviewRow[]>;
  /** Stores a review's row and writes its card's messages to the outbox, in one transaction. */
  save(row: PullReviewRow, messages: readonly OutboundMessage[], now: Date): Promise<void>;
  /** The review comment on a pull request, when Depwatch wrote one. */
  comment(repo: string, number: number): Promise<ReviewComment | null>;
  saveComment(repo: string, number: number, comment: ReviewComment, now: Date): Promise<void>;
}
