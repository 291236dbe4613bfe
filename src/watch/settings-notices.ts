/**
 * What a sweep says about a watched repository's settings file: the problems that make some of it
 * not apply as written (`.depwatch.yaml` not read beside `.depwatch.yml`, a file that is not valid
 * YAML, an entry left out, an `exclude:` glob refused). The CLI and `/audit` print them with the
 * report; a sweep has no report, so each watching channel is told in a message of its own, once
 * per set of problems: the outbox's idempotency key names the repository, the channel and the
 * problems, and a posted message's key is kept (the outbox never prunes posted posts), so later
 * sweeps of the same settings add nothing. The key leaves out where in the file each problem is
 * (line and column numbers, entry indexes), which the message keeps: an edit elsewhere in the file
 * (a comment added at the top, an entry added above) moves them without changing the problems. A
 * different set (one fixed, one more, one more of the same kind) is said again, whole.
 *
 * Unlike advisories and secrets, the first audit of a repository tells too: watching a repository
 * need not follow an `/audit` reply, and no digest carries these problems, so staying quiet there
 * would mean never saying them. None of them makes a result partial: not applying a setting only
 * shows more.
 */
import { createHash } from 'node:crypto';
import type { IgnoreNote } from '../audit/ignores.js';
import type { OutboundMessage } from '../store/outbox/types.js';
import type { WatchStateStore } from '../store/watch-state/types.js';
import { SETTINGS_NOTICE, type SettingsNotice } from './messages.js';

const MAX_PROBLEMS_KEPT = 50;

/** The audit's notes about its settings files (those that name one), in the audit's order. */
export function settingsProblems(notes: readonly IgnoreNote[]): string[] {
  return [...new Set(notes.filter((n) => n.kind === 'invalid' && n.settingsFile !== undefined).map((n) => n.message))];
}

/**
 * A problem as the notice's key counts it: without the line, column and entry numbers that place
 * it in the file. Duplicates stay (two entries without a reason are two problems, and a third is
 * new). Each pattern is a literal word and a run of digits: linear in the message.
 */
export function withoutPlace(problem: string): string {
  return problem
    .replace(/\blines \d+ and \d+/g, 'lines # and #')
    .replace(/\bline \d+(, column \d+)?/g, 'line #')
    .replace(/\b(ignore|exclude) entry \d+/g, '$1 entry #');
}

/**
 * Writes the notice of `problems` for every channel that may see the repository (a private one:
 * only channels an admin linked it to, as for alerts); a set already written for a channel writes
 * nothing. How many messages were new.
 */
export async function announceSettingsProblems(input: {
  state: WatchStateStore;
  /** Store key of the repository (`owner/name[@branch]`). */
  repo: string;
  notice: Omit<SettingsNotice, 'problems' | 'total'>;
  problems: readonly string[];
  now: Date;
}): Promise<number> {
  const { state, repo, notice, problems, now } = input;
  if (problems.length === 0) return 0;
  const watches = await state.watchesOfRepo(repo);
  const channels = watches.filter((w) => w.adminLinked || !(w.private || notice.private));
  if (channels.length === 0) return 0;
  const said = createHash('sha256').update(problems.map(withoutPlace).sort().join('\n')).digest('hex').slice(0, 16);
  // A file of thousands of bad entries is said as its first few and a count: the message lists no more.
  const data: SettingsNotice = { ...notice, problems: problems.slice(0, MAX_PROBLEMS_KEPT), total: problems.length };
  const messages: OutboundMessage[] = channels.map((w) => {
    const key = `settings:${repo}:${w.channel}:${said}`;
    return { kind: SETTINGS_NOTICE, data, channel: w.channel, op: 'post', messageKey: key, idempotencyKey: key };
  });
  return state.announce(messages, now);
}
