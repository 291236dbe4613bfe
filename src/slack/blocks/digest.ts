/**
 * Layouts of the weekly, monthly and quarterly digests: a short summary for the channel and the
 * details for its thread. Both go through fitMessage when posted, which splits them to Slack's limits.
 * A list (of repositories, packages, advisories, ignores…) is never handed to one section() whole,
 * which would cut it at 3,000 characters in the middle of an item: listSections and listWithin
 * keep the items that fit whole and say "…and N more" for the rest.
 */
import type { HealthChanges } from '../../watch/health-changes.js';
import type { KnownBlock } from '@slack/types';
import type { AdviceSyntax } from '../../audit/fix-wording.js';
import { compareFindings, type RatedSeverity } from '../../audit/findings.js';
import { plural } from '../../plural.js';
import { packageHeadline, vulnerablePackages } from '../../report/packages.js';
import { SEVERITY_STYLE } from '../../report/severity-style.js';
import { osvUrl } from '../../report/summary.js';
import type { FindingRow } from '../../store/watches.js';
import { advisoriesIn, type MonthlyDigest, type QuarterlyDigest, type WeeklyDigest } from '../../watch/digests.js';
import type { NotFullyChecked } from '../../watch/partial-state.js';
import { sweepProblemLine } from './sweep-problems.js';
import type { FitMessageInput } from './fit.js';
import { context, divider, escapeMrkdwn, fields, header, link, listFit, listSections, listWithin, section, truncate } from './kit.js';
import { SLACK_LIMITS } from './limits.js';

export interface DigestLayout {
  title: string;
  summary: FitMessageInput;
  details: FitMessageInput;
  chartAlt?: string;
}

export interface LayoutOptions {
  timeZone: string;
  /**
   * The monthly chart cannot be drawn (the host has no font for its labels): the summary does not
   * promise it, and the details end with one line saying so and giving its numbers.
   */
  chartLeftOut?: boolean;
  /**
   * The thread was given up (Slack refused it): the summary, edited, says its details and lists
   * could not be posted there instead of pointing at a thread that is not there.
   */
  threadFailed?: boolean;
}

/** What the summary says in place of "Details in the thread." once the thread was given up. */
const THREAD_FAILED = '⚠️ The details could not be posted in the thread.';
const inThread = (options: LayoutOptions, what = 'Details') => (options.threadFailed ? THREAD_FAILED : `${what} in the thread.`);

/** Characters one list of the details may take (about a thread reply's worth); the rest is counted. */
export const DETAILS_LIST_ROOM = 9_000;
/** Characters the advisory ids of one package line, or the repositories using one package, may take. */
const INLINE_LIST_ROOM = 1_000;
/** Characters one line of outdated releases (of one repository, one kind of bump) may take. */
const BUMP_LINE_ROOM = 1_200;
/** What people or the index wrote (ignore reasons, fix texts, yank reasons) is cut to this in a line. */
const FREE_TEXT_MAX = 300;

const more = (left: number): string => `…and ${left} more`;
/** A heading and one item a line, in sections of at most 3,000 characters, counted past DETAILS_LIST_ROOM. */
const detailsList = (heading: string, lines: readonly string[]) => listSections(heading, lines, { room: DETAILS_LIST_ROOM, more });
/**
 * A list of repositories (one a line) in the details, complete: a digest's summary counts them and
 * the thread is where they can all be named; fitMessage spreads it over as many replies as it takes.
 */
const repositoryList = (heading: string, lines: readonly string[]) => listSections(heading, lines, { room: Number.POSITIVE_INFINITY, more });

/** Digest text has no file links: places are plain, code is in backticks. */
const DIGEST_SYNTAX: AdviceSyntax = { code: (t) => `\`${escapeMrkdwn(t)}\``, place: (file, line) => escapeMrkdwn(`${file}${line ? `:${line}` : ''}`), text: escapeMrkdwn };

/**
 * Vulnerability rows as one line per repository and package, worst first: "🔴 *octo/app*: django
 * 2.1.5 → 2.2.28 clears 2 advisories: PYSEC-…, PYSEC-…", then what `tail` says about those rows.
 */
function packageLines(rows: readonly FindingRow[], unknownAs: RatedSeverity, tail: (rows: FindingRow[]) => string = () => ''): string[] {
  const sorted = [...rows].sort((a, b) => compareFindings(a.finding, b.finding, unknownAs) || a.repo.localeCompare(b.repo));
  const byRepo = new Map<string, FindingRow[]>();
  for (const r of sorted) byRepo.set(r.repo, [...(byRepo.get(r.repo) ?? []), r]);
  const lines: { rank: number; text: string }[] = [];
  for (const [repo, repoRows] of byRepo) {
    for (const g of vulnerablePackages(repoRows.map((r) => r.finding))) {
      const groupRows = repoRows.filter((r) => g.findings.includes(r.finding));
      const unrated = (f: { severity: string }) => (f.severity === 'unknown' ? ` (not rated, counts as ${unknownAs})` : '');
      const ids = listWithin(g.findings.map((f) => `${f.id ? link(osvUrl(f.id), f.id) : '?'}${unrated(f)}`), ', ', { room: INLINE_LIST_ROOM, more });
      lines.push({
        rank: sorted.indexOf(groupRows[0]!),
        text: `• ${SEVERITY_STYLE[g.severity].emoji} *${escapeMrkdwn(repo)}*: ${packageHeadline(g, DIGEST_SYNTAX)}: ${ids}${tail(groupRows)}`,
      });
    }
  }
  return lines.sort((a, b) => a.rank - b.rank).map((l) => l.text);
}
const where = (file: string | null, line: number | null) => (file ? `${escapeMrkdwn(file)}${line ? `:${line}` : ''}` : '');

function dateIn(iso: string, tz: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: tz, year: 'numeric', month: 'short', day: 'numeric' }).format(new Date(iso));
}

/** How long one repository's reason may be in the summary's line: the first words say what it is. */
const WHY_MAX = 160;

/**
 * The summary's line for repositories the digest could not vouch for: "⚠️ 2 of 5 repositories were
 * not fully checked: *octo/app* (error: …), *octo/lib* (poetry.lock:4 not read completely: …)". In
 * the summary, not the thread: a count or a "None. 🎉" above it is only about what was checked.
 */
function notCheckedBlocks(n: NotFullyChecked | undefined, options: LayoutOptions): KnownBlock[] {
  if (!n) return [];
  const blocks: KnownBlock[] = [];
  // Sweeps partial as a whole (OSV down, re-matching failed, a batch lost): said first, it concerns every repository.
  if (n.sweep) blocks.push(context(escapeMrkdwn(sweepProblemLine(n.sweep))));
  if (n.repos.length) {
    // Those the line has no room for are in the thread's complete list (notCheckedDetails).
    blocks.push(context(notCheckedLine(n, options).text));
  }
  return blocks;
}

const notCheckedItem = (r: NotFullyChecked['repos'][number]) => `*${escapeMrkdwn(r.repo)}* (${escapeMrkdwn(truncate(r.why, WHY_MAX))})`;

/**
 * The summary's line naming the repositories not fully checked, and how many it had no room for:
 * one rule for the line (notCheckedBlocks) and for whether the thread lists them (notCheckedDetails),
 * so a line that says "the thread lists them all" is never beside a thread that does not.
 */
function notCheckedLine(n: NotFullyChecked, options: LayoutOptions): { text: string; left: number } {
  const lead = `⚠️ ${n.repos.length} of ${plural(n.of, 'repository', 'repositories')} ${n.repos.length === 1 ? 'was' : 'were'} not fully checked: `;
  const say = (left: number) => `…and ${left} more (${options.threadFailed ? 'their list could not be posted in the thread' : 'the thread lists them all'})`;
  const { text, left } = listFit(n.repos.map(notCheckedItem), ', ', { room: SLACK_LIMITS.textObject - lead.length, more: say });
  return { text: `${lead}${text}`, left };
}

/** The complete list of the repositories not fully checked, in the thread, when the summary's line was cut. */
function notCheckedDetails(n: NotFullyChecked | undefined, options: LayoutOptions): KnownBlock[] {
  if (!n?.repos.length || notCheckedLine(n, options).left === 0) return [];
  return [divider(), ...repositoryList(`*Not fully checked (${n.repos.length} of ${plural(n.of, 'repository', 'repositories')})*`, n.repos.map((r) => `• ${notCheckedItem(r)}`))];
}

/** Packages whose PyPI status could not be read: archived, deprecated or quarantined, nobody knows. */
function unreadBlock(unread: readonly string[]): KnownBlock {
  const lead = `⚠️ Status not checked for ${plural(unread.length, 'package')} (PyPI could not be read): `;
  return context(`${lead}${listWithin(unread.map((n) => `\`${escapeMrkdwn(n)}\``), ', ', { room: SLACK_LIMITS.textObject - lead.length, more })}`);
}

/** The notification text's clause for the same: a truncated notification still says it. */
const notCheckedText = (n: NotFullyChecked | undefined) =>
  `${n?.sweep ? '; ⚠️ new advisories not checked by every sweep' : ''}${n?.repos.length ? `; ⚠️ ${n.repos.length} of ${plural(n.of, 'repository', 'repositories')} not fully checked` : ''}`;

/** "None. 🎉" only when everything was checked; otherwise what it is: nothing found in what was (`caveat`: what was not). */
const allClear = (text: string, caveat: string | null) => (caveat ? `${text.replace(/\.? 🎉$/, '')} in what was checked; ⚠️ ${caveat} (see the summary).` : text);
const uncheckedWords = (n: number) => `${plural(n, 'package')} could not be checked for updates`;
const reposCaveat = (n: NotFullyChecked | undefined) => caveats(n?.sweep && 'sweeps were partial', n?.repos.length ? `${plural(n.repos.length, 'repository', 'repositories')} not fully checked` : null);
/** The caveats of one digest, as one clause, or null when there are none. */
const caveats = (...parts: (string | null | false | undefined)[]) => parts.filter((p): p is string => Boolean(p)).join('; ') || null;

/** "Health worsened since last week": one line per package, with this week's reasons and owner changes. */
function healthBlocks(h: HealthChanges): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  if (h.worsened.length) {
    const lines = h.worsened.map((w) => {
      const change = w.from === w.to ? w.to : `${w.from} → ${w.to}`;
      const owners = w.newOwners.length ? `; new owners on PyPI: ${w.newOwners.map(escapeMrkdwn).join(', ')}${w.goneOwners.length ? ` (gone: ${w.goneOwners.map(escapeMrkdwn).join(', ')})` : ''}` : '';
      return `\`${escapeMrkdwn(w.package)}\` ${change}${w.reasons.length ? `: ${w.reasons.map(escapeMrkdwn).join('; ')}` : ''}${owners}`;
    });
    blocks.push(...detailsList('*Health worsened since last week*', lines));
  }
  if (h.unread.length) {
    const lead = '⚠️ Health not checked this week (PyPI could not be read): ';
    blocks.push(context(`${lead}${listWithin(h.unread.map(escapeMrkdwn), ', ', { room: SLACK_LIMITS.textObject - lead.length, more })}`));
  }
  return blocks;
}

export function weeklyDigestLayout(d: WeeklyDigest, options: LayoutOptions): DigestLayout {
  const title = `Weekly dependency updates — ${dateIn(d.generatedAt, options.timeZone)}`;
  const t = d.totals;
  const outdatedRepos = d.repos.filter((r) => r.outdated.length > 0).length;
  const summaryBlocks: KnownBlock[] = [
    header(`📦 ${title}`),
    fields(`*Major updates*\n${t.major}`, `*Minor updates*\n${t.minor}`, `*Patch updates*\n${t.patch}`, `*Yanked pins*\n${t.yanked}`, ...(d.health ? [`*Health worsened*\n${d.health.worsened.length}${d.health.unread.length ? ` (${d.health.unread.length} not checked)` : ''}`] : [])),
    context(
      d.registryUnavailable
        ? '⚠️ PyPI could not be read: release data is missing from this digest.'
        : `${plural(outdatedRepos, 'repository', 'repositories')} of ${t.repos} ${outdatedRepos === 1 ? 'has' : 'have'} updates waiting. ${inThread(options)}`,
    ),
    ...(d.unchecked ? [context(`⚠️ ${uncheckedWords(d.unchecked)}: not on the index, or the registry did not answer for them.`)] : []),
    ...notCheckedBlocks(d.notChecked, options),
  ];
  const details: KnownBlock[] = [];
  for (const repo of d.repos) {
    if (repo.outdated.length === 0 && repo.yanked.length === 0 && repo.oldestPins.length === 0) continue;
    const lines: string[] = [];
    for (const bump of ['major', 'minor', 'patch', 'other'] as const) {
      const list = repo.outdated.filter((o) => o.bump === bump);
      if (list.length === 0) continue;
      const lead = `_${bump}_ (${list.length}): `;
      const items = list.map((o) => `\`${escapeMrkdwn(o.package)}\` ${escapeMrkdwn(o.version)} → ${escapeMrkdwn(o.latest)}${o.releasesBehind > 1 ? ` (${o.releasesBehind} behind)` : ''}`);
      lines.push(`${lead}${listWithin(items, ', ', { room: BUMP_LINE_ROOM - lead.length, more })}`);
    }
    for (const y of repo.yanked) lines.push(`⚠️ yanked: \`${escapeMrkdwn(y.package)}\` ${escapeMrkdwn(y.version)} in ${where(y.file, y.line)}${y.reason ? ` (“${escapeMrkdwn(truncate(y.reason, FREE_TEXT_MAX))}”)` : ''}`);
    if (repo.oldestPins.length) {
      const lead = 'oldest pins: ';
      const items = repo.oldestPins.map((p) => `\`${escapeMrkdwn(p.package)}\` ${escapeMrkdwn(p.version)} (${plural(Math.round(p.ageDays / 30), 'month')})`);
      lines.push(`${lead}${listWithin(items, ', ', { room: BUMP_LINE_ROOM - lead.length, more })}`);
    }
    details.push(...detailsList(`*${escapeMrkdwn(repo.repo)}*`, lines));
  }
  if (details.length === 0) details.push(section(allClear('Everything is on its latest release. 🎉', caveats(d.registryUnavailable && 'PyPI could not be read', !!d.unchecked && uncheckedWords(d.unchecked), reposCaveat(d.notChecked)))));
  if (d.health) details.push(...healthBlocks(d.health));
  details.push(...notCheckedDetails(d.notChecked, options));
  return {
    title,
    summary: { text: `${title}: ${t.major} major, ${t.minor} minor, ${t.patch} patch updates; ${plural(t.yanked, 'yanked pin')}${d.unchecked ? `; ⚠️ ${uncheckedWords(d.unchecked)}` : ''}${d.health?.worsened.length ? `; ${plural(d.health.worsened.length, 'package')} whose health worsened` : ''}${d.health?.unread.length ? `; ⚠️ health not checked for ${plural(d.health.unread.length, 'package')}` : ''}${notCheckedText(d.notChecked)}`, blocks: summaryBlocks },
    details: { text: `${title}: details`, blocks: details },
  };
}

/**
 * What is new this month, as the channel was told it, each count once with its field's label and
 * value and its words in the notification text: an advisory that hit several repositories had one
 * alert (counted once); a dependency added with advisories it already had, one message (counted
 * once, apart from the new advisories). The first is the new advisories.
 */
function newThisMonthCounts(d: MonthlyDigest): { label: string; value: string; words: string }[] {
  const advisories = advisoriesIn(d.newThisMonth);
  const deps = d.newDependencies ?? [];
  if (deps.length === 0) return [{ label: 'New this month', value: String(advisories), words: `${advisories} new` }];
  const depAdvisories = deps.reduce((n, dep) => n + dep.advisories.length, 0);
  return [
    { label: 'New advisories this month', value: String(advisories), words: plural(advisories, 'new advisory', 'new advisories') },
    { label: 'New dependencies with advisories', value: `${deps.length} (${plural(depAdvisories, 'advisory', 'advisories')})`, words: `${plural(deps.length, 'new dependency', 'new dependencies')} with ${plural(depAdvisories, 'known advisory', 'known advisories')}` },
  ];
}

export function monthlyDigestLayout(d: MonthlyDigest, options: LayoutOptions): DigestLayout {
  const title = `Monthly security review — ${dateIn(d.generatedAt, options.timeZone)}`;
  const s = d.open.bySeverity;
  const deps = d.newDependencies ?? [];
  const news = newThisMonthCounts(d);
  const newText = news.map((n) => n.words).join(', ');
  const summaryBlocks: KnownBlock[] = [
    header(`🛡️ ${title}`),
    fields(
      `*Open*\n${d.open.total}`,
      `*Critical / high*\n${s.critical} / ${s.high}`,
      ...news.map((n) => `*${n.label}*\n${n.value}`),
      `*Fixed this month*\n${d.fixedThisMonth.length}`,
    ),
    context(`Open by age: ${d.open.byAge.under30} under 30 days, ${d.open.byAge.from30to90} 30–90 days, ${d.open.byAge.over90} over 90 days. ${plural(d.expiringIgnores.length, 'ignore')} expiring within 30 days. ${inThread(options, options.chartLeftOut ? 'Details' : 'Details and chart')}`),
    ...notCheckedBlocks(d.notChecked, options),
  ];
  const details: KnownBlock[] = [];
  const openFor = (rows: FindingRow[]) => {
    // A loop, not Math.min(...rows): a package can have more open findings than arguments fit on the stack.
    const first = rows.reduce((min, r) => Math.min(min, Date.parse(r.firstSeen)), Infinity);
    const days = Math.floor((Date.parse(d.generatedAt) - first) / 86_400_000);
    return `, open ${plural(days, 'day')}`;
  };
  const fixedBy = (rows: FindingRow[]) => {
    const shas = [...new Set(rows.map((r) => r.fixedBySha).filter((sha): sha is string => sha !== null))];
    return shas.length ? ` by ${shas.map((sha) => `\`${escapeMrkdwn(sha.slice(0, 7))}\``).join(', ')}` : '';
  };
  const open = packageLines(d.openFindings, d.unknownAs, openFor);
  // One line per repository and package: complete, in as many replies as it takes.
  details.push(...repositoryList(`*Open vulnerabilities (${d.open.total})*`, open.length ? open : [allClear('None. 🎉', reposCaveat(d.notChecked))]));
  if (d.newThisMonth.length) details.push(...repositoryList(`*${news[0]!.label} (${news[0]!.value})*`, packageLines(d.newThisMonth, d.unknownAs)));
  if (deps.length) details.push(...repositoryList(`*Dependencies added this month with known advisories (${deps.length})*`, packageLines(deps.flatMap((dep) => dep.advisories), d.unknownAs)));
  if (d.fixedThisMonth.length) details.push(...repositoryList(`*Fixed this month (${d.fixedThisMonth.length})*`, packageLines(d.fixedThisMonth, d.unknownAs, fixedBy)));
  if (d.expiringIgnores.length) {
    const lines = d.expiringIgnores.map((i) => `• ${escapeMrkdwn(i.id)}${i.package ? ` (${escapeMrkdwn(i.package)})` : ''} until ${i.until}, ${escapeMrkdwn(i.source)}: ${escapeMrkdwn(truncate(i.reason, FREE_TEXT_MAX))}`);
    details.push(divider(), ...detailsList('*Ignores expiring within 30 days*', lines));
  }
  const chartAlt = `Open vulnerabilities at each month end: ${d.chart.map((p) => `${p.label} ${p.critical + p.high + p.medium + p.low}`).join(', ')}`;
  details.push(...notCheckedDetails(d.notChecked, options));
  if (options.chartLeftOut) details.push(context(`No chart this month: the server has no font to draw its labels with. ${chartAlt}.`));
  return {
    title,
    summary: { text: `${title}: ${d.open.total} open (${s.critical} critical, ${s.high} high), ${newText}, ${d.fixedThisMonth.length} fixed${notCheckedText(d.notChecked)}`, blocks: summaryBlocks },
    details: { text: `${title}: details`, blocks: details },
    chartAlt,
  };
}

const KIND_TITLES: Record<string, string> = {
  unpinned: 'Unpinned requirements',
  'no-lockfile': 'No lockfile',
  'non-registry-source': 'VCS and URL sources',
  'extra-index-url': 'Extra index URLs',
  'python-eol': 'End-of-life Python',
};

export function quarterlyDigestLayout(d: QuarterlyDigest, options: LayoutOptions): DigestLayout {
  const title = `Quarterly audit and clean-up — ${dateIn(d.generatedAt, options.timeZone)}`;
  const counts = Object.entries(d.byKind).map(([kind, list]) => `*${KIND_TITLES[kind] ?? kind}*\n${list.length}`);
  const archived = d.stale.filter((s) => s.why !== 'no-release').length;
  const summaryBlocks: KnownBlock[] = [
    header(`🧹 ${title}`),
    fields(
      ...counts,
      `*Archived / deprecated*\n${archived}`,
      `*No release in 2 years*\n${d.stale.length - archived}`,
      ...(d.code.length ? [`*Code findings*\n${d.code.reduce((n, c) => n + Object.values(c.byKind).reduce((a, b) => a + b, 0), 0)}`] : []),
    ),
    context(d.registryUnavailable ? '⚠️ PyPI could not be read: archived and stale packages are missing.' : `Across ${plural(d.repos, 'repository', 'repositories')}. ${inThread(options)}`),
    ...(d.unread?.length ? [unreadBlock(d.unread)] : []),
    ...notCheckedBlocks(d.notChecked, options),
  ];
  const details: KnownBlock[] = [];
  for (const [kind, list] of Object.entries(d.byKind)) {
    if (list.length === 0) continue;
    const lines = list.map(({ repo, finding: f }) => `• *${escapeMrkdwn(repo)}*: ${f.package ? `\`${escapeMrkdwn(f.package)}\` ` : ''}${where(f.file, f.line)} — ${escapeMrkdwn(truncate(f.fix.text, FREE_TEXT_MAX))}`);
    details.push(...repositoryList(`*${KIND_TITLES[kind] ?? kind} (${list.length})*`, lines));
  }
  if (d.code.length) {
    const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'];
    // Counted nouns, one and many ("1 hardcoded secret"); a kind this version does not name is counted as a finding of it.
    const KINDS: Record<string, readonly [string, string]> = {
      secret: ['hardcoded secret', 'hardcoded secrets'],
      code: ['risky code finding', 'risky code findings'],
      file: ['file hygiene finding', 'file hygiene findings'],
      runtime: ['container or workflow setting', 'container or workflow settings'],
    };
    const kindCount = (k: string, n: number) => {
      const [one, many] = KINDS[k] ?? [`${k} finding`, `${k} findings`];
      return plural(n, one, many);
    };
    const lines = d.code.map((c) => {
      const severities = SEVERITIES.filter((s) => c.bySeverity[s]).map((s) => `${c.bySeverity[s]} ${s}`).join(', ');
      const kinds = Object.entries(c.byKind).map(([k, n]) => escapeMrkdwn(kindCount(k, n))).join(' · ');
      if (c.unscanned) return `• *${escapeMrkdwn(c.repo)}* — ⚠️ code not scanned: ${escapeMrkdwn(truncate(c.unscanned, FREE_TEXT_MAX))}`;
      return `• *${escapeMrkdwn(c.repo)}*: ${severities || 'no findings'}${kinds ? ` (${kinds})` : ''}${c.partial ? ' — ⚠️ partial scan' : ''}`;
    });
    details.push(...repositoryList(`*Code and configuration (${plural(d.code.length, 'repository', 'repositories')})*`, lines));
  }
  if (d.stale.length) {
    const lines = d.stale.map((s) => {
      const why = s.why === 'no-release' ? `no release since ${escapeMrkdwn(s.lastRelease?.slice(0, 10) ?? 'ever')}` : `${escapeMrkdwn(s.why)} on PyPI${s.statusReason ? ` (“${escapeMrkdwn(truncate(s.statusReason, FREE_TEXT_MAX))}”)` : ''}`;
      return `• \`${escapeMrkdwn(s.package)}\`: ${why} — used by ${listWithin(s.repos.map(escapeMrkdwn), ', ', { room: INLINE_LIST_ROOM, more })}`;
    });
    details.push(...detailsList(`*Packages to reconsider (${d.stale.length})*`, lines));
  }
  const unread = d.unread ?? [];
  const statusCaveat = d.registryUnavailable ? 'PyPI could not be read' : unread.length ? `status not checked for ${plural(unread.length, 'package')}` : null;
  if (details.length === 0) details.push(section(allClear('Nothing to clean up. 🎉', caveats(statusCaveat, reposCaveat(d.notChecked)))));
  details.push(...notCheckedDetails(d.notChecked, options));
  return {
    title,
    summary: { text: `${title}: ${plural(Object.values(d.byKind).reduce((n, l) => n + l.length, 0), 'hygiene finding')}, ${plural(d.stale.length, 'package')} to reconsider${statusCaveat ? `; ⚠️ ${statusCaveat}` : ''}${notCheckedText(d.notChecked)}`, blocks: summaryBlocks },
    details: { text: `${title}: details`, blocks: details },
  };
}
