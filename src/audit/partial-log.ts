/**
 * What a log line says of a partial result, so an operator reading the logs learns what the Slack
 * reply said ("OSV answered 503", "poetry.lock not read"): the flag, and the reasons by kind with
 * short messages. Bounded (a repository with 5,000 unreadable files is not 5,000 log fields) and
 * redacted here, not only by the logger's last pass: a reason quotes manifest lines and URLs, which
 * may hold credentials.
 */
import { redactSecrets } from '../redact.js';
import { boundMessage } from '../quoted-input.js';
import { describeReason, forReaders, type PartialReason } from './partial.js';

/** Reasons a log line lists; the rest are counted (`partialReasonsMore`). */
export const LOGGED_REASONS_MAX = 5;
/** A logged reason's message at most (its middle cut). */
export const LOGGED_REASON_CHARS = 200;

export interface LoggedReason {
  kind: PartialReason['kind'];
  message: string;
}

export interface PartialLogFields {
  partial: boolean;
  partialReasons?: LoggedReason[];
  partialReasonsMore?: number;
}

/** `{ partial: false }` for a complete result; else the flag, the first reasons, and how many more. */
export function partialLogFields(reasons: readonly PartialReason[]): PartialLogFields {
  const said = forReaders(reasons);
  if (said.length === 0) return { partial: false };
  const shown = said.slice(0, LOGGED_REASONS_MAX).map((r) => ({ kind: r.kind, message: loggedText(describeReason(r)) }));
  const more = said.length - shown.length;
  return { partial: true, partialReasons: shown, ...(more > 0 ? { partialReasonsMore: more } : {}) };
}

/** Free text bound for a log line: secrets masked first (a cut could split one past recognising), then cut. */
export function loggedText(text: string, max: number = LOGGED_REASON_CHARS): string {
  return boundMessage(redactSecrets(text), max);
}
