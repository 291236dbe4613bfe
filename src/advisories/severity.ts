/**
 * How bad is an advisory? OSV carries CVSS vectors, not numbers, so the base score is computed here
 * (ae-cvss-calculator, FIRST's formulas); GHSA's `database_specific.severity` word is the fallback.
 */
import { onFirstUse } from '../on-first-use.js';
import { affectedEntries } from './match.js';
import type { OsvRecord, OsvSeverity } from './types.js';

export type SeverityLevel = 'critical' | 'high' | 'medium' | 'low' | 'unknown';
export type CvssRating = 'none' | 'low' | 'medium' | 'high' | 'critical';

export interface Severity {
  level: SeverityLevel;
  score: number | null;
  vector: string | null;
}

export interface CvssScore {
  version: '2.0' | '3.0' | '3.1' | '4.0';
  score: number;
  rating: CvssRating;
  vector: string;
}

// The calculator loads on the first vector scored: the mirror stores each record's severity at
// import time (stored-matcher.ts, stored-record.ts), so an offline audit usually scores none.
const cvss = onFirstUse<typeof import('ae-cvss-calculator')>('ae-cvss-calculator');

/** FIRST's qualitative scale for CVSS v3 and v4. */
export function cvssRating(score: number): CvssRating {
  if (score <= 0) return 'none';
  if (score < 4) return 'low';
  if (score < 7) return 'medium';
  if (score < 9) return 'high';
  return 'critical';
}

/** NVD's scale for CVSS v2, which has no "critical". */
function cvss2Rating(score: number): CvssRating {
  if (score <= 0) return 'none';
  if (score < 4) return 'low';
  if (score < 7) return 'medium';
  return 'high';
}

const METRIC = /^[A-Za-z]{1,3}:[A-Za-z]{1,2}$/;

/**
 * Metric list well-formed and each metric once. The calculator is lenient (a repeated metric
 * silently overrides the first), and a vector we cannot read exactly should not produce a number.
 */
function wellFormedMetrics(metrics: string): boolean {
  const parts = metrics.split('/');
  if (parts.length === 0 || parts.length > 40) return false;
  const seen = new Set<string>();
  for (const part of parts) {
    if (!METRIC.test(part)) return false;
    const key = part.slice(0, part.indexOf(':'));
    if (seen.has(key)) return false;
    seen.add(key);
  }
  return true;
}

const scoreCache = new Map<string, CvssScore | null>();
const SCORE_CACHE_LIMIT = 10_000;

/** Base score of a CVSS v2, v3.0, v3.1 or v4.0 vector; null for anything malformed or incomplete. */
export function scoreCvssVector(vector: string): CvssScore | null {
  const text = vector.trim();
  const cached = scoreCache.get(text);
  if (cached !== undefined) return cached;
  const result = computeScore(text);
  if (scoreCache.size >= SCORE_CACHE_LIMIT) scoreCache.clear();
  scoreCache.set(text, result);
  return result;
}

function computeScore(text: string): CvssScore | null {
  if (text.length === 0 || text.length > 500) return null;
  try {
    const { Cvss2, Cvss3P0, Cvss3P1, Cvss4P0 } = cvss();
    const v3 = /^CVSS:3\.([01])\/(.+)$/.exec(text);
    if (v3 !== null) {
      if (!wellFormedMetrics(v3[2]!)) return null;
      const calc = v3[1] === '0' ? new Cvss3P0(text) : new Cvss3P1(text);
      if (!calc.isBaseFullyDefined()) return null;
      // `base`, not `overall`: temporal and environmental metrics are the reader's business.
      return finish(v3[1] === '0' ? '3.0' : '3.1', calc.calculateScores().base, cvssRating, text);
    }
    const v4 = /^CVSS:4\.0\/(.+)$/.exec(text);
    if (v4 !== null) {
      if (!wellFormedMetrics(v4[1]!)) return null;
      const calc = new Cvss4P0(text);
      if (!calc.isBaseFullyDefined()) return null;
      const scores = calc.calculateScores();
      return finish('4.0', scores.baseMetricsOnly ?? scores.base, cvssRating, text);
    }
    const v2 = /^(?:CVSS:2\.0\/|\()?(AV:[^)]+?)\)?$/.exec(text);
    if (v2 !== null) {
      if (!wellFormedMetrics(v2[1]!)) return null;
      const calc = new Cvss2(v2[1]!);
      if (!calc.isBaseFullyDefined()) return null;
      return finish('2.0', calc.calculateScores().base, cvss2Rating, text);
    }
  } catch {
    // The calculator throws on unknown metrics or values: that is a malformed vector, not our crash.
  }
  return null;
}

function finish(
  version: CvssScore['version'],
  score: number | undefined,
  rate: (score: number) => CvssRating,
  vector: string,
): CvssScore | null {
  if (score === undefined || !Number.isFinite(score) || score < 0 || score > 10) return null;
  return { version, score, rating: rate(score), vector };
}

const DATABASE_WORDS: Record<string, SeverityLevel> = {
  LOW: 'low',
  MODERATE: 'medium',
  MEDIUM: 'medium',
  HIGH: 'high',
  CRITICAL: 'critical',
};

function levelOf(rating: CvssRating): SeverityLevel {
  // A 0.0 vector on a published advisory is a data slip, not "harmless": keep it visible as low.
  return rating === 'none' ? 'low' : rating;
}

/**
 * The severity of `record` (optionally only as it concerns PyPI package `packageName`): the worst
 * CVSS v3/v4 base score among its `severity[]` lists (top level and per affected entry); otherwise
 * GHSA's `database_specific.severity`; otherwise a CVSS v2 score; otherwise unknown.
 */
export function severityOf(record: OsvRecord, packageName?: string): Severity {
  return { ...rememberedSeverity(record, packageName) }; // callers own their copy
}

/**
 * The remembered severity itself, for readers here that only compare it. Records are shared and
 * never mutated once decoded, and scoring CVSS vectors is not free: an audit asks about the same
 * (record, package) for every release and repository it hits.
 */
function rememberedSeverity(record: OsvRecord, packageName: string | undefined): Severity {
  let byName = severities.get(record);
  if (byName === undefined) {
    byName = new Map();
    severities.set(record, byName);
  }
  const key = packageName ?? EVERY_ENTRY;
  let severity = byName.get(key);
  if (severity === undefined) {
    severity = computeSeverity(record, packageName);
    byName.set(key, severity);
  }
  return severity;
}

const severities = new WeakMap<OsvRecord, Map<string, Severity>>();
/** The key of a record's severity over every entry (no package name holds a NUL). */
const EVERY_ENTRY = '\u0000every entry';

/**
 * Installs a severity worked out earlier (the mirror's, from import time) for `record`, as
 * `severityOf(record, packageName)` would compute it; a pair already known keeps its own.
 */
export function primeSeverity(record: OsvRecord, packageName: string | undefined, severity: Severity): void {
  let byName = severities.get(record);
  if (byName === undefined) {
    byName = new Map();
    severities.set(record, byName);
  }
  const key = packageName ?? EVERY_ENTRY;
  if (!byName.has(key)) byName.set(key, { level: severity.level, score: severity.score, vector: severity.vector });
}

const LEVELS: ReadonlySet<string> = new Set<SeverityLevel>(['critical', 'high', 'medium', 'low', 'unknown']);

/** A severity read back from storage, checked field by field; null when it is not one. */
export function severityFrom(value: unknown): Severity | null {
  if (typeof value !== 'object' || value === null) return null;
  const { level, score, vector } = value as Record<string, unknown>;
  if (typeof level !== 'string' || !LEVELS.has(level)) return null;
  if (score !== null && (typeof score !== 'number' || !Number.isFinite(score))) return null;
  if (vector !== null && typeof vector !== 'string') return null;
  return { level: level as SeverityLevel, score, vector };
}

/**
 * Stored by the mirror at import (stored-matcher.ts, stored-record.ts): a change to what this
 * computes must bump STORED_MATCHER_FORMAT and STORED_RECORD_FORMAT, so stored rows are derived again.
 */
export function computeSeverity(record: OsvRecord, packageName?: string): Severity {
  const entries = packageName === undefined ? (record.affected ?? []) : affectedEntries(record, packageName);
  const severities: OsvSeverity[] = [...(record.severity ?? []), ...entries.flatMap((e) => e.severity ?? [])];

  let best: CvssScore | null = null;
  let bestV2: CvssScore | null = null;
  for (const s of severities) {
    if (typeof s.score !== 'string') continue;
    const scored = scoreCvssVector(s.score);
    if (scored === null) continue;
    if (scored.version === '2.0') {
      if (bestV2 === null || scored.score > bestV2.score) bestV2 = scored;
    } else if (best === null || scored.score > best.score) {
      best = scored;
    }
  }
  if (best !== null) return { level: levelOf(best.rating), score: best.score, vector: best.vector };

  const word = databaseSeverity(record.database_specific) ?? firstOf(entries.map((e) => databaseSeverity(e.database_specific)));
  if (word !== null) return { level: word, score: null, vector: null };

  if (bestV2 !== null) return { level: levelOf(bestV2.rating), score: bestV2.score, vector: bestV2.vector };
  return { level: 'unknown', score: null, vector: null };
}

function databaseSeverity(specific: Record<string, unknown> | undefined): SeverityLevel | null {
  const value = specific?.['severity'];
  if (typeof value !== 'string') return null;
  return DATABASE_WORDS[value.trim().toUpperCase()] ?? null;
}

function firstOf<T>(values: (T | null)[]): T | null {
  for (const v of values) if (v !== null) return v;
  return null;
}

const LEVEL_ORDER: Record<SeverityLevel, number> = { unknown: 0, low: 1, medium: 2, high: 3, critical: 4 };

/** A severity and the id of the record that rated it (null when none did). */
export interface RatedSeverity extends Severity {
  source: string | null;
}

/**
 * The worst severity among records describing one flaw (an alias group): the highest level, and
 * within a level the highest score.
 */
export function worstSeverityOf(records: readonly OsvRecord[], packageName?: string): RatedSeverity {
  // Compared in place, one result object made: asked for every alias group of every release, twice.
  let worst: Severity | null = null;
  let source: string | null = null;
  for (const record of records) {
    const s = rememberedSeverity(record, packageName);
    const level = worst?.level ?? 'unknown';
    if (compareSeverity(s.level, level) > 0 || (s.level === level && s.level !== 'unknown' && (s.score ?? -1) > (worst?.score ?? -1))) {
      worst = s;
      source = record.id;
    }
  }
  return worst === null ? { level: 'unknown', score: null, vector: null, source: null } : { level: worst.level, score: worst.score, vector: worst.vector, source };
}

/** Orders levels from least to most severe (unknown lowest), for sorting and thresholds. */
export function compareSeverity(a: SeverityLevel, b: SeverityLevel): number {
  return LEVEL_ORDER[a] - LEVEL_ORDER[b];
}
