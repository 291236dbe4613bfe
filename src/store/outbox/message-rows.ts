import type { MessageRows, OutboxRow } from './types.js';

/**
 * latestOfMessages from the rows its query returned (the newest of each kind, and each posted
 * post): shared by both stores, so they answer alike.
 */
export function messageRowsOf(rows: readonly OutboxRow[], kinds: readonly string[]): Map<string, MessageRows> {
  const wanted = new Set(kinds);
  const byMessage = new Map<string, MessageRows>();
  for (const row of rows) {
    let of = byMessage.get(row.messageKey);
    if (!of) byMessage.set(row.messageKey, (of = { latest: new Map(), postedTs: null }));
    if (row.op === 'post' && row.state === 'posted' && row.messageTs) of.postedTs = row.messageTs;
    const newest = of.latest.get(row.kind);
    if (wanted.has(row.kind) && (!newest || row.id > newest.id)) of.latest.set(row.kind, row);
  }
  return byMessage;
}
