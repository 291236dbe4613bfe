/**
 * What a fix pull request says: its branch name, title and body, built from the plan and the
 * audit's findings only (validated package names and versions, advisory ids), never from text found
 * in the repository beyond file paths. Pure.
 */
import { createHash } from 'node:crypto';
import type { Finding } from '../../audit/findings.js';
import { forReaders, type PartialReason } from '../../audit/partial.js';
import { markdownCode, markdownText, markdownTextWithCode } from '../../report/markdown-text.js';
import type { FixPlan, ReleaseFix } from '../plan.js';

/** Git ref–safe and readable: PEP 503 names and PEP 440 versions only ever need these characters. */
const refPart = (s: string) => s.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/\.{2,}/g, '.').replace(/^[-.]+|[-.]+$/g, '').slice(0, 60) || 'x';

/**
 * `depwatch/fix-<package>-<version>-<hash>-on-<base>` for one release, `depwatch/fix-<n>-packages-<hash>-on-<base>`
 * for several, where the hash (8 hex digits) is of the sorted moves (`package==version`) and the
 * sorted paths of the files rewritten. The name says what the pull request changes and where, never
 * which audit asked for it: a second audit of the same commit (or of a later one that needs the same
 * edits), from any channel, finds the open pull request on that branch and links it, as Dependabot
 * keeps one pull request per update. One release carries the hash too: the same move in more files
 * (a second requirements file pinning the same vulnerable release since) is other edits, and a pull
 * request that leaves one of them vulnerable must not be linked as its fix. The base is part of the
 * name so that the same fix for a release branch and for main are two branches (and two pull
 * requests), never one answering for the other.
 *
 * Branches named before this (`…-packages-audit-<id>-on-<base>`, and `depwatch/fix-<package>-<version>-on-<base>`
 * without the hash) are left as they are: their pull requests stay linked from the audits that
 * opened them and the sweep still follows their state, but a new audit does not find them and opens
 * its pull request on a branch named this way.
 */
export function fixBranchName(plan: Pick<FixPlan, 'fixes' | 'newTexts'>, base: string): string {
  const moved = plan.fixes.filter((f) => f.status !== 'left-alone');
  const edits = editsHash(moved, [...plan.newTexts.keys()]);
  const on = `-on-${refPart(base)}`;
  if (moved.length === 1) return `depwatch/fix-${refPart(moved[0]!.package)}-${refPart(moved[0]!.to)}-${edits}${on}`;
  return `depwatch/fix-${moved.length}-packages-${edits}${on}`;
}

/** 8 hex digits naming a set of moves and files, the same whatever order the plan lists them in. */
function editsHash(moved: readonly Pick<ReleaseFix, 'package' | 'to'>[], files: readonly string[]): string {
  const moves = moved.map((f) => `${f.package.toLowerCase()}==${f.to}`).sort();
  // NUL cannot occur in a package name, a version or a git path: the two lists cannot run together.
  const key = [...moves, '', ...[...files].sort()].join('\0');
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

export function fixTitle(plan: Pick<FixPlan, 'fixes'>): string {
  const moved = plan.fixes.filter((f) => f.status !== 'left-alone');
  if (moved.length === 1) return `Upgrade ${moved[0]!.package} to ${moved[0]!.to} (security fix)`;
  return `Upgrade ${moved.length} vulnerable packages (security fixes)`;
}

/**
 * A code span of data (a path, a command): shown as written, its `@` broken like any mention
 * (markdown-text.ts: the e-mail copy of the body is read for mentions again, code or not). None of
 * these is in a table, so a pipe can stay.
 */
const code = markdownCode;

/** Text outside code spans from data (names, reasons, notes quoting a file): literal, never a link or markup. */
const text = markdownText;

/** Depwatch's own sentence (a note, a reason) whose commands are code spans: they stay code, not "\`pip hash FILE\`". */
const sentence = markdownTextWithCode;

/** A message that starts with the file it is about, without that start: the bullet names the file already. */
const withoutFile = (message: string, file: string) => (message.startsWith(`${file}: `) ? message.slice(file.length + 2) : message);

export interface FixBodyInput {
  plan: FixPlan;
  findings: readonly Finding[];
  repo: string;
  auditedSha: string;
  /** A link back to the Slack message (chat.getPermalink), when known. */
  slackLink: string | null;
  /** Why the audit behind the pull request is partial; empty or absent when it is complete. */
  notChecked?: readonly PartialReason[];
}

/** The "Not checked" section lists this many reasons, then says how many more. */
const NOT_CHECKED_SHOWN = 10;

/**
 * A reason in the pull request's words. Only the place is taken from an unread or unscanned file's
 * reason: its message can quote the file's content, which a pull request body never repeats.
 */
function notCheckedLine(r: PartialReason): string {
  if (r.file !== undefined && (r.kind === 'unread' || r.kind === 'unscanned')) {
    return `${code(`${r.file}${r.line ? `:${r.line}` : ''}`)} ${r.kind === 'unread' ? 'not read completely' : 'not scanned'}`;
  }
  return text(r.message);
}

export function fixBody(input: FixBodyInput): string {
  const { plan } = input;
  // An advisory without a rating says so, rather than a severity called "unknown".
  const severityOf = (id: string) => {
    const severity = input.findings.find((f) => f.id === id)?.severity;
    return severity === undefined || severity === 'unknown' ? 'not rated' : severity;
  };
  const lines: string[] = [];
  lines.push(`Depwatch audited ${code(input.repo)} at ${input.auditedSha} and opened this branch from that commit.`);
  lines.push('');
  const notChecked = forReaders(input.notChecked ?? []);
  if (notChecked.length > 0) {
    // First, before the fixes: what these do not cover may hold more vulnerable pins.
    lines.push('## Not checked');
    lines.push('');
    lines.push('The audit behind this pull request is partial: what it could not read or check may hold more vulnerable releases than the ones fixed here.');
    lines.push('');
    for (const r of notChecked.slice(0, NOT_CHECKED_SHOWN)) lines.push(`- ${notCheckedLine(r)}`);
    if (notChecked.length > NOT_CHECKED_SHOWN) lines.push(`- …and ${notChecked.length - NOT_CHECKED_SHOWN} more`);
    lines.push('');
  }
  lines.push('## Fixes');
  lines.push('');
  lines.push('| Package | From | To | Advisories (severity) |');
  lines.push('| --- | --- | --- | --- |');
  for (const f of plan.fixes.filter((x) => x.status !== 'left-alone')) {
    lines.push(`| ${text(f.package)} | ${text(f.from)} | ${text(f.to)} | ${f.advisories.map((a) => `${text(a)} (${severityOf(a)})`).join(', ')} |`);
  }
  lines.push('');
  lines.push('## Files changed');
  lines.push('');
  for (const c of plan.changes) lines.push(`- ${code(c.file)} line ${c.line}: ${text(c.package)} ${code(c.before)} → ${code(c.after)}`);
  const commands = plan.lockCommands.filter((l) => l.required);
  if (commands.length > 0 || plan.notes.length > 0) {
    lines.push('');
    lines.push('## Still to do (Depwatch never edits lockfiles)');
    lines.push('');
    // Required, each: the fix is not complete until it runs (a lockfile still pins the old release,
    // or a compiled file pip refuses until it is recompiled), and the reason says which.
    for (const l of commands) lines.push(`- required, in ${code(l.directory)}: ${code(l.command)} (regenerates ${code(l.lockfile)}: ${sentence(withoutFile(l.reason, l.lockfile))})`);
    for (const n of plan.notes) lines.push(`- ${code(n.file)}: ${sentence(withoutFile(n.message, n.file))}`);
  }
  if (plan.leftAlone.length > 0) {
    lines.push('');
    lines.push('## Left alone');
    lines.push('');
    for (const l of plan.leftAlone) {
      const what = [l.package, l.version].filter(Boolean).join(' ');
      const at = l.file && what ? ` at ${code(`${l.file}${l.line ? `:${l.line}` : ''}`)}` : '';
      lines.push(`- ${text(what || l.file || 'a requirement')}${at}${l.advisories.length ? ` (${l.advisories.map(text).join(', ')})` : ''}: ${sentence(l.reason)}`);
    }
  }
  if (input.slackLink) {
    lines.push('');
    lines.push(`Requested from [this Slack thread](${input.slackLink}).`);
  }
  return lines.join('\n');
}
