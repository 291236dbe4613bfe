/**
 * Ignores with a reason and an expiry, from `.depwatch.yml` in the audited tree (and, later, from a
 * channel). An advisory id covers all of its aliases; an expired ignore stops applying and the report
 * says so; an active ignore that matches nothing is reported as stale so it can be removed.
 */
import { isScanIgnoreId } from '../scan/rule-ids.js';
import { isAdvisoryKind, isFindingKind, type Finding } from './findings.js';
import { compileGlob, type GlobTest } from './glob.js';

export interface IgnoreRule {
  /** An advisory id (any alias), or a finding kind such as `outdated` or `unpinned`. */
  id: string;
  reason: string;
  /** Last day the ignore applies (YYYY-MM-DD, inclusive), or null for no expiry. */
  until: string | null;
  package: string | null;
  /**
   * Only findings in files matching this glob (.gitignore syntax: `tests/`, `*.ipynb`,
   * `docs/*.py`); absent: everywhere. Written for code findings; an advisory ignore with a
   * path covers only findings whose manifest matches it.
   */
  path?: string | null;
  /** Where it was written: `.depwatch.yml`, `channel C123`. */
  source: string;
  line?: number | null;
}

export interface IgnoreNote {
  kind: 'expired' | 'stale' | 'invalid';
  message: string;
  rule?: IgnoreRule;
  /** With `invalid`: the settings file it is about (`.depwatch.yml`). */
  settingsFile?: string;
}

/**
 * Compiled globs by text: an ignore's glob is asked about every finding, so it is compiled once.
 * Bounded (a settings file may hold thousands of entries): past the bound it starts afresh.
 */
const compiled = new Map<string, GlobTest>();
const MAX_COMPILED = 1_000;

/**
 * Whether a relative path matches an ignore's `path` glob (.gitignore syntax, so `tests/` covers the
 * folder; see glob.ts, which never backtracks: the glob and the path both come from the repository).
 */
export function pathGlobMatches(glob: string, file: string): boolean {
  let test = compiled.get(glob);
  if (test === undefined) {
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    compiled.set(glob, (test = compileGlob(glob)));
  }
  return test(file);
}

export function ruleMatches(rule: IgnoreRule, finding: Finding): boolean {
  if (rule.package && finding.package !== rule.package) return false;
  if (rule.path && !(finding.file && pathGlobMatches(rule.path, finding.file))) return false;
  const id = rule.id.toUpperCase();
  // Advisories are ignored by id only: a kind ignore of them (refused where ignores are written, and
  // perhaps stored before that) would hide every advisory of the package, so it matches nothing.
  if (isAdvisoryKind(rule.id)) return false;
  // A kind ignore names a package for package findings (`id: outdated`, `package: requests`); without
  // one it covers only the file-level findings of that kind (`no-hashes`, `no-lockfile`: package
  // null), narrowed by `path` when given, so `id: outdated` alone never silences every package.
  if (isFindingKind(rule.id)) return finding.kind === rule.id && (rule.package !== null || finding.package === null);
  if (finding.id?.toUpperCase() === id) return true;
  return (finding.aliases ?? []).some((a) => a.toUpperCase() === id);
}

export function isExpired(rule: IgnoreRule, today: Date): boolean {
  return rule.until !== null && rule.until < today.toISOString().slice(0, 10);
}

const describeRule = (r: IgnoreRule) => `ignore of ${r.id}${r.package ? ` (${r.package})` : ''} in ${r.source}`;

/**
 * What the expired ignores matched, counted as findings are ignored: a finding another (active)
 * ignore still covers is not reported again, so the note never says it is (audit and scan alike).
 */
export function expiredCounts(expired: readonly IgnoreRule[]): {
  count(rule: IgnoreRule, stillIgnored: boolean): void;
  /** `ignore of … expired on DAY`, and how many findings are reported again, or that another entry covers all it matched. */
  message(rule: IgnoreRule, described: string): string;
} {
  const again = new Map<IgnoreRule, number>();
  const covered = new Map<IgnoreRule, number>();
  for (const r of expired) {
    again.set(r, 0);
    covered.set(r, 0);
  }
  return {
    count(rule, stillIgnored) {
      const counts = stillIgnored ? covered : again;
      counts.set(rule, (counts.get(rule) ?? 0) + 1);
    },
    message(rule, described) {
      const expiredOn = `${described} expired on ${rule.until}`;
      const reported = again.get(rule) ?? 0;
      if (reported > 0) return `${expiredOn}; ${reported} finding${reported > 1 ? 's are' : ' is'} reported again`;
      // Nothing comes back: another entry ignores all it matched, so this one no longer matters.
      if ((covered.get(rule) ?? 0) > 0) return `${expiredOn}; what it matched is still ignored by another entry, so remove it`;
      return expiredOn;
    },
  };
}

/**
 * Marks findings covered by an active rule (`ignoredBy`), and explains expired and stale rules.
 * Returns the findings unchanged in order; callers split them on `ignoredBy`.
 */
export function applyIgnores(findings: Finding[], rules: IgnoreRule[], today: Date): { findings: Finding[]; notes: IgnoreNote[] } {
  const notes: IgnoreNote[] = [];
  // Ignores of code-scan rules (`py-eval-exec`, `secret`) are applied by the scanner, not to dependency findings.
  rules = rules.filter((r) => !isScanIgnoreId(r.id));
  const active = rules.filter((r) => !isExpired(r, today));
  const expired = rules.filter((r) => isExpired(r, today));
  const counts = expiredCounts(expired);
  const used = new Set<IgnoreRule>();
  const out = findings.map((f) => {
    const rule = active.find((r) => ruleMatches(r, f));
    for (const r of expired) if (ruleMatches(r, f)) counts.count(r, rule !== undefined);
    if (!rule) return f;
    used.add(rule);
    return { ...f, ignoredBy: { id: rule.id, reason: rule.reason, until: rule.until, source: rule.source } };
  });
  for (const r of expired) notes.push({ kind: 'expired', rule: r, message: counts.message(r, describeRule(r)) });
  for (const r of active) {
    if (!used.has(r)) {
      notes.push({ kind: 'stale', rule: r, message: `${describeRule(r)} matches nothing; remove it` });
    }
  }
  return { findings: out, notes };
}
