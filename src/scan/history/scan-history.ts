/**
 * `depwatch scan --history`: the secrets a local git checkout's history holds, found by the secret
 * scanner of the working-tree scan (scanSecrets: the same token formats and assigned-credential
 * rules, judged by the same file path) run on the lines each commit added, file by file.
 *
 * A credential committed and deleted later is still in every clone; gitleaks (`gitleaks detect`)
 * reads every commit for that reason, and so does this. Each secret is reported once, by its
 * fingerprint, at the first (oldest) commit found adding it.
 *
 * git is run without a shell (an argument array), its output streamed through GitLogParser (linear,
 * bounded memory); nothing of the repository's configuration that runs programs is used
 * (`--no-ext-diff`, `--no-textconv`, no pager). Fail closed: whatever was not read (git missing,
 * not a repository, a shallow clone's history before its graft, a file change over the size limit,
 * the time limit reached, git failing) is an `unread` reason and makes the result partial.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type { ExcludeRule } from '../../audit/exclude.js';
import { excluder } from '../../audit/exclude.js';
import type { IgnoreRule } from '../../audit/ignores.js';
import { plural } from '../../plural.js';
import { redactSecrets } from '../../redact.js';
import { boundMessage } from '../../quoted-input.js';
import { describeIgnore, scanIgnorer, type ScanIgnorer } from '../ignores.js';
import { formatBytes } from '../scan.js';
import { isTextLikePath } from '../paths.js';
import { SECRET_RULES_BY_ID } from '../secrets/rules.js';
import { scanSecrets } from '../secrets/scan-secrets.js';
import { commentStyle, fileSuppressions, suppresses } from '../suppressions.js';
import { LineIndex, utf8OrLatin1 } from '../text.js';
import type { CodeFinding } from '../types.js';
import { readBlobs } from './blobs.js';
import { streamGit } from './stream-git.js';
import { COMMIT_FORMAT, GitLogParser, type CommitHeader, type FileChange } from './git-log.js';

/** Where a secret was first found in the history: the commit, and the file and line in it. */
export interface CommitRef {
  sha: string;
  authorDate: string;
  subject: string;
  file: string;
  line: number | null;
}

export type HistoryFinding = CodeFinding & { commit: CommitRef };

/** Why part of the history was not read (each makes the result partial). */
export interface HistoryUnread {
  kind: 'git-missing' | 'not-a-repository' | 'git-failed' | 'shallow' | 'too-large' | 'time-limit' | 'truncated';
  message: string;
}

/** Said, not partial: binary changes passed over, the commits a limit the user gave left out, files `exclude:` kept out. */
export interface HistoryNote {
  kind: 'binary' | 'limited' | 'excluded' | 'stray';
  message: string;
}

export interface HistoryResult {
  findings: HistoryFinding[];
  ignored: HistoryFinding[];
  unread: HistoryUnread[];
  notes: HistoryNote[];
  stats: { commits: number; fileChanges: number; binaryChanges: number; addedBytes: number };
  partial: boolean;
  /** The `.depwatch.yml` ignores that covered a finding of the history (describeIgnore): not stale, though the working tree may not need them. */
  usedIgnores: string[];
}

export interface HistoryOptions {
  /** The checkout (absolute path); its history is read for the files under it, paths relative to it. */
  dir: string;
  /** The environment git runs with (PATH finds it). */
  env: Record<string, string | undefined>;
  fingerprintKey: string | Uint8Array;
  /** A commit (already checked: resolveSince): only commits not reachable from it are read. */
  since?: string;
  /** At most this many commits, the newest. */
  maxCommits?: number;
  /** The most added bytes read for one file in one commit; default 5 MiB (the scan's file limit). */
  maxFileBytes?: number;
  /** Wall time for reading the history; default 15 minutes. Past it git is stopped and the result is partial. */
  timeLimitMs?: number;
  /** The tree's `.depwatch.yml` ignores and excludes (and any from elsewhere), applied to each commit's paths. */
  ignores?: IgnoreRule[];
  excludes?: ExcludeRule[];
  today?: Date;
  /** The most different secrets listed; default MAX_HISTORY_SECRETS. */
  maxSecrets?: number;
}

const DEFAULT_HISTORY_TIME_LIMIT_MS = 15 * 60 * 1000;
const DEFAULT_MAX_FILE_BYTES = 5 * 1024 * 1024;
/** How many file changes over the limit are named one by one; the rest are counted in one more reason. */
const MAX_NAMED = 50;
/** The most changes git calls binary whose content is checked; past it they are passed over as binary (said). */
const MAX_BINARY_BLOBS = 100_000;
const MAX_STDERR = 4096;
/** The most different secrets kept (a generated history could hold millions): past it the rest are counted, and the result is partial. */
const MAX_HISTORY_SECRETS = 10_000;

/** A `--since` that does not name a commit: the user's mistake, one clear line. */
export class HistoryUsageError extends Error {}

/** The environment git runs in: the caller's, with nothing that pages, prompts or translates its words. */
function gitEnv(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return { ...out, LC_ALL: 'C', LANGUAGE: 'C', GIT_PAGER: 'cat', PAGER: 'cat', GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0' };
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** ENOENT and the like: git could not be started. */
  spawnError?: string;
}

/** A short git command's output (rev-parse and the like), bounded. */
function runGit(args: string[], dir: string, env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn('git', args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'], shell: false });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => void (stdout.length < 65536 && (stdout += d.toString('utf8'))));
    child.stderr.on('data', (d: Buffer) => void (stderr.length < MAX_STDERR && (stderr += d.toString('utf8'))));
    child.on('error', (e: NodeJS.ErrnoException) => resolve({ code: null, stdout, stderr, spawnError: e.code ?? e.message }));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** git's first line of complaint, safe to show: bounded, secrets masked. */
function gitSays(stderr: string): string {
  const line = stderr.split('\n').find((l) => l.trim() !== '') ?? 'no message';
  return boundMessage(redactSecrets(line.trim()), 300);
}

const short = (sha: string) => sha.slice(0, 12);

/**
 * The commit `ref` names in the checkout, for `--since`: refused when it is not one (or looks like
 * an option), so a typo is one clear line rather than a history quietly read from the start.
 */
export async function resolveSince(dir: string, ref: string, env: Record<string, string | undefined>): Promise<string> {
  if (ref === '' || ref.startsWith('-')) throw new HistoryUsageError(`--since: "${ref}" is not a commit (give a branch, tag or commit id)`);
  const run = await runGit(['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`], dir, gitEnv(env));
  if (run.spawnError !== undefined) throw new HistoryUsageError(`--since: git could not be run (${run.spawnError === 'ENOENT' ? 'not installed, or not on PATH' : run.spawnError})`);
  if (/not a git repository/i.test(run.stderr)) throw new HistoryUsageError(`--since: not a git repository, so "${ref}" names no commit`);
  const sha = run.stdout.trim();
  if (run.code !== 0 || !/^[0-9a-f]{40,64}$/.test(sha)) throw new HistoryUsageError(`--since: "${ref}" names no commit in this repository`);
  return sha;
}

/** Reads the history of `options.dir` for secrets. Never throws for what the repository holds: what was not read is in `unread`. */
export async function scanHistory(options: HistoryOptions): Promise<HistoryResult> {
  const env = gitEnv(options.env);
  const result: HistoryResult = { findings: [], ignored: [], unread: [], notes: [], stats: { commits: 0, fileChanges: 0, binaryChanges: 0, addedBytes: 0 }, partial: true, usedIgnores: [] };
  const finish = () => {
    result.partial = result.unread.length > 0;
    return result;
  };

  const inside = await runGit(['rev-parse', '--is-inside-work-tree', '--is-shallow-repository'], options.dir, env);
  if (inside.spawnError !== undefined) {
    result.unread.push({ kind: 'git-missing', message: `git could not be run (${inside.spawnError === 'ENOENT' ? 'not installed, or not on PATH' : inside.spawnError}); the history was not scanned` });
    return finish();
  }
  if (inside.code !== 0) {
    const says = gitSays(inside.stderr);
    const notRepo = /not a git repository/i.test(says);
    result.unread.push({ kind: notRepo ? 'not-a-repository' : 'git-failed', message: notRepo ? 'not a git repository (or any of its parents); the history was not scanned' : `git could not read the repository (${says}); the history was not scanned` });
    return finish();
  }
  const [insideWorkTree, shallow] = inside.stdout.trim().split('\n');
  if (insideWorkTree !== 'true') {
    result.unread.push({ kind: 'not-a-repository', message: 'not inside a git work tree; the history was not scanned' });
    return finish();
  }
  if (shallow === 'true') {
    const grafts = await shallowGrafts(options.dir, env);
    result.unread.push({
      kind: 'shallow',
      message: `a shallow clone: the history before its ${grafts === null ? 'graft' : grafts === 1 ? 'graft commit' : `${grafts} graft commits`} was not scanned, and what a graft commit holds is reported as added there (git fetch --unshallow, then scan again)`,
    });
  }

  const limitArgs = [...(options.maxCommits !== undefined ? [`--max-count=${options.maxCommits}`] : []), ...(options.since !== undefined ? [`^${options.since}`] : [])];
  if (options.maxCommits !== undefined || options.since !== undefined) {
    // Said with how much it left out: the user's decision, not a partial result.
    const all = await runGit(['rev-list', '--count', '--all', ...(options.since !== undefined ? [`^${options.since}`] : []), '--', '.'], options.dir, env);
    const total = all.code === 0 ? Number.parseInt(all.stdout.trim(), 10) : NaN;
    if (options.since !== undefined) result.notes.push({ kind: 'limited', message: `--since ${short(options.since)}: only commits not reachable from it were read` });
    if (options.maxCommits !== undefined && Number.isFinite(total) && total > options.maxCommits) {
      result.notes.push({ kind: 'limited', message: `--max-commits ${options.maxCommits}: the newest ${options.maxCommits} of ${total} commits were read; the ${total - options.maxCommits} older were not` });
    }
  }

  const ignorer = scanIgnorer(options.ignores ?? [], options.today ?? new Date());
  const excludedBy = excluder(options.excludes ?? []);
  const excluded = new Map<string, number>();
  const counted = new Map<string, HistoryFinding>();
  const ignored = new Map<string, HistoryFinding>();
  const tooLarge: string[] = [];
  /** Sightings of secrets past MAX_HISTORY_SECRETS: counted, not kept (their number is not bounded). */
  let notKept = 0;
  const maxSecrets = options.maxSecrets ?? MAX_HISTORY_SECRETS;
  const binaryLikeText: string[] = [];
  let binaryLikeTextCount = 0;

  /** Changes git called binary, by new blob: the oldest commit seen with it (git log goes newest first), and how many changes had it. */
  const binaryBlobs = new Map<string, { commit: CommitHeader; path: string; changes: number }>();
  let binaryPassedOver = 0;
  const passedOver = (path: string, commit: CommitHeader, changes: number) => {
    binaryPassedOver += changes;
    if (isTextLikePath(path) && binaryLikeTextCount++ < 5) binaryLikeText.push(`${path} (${short(commit.sha)})`);
  };
  let readAsText = 0;
  const keepFindings = (findings: HistoryFinding[]) => {
    for (const f of findings) {
      const into = f.ignoredBy ? ignored : counted;
      const fp = f.secret!.fingerprint;
      const before = into.get(fp);
      if (before === undefined && counted.size + ignored.size >= maxSecrets) {
        notKept++;
        continue;
      }
      // git log lists the newest commit first: a later sighting is an older commit, so it replaces.
      if (before === undefined || before.commit.sha !== f.commit.sha) into.set(fp, f);
    }
  };

  const take = (change: FileChange): void => {
    result.stats.fileChanges++;
    const path = change.path ?? '(path not read)';
    if (change.deleted && change.lines.length === 0) return;
    const rule = options.excludes?.length ? excludedBy(path) : null;
    if (rule !== null) {
      excluded.set(rule.path, (excluded.get(rule.path) ?? 0) + 1);
      return;
    }
    if (change.binary) {
      result.stats.binaryChanges++;
      // Judged by its content after the log (readBlobs), as the working-tree scan judges a file.
      const before = change.blob === null ? undefined : binaryBlobs.get(change.blob);
      if (change.blob !== null && (before !== undefined || binaryBlobs.size < MAX_BINARY_BLOBS)) {
        binaryBlobs.set(change.blob, { commit: change.commit, path, changes: (before?.changes ?? 0) + 1 });
      } else passedOver(path, change.commit, 1);
      return;
    }
    result.stats.addedBytes += change.addedBytes;
    if (change.tooLarge) tooLarge.push(`${path} in ${short(change.commit.sha)}: ${formatBytes(change.addedBytes)} of added lines, over the ${formatBytes(options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES)} limit; the lines after it were not scanned`);
    if (change.lines.length === 0) return;
    const added = addedText(change);
    keepFindings(secretsIn(change.commit, path, added.text, added.lineOf, options.fingerprintKey, ignorer));
  };

  const parser = new GitLogParser({ fileChange: take }, { maxFileBytes: options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES });
  const args = [
    '-c', 'core.quotePath=false',
    '-c', 'core.fsmonitor=false',
    // A repository's own settings must not hide what is read: the first commit's diff, the a/ b/ prefixes.
    '-c', 'log.showRoot=true',
    '-c', 'diff.noprefix=false',
    '-c', 'diff.mnemonicPrefix=false',
    '--no-pager',
    'log',
    '--all',
    '-p',
    '--cc',
    '-M',
    '--no-color',
    '--no-ext-diff',
    '--no-textconv',
    '--no-show-signature',
    '--full-index',
    '--encoding=UTF-8',
    '--unified=0',
    '--relative',
    '--src-prefix=a/',
    '--dst-prefix=b/',
    `--format=${COMMIT_FORMAT}`,
    ...limitArgs,
    '--',
    '.',
  ];
  const timeLimitMs = options.timeLimitMs ?? DEFAULT_HISTORY_TIME_LIMIT_MS;
  const startedAt = Date.now();
  // A failure of ours on one chunk (never expected) stops git, and says the rest was not read (processError).
  const outcome = await streamGit(args, { dir: options.dir, env, timeLimitMs, onStdout: (chunk) => parser.push(chunk) });
  if (!outcome.timedOut && outcome.processError === undefined) parser.end();
  result.stats.commits = parser.commits;

  if (outcome.spawnError !== undefined) result.unread.push({ kind: 'git-missing', message: `git could not be run (${outcome.spawnError}); the history was not scanned` });
  else if (outcome.timedOut) result.unread.push({ kind: 'time-limit', message: `reading the history took longer than its limit of ${Math.round(timeLimitMs / 1000)} s and was stopped after ${parser.commits.toLocaleString('en')} commits (newest first); older commits were not scanned` });
  else if (outcome.processError !== undefined) result.unread.push({ kind: 'git-failed', message: `the history could not be read past ${parser.commits.toLocaleString('en')} commits (${boundMessage(redactSecrets(outcome.processError), 200)}); older commits were not scanned` });
  else if (outcome.code !== 0) result.unread.push({ kind: 'git-failed', message: `git log failed (${gitSays(outcome.stderr)}); the history was read only in part (${parser.commits.toLocaleString('en')} commits)` });

  // The blobs git called binary, read for what they are: text is scanned whole, at the oldest commit that had it.
  if (binaryBlobs.size > 0 && result.unread.every((u) => u.kind === 'shallow')) {
    const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    const read = await readBlobs(options.dir, env, [...binaryBlobs.keys()], maxBytes, timeLimitMs - (Date.now() - startedAt), (id, blob) => {
      const seen = binaryBlobs.get(id);
      if (seen === undefined) return;
      binaryBlobs.delete(id);
      if ('binary' in blob) return passedOver(seen.path, seen.commit, seen.changes);
      if ('missing' in blob) return void result.unread.push({ kind: 'git-failed', message: `${seen.path} in ${short(seen.commit.sha)}: git reports it binary and its content could not be read (not in the repository: a partial clone?); not scanned` });
      if ('tooLarge' in blob) return void tooLarge.push(`${seen.path} in ${short(seen.commit.sha)}: ${formatBytes(blob.tooLarge)}, git reports it binary and it is text, over the ${formatBytes(maxBytes)} limit; not scanned`);
      readAsText += seen.changes;
      // A whole file: its own text, each line at its own number (not split into lines and joined again).
      keepFindings(secretsIn(seen.commit, seen.path, utf8OrLatin1(blob.text), (n) => n, options.fingerprintKey, ignorer));
    });
    if (read.timedOut) result.unread.push({ kind: 'time-limit', message: `reading the content of changes git reports binary took the history past its limit of ${Math.round(timeLimitMs / 1000)} s; ${plural(binaryBlobs.size, 'of them was', 'of them were')} not read` });
    else if (read.failed !== null) result.unread.push({ kind: 'git-failed', message: `git cat-file failed (${boundMessage(redactSecrets(read.failed), 200)}); ${plural(binaryBlobs.size, 'change git reports binary was', 'changes git reports binary were')} not read` });
    binaryBlobs.clear();
  }
  // Not read (the log itself was not read whole): counted as passed over; the result is partial already.
  for (const seen of binaryBlobs.values()) passedOver(seen.path, seen.commit, seen.changes);
  if (readAsText > 0) result.notes.push({ kind: 'binary', message: `${plural(readAsText, 'change')} git reports binary (a .gitattributes says so) ${readAsText === 1 ? 'is' : 'are'} text: read whole and scanned, as the working tree scan reads such a file` });

  for (const m of tooLarge.slice(0, MAX_NAMED)) result.unread.push({ kind: 'too-large', message: m });
  if (tooLarge.length > MAX_NAMED) result.unread.push({ kind: 'too-large', message: `${tooLarge.length - MAX_NAMED} more file changes over the limit (not named); their lines past it were not scanned` });
  if (binaryPassedOver > 0) {
    const named = binaryLikeText.length ? `; named like source or settings: ${binaryLikeText.join(', ')}${binaryLikeTextCount > binaryLikeText.length ? ` and ${binaryLikeTextCount - binaryLikeText.length} more` : ''}` : '';
    result.notes.push({ kind: 'binary', message: `${plural(binaryPassedOver, 'binary file change')} passed over (git reports them binary; not scanned, as the working-tree scan passes binary files over)${named}` });
  }
  for (const [glob, count] of excluded) result.notes.push({ kind: 'excluded', message: `${plural(count, 'file change')} under ${glob} not scanned (exclude: in .depwatch.yml)` });
  if (parser.strayLines > 0) result.notes.push({ kind: 'stray', message: `${plural(parser.strayLines, 'line')} of git's output not understood, passed over` });

  for (const fp of counted.keys()) ignored.delete(fp);
  if (notKept > 0) result.unread.push({ kind: 'truncated', message: `more than ${maxSecrets.toLocaleString('en')} different secrets found in the history: ${plural(notKept, 'more sighting')} not listed` });
  result.usedIgnores = ignorer.used().map(describeIgnore);
  result.findings = [...counted.values()];
  result.ignored = [...ignored.values()];
  return finish();
}

const NL = Buffer.from('\n');

/**
 * A file change's added lines joined as a file's text; a gap between hunks is an empty line, so a
 * value is never read across two places of the file. `lineOf(n)`: the real line of joined line n
 * (null for a gap).
 */
function addedText(change: FileChange): { text: string; lineOf: (line: number) => number | null } {
  const pieces: Buffer[] = [];
  const numbers: number[] = [];
  change.lines.forEach((line, i) => {
    if (i > 0) {
      pieces.push(NL);
      if (change.lineNumbers[i] !== change.lineNumbers[i - 1]! + 1) {
        pieces.push(NL);
        numbers.push(0);
      }
    }
    pieces.push(line);
    numbers.push(change.lineNumbers[i]!);
  });
  return { text: utf8OrLatin1(Buffer.concat(pieces)), lineOf: (n) => numbers[n - 1] || null };
}

/** The secrets of a commit's text of one file (`lineOf`: its lines' real numbers), each at its line in that commit, suppressions and ignores applied. */
function secretsIn(commit: CommitHeader, path: string, text: string, lineOf: (line: number) => number | null, key: string | Uint8Array, ignorer: ScanIgnorer): HistoryFinding[] {
  const lines = new LineIndex(text);
  const reports = scanSecrets({ path, text, fingerprintKey: key, lines });
  if (reports.length === 0) return [];
  const markers = fileSuppressions(text, commentStyle(path));
  const out: HistoryFinding[] = [];
  for (const r of reports) {
    const info = SECRET_RULES_BY_ID.get(r.rule)!;
    const line = r.line === null ? null : lineOf(r.line);
    const finding: HistoryFinding = {
      kind: 'secret',
      rule: r.rule,
      severity: r.severity,
      confidence: r.confidence,
      file: path,
      line,
      column: r.column,
      message: r.message,
      fix: r.fix,
      secret: r.secret,
      commit: commitRef(commit, path, line),
    };
    const marker = r.line === null ? null : markers(r.line);
    if (marker && suppresses(marker, info)) {
      finding.ignoredBy = { id: marker.ids ? marker.ids.join(', ') : marker.kind, reason: `${marker.kind === 'nosec' ? '# nosec' : '# depwatch: ignore'} on line ${line} in commit ${short(commit.sha)}`, until: null, source: 'inline' };
    }
    out.push(ignorer.apply(finding) as HistoryFinding);
  }
  return out;
}

function commitRef(commit: CommitHeader, file: string, line: number | null): CommitRef {
  return { sha: commit.sha, authorDate: commit.authorDate, subject: boundMessage(redactSecrets(commit.subject), 200), file, line };
}

/** How many graft commits a shallow clone has (the lines of its `shallow` file), or null when it cannot be read. */
async function shallowGrafts(dir: string, env: Record<string, string>): Promise<number | null> {
  const run = await runGit(['rev-parse', '--path-format=absolute', '--git-path', 'shallow'], dir, env);
  if (run.code !== 0) return null;
  const text = await readFile(run.stdout.trim(), 'utf8').catch(() => null);
  return text === null ? null : text.split('\n').filter((l) => l.trim() !== '').length;
}
