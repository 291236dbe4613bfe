/**
 * Who may hold an incident role or own a step: a person reminders can reach. Depwatch itself (its
 * user id, from auth.test at start: Bolt's context.botUserId) would only remind itself. Other bots
 * and deactivated accounts are told apart the way a reminder's DM would find out (conversations.open,
 * under im:write: `cannot_dm_bot`, `user_disabled`): the app has no users:read for users.info, and
 * a scope is not worth adding for this. When Slack cannot say, the person is taken as given.
 */
import { dmReachability } from '../../dm-reach.js';

interface OpensConversations {
  conversations: { open(args: { users: string }): Promise<unknown> };
}

export async function whyNotAPerson(client: OpensConversations, botUserId: string | undefined, user: string): Promise<string | null> {
  const refusal = (what: string): string => `${what}: roles and steps go to people, whom reminders can reach. Pick a person.`;
  if (botUserId && user === botUserId) return refusal('Depwatch cannot hold a role or own a step');
  if (user === 'USLACKBOT') return refusal(`<@${user}> is Slackbot`);
  const why = await dmReachability(client)(user);
  return why === null ? null : refusal(`<@${user}> cannot be reached by DM (${why})`);
}
