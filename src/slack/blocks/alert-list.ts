/**
 * The complete list of an alert's repositories, in the alert's thread (ADVISORY_ALERT_LIST): the
 * alert's own message lists some of them and counts the rest, since it is one message edited in
 * place; here every repository gets a line (its pins, or why it is closed), the lines packed into
 * as many thread replies as Slack's limits need, cut at whole lines, each led by "(list 1 of 3)".
 */
import type { KnownBlock } from '@slack/types';
import { plural } from '../../plural.js';
import type { AffectedRepo } from '../../store/watches.js';
import { closedKind } from '../../watch/closed-reasons.js';
import type { AdvisoryAlertList } from '../../watch/messages.js';
import { fitOneMessage, type FittedMessage } from './fit.js';
import { context, escapeMrkdwn, listSections, listWithin, md, truncate } from './kit.js';
import { capThread, MAX_THREAD_PARTS } from './thread-cap.js';

/** Characters of lines one reply carries at most: well inside a message's text budget, with its lead line. */
const PART_ROOM = 9_000;

/** Characters one repository's pins may take on its line (a monorepo may pin a package in many files). */
const PINS_ROOM = 1_500;

/** One pin: "`2.2.0` in requirements.txt:3". */
const pinText = (a: AffectedRepo) => `${a.version ? `\`${escapeMrkdwn(a.version)}\`` : 'a pin'}${a.file ? ` in ${escapeMrkdwn(`${a.file}${a.line ? `:${a.line}` : ''}`)}` : ''}`;

/** Why a closed repository is no longer open, short: its reason quotes the repository's own settings. */
function closedText(a: AffectedRepo): string {
  if (a.closedReason) {
    const reason = escapeMrkdwn(truncate(a.closedReason.replace(/\s+/g, ' ').trim(), 200));
    const kind = closedKind(a.closedReason);
    return kind === 'excluded' ? `no longer checked: ${reason}` : kind === 'ignored' ? `not fixed, ${reason}` : `${reason} (not known to be fixed)`;
  }
  return a.fixedBySha ? `fixed by \`${escapeMrkdwn(a.fixedBySha.slice(0, 7))}\`` : 'no longer reported (the advisory was withdrawn or changed)';
}

/** A repository's line: its open pins, or why it is closed; one line per repository, its pins together. */
function repoLine(pins: readonly AffectedRepo[]): string {
  const name = `*${escapeMrkdwn(pins[0]!.repo)}*`;
  const open = pins.filter((a) => a.fixedAt === null);
  if (open.length === 0) return `${pins.some((a) => a.closedReason) ? '➖' : '✅'} ${name}: ${closedText(pins[0]!)}`;
  return `• ${name} ${listWithin(open.map(pinText), ', ', { room: PINS_ROOM, more: (left) => `…and ${plural(left, 'more pin', 'more pins')}` })}`;
}

/** The pins of each repository, in the alert's order. */
function byRepository(affected: readonly AffectedRepo[]): AffectedRepo[][] {
  const groups = new Map<string, AffectedRepo[]>();
  for (const a of affected) {
    const pins = groups.get(a.repo);
    if (pins) pins.push(a);
    else groups.set(a.repo, [a]);
  }
  return [...groups.values()];
}

/** Lines packed in order into parts of at most PART_ROOM characters, cut at whole lines. */
function pack(lines: readonly string[]): string[][] {
  const parts: string[][] = [];
  let used = Number.POSITIVE_INFINITY;
  for (const line of lines) {
    if (used + line.length + 1 > PART_ROOM) {
      parts.push([]);
      used = 0;
    }
    parts[parts.length - 1]!.push(line);
    used += line.length + 1;
  }
  return parts;
}

/** The list as thread replies, first to last; each one Slack message within its limits. */
export function alertListMessages(list: AdvisoryAlertList): FittedMessage[] {
  const repos = byRepository(list.affected);
  const open = repos.filter((pins) => pins.some((a) => a.fixedAt === null)).length;
  const closed = repos.length - open;
  const pkg = list.package ? ` in ${list.package}` : '';
  const lines = repos.map(repoLine);
  // At most MAX_THREAD_PARTS replies (about 3,000 repositories at a line each); the last part then
  // gives up its last lines for the line saying how many repositories are left out.
  const parts = capThread(pack(lines), (kept) => {
    const listed = kept.reduce((n, p) => n + p.length, 0);
    const last = kept[kept.length - 1]!;
    const say = (left: number) => `…and ${plural(left, 'more repository', 'more repositories')}, not listed: a thread has room for ${MAX_THREAD_PARTS} messages of this list (\`depwatch watch affected ${escapeMrkdwn(list.advisoryId)}\` lists them all)`;
    let left = lines.length - listed;
    while (last.length > 1 && last.reduce((n, l) => n + l.length + 1, 0) + say(left + 1).length + 1 > PART_ROOM) {
      last.pop();
      left++;
    }
    last.push(say(left));
    return kept;
  });
  const asOf = md.date(new Date(list.asOf), '{date_short_pretty} {time}', `${list.asOf.slice(0, 16).replace('T', ' ')} UTC`).text;
  const counts = list.resolved || closed > 0 ? `${open} open, ${closed} closed` : `${open} open`;
  const title = `Every repository ${escapeMrkdwn(list.advisoryId)}${escapeMrkdwn(pkg)} hits (alert #${list.alertId}): ${plural(repos.length, 'repository', 'repositories')}, ${counts}, as of ${asOf}`;
  return parts.map((part, i) => {
    const of = parts.length > 1 ? ` (list ${i + 1} of ${parts.length})` : '';
    const blocks: KnownBlock[] = [context(`${title}${of}`), ...listSections('', part, { room: Number.POSITIVE_INFINITY, more: () => '' })];
    const text = `Every repository ${list.advisoryId}${pkg} hits, alert #${list.alertId}${of}`;
    return fitOneMessage({ text: md`${text}`.text, blocks }, `the list of alert #${list.alertId}, part ${i + 1}`);
  });
}
