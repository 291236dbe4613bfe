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
}
