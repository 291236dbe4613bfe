/**
 * Layouts of the weekly, monthly and quarterly digests: a short summary for the channel and the
 * details for its thread. Both go through fitMessage when posted, which splits them to Slack's limits.
 */
import type { KnownBlock } from '@slack/types';
import { severityOrder } from '../../audit/findings.js';
import type { MonthlyDigest, QuarterlyDigest, WeeklyDigest } from '../../watch/digests.js';
import type { FitMessageInput } from './fit.js';
import { context, divider, escapeMrkdwn, fields, header, section } from './kit.js';

export interface DigestLayout {
  title: string;
  summary: FitMessageInput;
  details: FitMessageInput;
  chartAlt?: string;
}

export interface LayoutOptions {
  timeZone: string;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const where = (file: string | null, line: number | null) => (file ? `${escapeMrkdwn(file)}${line ? `:${line}` : ''}` : '');

function dateIn(iso: string, tz: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: tz, year: 'numeric', month: 'short', day: 'numeric' }).format(new Date(iso));
}

export function weeklyDigestLayout(d: WeeklyDigest, options: LayoutOptions): DigestLayout {
  const title = `Weekly dependency updates — ${dateIn(d.generatedAt, options.timeZone)}`;
  const t = d.totals;
  const outdatedRepos = d.repos.filter((r) => r.outdated.length > 0).length;
  const summaryBlocks: KnownBlock[] = [
    header(`📦 ${title}`),
    fields(`*Major updates*\n${t.major}`, `*Minor updates*\n${t.minor}`, `*Patch updates*\n${t.patch}`, `*Yanked pins*\n${t.yanked}`),
    context(
      d.registryUnavailable
        ? '⚠️ PyPI could not be read: release data is missing from this digest.'
        : `${plural(outdatedRepos, 'repository', 'repositories')} of ${t.repos} have updates waiting. Details in the thread.`,
    ),
  ];
  const details: KnownBlock[] = [];
  for (const repo of d.repos) {
    if (repo.outdated.length === 0 && repo.yanked.length === 0 && repo.oldestPins.length === 0) continue;
    const lines: string[] = [`*${escapeMrkdwn(repo.repo)}*`];
    for (const bump of ['major', 'minor', 'patch', 'other'] as const) {
      const list = repo.outdated.filter((o) => o.bump === bump);
      if (list.length === 0) continue;
      lines.push(`_${bump}_ (${list.length}): ${list.map((o) => `\`${escapeMrkdwn(o.package)}\` ${escapeMrkdwn(o.version)} → ${escapeMrkdwn(o.latest)}${o.releasesBehind > 1 ? ` (${o.releasesBehind} behind)` : ''}`).join(', ')}`);
    }
    for (const y of repo.yanked) lines.push(`⚠️ yanked: \`${escapeMrkdwn(y.package)}\` ${escapeMrkdwn(y.version)} in ${where(y.file, y.line)}${y.reason ? ` (“${escapeMrkdwn(y.reason)}”)` : ''}`);
    if (repo.oldestPins.length) lines.push(`oldest pins: ${repo.oldestPins.map((p) => `\`${escapeMrkdwn(p.package)}\` ${escapeMrkdwn(p.version)} (${Math.round(p.ageDays / 30)} months)`).join(', ')}`);
    details.push(section(lines.join('\n')));
  }
  if (details.length === 0) details.push(section('Everything is on its latest release. 🎉'));
  return {
    title,
    summary: { text: `${title}: ${t.major} major, ${t.minor} minor, ${t.patch} patch updates; ${t.yanked} yanked pins`, blocks: summaryBlocks },
    details: { text: `${title}: details`, blocks: details },
  };
}

export function monthlyDigestLayout(d: MonthlyDigest, options: LayoutOptions): DigestLayout {
  const title = `Monthly security review — ${dateIn(d.generatedAt, options.timeZone)}`;
  const s = d.open.bySeverity;
  const summaryBlocks: KnownBlock[] = [
    header(`🛡️ ${title}`),
    fields(`*Open*\n${d.open.total}`, `*Critical / high*\n${s.critical} / ${s.high}`, `*New this month*\n${d.newThisMonth.length}`, `*Fixed this month*\n${d.fixedThisMonth.length}`),
    context(`Open by age: ${d.open.byAge.under30} under 30 days, ${d.open.byAge.from30to90} 30–90 days, ${d.open.byAge.over90} over 90 days. ${plural(d.expiringIgnores.length, 'ignore')} expiring within 30 days. Details and chart in the thread.`),
  ];
  const line = (r: MonthlyDigest['openFindings'][number]) =>
    `• [${r.severity === 'unknown' ? `not rated, counts as ${d.unknownAs}` : r.severity}] \`${escapeMrkdwn(r.advisoryId ?? r.finding.id ?? '?')}\` ${escapeMrkdwn(r.package ?? '')} ${escapeMrkdwn(r.version ?? '')} in *${escapeMrkdwn(r.repo)}*`;
  const details: KnownBlock[] = [];
  const order = severityOrder(d.unknownAs);
  const bySeverity = [...d.openFindings].sort((a, b) => order.indexOf(a.severity) - order.indexOf(b.severity));
  details.push(section(`*Open vulnerabilities (${d.open.total})*\n${bySeverity.length ? bySeverity.map((r) => `${line(r)}, open ${Math.floor((Date.parse(d.generatedAt) - Date.parse(r.firstSeen)) / 86_400_000)} days`).join('\n') : 'None. 🎉'}`));
  if (d.newThisMonth.length) details.push(section(`*New this month (${d.newThisMonth.length})*\n${d.newThisMonth.map(line).join('\n')}`));
  if (d.fixedThisMonth.length) details.push(section(`*Fixed this month (${d.fixedThisMonth.length})*\n${d.fixedThisMonth.map((r) => `${line(r)}${r.fixedBySha ? ` by \`${r.fixedBySha.slice(0, 7)}\`` : ''}`).join('\n')}`));
  if (d.expiringIgnores.length) {
    details.push(divider(), section(`*Ignores expiring within 30 days*\n${d.expiringIgnores.map((i) => `• ${escapeMrkdwn(i.id)}${i.package ? ` (${escapeMrkdwn(i.package)})` : ''} until ${i.until}, ${escapeMrkdwn(i.source)}: ${escapeMrkdwn(i.reason)}`).join('\n')}`));
  }
  const chartAlt = `Open vulnerabilities at each month end: ${d.chart.map((p) => `${p.label} ${p.critical + p.high + p.medium + p.low}`).join(', ')}`;
  return {
    title,
    summary: { text: `${title}: ${d.open.total} open (${s.critical} critical, ${s.high} high), ${d.newThisMonth.length} new, ${d.fixedThisMonth.length} fixed`, blocks: summaryBlocks },
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
    fields(...counts, `*Archived / deprecated*\n${archived}`, `*No release in 2 years*\n${d.stale.length - archived}`),
    context(d.registryUnavailable ? '⚠️ PyPI could not be read: archived and stale packages are missing.' : `Across ${plural(d.repos, 'repository', 'repositories')}. Details in the thread.`),
  ];
  const details: KnownBlock[] = [];
  for (const [kind, list] of Object.entries(d.byKind)) {
    if (list.length === 0) continue;
    details.push(section(`*${KIND_TITLES[kind] ?? kind} (${list.length})*\n${list.map(({ repo, finding: f }) => `• *${escapeMrkdwn(repo)}*: ${f.package ? `\`${escapeMrkdwn(f.package)}\` ` : ''}${where(f.file, f.line)} — ${escapeMrkdwn(f.fix.text)}`).join('\n')}`));
  }
  if (d.stale.length) {
    details.push(
      section(
        `*Packages to reconsider (${d.stale.length})*\n${d.stale
          .map((s) => `• \`${escapeMrkdwn(s.package)}\`: ${s.why === 'no-release' ? `no release since ${s.lastRelease?.slice(0, 10) ?? 'ever'}` : `${s.why} on PyPI${s.statusReason ? ` (“${escapeMrkdwn(s.statusReason)}”)` : ''}`} — used by ${s.repos.map(escapeMrkdwn).join(', ')}`)
          .join('\n')}`,
      ),
    );
  }
  if (details.length === 0) details.push(section('Nothing to clean up. 🎉'));
  return {
    title,
    summary: { text: `${title}: ${Object.values(d.byKind).reduce((n, l) => n + l.length, 0)} hygiene findings, ${d.stale.length} packages to reconsider`, blocks: summaryBlocks },
    details: { text: `${title}: details`, blocks: details },
  };
}
