/**
 * Whether a direct message can reach a person, asked the way a DM begins (conversations.open, which
 * im:write already allows): Slack answers `user_disabled` for a deactivated account,
 * `user_not_found` for an id it does not know, `cannot_dm_bot` for a bot. Those are remembered for a
 * while, so an overdue step owned by a departed account does not ask every interval; any other
 * failure says nothing (null), and the outbox tries the DM as it would have.
 */
import type { DmReachability } from '../incidents/reminders.js';

const WHY_NOT: Record<string, string> = {
  user_disabled: 'their account is deactivated',
  user_not_found: 'no such user in this workspace',
  users_not_found: 'no such user in this workspace',
  user_not_visible: 'the bot cannot see them',
  cannot_dm_bot: 'it is a bot',
};

/** How long a "cannot be reached" answer is trusted before asking Slack again. */
const REMEMBER_MS = 24 * 60 * 60_000;

interface OpensConversations {
  conversations: { open(args: { users: string }): Promise<unknown> };
}

export function dmReachability(api: OpensConversations, now: () => Date = () => new Date()): DmReachability {
  const known = new Map<string, { why: string; until: number }>();
  return async (user) => {
    const remembered = known.get(user);
    if (remembered && remembered.until > now().getTime()) return remembered.why;
    try {
      await api.conversations.open({ users: user });
      known.delete(user);
      return null;
    } catch (err) {
      const code = (err as { data?: { error?: unknown } }).data?.error;
      const why = typeof code === 'string' ? WHY_NOT[code] : undefined;
      if (why === undefined) return null;
      known.set(user, { why, until: now().getTime() + REMEMBER_MS });
      return why;
    }
  };
}
