/**
 * The outbox on PostgreSQL (migrations/postgres/001_slack_outbox.sql), shared by every replica.
 * A claim is one statement: the oldest deliverable rows are locked with FOR UPDATE SKIP LOCKED (so
 * concurrent claimants take different rows without waiting on each other) and marked claimed with
 * the fence (`claims`) incremented. Every later write is conditional on that fence.
 */
import type { PgClient, PgPool } from '../postgres.js';
import type { ClaimRequest, MessageRows, OutboundMessage, OutboxFailure, OutboxRow, OutboxState, OutboxStore } from './types.js';
import { messageRowsOf } from './message-rows.js';

interface DbRow {
  id: string;
  kind: string;
  data: unknown;
  channel: string;
  op: string;
  message_key: string;
  idempotency_key: string;
  state: string;
  attempts: number;
  claims: number;
  claim_owner: string | null;
  lease_until: Date | null;
  available_at: Date;
  sent_at: Date | null;
  message_ts: string | null;
  last_error: string | null;
  failure: string | null;
  created_at: Date;
  queued_at: Date | null;
  done_at: Date | null;
}

function toRow(r: DbRow): OutboxRow {
  return {
    id: Number(r.id),
    kind: r.kind,
    data: r.data,
    channel: r.channel,
    op: r.op as OutboxRow['op'],
    messageKey: r.message_key,
    idempotencyKey: r.idempotency_key,
    state: r.state as OutboxState,
    attempts: r.attempts,
    claims: r.claims,
    claimOwner: r.claim_owner,
    leaseUntil: r.lease_until,
    availableAt: r.available_at,
    sentAt: r.sent_at,
    messageTs: r.message_ts,
    lastError: r.last_error,
    failure: r.failure as OutboxFailure | null,
    createdAt: r.created_at,
    queuedAt: r.queued_at ?? r.created_at,
    doneAt: r.done_at,
  };
}

const UNFINISHED = "state NOT IN ('posted', 'failed', 'superseded')";
/** A row a deliverer may claim at $1: pending and due, or claimed by one whose lease ran out. */
const DUE = "((o.state = 'pending' AND o.available_at <= $1) OR (o.state IN ('claimed', 'posting') AND o.lease_until <= $1))";

type Queryable = Pick<PgPool, 'query'> | PgClient;

export class PostgresOutbox implements OutboxStore {
  readonly dialect = 'postgres' as const;
  constructor(readonly pool: PgPool) {}

  /** Enqueue on the caller's client, inside the caller's transaction. */
  static async write(client: Queryable, messages: readonly OutboundMessage[], now: Date): Promise<number> {
    let added = 0;
    for (const m of messages) {
      const res = await client.query(
        `INSERT INTO slack_outbox (kind, data, channel, op, message_key, idempotency_key, available_at, created_at, queued_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $7) ON CONFLICT (idempotency_key) DO NOTHING`,
        [m.kind, JSON.stringify(m.data), m.channel, m.op, m.messageKey, m.idempotencyKey, now],
      );
      added += res.rowCount ?? 0;
    }
    return added;
  }

  async enqueue(messages: readonly OutboundMessage[], now: Date): Promise<number> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const added = await PostgresOutbox.write(client, messages, now);
      await client.query('COMMIT');
      return added;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async claim(request: ClaimRequest): Promise<OutboxRow[]> {
    // Channels take turns (ClaimRequest). The due condition is repeated where the row
    // is locked, so a row another replica claimed after this snapshot is re-checked and skipped.
    const res = await this.pool.query<DbRow>(
      `WITH due AS (
         SELECT o.id, row_number() OVER (PARTITION BY o.channel ORDER BY o.id) AS turn FROM slack_outbox o
         WHERE ${DUE}
           AND ($2::text IS NULL OR o.channel = $2)
           AND NOT EXISTS (SELECT 1 FROM slack_outbox e WHERE e.message_key = o.message_key AND e.id < o.id AND e.${UNFINISHED})
       ), next AS (
         SELECT o.id FROM slack_outbox o JOIN due ON due.id = o.id
         WHERE ${DUE}
         ORDER BY due.turn, o.id
         LIMIT $3
         FOR UPDATE OF o SKIP LOCKED
       )
       UPDATE slack_outbox s SET state = CASE s.state WHEN 'posting' THEN 'posting' ELSE 'claimed' END,
         claims = s.claims + 1, claim_owner = $4, lease_until = $5
       FROM next WHERE s.id = next.id
       RETURNING s.*`,
      [request.now, request.channel ?? null, request.limit, request.owner, new Date(request.now.getTime() + request.leaseMs)],
    );
    return res.rows.map(toRow).sort((a, b) => a.id - b.id);
  }

  private async fenced(sql: string, row: OutboxRow, params: unknown[]): Promise<boolean> {
    const n = params.length;
    const res = await this.pool.query(`${sql} WHERE id = $${n + 1} AND claims = $${n + 2}`, [...params, row.id, row.claims]);
    return res.rowCount === 1;
  }

  beginSend(row: OutboxRow, now: Date, leaseMs: number, countAttempt = true): Promise<boolean> {
    return this.fenced("UPDATE slack_outbox SET state = 'posting', sent_at = COALESCE(sent_at, $1), attempts = attempts + $3, lease_until = $2", row, [
      now,
      new Date(now.getTime() + leaseMs),
      countAttempt ? 1 : 0,
    ]);
  }

  recordPosted(row: OutboxRow, ts: string, now: Date): Promise<boolean> {
    return this.fenced("UPDATE slack_outbox SET state = 'posted', message_ts = $1, done_at = $2, lease_until = NULL, last_error = NULL", row, [ts, now]);
  }

  release(row: OutboxRow, outcome: { error: string; retryAt: Date; giveUp: boolean; failure?: OutboxFailure; now: Date }): Promise<boolean> {
    return this.fenced('UPDATE slack_outbox SET state = $1, last_error = $2, available_at = $3, lease_until = NULL, done_at = $4, failure = $5', row, [
      outcome.giveUp ? 'failed' : 'pending',
      outcome.error,
      outcome.retryAt,
      outcome.giveUp ? outcome.now : null,
      outcome.giveUp ? (outcome.failure ?? null) : null,
    ]);
  }

  async requeue(messageKeys: readonly string[], now: Date): Promise<number> {
    if (messageKeys.length === 0) return 0;
    const res = await this.pool.query(
      `UPDATE slack_outbox SET state = 'pending', failure = NULL, available_at = $2, queued_at = $2, done_at = NULL
       WHERE message_key = ANY($1::text[]) AND state = 'failed' AND failure = 'transient'`,
      [messageKeys, now],
    );
    return res.rowCount ?? 0;
  }

  supersede(row: OutboxRow, now: Date): Promise<boolean> {
    return this.fenced("UPDATE slack_outbox SET state = 'superseded', done_at = $1, lease_until = NULL", row, [now]);
  }

  async hasLaterUpdate(row: OutboxRow): Promise<boolean> {
    const res = await this.pool.query("SELECT 1 FROM slack_outbox WHERE message_key = $1 AND id > $2 AND op = 'update' LIMIT 1", [row.messageKey, row.id]);
    return (res.rowCount ?? 0) > 0;
  }

  async postedTs(messageKey: string): Promise<string | null> {
    const res = await this.pool.query<{ message_ts: string }>("SELECT message_ts FROM slack_outbox WHERE message_key = $1 AND op = 'post' AND state = 'posted'", [messageKey]);
    return res.rows[0]?.message_ts ?? null;
  }

  async row(idempotencyKey: string): Promise<OutboxRow | null> {
    const res = await this.pool.query<DbRow>('SELECT * FROM slack_outbox WHERE idempotency_key = $1', [idempotencyKey]);
    return res.rows[0] ? toRow(res.rows[0]) : null;
  }

  async latestOfMessage(messageKey: string, kind: string): Promise<OutboxRow | null> {
    const res = await this.pool.query<DbRow>('SELECT * FROM slack_outbox WHERE message_key = $1 AND kind = $2 ORDER BY id DESC LIMIT 1', [messageKey, kind]);
    return res.rows[0] ? toRow(res.rows[0]) : null;
  }

  async rowsByKey(idempotencyKeys: readonly string[]): Promise<Map<string, OutboxRow>> {
    if (idempotencyKeys.length === 0) return new Map();
    const res = await this.pool.query<DbRow>('SELECT * FROM slack_outbox WHERE idempotency_key = ANY($1::text[])', [[...idempotencyKeys]]);
    return new Map(res.rows.map((r) => [r.idempotency_key, toRow(r)]));
  }

  async latestOfMessages(messageKeys: readonly string[], kinds: readonly string[]): Promise<Map<string, MessageRows>> {
    if (messageKeys.length === 0) return new Map();
    const res = await this.pool.query<DbRow>(
      `SELECT * FROM slack_outbox WHERE id IN (SELECT MAX(id) FROM slack_outbox WHERE message_key = ANY($1::text[]) AND kind = ANY($2::text[]) GROUP BY message_key, kind)
         OR (message_key = ANY($1::text[]) AND op = 'post' AND state = 'posted')`,
      [[...messageKeys], [...kinds]],
    );
    return messageRowsOf(res.rows.map(toRow), kinds);
  }

  async rows(filter: { channel?: string } = {}): Promise<OutboxRow[]> {
    const res = filter.channel
      ? await this.pool.query<DbRow>('SELECT * FROM slack_outbox WHERE channel = $1 ORDER BY id', [filter.channel])
      : await this.pool.query<DbRow>('SELECT * FROM slack_outbox ORDER BY id');
    return res.rows.map(toRow);
  }

  async prune(before: Date): Promise<number> {
    const res = await this.pool.query(
      "DELETE FROM slack_outbox WHERE state IN ('posted', 'failed', 'superseded') AND done_at < $1 AND NOT (op = 'post' AND state = 'posted')",
      [before],
    );
    return res.rowCount ?? 0;
  }

  async depth(): Promise<number> {
    const res = await this.pool.query<{ n: string }>(`SELECT COUNT(*) AS n FROM slack_outbox WHERE ${UNFINISHED}`);
    return Number(res.rows[0]?.n ?? 0);
  }
}
