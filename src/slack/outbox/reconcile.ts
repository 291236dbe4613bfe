/**
 * After a crash between "Slack accepted the post" and "the outbox recorded its ts", the row says
 * a send began (sent_at) but not how it ended. Before posting again the deliverer looks in the
 * channel for a message carrying the row's idempotency key in its metadata (every outbox post
 * carries it). Reading needs channels:history (groups:history for private channels); only such
 * rows cost a request. Design and trade-offs: docs/outbox.md.
 */
import type { SlackApi } from '../pacing.js';

/** Slack's clocks and ours may differ; look a little further back than the first send. */
const SKEW_MS = 5 * 60_000;
/** Pages of 200 messages read at most: a channel busier than that since the send is not searched further. */
const MAX_PAGES = 5;

export async function findPostedByKey(api: SlackApi, input: { channel: string; key: string; since: Date }): Promise<string | null> {
  const oldest = ((input.since.getTime() - SKEW_MS) / 1000).toFixed(6);
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = await api.conversations.history({ channel: input.channel, oldest, limit: 200, include_all_metadata: true, ...(cursor ? { cursor } : {}) });
    for (const m of res.messages ?? []) {
      if (m.ts && m.metadata?.event_type?.startsWith('depwatch') && m.metadata.event_payload?.key === input.key) return m.ts;
    }
    cursor = res.response_metadata?.next_cursor || undefined;
    if (!res.has_more || !cursor) break;
  }
  return null;
}
