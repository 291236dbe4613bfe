/**
 * What watching asks to be said, as data for the Slack outbox (src/store/outbox): the domain
 * decides the content, src/slack/outbox/renderers.ts decides the layout. Nothing here knows Slack.
 */
import type { RatedSeverity } from '../audit/findings.js';
import type { AffectedRepo } from '../store/watches.js';

/** A new-advisory alert for one channel, posted once and then updated in place. */
export const ADVISORY_ALERT = 'advisory-alert';

export interface AdvisoryAlert {
  alertId: number;
  advisoryId: string;
  aliases: string[];
  summary: string;
  severity: string;
  cvss: number | null;
  /** How the channel counts an advisory no source rated (its label says so); default high. */
  unknownAs?: RatedSeverity;
  malicious: boolean;
  package: string | null;
  affected: AffectedRepo[];
  resolved: boolean;
  /** Offer "Open fix PR" for the affected repositories that have a fixed release (DEPWATCH_FIX_PRS). */
  offerFixPrs?: boolean;
}

/**
 * What a sweep found for the first time in a watched repository's code: hardcoded secrets (any
 * severity) and other code findings at high or critical. Alerted at once, once.
 */
export const SECRET_ALERT = 'secret-alert';

export interface SecretAlert {
  /** How the repository is shown (`owner/name`, or with its branch). */
  repo: string;
  repoUrl: string | null;
  sha: string;
  /** Never a value: what kind of credential, where, and its keyed fingerprint. */
  secrets: { kind: string; rule: string; file: string; line: number | null; url: string | null; fingerprint: string; fix: string }[];
  /** New code findings at high or critical that are not secrets (absent in alerts written before them). */
  findings?: { rule: string; severity: string; file: string; line: number | null; url: string | null; message: string; fix: string }[];
}
