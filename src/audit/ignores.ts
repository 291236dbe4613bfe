/**
 * Ignores with a reason and an expiry, from `.depwatch.yml` in the audited tree (and, later, from a
 * channel). An advisory id covers all of its aliases; an expired ignore stops applying and the report
 * says so; an active ignore that matches nothing is reported as stale so it can be removed.
 */
import { isScanIgnoreId } from '../scan/rule-ids.js';
import { isFindingKind, type Finding } from './findings.js';
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

/**
 * Marks findings covered by an active rule (`ignoredBy`), and explains expired and stale rules.
 * Returns the findings unchanged in order; callers split them on `ignoredBy`.
 */
export function applyIgnores(findings: Finding[], rules: IgnoreRule[], today: Date): { findings: Finding[]; notes: IgnoreNote[] } {
  const notes: IgnoreNote[] = [];
  // Ignores of code-scan rules (`py-eval-exec`, `secret`) are applied by the scanner, not to dependency findings.
  rules = rules.filter((r) => !isScanIgnoreId(r.id));
  const active = rules.filter((r) => !isExpired(r, today));
  for (const r of rules) {
    if (!isExpired(r, today)) continue;
    const hits = findings.filter((f) => ruleMatches(r, f)).length;
    notes.push({
      kind: 'expired',
      rule: r,
      message: `ignore of ${r.id}${r.package ? ` (${r.package})` : ''} in ${r.source} expired on ${r.until}${hits ? `; ${hits} finding${hits > 1 ? 's are' : ' is'} reported again` : ''}`,
    });
  }
  const used = new Set<IgnoreRule>();
  const out = findings.map((f) => {
    const rule = active.find((r) => ruleMatches(r, f));
    if (!rule) return f;
    used.add(rule);
    return { ...f, ignoredBy: { id: rule.id, reason: rule.reason, until: rule.until, source: rule.source } };
  });
  for (const r of active) {
    if (!used.has(r)) {
      notes.push({ kind: 'stale', rule: r, message: `ignore of ${r.id}${r.package ? ` (${r.package})` : ''} in ${r.source} matches nothing; remove it` });
    }
  }
  return { findings: out, notes };
}
