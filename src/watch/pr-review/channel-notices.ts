/**
 * The course of a notice the pull-request part keeps one of per channel while something lasts (the
 * repositories whose pull requests could not be listed: listing-notice.ts; pull requests not
 * reviewed in an outage: not-reviewed-notice.ts): posted once when it begins, edited when what it
 * says changes, left alone while it says the same, and edited once more when it is over. Shared, so
 * the two cannot drift apart (they did once: one read back notices without what they said).
 *
 * Each channel's standing notice is kept in the watch state (the caller's JSON text, under
 * `notices`): its message key, what it says (`said`, the caller's meaning of it) and the notice.
 * A notice is keyed by its channel and when it began, never by what it says: a later one saying the
 * same would reuse a spent idempotency key, and the outbox would drop its post as a repeat while
 * its end edited the earlier message. Pure: the caller writes the messages with the new text.
 */
import type { OutboundMessage } from '../../store/outbox/types.js';

/** A channel's notice going on. */
export interface StandingNotice<N> {
  channel: string;
  key: string;
  said: string;
  notice: N;
}

/** A notice's message key: its channel and when it began there. */
export const noticeKey = (prefix: string, channel: string, since: string) => `${prefix}:${channel}:${since}`;

/** The kept text as an object, or null when it cannot be read (hand-edited, another version). */
export function parseKept(text: string | null): Record<string, unknown> | null {
  if (text === null) return null;
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The standing notices kept (`notices`): those that cannot be read are left out (their messages then stand as they are); null when there is no list at all. */
export function readStanding<N>(notices: unknown, isNotice: (notice: unknown) => notice is N): StandingNotice<N>[] | null {
  if (!Array.isArray(notices)) return null;
  return notices.filter((n): n is StandingNotice<N> => typeof n === 'object' && n !== null && typeof n.channel === 'string' && typeof n.key === 'string' && typeof n.said === 'string' && isNotice(n.notice));
}

/**
 * Each channel's messages for this moment, and the standing notices to keep: `due`, the notice each
 * channel should read now; a standing one no longer due is ended by `end` (its last word, written
 * as `<key>:<endedAs>`), or kept standing when `end` says null (nothing known of its end yet).
 */
export async function decideNotices<N>(input: {
  kind: string;
  keyPrefix: string;
  endedAs: string;
  standing: readonly StandingNotice<N>[];
  due: ReadonlyMap<string, N>;
  meaning: (notice: N) => string;
  end: (open: StandingNotice<N>) => Promise<N | null> | N | null;
  at: string;
}): Promise<{ messages: OutboundMessage[]; notices: StandingNotice<N>[] }> {
  const { kind, at } = input;
  const standing = new Map(input.standing.map((n) => [n.channel, n]));
  const messages: OutboundMessage[] = [];
  const notices: StandingNotice<N>[] = [];
  for (const channel of new Set([...standing.keys(), ...input.due.keys()])) {
    const open = standing.get(channel);
    const due = input.due.get(channel);
    if (due !== undefined) {
      const said = input.meaning(due);
      if (!open) {
        const key = noticeKey(input.keyPrefix, channel, at);
        messages.push({ kind, data: due, channel, op: 'post', messageKey: key, idempotencyKey: key });
        notices.push({ channel, key, said, notice: due });
      } else if (open.said !== said) {
        messages.push({ kind, data: due, channel, op: 'update', messageKey: open.key, idempotencyKey: `${open.key}:changed@${at}` });
        notices.push({ channel, key: open.key, said, notice: due });
      } else notices.push(open); // it says the same: nothing new to say
      continue;
    }
    if (!open) continue;
    const last = await input.end(open);
    if (last === null) notices.push(open);
    else messages.push({ kind, data: last, channel, op: 'update', messageKey: open.key, idempotencyKey: `${open.key}:${input.endedAs}` });
  }
  return { messages, notices };
}
