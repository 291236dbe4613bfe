/**
 * `depwatch scan --history DIR`: the working-tree scan and the history's secrets (scan-history.ts),
 * run side by side with one fingerprint key, so a secret still in the working tree is one finding
 * (the working tree's, with the commit that first added it) and one deleted since is a finding of
 * its own, at the commit and line that added it. One result, one exit status, as `scan`.
 */
import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { atOrAbove, type Severity } from '../audit/findings.js';
import { CONFIG_FILES, MAX_SETTINGS_BYTES, parseSettings } from '../audit/exclude.js';
import type { DepwatchFile } from '../audit/ignore-file.js';
import { historyJson } from '../scan/history/json.js';
import { HistoryUsageError, resolveSince, scanHistory, type CommitRef, type HistoryFinding, type HistoryResult } from '../scan/history/scan-history.js';
import { scanJson } from '../scan/json.js';
import { compareCodeFindings } from '../scan/scan.js';
import { randomFingerprintKey } from '../scan/secrets/fingerprint.js';
import type { CodeFinding, ScanResult } from '../scan/types.js';
import { scanDirectoryInParallel } from '../workers/parallel-scan.js';
import { fingerprintOptions } from './fingerprint-key.js';
import { CliError, EXIT, type CliIO } from './io.js';
import { jsonFieldsOfReasons, partialCauses, scanText } from './scan.js';

/** A finding with where the history first has it: the working tree's (inWorkingTree) or the history's alone. */
export type LinkedFinding = CodeFinding & { commit?: CommitRef; inWorkingTree?: boolean };

export interface ScanWithHistoryOptions {
  dir: string;
  target: string;
  io: CliIO;
  failOn: Severity | 'never';
  json: boolean;
  showIgnored: boolean;
  since: string | undefined;
  maxCommits: number | undefined;
}

export async function scanWithHistory(o: ScanWithHistoryOptions): Promise<number> {
  const installationKey = fingerprintOptions(o.io).fingerprintKey;
  // One key for both parts, so a secret of the working tree and of a commit has one fingerprint.
  const fingerprintKey = installationKey ?? randomFingerprintKey();
  let since: string | undefined;
  try {
    since = o.since === undefined ? undefined : await resolveSince(o.dir, o.since, o.io.env);
  } catch (e) {
    if (e instanceof HistoryUsageError) throw new CliError(e.message);
    throw e;
  }
  const settings = await treeSettings(o.dir);
  const [tree, history] = await Promise.all([
    scanDirectoryInParallel(o.dir, { fingerprintKey, standalone: true }),
    scanHistory({
      dir: o.dir,
      env: o.io.env,
      fingerprintKey,
      ...(since !== undefined ? { since } : {}),
      ...(o.maxCommits !== undefined ? { maxCommits: o.maxCommits } : {}),
      ignores: settings?.rules ?? [],
      excludes: settings?.excludes ?? [],
    }),
  ]);
  const result = linked({ ...tree, fingerprintScope: installationKey === undefined ? 'run' : 'installation' }, history);

  o.io.stdout(o.json ? JSON.stringify({ ...scanJson(o.target, result), history: historyJson(history) }, null, 2) + '\n' : scanText(result, o.showIgnored, history));
  if (result.partial) o.io.stderr(`depwatch scan: PARTIAL: ${partialCauses(result, history)}; see ${o.json ? historyFields(tree, history) : 'the lists above'}\n`);
  const failing = o.failOn !== 'never' && result.findings.some((f) => atOrAbove(f.severity, o.failOn as Severity));
  if (failing) return EXIT.findings;
  return result.partial ? EXIT.error : EXIT.ok;
}

/**
 * The working tree's result with the history's secrets in it: a secret the working tree still has
 * gets the commit that first added it (said once, on the working tree's finding); one it no longer
 * has is a finding of its own, at that commit's file and line.
 */
export function linked(tree: ScanResult, history: HistoryResult): ScanResult & { findings: LinkedFinding[]; ignored: LinkedFinding[] } {
  const firstCommit = new Map<string, CommitRef>();
  for (const f of [...history.findings, ...history.ignored]) firstCommit.set(f.secret!.fingerprint, f.commit);
  const inTree = new Set<string>();
  const link = (f: CodeFinding): LinkedFinding => {
    const fp = f.secret?.fingerprint;
    if (fp === undefined) return f;
    inTree.add(fp);
    const commit = firstCommit.get(fp);
    return commit ? { ...f, commit, inWorkingTree: true } : f;
  };
  const findings = tree.findings.map(link);
  const ignored = tree.ignored.map(link);
  const historyOnly = (f: HistoryFinding): LinkedFinding => ({ ...f, inWorkingTree: false });
  for (const f of history.findings) if (!inTree.has(f.secret!.fingerprint)) findings.push(historyOnly(f));
  for (const f of history.ignored) if (!inTree.has(f.secret!.fingerprint)) ignored.push(historyOnly(f));
  // An ignore that matches nothing in the working tree but covers a secret of the history is in use: "remove it" would bring that secret back.
  const notes = tree.notes.filter((n) => !(n.kind === 'stale' && history.usedIgnores.some((d) => n.message === `${d} matches nothing; remove it`)));
  return { ...tree, notes, findings: findings.sort(compareCodeFindings), ignored: ignored.sort(compareCodeFindings), partial: tree.partial || history.partial };
}

function historyFields(tree: ScanResult, history: HistoryResult): string {
  const treeFields = tree.partial ? `${jsonFieldsOfReasons(tree)} and ` : '';
  return history.partial ? `${treeFields}"history.unread"` : jsonFieldsOfReasons(tree);
}

/**
 * The tree's `.depwatch.yml` (or `.depwatch.yaml`) ignores and excludes, for the history's paths.
 * The working-tree scan reads the same file and says every problem with it (unread, invalid
 * entries, partial); here one that cannot be read applies nothing, said there.
 */
async function treeSettings(dir: string): Promise<DepwatchFile | null> {
  for (const name of CONFIG_FILES) {
    const path = join(dir, name);
    const info = await lstat(path).catch(() => null);
    if (info === null) continue;
    if (!info.isFile() || info.size > MAX_SETTINGS_BYTES) return null;
    const text = await readFile(path, 'utf8').catch(() => null);
    return text === null ? null : parseSettings(text, name);
  }
  return null;
}
