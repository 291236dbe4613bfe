/**
 * New hardcoded secrets in watched repositories, alerted at once and once: the first sweep that
 * sees a secret (by rule, file and keyed fingerprint) records it and, in the same transaction,
 * writes one outbox message per channel that may see the repository. A secret already recorded
 * is never alerted again, and the first audit of a repository (its baseline, which the /audit
 * reply showed) records its secrets without alerting, as it does for advisories.
 *
 * What is said never holds the secret: only its kind, file, line and fingerprint (src/scan keeps
 * no value in a finding at all).
 */
import { blobLineUrl } from '../github/links.js';
import type { ScanResult } from '../scan/types.js';
import type { CodeScanStore } from '../store/code-scans.js';
import type { OutboundMessage } from '../store/outbox/types.js';
import type { WatchStore } from '../store/watches.js';
import { SECRET_ALERT, type SecretAlert } from './messages.js';

export interface SecretAlertOutbox {
  write(messages: readonly OutboundMessage[], now: Date): number;
}

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

/** Records the scan's secrets; writes the alerts for those never seen before. Returns how many secrets were new. */
export function recordSecretAlerts(input: { store: WatchStore; codeScans: CodeScanStore; outbox: SecretAlertOutbox; commit: SeenCommit; scan: ScanResult; now: Date }): number {
  const { store, codeScans, outbox, commit, scan, now } = input;
  const secrets = scan.findings.filter((f) => f.kind === 'secret' && f.secret);
  if (!secrets.length) return 0;
  return store.db.transaction(() => {
    const fresh = codeScans.recordSecrets(commit.repo, commit.sha, secrets.map((f) => ({ rule: f.rule, file: f.file, fingerprint: f.secret!.fingerprint })), now);
    if (!fresh.length || commit.baseline) return fresh.length;
    const isFresh = new Set(fresh.map((s) => `${s.rule}\0${s.file}\0${s.fingerprint}`));
    const alert: SecretAlert = {
      repo: commit.display,
      repoUrl: commit.htmlUrl,
      sha: commit.sha,
      secrets: secrets
        .filter((f) => isFresh.has(`${f.rule}\0${f.file}\0${f.secret!.fingerprint}`))
        .map((f) => ({
          kind: f.secret!.kind,
          rule: f.rule,
          file: f.file,
          line: f.line,
          url: commit.htmlUrl ? blobLineUrl(commit.htmlUrl, commit.sha, f.file, f.line) : null,
          fingerprint: f.secret!.fingerprint,
          fix: f.fix,
        })),
    };
    // A private repository's secrets go only to channels an admin linked it to (as advisory alerts do).
    const channels = store.watchesOfRepo(commit.repo).filter((w) => w.adminLinked || !(w.private || commit.private));
    const key = `secret:${commit.repo}:${commit.sha}`;
    outbox.write(
      channels.map((w) => ({ kind: SECRET_ALERT, data: alert, channel: w.channel, op: 'post' as const, messageKey: `${key}:${w.channel}`, idempotencyKey: `${key}:${w.channel}` })),
      now,
    );
    return fresh.length;
  })();
}
