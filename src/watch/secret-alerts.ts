/**
 * New hardcoded secrets (and other code findings at high or critical) in watched repositories, alerted at once and once: the first sweep that
 * sees a secret (by rule, file and keyed fingerprint) records it and, in the same transaction,
 * writes one outbox message per channel that may see the repository. A secret already recorded
 * is never alerted again, and the first audit of a repository (its baseline, which the /audit
 * reply showed) records its secrets without alerting, as it does for advisories.
 *
 * What is said never holds the secret: only its kind, file, line and fingerprint (src/scan keeps
 * no value in a finding at all).
 */
import { createHash } from 'node:crypto';
import { blobLineUrl } from '../github/links.js';
import type { CodeFinding, ScanResult } from '../scan/types.js';
import type { SeenCodeFinding, WatchStateStore } from '../store/watch-state/types.js';
import { SECRET_ALERT, type SecretAlert } from './messages.js';

export interface SeenCommit {
  /** Store key of the repository (`owner/name[@branch]`). */
  repo: string;
  display: string;
  htmlUrl: string | null;
  private: boolean;
  sha: string;
  /** The repository's first audit: record, do not alert. */
  baseline: boolean;
}

/** Code findings other than secrets alert from this severity up; the rest wait for the quarterly digest. */
const ALERT_SEVERITIES = new Set(['critical', 'high']);

/**
 * A finding's identity across commits: a secret by its keyed fingerprint; anything else by what it
 * says (rule, file and message, hashed), so it survives lines moving but not the code changing.
 */
function identity(f: CodeFinding): string {
  return f.secret ? f.secret.fingerprint : `h:${createHash('sha256').update(`${f.rule}\0${f.file}\0${f.message}`).digest('hex').slice(0, 16)}`;
}

/**
 * Records the scan's secrets and serious findings in the watch state (either store, so replicas
 * share what was alerted) and, in the same transaction, the alert for those never seen before.
 * Returns how many were new.
 */
export async function recordSecretAlerts(input: { state: WatchStateStore; commit: SeenCommit; scan: ScanResult; now: Date }): Promise<number> {
  const { state, commit, scan, now } = input;
  const alertable = scan.findings.filter((f) => (f.kind === 'secret' && f.secret) || (f.kind !== 'secret' && ALERT_SEVERITIES.has(f.severity)));
  if (!alertable.length) return 0;
  const seen = alertable.map((f) => ({ rule: f.rule, file: f.file, fingerprint: identity(f) }));
  const keyOf = (s: SeenCodeFinding) => `${s.rule}\0${s.file}\0${s.fingerprint}`;
  // Who may be told, read before the transaction (it cannot wait on a read); a baseline tells nobody.
  const watches = commit.baseline ? [] : await state.watchesOfRepo(commit.repo);
  const fresh = await state.recordCodeFindings({ repo: commit.repo, sha: commit.sha, findings: seen, now }, (fresh) => {
    if (commit.baseline) return [];
    const isFresh = new Set(fresh.map(keyOf));
    const shown = alertable.filter((_, i) => isFresh.has(keyOf(seen[i]!)));
    const url = (f: CodeFinding) => (commit.htmlUrl ? blobLineUrl(commit.htmlUrl, commit.sha, f.file, f.line) : null);
    const alert: SecretAlert = {
      repo: commit.display,
      repoUrl: commit.htmlUrl,
      sha: commit.sha,
      private: commit.private,
      secrets: shown
        .filter((f) => f.secret)
        .map((f) => ({ kind: f.secret!.kind, rule: f.rule, file: f.file, line: f.line, url: url(f), fingerprint: f.secret!.fingerprint, fix: f.fix })),
      findings: shown
        .filter((f) => !f.secret)
        .map((f) => ({ rule: f.rule, severity: f.severity, file: f.file, line: f.line, url: url(f), message: f.message, fix: f.fix })),
    };
    // A private repository's findings go only to channels an admin linked it to (as advisory alerts do).
    const channels = watches.filter((w) => w.adminLinked || !(w.private || commit.private));
    const key = `secret:${commit.repo}:${commit.sha}`;
    return channels.map((w) => ({ kind: SECRET_ALERT, data: alert, channel: w.channel, op: 'post' as const, messageKey: `${key}:${w.channel}`, idempotencyKey: `${key}:${w.channel}` }));
  });
  return fresh.length;
}
