/**
 * The code and configuration scan of one commit of a GitHub repository, as /audit and sweeps use
 * it: from the cache when this commit was scanned with the same rules and ignores, otherwise one
 * archive download and a scan where the runner runs it (worker threads in the bot). A scan that
 * could not run (the archive too large, GitHub failing) is not an error for the audit around it:
 * it comes back as a partial scan that says why, so the reply and the gate say so too.
 */
import { createHash } from 'node:crypto';
import type { IgnoreRule } from '../audit/ignores.js';
import { errorLine } from '../error-line.js';
import { SCAN_RULE_IDS, isScanIgnoreId } from '../scan/rule-ids.js';
import type { ScanResult } from '../scan/types.js';
import type { CodeScanStore } from '../store/code-scans.js';
import { packageVersion } from '../version.js';
import type { AuditRunner } from '../workers/audit-runner.js';
import type { Octokit } from './client.js';
import { mayPass } from './errors.js';
import { ArchiveTooLargeError, downloadTarball } from './tarball.js';

export interface CommitScanDeps {
  github: Octokit;
  store: CodeScanStore;
  runner: Pick<AuditRunner, 'scanArchive'>;
  fingerprintKey: string;
}

export interface CommitRef {
  owner: string;
  repo: string;
  sha: string;
}

/** How the scan reads the tree's settings files: only the first of CONFIG_FILES (unreadSettingsNotes). */
const SETTINGS_READ = 'settings: the first of CONFIG_FILES only';

/** What a cached result depends on besides the commit: the rules (by release) and the ignores that applied. */
export function scanKey(ignores: readonly IgnoreRule[], fingerprintKey: string): string {
  const relevant = ignores.filter((r) => isScanIgnoreId(r.id));
  // The key's own hash, not the key: a different key gives different fingerprints, so a new result.
  const keyId = createHash('sha256').update(fingerprintKey).digest('hex').slice(0, 16);
  // SETTINGS_READ: a scan cached when both settings files applied would hide what the audit of the
  // same commit now reports, so those results are not reused.
  return createHash('sha256').update(JSON.stringify([packageVersion(), SCAN_RULE_IDS, relevant, keyId, SETTINGS_READ])).digest('hex');
}

/** A scan that did not happen, said as a partial result; `transient`: GitHub failed, and may not next time. */
export function scanNotRun(reason: string, transient = false): ScanResult {
  return {
    findings: [],
    ignored: [],
    skipped: [{ path: '(archive)', reason: 'unreadable', partial: true, message: `code and configuration were not scanned: ${reason}`, ...(transient ? { transient: true as const } : {}) }],
    notes: [],
    stats: { files: 0, textFiles: 0, pythonFiles: 0, binaryFiles: 0, bytes: 0 },
    fingerprintScope: 'installation',
    rules: [],
    partial: true,
  };
}

export async function scanCommit(deps: CommitScanDeps, commit: CommitRef, ignores: readonly IgnoreRule[], now: Date): Promise<{ result: ScanResult; cached: boolean }> {
  const repo = `${commit.owner}/${commit.repo}`;
  const key = scanKey(ignores, deps.fingerprintKey);
  const cached = deps.store.get(repo, commit.sha, key);
  if (cached) return { result: cached, cached: true };
  // One line, no stack: the message of a GitHub error or a worker failure names what went wrong.
  const notRun = (err: unknown, transient: boolean) => ({ result: scanNotRun(err instanceof Error ? errorLine(err).slice(0, 300) : 'an unknown error', transient), cached: false });
  let archive;
  try {
    archive = await downloadTarball(deps.github, commit);
  } catch (err) {
    // GitHub failing (no answer, 5xx) may pass; an archive over the limit is as large next time,
    // and a 403 or 404 is GitHub's lasting answer.
    return notRun(err, !(err instanceof ArchiveTooLargeError) && mayPass(err));
  }
  let result: ScanResult;
  try {
    result = await deps.runner.scanArchive({ archive, fingerprintKey: deps.fingerprintKey, ignores: [...ignores], today: now });
  } catch (err) {
    // The same archive, scanned again, most likely fails again (a worker out of memory): not retried.
    return notRun(err, false);
  }
  deps.store.put(repo, commit.sha, key, result, now);
  return { result, cached: false };
}
