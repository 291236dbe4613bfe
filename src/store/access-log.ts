/** Refused changes (migrations/009): the audit log of who tried what, kept next to the changes that were made. */
import type { Db } from './db.js';

export interface Refusal {
  at: string;
  userId: string;
  channel: string | null;
  via: string;
  action: string;
  targetChannel: string | null;
  rule: string;
}

interface Row {
  at: string;
  user_id: string;
  channel: string | null;
  via: string;
  action: string;
  target_channel: string | null;
  rule: string;
}

export class AccessLog {
  constructor(private readonly db: Db) {}

  record(refusal: Refusal): void {
    this.db
      .prepare('INSERT INTO access_refusals (at, user_id, channel, via, action, target_channel, rule) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(refusal.at, refusal.userId, refusal.channel, refusal.via, refusal.action.slice(0, 500), refusal.targetChannel, refusal.rule);
  }

  /** Newest first. */
  refusals(limit = 100): Refusal[] {
    return (this.db.prepare('SELECT * FROM access_refusals ORDER BY id DESC LIMIT ?').all(limit) as Row[]).map((r) => ({
      at: r.at,
      userId: r.user_id,
      channel: r.channel,
      via: r.via,
      action: r.action,
      targetChannel: r.target_channel,
      rule: r.rule,
    }));
  }
}
