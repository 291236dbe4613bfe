/**
 * `/incident` text → what was asked. Pure. Slash commands can't be typed in a thread, so commands
 * about one incident take an optional `#id`; without it they mean the channel's open incident.
 * With `should_escape: true` (manifest.yml) Slack sends mentions as `<@U123|alice>`.
 */
import { isSeverity, type IncidentSeverity } from './types.js';

export type IncidentCommand =
  | { kind: 'help' }
  | { kind: 'list' }
  | { kind: 'templates' }
  | { kind: 'start'; title: string; severity: IncidentSeverity | null; template: string | null }
  | { kind: 'drill'; scenario: string | null }
  | { kind: 'status'; id: number | null; text: string }
  | { kind: 'severity'; id: number | null; severity: IncidentSeverity }
  | { kind: 'commander'; id: number | null; user: string }
  | { kind: 'role'; id: number | null; role: string; user: string }
  | { kind: 'action'; id: number | null; text: string; owner: string | null }
  | { kind: 'close'; id: number | null; summary: string }
  | { kind: 'error'; message: string };

export const INCIDENT_HELP = [
  '*`/incident start [severity] [template:<id>] <title>`* start an incident (severity in lower case: critical, high, medium, low; `High CPU…` is a title)',
  '*`/incident status [#id] conditions: …; actions: …; needs: …`* post a status update to the thread',
  '*`/incident severity [#id] <level>`* change the severity',
  '*`/incident commander [#id] @someone`* hand over the commander role',
  '*`/incident role [#id] <role> @someone`* give a template role (e.g. comms) to someone',
  '*`/incident action [#id] <text> [@owner]`* record an action item for the report',
  '*`/incident close [#id] [summary]`* close it and post the post-incident report',
  '*`/incident list`* open incidents in this channel · *`/incident templates`* checklist templates',
  '*`/incident drill [scenario]`* run a tabletop exercise (without a scenario: the list)',
].join('\n');

/**
 * The longest title, action item and closing summary a command may give (an action item and a
 * summary as long as the incident modals' inputs allow). Longer text is refused with the limit, as
 * those modals refuse it (Slack enforces their max_length as the person types), rather than cut
 * unsaid: the person still has everything they wrote and sends it again shorter.
 */
export const INCIDENT_TEXT_LIMITS = { title: 150, action: 500, summary: 2000 } as const;

function tooLong(what: keyof typeof INCIDENT_TEXT_LIMITS, text: string): IncidentCommand | null {
  const max = INCIDENT_TEXT_LIMITS[what];
  const length = [...text].length;
  if (length <= max) return null;
  const name = what === 'title' ? 'An incident title' : what === 'action' ? 'An action item' : 'A closing summary';
  return { kind: 'error', message: `${name} can have at most ${max} characters; this one has ${length}. Shorten it and send the command again.` };
}

const MENTION = /<@([UW][A-Z0-9]+)(?:\|[^<>]*)?>/;
const MENTION_ALL = /<@([UW][A-Z0-9]+)(?:\|[^<>]*)?>/g;
const WHOLE_MENTION = /^<@([UW][A-Z0-9]+)(?:\|[^<>]*)?>$/;

/** The mention that ends `text`, and the text before it (found from the end: linear). */
function trailingMention(text: string): { before: string; user: string } | null {
  const trimmed = text.trimEnd();
  const start = trimmed.lastIndexOf('<@');
  const user = start < 0 ? undefined : WHOLE_MENTION.exec(trimmed.slice(start))?.[1];
  return user ? { before: trimmed.slice(0, start), user } : null;
}

function takeId(rest: string): { id: number | null; rest: string } {
  const m = /^#?(\d+)\b\s*/.exec(rest);
  if (m && rest.startsWith('#')) return { id: Number(m[1]), rest: rest.slice(m[0].length) };
  return { id: null, rest };
}

function userOf(text: string): string | null {
  return MENTION.exec(text)?.[1] ?? null;
}

export function parseIncidentCommand(input: string): IncidentCommand {
  const text = input.trim();
  const [head = '', ...tail] = text.split(/\s+/);
  const verb = head.toLowerCase();
  const afterVerb = text.slice(head.length).trim();
  switch (verb) {
    case '':
    case 'help':
      return { kind: 'help' };
    case 'list':
      return { kind: 'list' };
    case 'templates':
      return { kind: 'templates' };
    case 'start': {
      let rest = afterVerb;
      let severity: IncidentSeverity | null = null;
      let template: string | null = null;
      for (;;) {
        const word = /^(\S+)\s*/.exec(rest);
        if (!word?.[1]) break;
        const w = word[1];
        // A severity is written as the help shows it, in lower case: "High CPU on the runners" is a title.
        if (severity === null && isSeverity(w)) severity = w;
        else if (template === null && /^template[:=]/i.test(w)) template = w.slice('template:'.length).toLowerCase();
        else break;
        rest = rest.slice(word[0].length);
      }
      if (rest.length === 0) return { kind: 'error', message: 'Give the incident a title: `/incident start [severity] <title>`.' };
      return tooLong('title', rest) ?? { kind: 'start', title: rest, severity, template };
    }
    case 'drill':
      return { kind: 'drill', scenario: tail[0] ?? null };
    case 'status': {
      const { id, rest } = takeId(afterVerb);
      if (rest.length === 0) return { kind: 'error', message: 'Say what the update is: `/incident status conditions: …; actions: …; needs: …`.' };
      return { kind: 'status', id, text: rest };
    }
    case 'severity':
    case 'sev': {
      const { id, rest } = takeId(afterVerb);
      const level = rest.toLowerCase();
      if (!isSeverity(level)) return { kind: 'error', message: `“${rest || '(nothing)'}” is not a severity: use critical, high, medium or low.` };
      return { kind: 'severity', id, severity: level };
    }
    case 'commander': {
      const { id, rest } = takeId(afterVerb);
      const user = userOf(rest);
      if (!user) return { kind: 'error', message: 'Mention the new commander: `/incident commander @someone`.' };
      return { kind: 'commander', id, user };
    }
    case 'role': {
      const { id, rest } = takeId(afterVerb);
      const m = /^([a-z0-9][a-z0-9_-]*)\s+(.*)$/i.exec(rest);
      const user = m?.[2] ? userOf(m[2]) : null;
      if (!m?.[1] || !user) return { kind: 'error', message: 'Name the role and mention the person: `/incident role comms @someone`.' };
      return { kind: 'role', id, role: m[1].toLowerCase(), user };
    }
    case 'action': {
      const { id, rest } = takeId(afterVerb);
      // Only a mention that ends the command is the owner (`<text> [@owner]`, as the help shows);
      // mentions inside the text are part of what is to be done and stay in it.
      const trailing = trailingMention(rest);
      const owner = trailing?.user ?? null;
      const body = (trailing ? trailing.before : rest).replace(MENTION_ALL, (_, u: string) => `<@${u}>`).replace(/\s+/g, ' ').trim();
      if (body.length === 0) return { kind: 'error', message: 'Describe the action item: `/incident action <text> [@owner]`.' };
      return tooLong('action', body) ?? { kind: 'action', id, text: body, owner };
    }
    case 'close':
    case 'resolve': {
      const { id, rest } = takeId(afterVerb);
      return tooLong('summary', rest) ?? { kind: 'close', id, summary: rest };
    }
    default:
      return { kind: 'error', message: `I don't know \`${head}\`.\n${INCIDENT_HELP}` };
  }
}
