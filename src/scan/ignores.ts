/**
 * `.depwatch.yml` ignores for scan findings: by rule id (or a whole kind: `secret`, `runtime`) and
 * optionally a path glob, with a reason and an expiry, like advisory ignores (src/audit/ignores.ts
 * reads the file; this applies the entries that name scan rules). Expired ignores stop applying and
 * say so; ignores that match nothing are reported as stale.
 */
import { isExpired, pathGlobMatches, type IgnoreRule } from '../audit/ignores.js';
import { isScanIgnoreId } from './rule-ids.js';
import type { CodeFinding, ScanNote } from './types.js';

function matches(rule: IgnoreRule, f: CodeFinding): boolean {
  if (rule.id !== f.rule && rule.id !== f.kind) return false;
  return !rule.path || pathGlobMatches(rule.path, f.file);
}

const describe = (r: IgnoreRule) => `ignore of ${r.id}${r.path ? ` (path ${r.path})` : ''} in ${r.source}`;

/** Marks findings covered by an active ignore (`ignoredBy`); notes expired and stale ignores. */
export function applyScanIgnores(findings: CodeFinding[], allRules: IgnoreRule[], today: Date): { findings: CodeFinding[]; notes: ScanNote[] } {
  const rules = allRules.filter((r) => isScanIgnoreId(r.id));
  const notes: ScanNote[] = [];
  const active = rules.filter((r) => !isExpired(r, today));
  for (const r of rules) {
    if (!isExpired(r, today)) continue;
    const hits = findings.filter((f) => !f.ignoredBy && matches(r, f)).length;
    notes.push({ kind: 'expired', message: `${describe(r)} expired on ${r.until}${hits ? `; ${hits} finding${hits > 1 ? 's are' : ' is'} reported again` : ''}` });
  }
  const used = new Set<IgnoreRule>();
  const out = findings.map((f) => {
    if (f.ignoredBy) return f;
    const rule = active.find((r) => matches(r, f));
    if (!rule) return f;
    used.add(rule);
    return { ...f, ignoredBy: { id: rule.id, reason: rule.reason, until: rule.until, source: rule.source } };
  });
  for (const r of active) if (!used.has(r)) notes.push({ kind: 'stale', message: `${describe(r)} matches nothing; remove it` });
  return { findings: out, notes };
}
