/**
 * `.depwatch.yml` ignores for scan findings: by rule id (or a whole kind: `secret`, `runtime`) and
 * optionally a path glob, with a reason and an expiry, like advisory ignores (src/audit/ignores.ts
 * reads the file; this applies the entries that name scan rules). Expired ignores stop applying and
 * say so; ignores that match nothing are reported as stale.
 */
import { isFindingKind } from '../audit/findings.js';
import { expiredCounts, isExpired, pathGlobMatches, type IgnoreRule } from '../audit/ignores.js';
import { isScanIgnoreId } from './rule-ids.js';
import type { CodeFinding, ScanNote } from './types.js';

function matches(rule: IgnoreRule, f: CodeFinding): boolean {
  if (rule.id !== f.rule && rule.id !== f.kind) return false;
  return !rule.path || pathGlobMatches(rule.path, f.file);
}

export const describeIgnore = (r: IgnoreRule) => `ignore of ${r.id}${r.path ? ` (path ${r.path})` : ''} in ${r.source}`;

export interface ScanIgnorer {
  /** The finding, marked (`ignoredBy`) when an active ignore covers it; one an inline suppression already covers is left as it is. */
  apply(finding: CodeFinding): CodeFinding;
  /** Expired ignores (and how many findings they let through, not those another ignore still covers) and ignores that matched nothing, once every finding was applied. */
  notes(): ScanNote[];
  /** The ignores (active ones) that covered a finding so far. */
  used(): IgnoreRule[];
}

/**
 * Applies ignores one finding at a time, so the scan can apply them to each file's findings as it
 * goes, before it caps how many a file lists (an ignored finding must not push out one that is not).
 */
export function scanIgnorer(allRules: IgnoreRule[], today: Date): ScanIgnorer {
  const rules = allRules.filter((r) => isScanIgnoreId(r.id));
  const active = rules.filter((r) => !isExpired(r, today));
  const expired = rules.filter((r) => isExpired(r, today));
  const counts = expiredCounts(expired);
  const used = new Set<IgnoreRule>();
  return {
    apply(f) {
      if (f.ignoredBy) return f;
      const rule = active.find((r) => matches(r, f));
      for (const r of expired) if (matches(r, f)) counts.count(r, rule !== undefined);
      if (!rule) return f;
      used.add(rule);
      return { ...f, ignoredBy: { id: rule.id, reason: rule.reason, until: rule.until, source: rule.source } };
    },
    notes() {
      const notes: ScanNote[] = [];
      for (const r of expired) notes.push({ kind: 'expired', message: counts.message(r, describeIgnore(r)) });
      for (const r of active) if (!used.has(r)) notes.push({ kind: 'stale', message: `${describeIgnore(r)} matches nothing; remove it` });
      return notes;
    },
    used: () => [...used],
  };
}

/** An advisory id or alias as OSV writes them: an upper-case prefix, a dash, the rest (`GHSA-…`, `PYSEC-2021-1`, `CVE-…`). */
const ADVISORY_ID = /^[A-Z][A-Z0-9]*-\S+$/;
/**
 * The same in any case, for the prefixes Python advisories have (`ghsa-…`, `pysec-…`): the audit
 * matches ids case-insensitively (audit/ignores.ts). Not any lower-case prefix: rule ids are
 * lower-case too, and a typo of one (`py-eval-exce`) must still be named.
 */
const ADVISORY_ID_ANY_CASE = /^(?:GHSA|PYSEC|CVE|OSV|MAL|PSF|SNYK|BIT|GSD)-\S+$/i;

/**
 * For `depwatch scan`, where no audit reads the settings beside it: the tree's ignore entries whose
 * id names no scan rule or kind, nor an advisory or finding kind that `depwatch audit` would apply
 * (`py-eval-exce`, a bandit id `B307`, `*`). They can never match anything here, and no other part
 * would say so, so each gets an `invalid` note rather than silence.
 */
export function unknownIgnoreNotes(rules: readonly IgnoreRule[]): ScanNote[] {
  const notes: ScanNote[] = [];
  for (const r of rules) {
    if (isScanIgnoreId(r.id) || isFindingKind(r.id) || ADVISORY_ID.test(r.id) || ADVISORY_ID_ANY_CASE.test(r.id)) continue;
    const hint = /^B\d{3}$/.test(r.id)
      ? ' (a bandit test id: those apply in `# nosec` comments; here name the rule, such as py-eval-exec)'
      : ' (a rule id such as py-eval-exec or secret-github-token, or a kind: code, secret, file, runtime)';
    notes.push({ kind: 'invalid', message: `${describeIgnore(r)}${r.line ? ` (line ${r.line})` : ''} names no rule of depwatch scan${hint}; it ignores nothing` });
  }
  return notes;
}