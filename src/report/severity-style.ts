/**
 * One look for each severity, wherever Depwatch shows one: the terminal and Markdown reports, the
 * `/audit` reply, new-advisory alerts, digests and the monthly chart. Change a colour or a label
 * here and every output follows.
 */
import { severityLabel, type RatedSeverity, type Severity } from '../audit/findings.js';

export interface SeverityStyle {
  /** A coloured emoji (Slack shows Unicode emoji as it shows its own `:codes:`). */
  emoji: string;
  /** The same colour for charts. */
  colour: string;
  /** How the level is named to people. */
  label: string;
}

export const SEVERITY_STYLE: Readonly<Record<Severity, SeverityStyle>> = {
  critical: { emoji: '🔴', colour: '#b71c1c', label: 'Critical' },
  high: { emoji: '🟠', colour: '#ef6c00', label: 'High' },
  medium: { emoji: '🟡', colour: '#f9a825', label: 'Medium' },
  low: { emoji: '🔵', colour: '#1e88e5', label: 'Low' },
  unknown: { emoji: '⚪', colour: '#9e9e9e', label: 'Not rated' },
  info: { emoji: 'ℹ️', colour: '#607d8b', label: 'Info' },
};

/** "🟠 High"; "⚪ Not rated by the source (treated as high)" when a source gave no rating. */
export const severityBadge = (s: Severity, unknownAs?: RatedSeverity): string => {
  if (s !== 'unknown') return `${SEVERITY_STYLE[s].emoji} ${SEVERITY_STYLE[s].label}`;
  const label = severityLabel(s, unknownAs);
  return `${SEVERITY_STYLE[s].emoji} ${label[0]!.toUpperCase()}${label.slice(1)}`;
};

/** Any string that may not be a Severity (stored rows): the style, or unknown's. */
export const styleOf = (s: string): SeverityStyle => SEVERITY_STYLE[(s in SEVERITY_STYLE ? s : 'unknown') as Severity];
