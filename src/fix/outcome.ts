/**
 * What one `depwatch fix` run did (or, with --dry-run, would do), its JSON (the CLI contract: add
 * fields freely, never rename or drop one) and its exit status.
 */
import type { AuditResult } from '../audit/audit.js';
import { partialReasonJson, reasonsOf } from '../audit/partial.js';
import { redactSecrets } from '../redact.js';
import type { FixPlan } from './plan.js';

export interface FixOutcome {
  /** The folder fixed, as given. */
  target: string;
  dryRun: boolean;
  audit: Pick<AuditResult, 'errors' | 'warnings' | 'notices' | 'partial' | 'partialReasons' | 'advisorySource'>;
  plan: FixPlan;
  /** Files written (none on a dry run). */
  written: string[];
  /** Files that could not be written, one line each. */
  writeErrors: { file: string; message: string }[];
  /** The unified diff of the planned edits (dry runs), with no credential in it. */
  diff?: string;
  /** Files whose part of the diff shows a credential masked, so it does not apply to them as printed (diff.ts). */
  diffUnappliable?: string[];
  /** Changed files written back in an encoding other than UTF-8 (UTF-16), by path: "UTF-16 LE with a byte order mark". */
  encodings?: ReadonlyMap<string, string>;
}

/**
 * Vulnerable releases still installed once this run is over (ignored ones do not count, as in
 * `audit`): those not fixed, and those left alone that stay installed, among them a release
 * installed from a URL or VCS (`non-registry`), also when its registry pins elsewhere were moved.
 */
export function stillVulnerable(outcome: FixOutcome): number {
  const unwritten = new Set(outcome.writeErrors.map((e) => e.file));
  const notFixed = outcome.plan.fixes.filter((f) => {
    if (f.status !== 'fixed') return true;
    if (outcome.dryRun) return true;
    return outcome.plan.changes.some((c) => c.package === f.package && c.fromVersion === f.from && unwritten.has(c.file));
  });
  const staying = new Set<string>(['no-fix', 'malicious', 'not-found', 'non-registry', 'unverified']);
  const unfixable = outcome.plan.leftAlone.filter((l) => staying.has(l.kind));
  return new Set([...notFixed.map((f) => `${f.package}@${f.from}`), ...unfixable.map((l) => `${l.package}@${l.version}`)]).size;
}

/**
 * A fix's status once written: `not-written` when a file holding one of its changes was not
 * written (the plan said `fixed`, the files say otherwise). A dry run reports the plan's.
 */
export function statusAfterWriting(outcome: FixOutcome, fix: FixPlan['fixes'][number]): FixPlan['fixes'][number]['status'] | 'not-written' {
  if (outcome.dryRun || outcome.writeErrors.length === 0) return fix.status;
  const unwritten = new Set(outcome.writeErrors.map((e) => e.file));
  const held = outcome.plan.changes.some((c) => c.package === fix.package && c.fromVersion === fix.from && unwritten.has(c.file));
  return held ? 'not-written' : fix.status;
}

/** A file not written leaves the fix incomplete: partial, as anything not read or not reached is. */
export const isPartialFix = (outcome: FixOutcome): boolean => outcome.audit.partial || outcome.writeErrors.length > 0;

/** Why the dry run's diff does not apply to `file` as printed. */
export const unappliableLine = (file: string): string =>
  `the patch for ${file} shows a line holding a credential masked (a changed line, or the one right after a change), so it does not apply to that file as printed: apply that change by hand, or run without --dry-run`;

export const FIX_EXIT = { ok: 0, vulnerable: 1, error: 2 } as const;

/**
 * 2 when a file could not be written; else 1 when something vulnerable is left (not fixable, left
 * alone, waiting for a lock command, or not written because this was a dry run); else 2 when the
 * audit was partial (fail closed: a fix of a partial audit may have missed something); else 0.
 */
export function fixExitStatus(outcome: FixOutcome): number {
  if (outcome.writeErrors.length > 0) return FIX_EXIT.error;
  if (stillVulnerable(outcome) > 0) return FIX_EXIT.vulnerable;
  return outcome.audit.partial ? FIX_EXIT.error : FIX_EXIT.ok;
}

export function fixJson(outcome: FixOutcome) {
  const { plan } = outcome;
  const advisoriesOf = (pkg: string, from: string) => plan.fixes.find((f) => f.package === pkg && f.from === from)?.advisories ?? [];
  const json = {
    target: outcome.target,
    dry_run: outcome.dryRun,
    fixes: plan.fixes.map((f) => ({ package: f.package, from: f.from, to: f.to, status: statusAfterWriting(outcome, f), advisories: f.advisories })),
    changes: plan.changes.map((c) => ({
      file: c.file,
      line: c.line,
      lines: c.lines,
      package: c.package,
      from: c.before,
      to: c.after,
      from_version: c.fromVersion,
      to_version: c.toVersion,
      advisories: advisoriesOf(c.package, c.fromVersion),
      hashes_removed: c.hashesRemoved,
    })),
    lock_commands: plan.lockCommands.map((l) => ({
      lockfile: l.lockfile,
      directory: l.directory,
      command: l.command,
      packages: l.packages,
      required: l.required,
      reason: l.reason,
    })),
    left_alone: plan.leftAlone.map((l) => ({ kind: l.kind, package: l.package, version: l.version, file: l.file, line: l.line, advisories: l.advisories, reason: l.reason })),
    notes: plan.notes,
    written: outcome.written,
    still_vulnerable: stillVulnerable(outcome),
    errors: [...outcome.audit.errors.map((e) => ({ file: e.file, line: e.line, message: e.message })), ...outcome.writeErrors.map((e) => ({ file: e.file, line: null, message: e.message }))],
    warnings: outcome.audit.warnings,
    notices: outcome.audit.notices,
    partial: isPartialFix(outcome),
    partial_reasons: [
      ...reasonsOf(outcome.audit).map(partialReasonJson),
      ...outcome.writeErrors.map((e) => ({ kind: 'not-written' as const, file: e.file, line: null, message: e.message })),
    ],
    advisory_source: outcome.audit.advisorySource,
    ...(outcome.diff !== undefined ? { diff: outcome.diff } : {}),
    ...(outcome.diffUnappliable?.length ? { diff_not_applicable: outcome.diffUnappliable.map((file) => ({ file, reason: unappliableLine(file) })) } : {}),
  };
  return redactStrings(json);
}

/** Every string of a JSON value with secrets masked (manifest text can hold index URLs with passwords). */
function redactStrings<T>(value: T): T {
  if (typeof value === 'string') return redactSecrets(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => redactStrings(v)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactStrings(v)])) as T;
  }
  return value;
}
