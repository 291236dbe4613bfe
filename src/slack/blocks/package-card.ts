/**
 * `/audit package …` in Block Kit: one card per package, the same facts the CLI prints (src/cli/package.ts)
 * said for Slack. Every signal shows its value, its source and whether the source is verified to
 * belong to the package (a repository named only in the project URLs is not); the verdict comes with
 * every reason, worst first. Unknown names, names that exist only as typosquat suspects and
 * quarantined projects lead with a plain sentence rather than a table of unknowns.
 *
 * Everything a package, PyPI, GitHub or OSV wrote is untrusted text: it goes through `md` (escaped).
 */
import type { KnownBlock } from '@slack/types';
import type { PackageCard } from '../../packages/card.js';
import { releaseAdvisoryText } from '../../packages/health/security.js';
import { FAMILY_TITLES, type Signal } from '../../packages/health/signal.js';
import type { Verdict } from '../../packages/verdict.js';
import type { SlackMessage } from './errors.js';
import { context, divider, escapeMrkdwn, header, listSections, listWithin, section } from './kit.js';
import { md, type Mrkdwn } from './mrkdwn.js';

export const PACKAGE_USAGE_TEXT = [
  '*Check packages before adding them*',
  '`/audit package requests`: the latest release',
  '`/audit package django==4.2.1 flask`: a given release, several at once',
  'A health card per package: releases, people, supply chain, weight, security and a typosquat check, with a verdict (ok, caution, avoid) and its reasons.',
].join('\n');

const VERDICT_BADGE: Record<Verdict, string> = {
  ok: ':white_check_mark: *ok*',
  caution: ':warning: *caution*',
  avoid: ':no_entry: *avoid*',
};

/** "PyPI JSON API", "GitHub GraphQL API · unverified": where a value came from and whether it is tied to the package. */
export function sourceLabel(signal: Signal): string {
  const saysSo = /verified/i.test(signal.source.name);
  const trust = signal.source.verified === true && !saysSo ? ' · verified' : signal.source.verified === false && !saysSo ? ' · unverified' : '';
  return `${signal.source.name}${trust}`;
}

/**
 * Characters the advisories hitting a release may take on its line: an old release with a hundred
 * names those that fit and counts the rest, rather than its family's section being cut mid-line.
 */
const RELEASE_ADVISORIES_ROOM = 1_200;
/** Room for one family's lines (a few sections); each signal line is bounded, so this is a backstop. */
const FAMILY_ROOM = 6_000;
const more = (left: number): string => `…and ${left} more`;

function isReleaseAdvisory(v: unknown): v is { id: string; severity: string; fixed_versions: string[] } {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return typeof o.id === 'string' && typeof o.severity === 'string' && Array.isArray(o.fixed_versions) && o.fixed_versions.every((x) => typeof x === 'string');
}

/** The signal's text (escaped); the list of advisories hitting the release within RELEASE_ADVISORIES_ROOM. */
function signalText(id: string, signal: Signal): Mrkdwn {
  const value = signal.value;
  if (id !== 'affecting_release' || signal.unknown || !Array.isArray(value) || value.length < 2 || !value.every(isReleaseAdvisory)) return md`${signal.text}`;
  return md.raw(listWithin(value.map((a) => escapeMrkdwn(releaseAdvisoryText(a))), '; ', { room: RELEASE_ADVISORIES_ROOM, more }));
}

function signalLine(id: string, signal: Signal): Mrkdwn {
  const mark = signal.unknown ? (signal.unknown.failed ? ':grey_question: ' : '· ') : '';
  return md`${md.raw(mark)}*${signal.label}:* ${signalText(id, signal)} _(${sourceLabel(signal)})_`;
}

/** The one sentence that leads a card whose case is not a table of signals. */
function leadSentence(card: PackageCard): Mrkdwn | null {
  const target = card.typosquat.similarTo[0];
  if (card.exists === false) {
    return target
      ? md`*${card.name}* is not on the index, and its name looks like *${target.name}*: probably a typo or a squat waiting to be registered. Do not add it.`
      : md`*${card.name}* is not on the index: there is nothing to install, and anyone could register the name.`;
  }
  if (card.signals.project_status?.value === 'quarantined') {
    return md`*${card.name}* is quarantined by the index (suspected malware): nothing can be installed from it. Do not add it.`;
  }
  if (card.exists === null) return md`Could not tell whether the index has *${card.name}*: the card below is partial.`;
  if (card.typosquat.suspect && target) return md`*${card.name}* exists, but its name looks like the more popular *${target.name}*: check it is the project you meant.`;
  return null;
}

/** The blocks of one card. */
export function packageCardBlocks(card: PackageCard): KnownBlock[] {
  const title = card.exists === false ? `${card.name} (not on the index)` : `${card.name}${card.version ? ` ${card.version}` : ''}`;
  const blocks: KnownBlock[] = [header(title)];
  const partial = card.partial ? md` · _partial: not everything could be read_` : md``;
  const latest = card.latestVersion && card.version && card.latestVersion !== card.version ? md` · latest ${card.latestVersion}` : md``;
  blocks.push(section(md`${md.raw(VERDICT_BADGE[card.verdict])}${latest}${partial}`));
  const lead = leadSentence(card);
  if (lead) blocks.push(section(lead));
  if (card.reasons.length) {
    blocks.push(section(md.join(card.reasons.map((r) => md`${md.raw(r.verdict === 'avoid' ? ':no_entry:' : ':warning:')} ${r.text}`), '\n')));
  }
  if (card.typosquat.suspect) {
    const similar = card.typosquat.similarTo.map((s) => md`${s.name} (${s.kind}, ${s.source || 'known names'})`);
    blocks.push(context(md`Name check: looks like ${md.join(similar, ', ')}`));
  }
  // A name the index does not have has no signals worth a table.
  if (card.exists !== false) {
    const signals = Object.entries(card.signals);
    const families = [...new Set(signals.map(([, s]) => s.family))];
    for (const family of families) {
      const lines = signals.filter(([, s]) => s.family === family).map(([id, s]) => signalLine(id, s).text);
      blocks.push(...listSections(md`*${FAMILY_TITLES[family]}*`.text, lines, { room: FAMILY_ROOM, more }));
    }
  }
  for (const notice of card.notices) blocks.push(context(md`${notice}`));
  return blocks;
}

/** The whole reply: every card, and one line per argument that was refused. */
export function packageCardsMessage(cards: readonly PackageCard[], refused: readonly string[]): SlackMessage {
  const blocks: KnownBlock[] = [];
  for (const line of refused) blocks.push(section(md`:warning: ${line}`));
  cards.forEach((card, i) => {
    if (i > 0 || refused.length) blocks.push(divider());
    blocks.push(...packageCardBlocks(card));
  });
  const summary = cards.map((c) => `${c.name}${c.version ? ` ${c.version}` : ''}: ${c.verdict}${c.partial ? ' (partial)' : ''}`).join(', ');
  const text = summary || refused.join(' ');
  return { text: md.fallback`${text}`.text, blocks };
}

/** While the cards are being built. */
export function checkingPackagesMessage(names: readonly string[], user: string): SlackMessage {
  const text = md`:hourglass_flowing_sand: ${md.user(user)} asked about ${md.join(names.map((n) => md`*${n}*`), ', ')}: checking PyPI, GitHub and the advisories…`;
  return { text: md.fallback`Checking ${names.join(', ')}…`.text, blocks: [section(text)] };
}

/** What replaces "checking…" in the channel when the cards could not be built: one line and the error id (the asker gets the details). */
export function failedPackagesPlaceholder(names: readonly string[], user: string, errorId: string): SlackMessage {
  return {
    text: md.fallback`Could not check ${names.join(', ')} (error id ${errorId})`.text,
    blocks: [section(md`:warning: Could not check ${md.join(names.map((n) => md`*${n}*`), ', ')}; ${md.user(user)} has the details.`), context(md`Error id ${errorId}`)],
  };
}
