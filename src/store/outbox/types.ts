/**
 * The Slack outbox, as a small async interface with two implementations: SQLite (sqlite.ts, the
 * embedded default, same database as the rest of the store) and PostgreSQL (postgres.ts, shared by
 * replicas). The domain (src/watch, src/incidents) writes what it wants said in the transaction of
 * the state change; src/slack/outbox/ claims, renders, posts and records. Design: docs/outbox.md.
 */

export type OutboxOp = 'post' | 'update' | 'reply';

/** What the domain wants said: a kind and its data (never Slack blocks), for one channel. */
export interface OutboundMessage {
  /** Names the renderer in src/slack/outbox/renderers.ts, e.g. 'advisory-alert'. */
  kind: string;
  /** Plain JSON the renderer understands. */
  data: unknown;
  channel: string;
  /**
   * 'post' a new message, 'update' the one posted for `messageKey`, or 'reply' in the thread of
   * the one posted for `messageKey` (a digest's details under its summary).
   */
  op: OutboxOp;
  /** The Slack message this row concerns; its rows are delivered one at a time, in order. */
  messageKey: string;
  /** This row's identity: enqueueing the same key again changes nothing. */
  idempotencyKey: string;
}

/** What latestOfMessages reads of one message. */
export interface MessageRows {
  /** Its newest row of each kind asked for that it has. */
  latest: Map<string, OutboxRow>;
  /** The ts of the message once its post went out, else null. */
  postedTs: string | null;
}

export type OutboxState = 'pending' | 'claimed' | 'posting' | 'posted' | 'failed' | 'superseded';

export interface OutboxRow extends OutboundMessage {
  id: number;
  state: OutboxState;
  /** Sends begun (429s that Slack refused are not counted: the pacer retries those itself). */
  attempts: number;
  /** The fence: how many times the row was claimed; writes after a claim must name this value. */
  claims: number;
  claimOwner: string | null;
  leaseUntil: Date | null;
  availableAt: Date;
  /** When a send first began: Slack may hold the message, so a new claimant reconciles first. */
  sentAt: Date | null;
  messageTs: string | null;
  lastError: string | null;
  /** Why a failed row failed: after a day of transient failures, or refused by Slack; null otherwise. */
  failure: OutboxFailure | null;
  createdAt: Date;
  /** When the row was written or last queued again: transient failures are retried for a day from here. */
  queuedAt: Date;
  doneAt: Date | null;
}

/** 'transient': given up after retrying network errors, timeouts, 5xx for a day; 'permanent': Slack refused the request. */
export type OutboxFailure = 'transient' | 'permanent';

/**
 * A claim of due rows, at most `limit`. Channels take turns: each channel's oldest due row first,
 * then each one's second, and so on (oldest first within a turn). Slack lets a channel have about
 * one message a second, so a batch that was all one channel's would hold every other channel's
 * alerts behind it; in turns, a round posts to every channel at once.
 */
export interface ClaimRequest {
  /** Who claims (replica id); kept on the row for people reading it. */
  owner: string;
  now: Date;
  /** How long the claim holds before another deliverer may take the row over. */
  leaseMs: number;
  limit: number;
  /** Only this channel's rows (a scheduled alerts run delivers its own channel). */
  channel?: string;
}

export interface OutboxStore {
  readonly dialect: 'sqlite' | 'postgres';
  /** In its own transaction; a repeated idempotency key is ignored. Returns how many rows were new. */
  enqueue(messages: readonly OutboundMessage[], now: Date): Promise<number>;
  /**
   * Takes up to `limit` deliverable rows: pending and due, or claimed/posting with an expired lease,
   * and only the oldest unfinished row of each message. Each comes back with `claims` incremented.
   */
  claim(request: ClaimRequest): Promise<OutboxRow[]>;
  /**
   * Fenced: marks a send as begun (state posting, sent_at kept from the first send) and renews the
   * lease; `countAttempt` false for the resend after a 429 (Slack refused, nothing was sent).
   */
  beginSend(row: OutboxRow, now: Date, leaseMs: number, countAttempt?: boolean): Promise<boolean>;
  /** Fenced: the message is in Slack with this ts. */
  recordPosted(row: OutboxRow, ts: string, now: Date): Promise<boolean>;
  /** Fenced: back to pending until `retryAt` (sent_at kept), or failed (saying why, when known). */
  release(row: OutboxRow, outcome: { error: string; retryAt: Date; giveUp: boolean; failure?: OutboxFailure; now: Date }): Promise<boolean>;
  /**
   * The rows of these messages that were given up after a day of transient failures are pending
   * again, due now, with a day of their own (sent_at kept: the next claimant looks before posting).
   * Rows Slack refused stay failed. Returns how many rows were queued again.
   */
  requeue(messageKeys: readonly string[], now: Date): Promise<number>;
  /** Fenced: a newer update of the same message makes this one pointless. */
  supersede(row: OutboxRow, now: Date): Promise<boolean>;
  /** Whether a later row of the same message is waiting (an update that carries newer content). */
  hasLaterUpdate(row: OutboxRow): Promise<boolean>;
  /** The ts of the message posted for `messageKey`, once posted. */
  postedTs(messageKey: string): Promise<string | null>;
  row(idempotencyKey: string): Promise<OutboxRow | null>;
  /** The newest row of message `messageKey` of this kind (a thread's latest list, an alert's latest edit), or null. */
  latestOfMessage(messageKey: string, kind: string): Promise<OutboxRow | null>;
  /** The rows of these idempotency keys, in one read, by key (a key without a row is absent). */
  rowsByKey(idempotencyKeys: readonly string[]): Promise<Map<string, OutboxRow>>;
  /**
   * In one read, for each of these messages: its newest row of each of `kinds` (latestOfMessage)
   * and the ts it was posted with (postedTs), by message key; a message with no such row is absent.
   */
  latestOfMessages(messageKeys: readonly string[], kinds: readonly string[]): Promise<Map<string, MessageRows>>;
  rows(filter?: { channel?: string }): Promise<OutboxRow[]>;
  /** Rows not yet posted, failed or superseded (for metrics and tests). */
  depth(): Promise<number>;
  /**
   * Deletes rows finished (posted, failed, superseded) before `before`, so the table does not grow
   * for ever; returns how many. A message's posted post is kept: it holds the ts that a later edit
   * or reply of the message needs (an alert fixed months after it was posted), and its key says the
   * message was sent (a digest's slot).
   */
  prune(before: Date): Promise<number>;
}

export const FINISHED_STATES: readonly OutboxState[] = ['posted', 'failed', 'superseded'];

/** What one delivery round did (src/slack/outbox/deliver.ts's report, as the domain reads it). */
export interface DeliverySummary {
  posted: OutboxRow[];
  updated: OutboxRow[];
  /** Found already in Slack after a crash: recorded, not posted again. */
  reconciled: OutboxRow[];
  failed: { row: OutboxRow; error: string; gaveUp: boolean }[];
}

/**
 * The delivery loop as the domain starts and stops it, without knowing Slack: src/slack/outbox/
 * implements it (SlackDelivery), src/main.ts wires it into the watch service.
 */
export interface OutboxDelivery {
  /** Delivers what is deliverable now (of one channel, when given). */
  deliver(filter?: { channel?: string }): Promise<DeliverySummary>;
  /** Polls in the background for rows that are due (left by a crash, put back after a failure). */
  start(intervalMs: number): void;
  /** Stops polling and waits for the round in progress. */
  stop(): Promise<void>;
  /** Waits until no Slack call is in flight or queued. */
  idle(): Promise<void>;
}
