/**
 * The outbox in the SQLite store (migrations/019_slack_outbox.sql). Claims run in an IMMEDIATE
 * transaction: SQLite has one writer at a time, so two deliverers (two connections, even two
 * processes on one file) never claim the same row. `write` is synchronous so the domain can call it
 * inside its own better-sqlite3 transaction, next to the state change it announces.
 */
import type { Db } from '../db.js';
import type { ClaimRequest, MessageRows, OutboundMessage, OutboxFailure, OutboxRow, OutboxState, OutboxStore } from './types.js';
import { messageRowsOf } from './message-rows.js';

interface DbRow {
  id: number;
  kind: string;
  data_json: string;
  channel: string;
  op: string;
  message_key: string;
  idempotency_key: string;
  state: string;
  attempts: number;
  claims: number;
  claim_owner: string | null;
  lease_until: string | null;
  available_at: string;
  sent_at: string | null;
  message_ts: string | null;
  last_error: string | null;
  failure: string | null;
  created_at: string;
  queued_at: string | null;
  done_at: string | null;
}

const iso = (d: Date) => d.toISOString();
const date = (s: string | null): Date | null => (s === null ? null : new Date(s));

function toRow(r: DbRow): OutboxRow {
  return {
    id: r.id,
    kind: r.kind,
    data: JSON.parse(r.data_json) as unknown,
    channel: r.channel,
    op: r.op as OutboxRow['op'],
    messageKey: r.message_key,
    idempotencyKey: r.idempotency_key,
    state: r.state as OutboxState,
    attempts: r.attempts,
    claims: r.claims,
    claimOwner: r.claim_owner,
    leaseUntil: date(r.lease_until),
    availableAt: new Date(r.available_at),
    sentAt: date(r.sent_at),
    messageTs: r.message_ts,
    lastError: r.last_error,
    failure: r.failure as OutboxFailure | null,
    createdAt: new Date(r.created_at),
    queuedAt: new Date(r.queued_at ?? r.created_at),
    doneAt: date(r.done_at),
  };
}

const UNFINISHED = "state NOT IN ('posted', 'failed', 'superseded')";

export class SqliteOutbox implements OutboxStore {
  readonly dialect = 'sqlite' as const;
  constructor(readonly db: Db) {}

  /** Synchronous enqueue, for use inside the caller's transaction. */
  write(messages: readonly OutboundMessage[], now: Date): number {
    const insert = this.db.prepare(
      `INSERT INTO slack_outbox (kind, data_json, channel, op, message_key, idempotency_key, available_at, created_at, queued_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING`,
    );
    let added = 0;
    for (const m of messages) added += insert.run(m.kind, JSON.stringify(m.data), m.channel, m.op, m.messageKey, m.idempotencyKey, iso(now), iso(now), iso(now)).changes;
    return added;
  }

  async enqueue(messages: readonly OutboundMessage[], now: Date): Promise<number> {
    return this.db.transaction(() => this.write(messages, now))();
  }

  async claim(request: ClaimRequest): Promise<OutboxRow[]> {
    const now = iso(request.now);
    const select = this.db.prepare<{ now: string; channel: string | null; limit: number }, { id: number }>(
      // Channels take turns (ClaimRequest): the first due row of each channel, then the second, …
      `SELECT id FROM (
         SELECT o.id, row_number() OVER (PARTITION BY o.channel ORDER BY o.id) AS turn FROM slack_outbox o
         WHERE ((o.state = 'pending' AND o.available_at <= @now) OR (o.state IN ('claimed', 'posting') AND o.lease_until <= @now))
           AND (@channel IS NULL OR o.channel = @channel)
           AND NOT EXISTS (SELECT 1 FROM slack_outbox e WHERE e.message_key = o.message_key AND e.id < o.id AND e.${UNFINISHED})
       ) ORDER BY turn, id LIMIT @limit`,
    );
    const take = this.db.prepare<[string, string, number], DbRow>(
      `UPDATE slack_outbox SET state = CASE state WHEN 'posting' THEN 'posting' ELSE 'claimed' END,
         claims = claims + 1, claim_owner = ?, lease_until = ? WHERE id = ? RETURNING *`,
    );
    const leaseUntil = iso(new Date(request.now.getTime() + request.leaseMs));
    const claimAll = this.db.transaction(() =>
      select.all({ now, channel: request.channel ?? null, limit: request.limit }).map(({ id }) => toRow(take.get(request.owner, leaseUntil, id)!)),
    );
    return claimAll.immediate();
  }

  private fenced(sql: string, row: OutboxRow, ...params: unknown[]): boolean {
    return this.db.prepare(`${sql} WHERE id = ? AND claims = ?`).run(...params, row.id, row.claims).changes === 1;
  }

  async beginSend(row: OutboxRow, now: Date, leaseMs: number, countAttempt = true): Promise<boolean> {
    return this.fenced(
      "UPDATE slack_outbox SET state = 'posting', sent_at = COALESCE(sent_at, ?), attempts = attempts + ?, lease_until = ?",
      row,
      iso(now),
      countAttempt ? 1 : 0,
      iso(new Date(now.getTime() + leaseMs)),
    );
  }

  async recordPosted(row: OutboxRow, ts: string, now: Date): Promise<boolean> {
    return this.fenced("UPDATE slack_outbox SET state = 'posted', message_ts = ?, done_at = ?, lease_until = NULL, last_error = NULL", row, ts, iso(now));
  }

  async release(row: OutboxRow, outcome: { error: string; retryAt: Date; giveUp: boolean; failure?: OutboxFailure; now: Date }): Promise<boolean> {
    return this.fenced(
      'UPDATE slack_outbox SET state = ?, last_error = ?, available_at = ?, lease_until = NULL, done_at = ?, failure = ?',
      row,
      outcome.giveUp ? 'failed' : 'pending',
      outcome.error,
      iso(outcome.retryAt),
      outcome.giveUp ? iso(outcome.now) : null,
      outcome.giveUp ? (outcome.failure ?? null) : null,
    );
  }

  async requeue(messageKeys: readonly string[], now: Date): Promise<number> {
    if (messageKeys.length === 0) return 0;
    return this.db
      .prepare(
        `UPDATE slack_outbox SET state = 'pending', failure = NULL, available_at = ?, queued_at = ?, done_at = NULL
         WHERE message_key IN (SELECT value FROM json_each(?)) AND state = 'failed' AND failure = 'transient'`,
      )
      .run(iso(now), iso(now), JSON.stringify(messageKeys)).changes;
  }

  async supersede(row: OutboxRow, now: Date): Promise<boolean> {
    return this.fenced("UPDATE slack_outbox SET state = 'superseded', done_at = ?, lease_until = NULL", row, iso(now));
  }

  async hasLaterUpdate(row: OutboxRow): Promise<boolean> {
    return this.db.prepare("SELECT 1 FROM slack_outbox WHERE message_key = ? AND id > ? AND op = 'update' LIMIT 1").get(row.messageKey, row.id) !== undefined;
  }

  async postedTs(messageKey: string): Promise<string | null> {
    const r = this.db.prepare<[string], { message_ts: string }>("SELECT message_ts FROM slack_outbox WHERE message_key = ? AND op = 'post' AND state = 'posted'").get(messageKey);
    return r?.message_ts ?? null;
  }

  async row(idempotencyKey: string): Promise<OutboxRow | null> {
    const r = this.db.prepare<[string], DbRow>('SELECT * FROM slack_outbox WHERE idempotency_key = ?').get(idempotencyKey);
    return r ? toRow(r) : null;
  }

  async latestOfMessage(messageKey: string, kind: string): Promise<OutboxRow | null> {
    const r = this.db.prepare<[string, string], DbRow>('SELECT * FROM slack_outbox WHERE message_key = ? AND kind = ? ORDER BY id DESC LIMIT 1').get(messageKey, kind);
    return r ? toRow(r) : null;
  }

  async rowsByKey(idempotencyKeys: readonly string[]): Promise<Map<string, OutboxRow>> {
    if (idempotencyKeys.length === 0) return new Map();
    const rows = this.db.prepare<[string], DbRow>('SELECT * FROM slack_outbox WHERE idempotency_key IN (SELECT value FROM json_each(?))').all(JSON.stringify(idempotencyKeys));
    return new Map(rows.map((r) => [r.idempotency_key, toRow(r)]));
  }

  async latestOfMessages(messageKeys: readonly string[], kinds: readonly string[]): Promise<Map<string, MessageRows>> {
    if (messageKeys.length === 0) return new Map();
    const keys = JSON.stringify(messageKeys);
    const rows = this.db
      .prepare<[string, string, string], DbRow>(
        `SELECT * FROM slack_outbox WHERE id IN (SELECT MAX(id) FROM slack_outbox WHERE message_key IN (SELECT value FROM json_each(?)) AND kind IN (SELECT value FROM json_each(?)) GROUP BY message_key, kind)
           OR (message_key IN (SELECT value FROM json_each(?)) AND op = 'post' AND state = 'posted')`,
      )
      .all(keys, JSON.stringify(kinds), keys);
    return messageRowsOf(rows.map(toRow), kinds);
  }

  async rows(filter: { channel?: string } = {}): Promise<OutboxRow[]> {
    const rows = filter.channel
      ? this.db.prepare<[string], DbRow>('SELECT * FROM slack_outbox WHERE channel = ? ORDER BY id').all(filter.channel)
      : this.db.prepare<[], DbRow>('SELECT * FROM slack_outbox ORDER BY id').all();
    return rows.map(toRow);
  }

  async prune(before: Date): Promise<number> {
    return this.db
      .prepare("DELETE FROM slack_outbox WHERE state IN ('posted', 'failed', 'superseded') AND done_at < ? AND NOT (op = 'post' AND state = 'posted')")
      .run(iso(before)).changes;
  }

  async depth(): Promise<number> {
    return (this.db.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM slack_outbox WHERE ${UNFINISHED}`).get()!).n;
  }
}
