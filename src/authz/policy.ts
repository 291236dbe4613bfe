/**
 * Who may change what, decided in one place. Pure: the caller says who asks, from where and through
 * which entry (slash command, button, modal, App Home, event), and what would change; the policy
 * answers allowed, or refused with one sentence for that person.
 *
 * The rules:
 * 1. A change happens where its target lives. A button or a modal acts only on the channel of the
 *    message it came from: a click or a submission that names another channel's incident, audit
 *    reply or alert is stale or forged, and refused for everyone. An incident is run in its own
 *    channel, from commands too (the one exception: the owner of a step, from the DM reminder the
 *    bot sent them). A command may name another channel's watches, schedules or ignores only when
 *    the person is an admin.
 * 2. Watches, schedules and ignores (and, later, opening pull requests) are admin changes when
 *    DEPWATCH_ADMINS is set; without it everyone counts as an admin. Linking or silencing a private
 *    repository says so in the refusal.
 * 3. Incidents are team work: anyone in the channel may start and run them.
 * 4. Anyone may audit a public repository, anywhere. A private repository's audit (its dependencies,
 *    findings and file paths, shown to everyone where it is posted) is for admins only when
 *    DEPWATCH_ADMINS is set, as linking one to a channel is.
 */

export type Entry = 'command' | 'button' | 'modal' | 'home' | 'event';

export interface Requester {
  userId: string;
  /**
   * The channel the request comes from: the command's, the clicked message's, or for a modal the
   * channel sealed into it when it was opened (view-metadata.ts). Null from App Home.
   */
  channel: string | null;
  via: Entry;
}

export interface RepoTarget {
  /** owner/repo */
  name: string;
  /** null when not known (e.g. an audit record); known from GitHub when linking. */
  private: boolean | null;
}

export type IncidentVerb = 'start' | 'step' | 'snooze' | 'update' | 'severity' | 'role' | 'action-item' | 'close' | 'pin';

export type Action =
  | { kind: 'watches'; verb: 'watch' | 'unwatch'; channel: string; repo: RepoTarget }
  | { kind: 'schedules'; verb: 'schedule' | 'time-zone'; channel: string }
  /** A channel's settings (`/audit settings unknown-as`): how it counts advisories no source rated. */
  | { kind: 'settings'; verb: 'unknown-as'; channel: string }
  /** A channel's ignore (`/audit ignore`, an alert's Ignore…), or a repository's (an /audit reply's Ignore…): `channel` is where the reply or alert lives. */
  | { kind: 'ignores'; verb: 'add' | 'remove'; channel: string | null; repo: RepoTarget | null }
  | { kind: 'incidents'; verb: IncidentVerb; channel: string; incidentId: number | null; stepOwner?: string | null }
  | { kind: 'pull-requests'; verb: 'open'; channel: string | null; repo: RepoTarget }
  /** An /audit reply, or App Home's audit: `channel` is where it would be posted (the requester's DM from App Home). */
  | { kind: 'audits'; verb: 'post'; channel: string; repo: RepoTarget };

export type RefusalRule = 'other-channel' | 'not-admin' | 'private-repository' | 'no-channel';

/** `reason` is one plain sentence (no mrkdwn): escape it for messages, use it as it is in modal errors. */
export type Decision = { allowed: true } | { allowed: false; rule: RefusalRule; reason: string };

export interface AccessPolicy {
  /** DEPWATCH_ADMINS; empty means everyone may change everything. */
  admins: readonly string[];
}

export function isAdmin(policy: AccessPolicy, userId: string): boolean {
  return policy.admins.length === 0 || policy.admins.includes(userId);
}

const ADMIN_WORDS: Record<Exclude<Action['kind'], 'incidents' | 'audits'>, (action: Action) => string> = {
  watches: () => 'change what a channel watches',
  schedules: () => 'change schedules',
  settings: () => 'change channel settings',
  ignores: (a) => (a.kind === 'ignores' && a.verb === 'remove' ? 'remove ignores' : 'add ignores'),
  'pull-requests': () => 'open pull requests',
};

const refuse = (rule: RefusalRule, reason: string): Decision => ({ allowed: false, rule, reason });
const ALLOWED: Decision = { allowed: true };

function targetChannel(action: Action): string | null {
  return action.channel;
}

export function decide(policy: AccessPolicy, requester: Requester, action: Action): Decision {
  const admin = isAdmin(policy, requester.userId);
  const target = targetChannel(action);

  if (action.kind === 'incidents') {
    if (requester.channel === null) return refuse('no-channel', 'Incidents are run from their channel.');
    if (requester.channel !== target) {
      const ownerFromReminder =
        (action.verb === 'step' || action.verb === 'snooze') && requester.channel.startsWith('D') && requester.via === 'button' && !!action.stepOwner && action.stepOwner === requester.userId;
      if (ownerFromReminder) return ALLOWED;
      if (action.incidentId === null) return refuse('other-channel', 'That button belongs to a message in another channel.');
      return refuse('other-channel', `Incident #${action.incidentId} belongs to another channel: act on it there.`);
    }
    return ALLOWED;
  }

  if (action.kind === 'audits') {
    // Posted where it was asked for (or in the requester's own DM): no other channel is involved.
    if (!admin && action.repo.private !== false) return refuse('private-repository', 'Only Depwatch admins (DEPWATCH_ADMINS) can audit a private repository.');
    return ALLOWED;
  }

  if (target !== null && requester.channel !== target) {
    if (requester.via !== 'command') return refuse('other-channel', 'That button belongs to a message in another channel.');
    if (!admin) return refuse('other-channel', `Only Depwatch admins (DEPWATCH_ADMINS) can change another channel's ${action.kind === 'watches' ? 'watches' : action.kind}.`);
  }
  if (target === null && requester.channel === null && action.kind !== 'ignores') {
    return refuse('no-channel', 'Say which channel: run the command in it.');
  }
  if (!admin) {
    const repo = 'repo' in action ? action.repo : null;
    if (repo?.private) {
      const what = action.kind === 'watches' ? 'link a private repository to a channel' : action.kind === 'ignores' ? 'ignore findings of a private repository' : 'open pull requests on a private repository';
      return refuse('private-repository', `Only Depwatch admins (DEPWATCH_ADMINS) can ${what}.`);
    }
    return refuse('not-admin', `Only Depwatch admins (DEPWATCH_ADMINS) can ${ADMIN_WORDS[action.kind](action)}.`);
  }
  return ALLOWED;
}

/** One line for logs and the refusal record: what was asked, on what. */
export function describeAction(action: Action): string {
  switch (action.kind) {
    case 'watches':
      return `${action.verb} ${action.repo.name}${action.repo.private ? ' (private)' : ''}`;
    case 'schedules':
    case 'settings':
      return action.verb;
    case 'ignores':
      return `${action.verb} ignore${action.repo ? ` for ${action.repo.name}` : ''}`;
    case 'incidents':
      return `${action.verb} incident${action.incidentId !== null ? ` #${action.incidentId}` : ''}`;
    case 'pull-requests':
      return `open pull request on ${action.repo.name}`;
    case 'audits':
      return `audit ${action.repo.name}${action.repo.private ? ' (private)' : ''}`;
  }
}
