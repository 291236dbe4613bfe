/** `depwatch scan <dir>`: code and configuration findings only (Python rules, secrets, file hygiene, runtime). */
import { plural } from '../plural.js';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { atOrAbove, parseSeverity, type Severity } from '../audit/findings.js';
import { scanJson } from '../scan/json.js';
import { isPartialNote, type CodeFinding, type ScanNote, type ScanResult, type ScanStats } from '../scan/types.js';
import { fingerprintOptions } from './fingerprint-key.js';
import { severityCounts } from '../report/summary.js';
import { CliError, EXIT, writeChunks, type CliIO } from './io.js';
import { terminalLines } from '../report/terminal-text.js';
import { missingOr } from './missing-path.js';
import { rootSettingsNote } from './root-settings.js';
import type { CommitRef, HistoryResult } from '../scan/history/scan-history.js';

export const SCAN_USAGE = `usage: depwatch scan [--json | --sarif] [--fail-on LEVEL] [--show-ignored] [--history [--since REF] [--max-commits N]] <dir>
  Scans a directory's code and configuration: risky Python in .py files and Jupyter notebooks (dynamic
  imports, eval, pickle, yaml.load, shell commands, SQL by formatting, XML parsers, HTTP without
  timeouts…), credentials in any text file, committed .env files, .gitignore gaps, Dockerfile /
  compose / Kubernetes least privilege, and GitHub Actions workflows and composite actions (script
  injection, checkouts of a pull request's code under pull_request_target, workflow_run or
  issue_comment, unpinned actions).
  No Python manifest needed: a secrets gate for any repository.
  --json           the scan as JSON (a contract scripts can rely on: docs/cli-contract.md)
  --sarif          the scan as SARIF 2.1.0, for GitHub code scanning (as "depwatch audit --sarif" writes it;
                   not with --history)
  --fail-on LEVEL  exit 1 when a finding is at or above LEVEL (critical, high, medium, low, info);
                   default: high. "never" exits 0 unless the scan was partial.
  --show-ignored   list findings covered by # nosec, # depwatch: ignore[…] or .depwatch.yml too
  --history        also read the git history of <dir> (a local checkout: every commit of every
                   branch and tag, as gitleaks detect does) for secrets committed and perhaps
                   deleted since: each reported once, at the first commit that added it, and said
                   once when it is still in the working tree. Needs git on PATH; a shallow clone,
                   a change over the size limit or the time limit (15 min) makes the scan partial.
  --since REF      with --history: read only the commits not reachable from REF (a branch, tag or id)
  --max-commits N  with --history: read only the newest N commits (the rest is said, not partial)
  Exit status: 0 clean, 1 findings at or above the threshold, 2 error or partial scan (a file not
  read or checked in full, a rule that failed, findings not listed, a SARIF cut to GitHub's limits).
  DEPWATCH_FINGERPRINT_KEY (env): key for secret fingerprints, so they compare across runs.`;

/** What scan's parser accepts; test/cli/help.test.ts holds SCAN_USAGE and the top-level help to it. */
export const SCAN_OPTIONS = {
  json: { type: 'boolean' },
  sarif: { type: 'boolean' },
  'fail-on': { type: 'string' },
  'show-ignored': { type: 'boolean' },
  history: { type: 'boolean' },
  since: { type: 'string' },
  'max-commits': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function scanCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: SCAN_OPTIONS,
  });
  if (values.help) {
    io.stdout(SCAN_USAGE + '\n');
    return EXIT.ok;
  }
  if (positionals.length !== 1) throw new CliError('scan: give one directory (try: depwatch scan .)');
  if (values.json && values.sarif) throw new CliError('scan: choose one of --json, --sarif');
  if (values.history && values.sarif) throw new CliError('scan: --history has no SARIF form (findings of past commits have no place in the checked-out files); use --json or text');
  const failOn = parseFailOn(values['fail-on']);
  const target = positionals[0]!;
  const dir = resolve(io.cwd, target);
  const info = await stat(dir).catch(missingOr(target));
  if (!info?.isDirectory()) throw new CliError(`${target}: ${info ? 'not a directory' : 'no such directory'}`);

  if (!values.history && (values.since !== undefined || values['max-commits'] !== undefined)) throw new CliError(`scan: ${values.since !== undefined ? '--since' : '--max-commits'} goes with --history`);
  const maxCommits = values['max-commits'] === undefined ? undefined : parseMaxCommits(values['max-commits']);

  const { scanDirectoryInParallel } = await import('../workers/parallel-scan.js');
  if (values.history) {
    const { scanWithHistory } = await import('./scan-history.js');
    return scanWithHistory({ dir, target, io, failOn, json: Boolean(values.json), showIgnored: Boolean(values['show-ignored']), since: values.since, maxCommits });
  }
  const [result, rootNote] = await Promise.all([scanDirectoryInParallel(dir, { ...fingerprintOptions(io), standalone: true }), rootSettingsNote(dir, 'scan')]);
  // Said with the folder's own settings notes (not partial): the root's file was not read.
  if (rootNote !== null) result.notes.push({ kind: 'invalid', message: rootNote.message, ...(rootNote.settingsFile !== undefined ? { settingsFile: rootNote.settingsFile } : {}) });

  // SARIF: the audit's own writer, for a result that is the scan alone (the same exit rules as text and JSON).
  const leftOut = values.sarif ? await writeSarif(io, dir, target, result) : [];
  if (!values.sarif) io.stdout(values.json ? JSON.stringify(scanJson(target, result), null, 2) + '\n' : scanText(result, Boolean(values['show-ignored'])));
  if (result.partial) io.stderr(`depwatch scan: PARTIAL: ${partialCauses(result)}; see ${values.json ? jsonFieldsOfReasons(result) : values.sarif ? 'the SARIF\'s toolExecutionNotifications' : 'the lists above'}\n`);
  for (const text of leftOut) io.stderr(`depwatch scan: PARTIAL: ${text}\n`);
  const failing = failOn !== 'never' && result.findings.some((f) => atOrAbove(f.severity, failOn));
  if (failing) return EXIT.findings;
  return result.partial || leftOut.length > 0 ? EXIT.error : EXIT.ok;
}

/**
 * The scan as SARIF, written by the audit's writer (src/report/sarif.ts) from a result that holds the
 * scan alone (scanOnlyResult), with paths from the git work tree as the audit's; what it left out to
 * stay within GitHub's limits, one sentence each.
 */
async function writeSarif(io: CliIO, dir: string, target: string, result: ScanResult): Promise<readonly string[]> {
  const [{ sarifReport }, { scanOnlyResult }, { sourceRootOf }] = await Promise.all([import('../report/sarif.js'), import('../audit/code-scan.js'), import('./source-root.js')]);
  // What the SARIF left out is the cut its writer made, returned with its text.
  const { chunks, leftOut } = sarifReport(scanOnlyResult(target, result), { sourceRoot: await sourceRootOf(dir), sarifCommand: 'scan' });
  await writeChunks(io, chunks);
  return leftOut;
}

/**
 * "3 files scanned (2 Python)", or "1 of 3 files scanned (1 Python; 2 not scanned, 1 of them binary)":
 * the files read and scanned, not the files listed (one over the size limit was listed, not scanned),
 * and not the files with findings, so it is not read as "spread over N files".
 */
export function scannedCount(stats: ScanStats): string {
  const notScanned = stats.files - stats.textFiles;
  if (notScanned <= 0) return `${plural(stats.textFiles, 'file')} scanned (${stats.pythonFiles} Python)`;
  const binary = stats.binaryFiles > 0 ? `, ${stats.binaryFiles} of them binary` : '';
  return `${stats.textFiles} of ${plural(stats.files, 'file')} scanned (${stats.pythonFiles} Python; ${notScanned} not scanned${binary})`;
}

/**
 * What made the scan partial, counted from its reasons (files skipped, and the notes that make a
 * result partial): "1 folder not listed, 1 file not scanned, 2 rules failed". Each cause is named for what it is: a rule
 * that failed is not a file that was not scanned.
 */
export function partialCauses(result: ScanResult, history: HistoryResult | null = null): string {
  const notes = (kind: ScanNote['kind']) => result.notes.filter((n) => n.kind === kind).length;
  // A folder the walk could not list is a folder, not a file: counted apart, so the line agrees with `stats.not_scanned_files` (files only).
  const unlisted = result.skipped.filter((s) => s.partial && s.unlistedBecause !== undefined).length;
  const notScanned = result.skipped.filter((s) => s.partial && s.unlistedBecause === undefined).length;
  const causes = [
    unlisted ? `${plural(unlisted, 'folder')} not listed` : '',
    notScanned ? `${plural(notScanned, 'file')} not scanned` : '',
    notes('error') ? `${plural(notes('error'), 'rule')} failed` : '',
    notes('incomplete') ? `${plural(notes('incomplete'), 'file')} checked only in part` : '',
    notes('truncated') ? `${plural(notes('truncated'), 'file')} with more findings than ${notes('truncated') === 1 ? 'it lists' : 'they list'}` : '',
    ...(history ? historyCauses(history) : []),
  ].filter((c) => c !== '');
  // A partial result always has a reason; should one come without (a result from elsewhere), say it plainly.
  return causes.length ? causes.join(', ') : 'not everything was checked';
}

/** What made the history part partial, in a few words each (scan-history.ts says each in full). */
function historyCauses(history: HistoryResult): string[] {
  const count = (kind: HistoryResult['unread'][number]['kind']) => history.unread.filter((u) => u.kind === kind).length;
  const tooLarge = count('too-large');
  return [
    count('git-missing') ? 'history not scanned (git could not be run)' : '',
    count('not-a-repository') ? 'history not scanned (not a git repository)' : '',
    count('git-failed') ? 'history read only in part (git failed)' : '',
    count('shallow') ? "history before the shallow clone's graft not scanned" : '',
    count('time-limit') ? 'history scan stopped at its time limit' : '',
    tooLarge ? `${tooLarge === 1 ? '1 file change' : 'file changes'} in history over the size limit` : '',
    count('truncated') ? 'secrets in history not listed (over the limit)' : '',
  ];
}

/** Where the JSON says why: `"skipped"`, `"notes"` or both. */
export function jsonFieldsOfReasons(result: ScanResult): string {
  const fields = [result.skipped.some((s) => s.partial) ? '"skipped"' : '', result.notes.some(isPartialNote) ? '"notes"' : ''].filter((f) => f !== '');
  return fields.length ? fields.join(' and ') : '"partial"';
}

function parseMaxCommits(text: string): number {
  if (!/^[1-9][0-9]{0,8}$/.test(text)) throw new CliError(`--max-commits: "${text}" is not a number of commits (1 or more)`);
  return Number(text);
}

function parseFailOn(text: string | undefined): Severity | 'never' {
  if (text === undefined) return 'high';
  if (text === 'never' || text === 'none') return 'never';
  const level = parseSeverity(text);
  if (!level || level === 'unknown') throw new CliError(`--fail-on: "${text}" is not a level (critical, high, medium, low, info, never)`);
  return level;
}

function describe(f: CodeFinding & { commit?: CommitRef; inWorkingTree?: boolean }): string[] {
  const where = f.line === null ? f.file : `${f.file}:${f.line}:${f.column}`;
  const lines = [`${f.severity.toUpperCase().padEnd(8)} ${where}  ${f.rule} (${f.confidence} confidence)`];
  if (f.secret) lines.push(`         ${f.secret.kind}, fingerprint ${f.secret.fingerprint}`);
  if (f.commit) {
    const c = f.commit;
    const at = `${c.sha.slice(0, 12)} (${c.authorDate.slice(0, 10)}, "${c.subject}")`;
    lines.push(f.inWorkingTree ? `         first committed in ${at} at ${c.file}${c.line === null ? '' : `:${c.line}`}` : `         in the history only (the working tree scan did not find it): added by commit ${at}`);
  }
  lines.push(`         ${f.message}`, `         fix: ${f.fix}`);
  return lines;
}

/** The scan for people; file names and the code quoted come from the repository (see terminalSafe). */
export function scanText(result: ScanResult, showIgnored: boolean, history: HistoryResult | null = null): string {
  const lines: string[] = [];
  for (const f of result.findings) lines.push(...describe(f));
  if (showIgnored && result.ignored.length) {
    lines.push('', 'Ignored:');
    for (const f of result.ignored) lines.push(...describe(f), `         ignored by ${f.ignoredBy!.source}: ${f.ignoredBy!.reason}`);
  }
  if (result.skipped.length) {
    lines.push('', 'Not scanned:');
    for (const s of result.skipped) lines.push(`  ${s.message}`);
  }
  if (result.notes.length) {
    lines.push('', 'Notes:');
    for (const n of result.notes) lines.push(`  ${n.message}`);
  }
  if (history && (history.unread.length || history.notes.length)) {
    lines.push('', 'History:');
    for (const u of history.unread) lines.push(`  ${u.message}`);
    for (const n of history.notes) lines.push(`  ${n.message}`);
  }
  const counts = severityCounts(result.findings);
  let summary = `${plural(result.findings.length, 'finding')}${counts ? ` (${counts})` : ''}`;
  if (result.ignored.length) summary += `, ${result.ignored.length} ignored${showIgnored ? '' : ' (--show-ignored lists them)'}`;
  summary += `; ${scannedCount(result.stats)}`;
  if (history) summary += `; history: ${plural(history.stats.commits, 'commit')} read`;
  summary += result.partial ? `. PARTIAL: ${partialCauses(result, history)} (see above).` : '.';
  lines.push('', summary);
  return terminalLines(lines);
}
