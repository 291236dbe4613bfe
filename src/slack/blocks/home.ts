/**
 * The App Home tab: recent audits with their open counts, watched repositories and open incidents
 * (placeholders until those features land: they say how it will work), and a quick action that opens
 * a modal asking for a repository to audit. Pure; published through fitView.
 */
import type { HomeView, KnownBlock, ModalView } from '@slack/types';
import { formatDistanceStrict } from 'date-fns';
import { SEVERITY_ORDER, type Severity } from '../../audit/findings.js';
import { treeUrl } from '../../github/links.js';
import type { AuditCompleteness, AuditSummary } from '../../store/audits.js';
import { actions, button, context, divider, escapeMrkdwn, header, link, listSections, listWithin, md, plainText, section } from './kit.js';
import type { StateValues } from './ignore-modal.js';

export const HOME_ACTIONS = { auditRepo: 'home_audit_open' } as const;
export const HOME_AUDIT_CALLBACK = 'home_audit_submit';
export const HOME_AUDIT_BLOCK = 'home_audit_repo';
export const HOME_AUDIT_ACTION = 'value';

/**
 * Characters the watched repositories may take on Home (a few sections; fitView's 100 blocks and
 * 250 kB are far off), and the channels named on one repository's line; the rest are counted.
 */
const WATCHED_ROOM = 12_000;
const CHANNELS_ROOM = 600;
const more = (left: number): string => `…and ${left} more`;

const SHORT: Record<Severity, string> = { critical: 'critical', high: 'high', medium: 'medium', unknown: 'not rated', low: 'low', info: 'info' };

export function openCounts(counts: Record<Severity, number>): string {
  const parts = SEVERITY_ORDER.filter((s) => (counts[s] ?? 0) > 0).map((s) => `${counts[s]} ${SHORT[s]}`);
  return parts.length ? parts.join(' · ') : 'nothing open';
}

/**
 * An audit's open counts as its reply gives them: dependency findings, then code findings apart
 * (a critical `eval` or a committed `.env` must not be missing from "Open:"). No code line when
 * the code was not scanned, or the row does not say (stored before code findings were counted).
 */
function openLines(a: Pick<AuditSummary, 'counts' | 'codeCounts'>): string {
  const code = a.codeCounts ? `\nOpen in code: ${Object.values(a.codeCounts).some((n) => n > 0) ? openCounts(a.codeCounts) : 'none'}` : '';
  return `Open: ${openCounts(a.counts)}${code}`;
}

/**
 * What an audit's line says before its counts when they are not the whole answer: a partial result
 * (its first reason), vulnerabilities never checked, checks still coming (a first stage whose
 * complete result has not been stored). Null for a complete audit, and for one whose completeness
 * is not known (see completenessOfRow in src/store/audits.ts).
 */
export function completenessLine(c: AuditCompleteness | null): string | null {
  if (c === null) return null;
  const lines: string[] = [];
  if (c.pending.length) lines.push(`:hourglass_flowing_sand: still coming: ${escapeMrkdwn(c.pending.join('; '))}`);
  // A first stage is partial because checks are still coming; it is "partial" only for a reason of its own.
  if (c.reasons > 0 || (c.partial && !c.pending.length)) {
    const first = c.vulnerabilitiesUnchecked ? 'vulnerabilities not checked' : c.firstReason !== null ? escapeMrkdwn(c.firstReason) : 'not everything was read or checked';
    lines.push(`⚠️ partial: ${first}${c.reasons > 1 ? ` (and ${c.reasons - 1} more)` : ''}`);
  }
  return lines.length ? lines.join('\n') : null;
}

export function homeView(input: {
  audits: AuditSummary[];
  now: Date;
  /** Repositories watched, and where. */
  watched?: { repo: string; channel: string }[];
  /** The open-incidents section, built by the incidents feature; null shows how to start one. */
  incidentBlocks?: KnownBlock[] | null;
}): HomeView {
  const blocks: KnownBlock[] = [
    header('Depwatch'),
    section('I audit the Python dependencies of your GitHub repositories: known vulnerabilities, outdated and yanked releases, and hygiene.'),
    actions('home_quick_actions', button({ text: 'Audit a repository…', actionId: HOME_ACTIONS.auditRepo, style: 'primary' })),
    context('Or type `/audit owner/repo` in any channel.'),
    divider(),
    header('Recent audits'),
  ];
  if (!input.audits.length) {
    blocks.push(section('No audits yet. Try `/audit owner/repo`.'));
  } else {
    for (const a of input.audits) {
      const when = formatDistanceStrict(new Date(a.createdAt), input.now, { addSuffix: true });
      // The warning comes before the counts: a partial audit's counts are not the whole answer.
      const warning = completenessLine(a.completeness);
      blocks.push(
        section(
          `*${link(treeUrl(a.htmlUrl, a.sha), a.repo)}* @ \`${escapeMrkdwn(a.sha.slice(0, 7))}\` (${escapeMrkdwn(a.ref)}), ${when}\n${warning ? `${warning}\n` : ''}${openLines(a)}`,
        ),
      );
    }
  }
  blocks.push(divider(), header('Watched repositories'));
  const watched = input.watched ?? [];
  if (!watched.length) {
    blocks.push(section('None yet. Press *Watch this repo* under an audit, or type `/audit watch owner/repo` in a channel, to get new-advisory alerts and digests there.'));
  } else {
    const byRepo = new Map<string, string[]>();
    for (const w of watched) byRepo.set(w.repo, [...(byRepo.get(w.repo) ?? []), w.channel]);
    const lines = [...byRepo].map(([repo, channels]) => `• *${escapeMrkdwn(repo)}* in ${listWithin(channels.map((c) => md.channel(c).text), ', ', { room: CHANNELS_ROOM, more })}`);
    blocks.push(...listSections('', lines, { room: WATCHED_ROOM, more }));
  }
  blocks.push(divider());
  if (input.incidentBlocks) blocks.push(...input.incidentBlocks);
  else blocks.push(header('Open incidents'), section('None. *Start incident* on a high or critical finding, or `/incident start &lt;title&gt;`, opens a checklist.'));
  return { type: 'home', blocks };
}

export function auditRepoModal(): ModalView {
  return {
    type: 'modal',
    callback_id: HOME_AUDIT_CALLBACK,
    title: plainText('Audit a repository', 24),
    submit: plainText('Audit', 24),
    close: plainText('Cancel', 24),
    blocks: [
      {
        type: 'input',
        block_id: HOME_AUDIT_BLOCK,
        label: plainText('Repository'),
        hint: plainText('owner/repo, owner/repo@branch or a GitHub URL. The result arrives as a direct message.'),
        element: { type: 'plain_text_input', action_id: HOME_AUDIT_ACTION, placeholder: plainText('octo-org/app', 150), max_length: 300 },
      },
    ],
  };
}

export function readAuditRepoSubmission(values: StateValues): string {
  return (values[HOME_AUDIT_BLOCK]?.[HOME_AUDIT_ACTION]?.value ?? '').trim();
}
