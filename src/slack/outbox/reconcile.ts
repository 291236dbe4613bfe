/**
 * After a crash between "Slack accepted the post" and "the outbox recorded its ts", the row says
 * a send began (sent_at) but not how it ended. Before posting again the deliverer looks in the
 * channel (or, for a thread reply, in the thread) for a message carrying the row's idempotency
 * key in its metadata (every outbox post carries it). Reading needs channels:history
 * (groups:history for private channels); only such rows cost a request. Direct messages are not
 * looked for: that would need im:history, which Depwatch does not ask for, so a crash in the
 * window can repeat a DM. Design and trade-offs: docs/outbox.md.
 */
import type { HistoryPage, SlackApi } from '../pacing.js';

/** Slack's clocks and ours may differ; look a little further back than the first send. */
const SKEW_MS = 5 * 60_000;
/** Pages of 200 messages read at most: a channel busier than that since the send is not searched further. */
const MAX_PAGES = 5;

/** What an earlier send left in the channel or thread: metadata keys (with their ts) and file names. */
export interface FoundMessages {
  keys: Map<string, string>;
  files: Set<string>;
}

/** Whether a channel id is a direct message (`D…`), which the bot's scopes do not let it read back. */
export function isDirectMessage(channel: string): boolean {
  return channel.startsWith('D');
}

/** A user id (a direct message posted to the user) is not a channel: open the DM, so posting and the outbox name one. */
export async function readableChannel(api: SlackApi, channel: string): Promise<string> {
  if (!/^[UW][A-Z0-9]+$/.test(channel)) return channel;
  const opened = await api.conversations.open({ users: channel });
  if (!opened.channel?.id) throw new Error(`conversations.open gave no channel for ${channel}`);
  return opened.channel.id;
}

/** Depwatch's messages since `since` (top level, or in the thread of `threadTs`). */
export async function findPosted(api: SlackApi, input: { channel: string; since: Date; threadTs?: string }): Promise<FoundMessages> {
  const channel = await readableChannel(api, input.channel);
  const oldest = ((input.since.getTime() - SKEW_MS) / 1000).toFixed(6);
  const found: FoundMessages = { keys: new Map(), files: new Set() };
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const args = { channel, oldest, limit: 200, include_all_metadata: true, ...(cursor ? { cursor } : {}) };
    const res: HistoryPage = input.threadTs ? await api.conversations.replies({ ...args, ts: input.threadTs }) : await api.conversations.history(args);
    for (const m of res.messages ?? []) {
      if (!m.ts) continue;
      const key = m.metadata?.event_type?.startsWith('depwatch') ? m.metadata.event_payload?.key : undefined;
      if (typeof key === 'string' && !found.keys.has(key)) found.keys.set(key, m.ts);
      for (const f of m.files ?? []) if (f.name) found.files.add(f.name);
    }
    cursor = res.response_metadata?.next_cursor || undefined;
    if (!res.has_more || !cursor) break;
  }
  return found;
}

export async function findPostedByKey(api: SlackApi, input: { channel: string; key: string; since: Date; threadTs?: string }): Promise<string | null> {
  return (await findPosted(api, input)).keys.get(input.key) ?? null;
}
