/**
 * Ignores with a reason and an expiry, from `.depwatch.yml` in the audited tree (and, later, from a
 * channel). An advisory id covers all of its aliases; an expired ignore stops applying and the report
 * says so; an active ignore that matches nothing is reported as stale so it can be removed.
 */
import { createRequire } from 'node:module';
import { z } from 'zod';
import { normalizeName } from '../python/names.js';
import { yaml } from '../yaml.js';
import { isScanIgnoreId } from '../scan/rule-ids.js';
import { isFindingKind, type Finding } from './findings.js';

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
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

const RuleSchema = z.object({
  id: z.string().trim().min(1, 'id is required').max(200),
  reason: z.string().trim().min(1, 'a reason is required (why is it safe to ignore?)').max(2000),
  until: z
    .union([z.string(), z.date()])
    .optional()
    .nullable()
    .transform((v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v ?? null))
    .refine((v) => v === null || (DATE.test(v) && !Number.isNaN(Date.parse(v))), { message: 'until must be a date, YYYY-MM-DD' }),
  package: z.string().trim().min(1).max(200).optional().nullable(),
  path: z.string().trim().min(1).max(500).optional().nullable(),
});

const FileSchema = z.object({ ignore: z.array(z.unknown()).max(10_000).optional().nullable() }).passthrough();

/** Reads `.depwatch.yml`. Each bad entry becomes one note; the good ones still apply. */
// The .gitignore matcher is needed only by an ignore with a `path` glob: required on first use,
// not at start-up of every audit. It is a CommonJS package, so a synchronous require loads the
// same module an import would.
const requireOnUse = createRequire(import.meta.url);
const gitignore = (): typeof import('ignore') => requireOnUse('ignore') as typeof import('ignore');

export function parseIgnoreFile(text: string, source = '.depwatch.yml'): { rules: IgnoreRule[]; notes: IgnoreNote[] } {
  const notes: IgnoreNote[] = [];
  let doc: unknown;
  try {
    // YAML 1.2 core schema: no custom tags, no merge-key tricks; bounded aliases against billion laughs.
    doc = yaml().parse(text, { schema: 'core', maxAliasCount: 100, uniqueKeys: false });
  } catch (err) {
    return { rules: [], notes: [{ kind: 'invalid', message: `${source}: not valid YAML (${(err as Error).message.split('\n')[0]})` }] };
  }
  if (doc === null || doc === undefined) return { rules: [], notes };
  const file = FileSchema.safeParse(doc);
  if (!file.success) return { rules: [], notes: [{ kind: 'invalid', message: `${source}: expected a mapping with an "ignore:" list` }] };
  const rules: IgnoreRule[] = [];
  (file.data.ignore ?? []).forEach((entry, i) => {
    const parsed = RuleSchema.safeParse(entry);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      notes.push({ kind: 'invalid', message: `${source}: ignore entry ${i + 1}: ${issue.path.length ? issue.path.join('.') + ': ' : ''}${issue.message}` });
      return;
    }
    const r = parsed.data;
    rules.push({ id: r.id, reason: r.reason, until: r.until, package: r.package ? normalizeName(r.package) : null, ...(r.path ? { path: r.path } : {}), source });
  });
  return { rules, notes };
}

/** Whether a relative path matches an ignore's `path` glob (.gitignore syntax, so `tests/` covers the folder). */
export function pathGlobMatches(glob: string, file: string): boolean {
  try {
    return gitignore()().add(glob).ignores(file);
  } catch {
    return false; // a malformed glob matches nothing: the finding stays reported
  }
}

export function ruleMatches(rule: IgnoreRule, finding: Finding): boolean {
  if (rule.package && finding.package !== rule.package) return false;
  if (rule.path && !(finding.file && pathGlobMatches(rule.path, finding.file))) return false;
  const id = rule.id.toUpperCase();
  if (isFindingKind(rule.id)) return finding.kind === rule.id && rule.package !== null;
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
