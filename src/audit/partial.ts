/**
 * When is an audit result partial? Fail closed: whatever was not read, not reached or not found
 * makes it partial, and the result says why (CLI exit status 2, JSON, SARIF, Slack).
 *
 * The rule for manifest problems (ExtractError): every problem means content was NOT read (a file
 * over the size cap, binary, not UTF-8, not valid TOML / JSON, a line or entry that failed to parse
 * so dependencies may be missing, an include that was not followed or not found, a link not
 * followed, a snapshot listing GitHub truncated), unless it is marked as a note (`note: true`):
 * something worth saying about content that was still read whole, such as an include cycle where
 * each file is read once. A new kind of problem is therefore partial until someone decides it is a
 * note.
 */
import type { ExtractError } from '../python/types.js';
import { unlistedFolderMessage } from '../python/directory-walk.js';
import { terminalSafe } from '../report/terminal-text.js';

export interface PartialReason {
  /**
   * `unread`: a manifest (or part of one) not read; `no-manifests`: nothing to audit was found;
   * `data-source`: an advisory source or the registry failed, answered from data it cannot vouch
   * for (a stale mirror standing in for OSV, an offline mirror older than its limit), or advisories
   * could not be compared with what was read (a range that cannot be read, a pinned version that is
   * not PEP 440); `unscanned`: a file the code scan
   * should have checked and did not (too large, not UTF-8, too slow to parse), or a scan rule
   * that failed (its message says which).
   */
  kind: 'unread' | 'no-manifests' | 'data-source' | 'unscanned';
  /** The file concerned (unread and unscanned); `(tree)` for the repository listing itself. */
  file?: string;
  line?: number | null;
  message: string;
  /**
   * Set when `file` is a folder the walk of a checkout could not list: why (`EACCES: permission
   * denied`). The audit and the code scan each give such a reason for one folder; forReaders says
   * them as one. Not in the JSON (partialReasonJson).
   */
  unlistedBecause?: string;
  /**
   * Set where the reason is made when it says a source was not reached (a network failure, a
   * registry or GitHub answering 5xx, a rate limit, a timeout): the same check of the same commit
   * may succeed next time, so a sweep checks such a repository again even if it did not move
   * (src/watch/sweep.ts). Absent: the same input gives the same answer (a file too large, not
   * UTF-8, a line that does not parse). Not in the JSON (partialReasonJson).
   */
  transient?: true;
  /**
   * For a `data-source` reason made by the audit: which source was not reached, set where the
   * reason is made, so readers ask this rather than match the message's words. `advisories`:
   * vulnerabilities were not checked; `registry`: outdated and yanked releases, and packages not on the index, were not;
   * `advisory-details` / `ratings`: fix versions or ratings may be incomplete. Absent for reasons
   * about the data itself (a stale mirror, an offline mirror older than its limit): the source
   * answered, and what it found stands. Not in the JSON (partialReasonJson).
   */
  unreached?: UnreachedSource;
}

/** What the audit reads from elsewhere and can fail to reach (PartialReason.unreached). */
export type UnreachedSource = 'advisories' | 'registry' | 'advisory-details' | 'ratings';

/** Whether the result's checks of `source` were not done because it was not reached (results stored before `unreached` existed: by their warnings' words). */
export function notReached(result: { partialReasons?: readonly PartialReason[]; warnings: readonly string[] }, source: 'advisories' | 'registry'): boolean {
  if (result.partialReasons?.some((r) => r.unreached !== undefined)) return result.partialReasons.some((r) => r.unreached === source);
  const start = source === 'advisories' ? 'advisories unavailable' : 'package registry unavailable';
  return result.warnings.some((w) => w.startsWith(start));
}

/** Whether a problem means content was not read (see the rule above). */
export const isUnread = (e: ExtractError): boolean => e.note !== true;

export const NO_MANIFESTS = 'no Python manifest or lockfile was found to audit: nothing was checked';
/** When there were manifests, and none of them could be read (each says why, above this line). */
export const NO_MANIFEST_READ = 'no Python manifest or lockfile could be read: nothing was checked';

/**
 * `unreached`: the warnings (of `warnings`) that say a source was not reached, with which, as the
 * audit made them (src/audit/audit.ts): their reasons are transient and say the source.
 */
export function partialReasons(input: { errors: readonly ExtractError[]; manifestsRead: number; warnings: readonly string[]; unreached?: ReadonlyMap<string, UnreachedSource> }): PartialReason[] {
  const reasons: PartialReason[] = input.errors
    .filter(isUnread)
    .map((e) => ({ kind: 'unread', file: e.file, line: e.line, message: e.message, ...(e.unlistedBecause !== undefined ? { unlistedBecause: e.unlistedBecause } : {}), ...(e.transient ? { transient: true as const } : {}) }));
  if (input.manifestsRead === 0) reasons.push({ kind: 'no-manifests', message: reasons.length > 0 ? NO_MANIFEST_READ : NO_MANIFESTS });
  for (const w of input.warnings) {
    const source = input.unreached?.get(w);
    reasons.push({ kind: 'data-source', message: w, ...(source !== undefined ? { transient: true as const, unreached: source } : {}) });
  }
  return reasons;
}

/** A reason as the contract's JSON gives it (`partial_reasons[]` of audit and fix). */
export function partialReasonJson(r: PartialReason): { kind: PartialReason['kind']; file?: string; line?: number | null; message: string } {
  return { kind: r.kind, ...(r.file !== undefined ? { file: r.file, line: r.line ?? null } : {}), message: r.message };
}

/**
 * A problem as the contract's JSON gives it (`errors[]` of audit and deps): as read, less what only
 * the reports use, with the include that named an unread file as `included_by` ({file, line}).
 */
export function extractErrorJson(e: ExtractError): Omit<ExtractError, 'unlistedBecause' | 'includedBy' | 'transient'> & { included_by?: { file: string; line: number | null } } {
  const { unlistedBecause: _, transient: __, includedBy, ...rest } = e;
  return includedBy === undefined ? rest : { ...rest, included_by: includedBy };
}

/**
 * The text reports' block (audit, fix): above a summary that could otherwise read as "all clear",
 * a heading and one line per reason. Lines without their line breaks.
 */
export function partialBlock(reasons: readonly PartialReason[]): string[] {
  return ['PARTIAL RESULT: not everything was read or checked, so what is missing here may still be there:', ...forReaders(reasons).map((r) => `  - ${describeReason(r)}`)];
}

/**
 * The reasons as people read them (text, Markdown, Slack, stderr): an audit of a checkout and its
 * code scan list it in one walk, so a folder that walk could not list is a reason of each (the
 * manifests not read, the code not scanned). Said to a person, that is one folder: one line saying
 * both. JSON and SARIF keep both reasons, each with its kind, for whoever filters by kind.
 */
export function forReaders(reasons: readonly PartialReason[]): PartialReason[] {
  const unlistedKey = (r: PartialReason) => `${r.file}\n${r.unlistedBecause}`;
  const scanned = new Map<string, PartialReason>();
  for (const r of reasons) if (r.kind === 'unscanned' && r.file !== undefined && r.unlistedBecause !== undefined) scanned.set(unlistedKey(r), r);
  if (scanned.size === 0) return [...reasons];
  const said = new Set<PartialReason>();
  const out: PartialReason[] = [];
  for (const r of reasons) {
    if (said.has(r)) continue;
    const twin = r.kind === 'unread' && r.file !== undefined && r.unlistedBecause !== undefined ? scanned.get(unlistedKey(r)) : undefined;
    if (twin === undefined) {
      out.push(r);
      continue;
    }
    said.add(twin);
    out.push({ ...r, message: unlistedFolderMessage(r.unlistedBecause!, 'read or scanned') });
  }
  return out;
}

/**
 * One stderr line per reason when stdout holds a machine format: `WARNING` for a data source, else
 * `PARTIAL`. `prefix` names who says it (`depwatch`, or `depwatch deps`).
 */
export function partialStderrLines(reasons: readonly PartialReason[], prefix = 'depwatch'): string[] {
  // A reason names files and quotes content from the repository: one line each, whatever they hold.
  return forReaders(reasons).map((r) => `${prefix}: ${r.kind === 'data-source' ? 'WARNING' : 'PARTIAL'}: ${terminalSafe(describeReason(r))}\n`);
}

/** One line per reason, for terminals, Markdown and Slack. */
export function describeReason(r: PartialReason): string {
  if (r.kind !== 'unread') return r.message;
  return `${r.file}${r.line ? `:${r.line}` : ''} not read completely: ${r.message}`;
}

/**
 * Files whose findings an audit cannot vouch for: what they contain now is unknown, so a finding
 * of theirs that is missing from the result is not fixed. Null when the whole tree is in doubt
 * (the listing itself was incomplete).
 */
export function unreadFiles(errors: readonly ExtractError[]): Set<string> | null {
  const files = new Set<string>();
  for (const e of errors) {
    if (!isUnread(e)) continue;
    if (e.file === '(tree)') return null;
    files.add(e.file);
  }
  return files;
}

/** The reasons a result gives (results stored before reasons existed give their warnings). */
export function reasonsOf(result: { partialReasons?: PartialReason[]; warnings: readonly string[] }): PartialReason[] {
  return result.partialReasons ?? result.warnings.map((message) => ({ kind: 'data-source' as const, message }));
}
