/**
 * The JSON contract for scan findings (docs/cli-contract.md, `depwatch scan`): snake_case like the
 * audit's, add fields freely, never rename or drop one. A secret's value is not in CodeFinding at
 * all, so it cannot reach this output.
 */
import { commitJson } from './history/json.js';
import type { CommitRef } from './history/scan-history.js';
import type { CodeFinding, ScanResult } from './types.js';

/** A finding; with `depwatch scan --history`, a secret the history has also says its first commit and whether the working tree still has it. */
export function codeFindingJson(f: CodeFinding & { commit?: CommitRef; inWorkingTree?: boolean }) {
  return {
    kind: f.kind,
    rule: f.rule,
    severity: f.severity,
    confidence: f.confidence,
    file: f.file,
    line: f.line,
    column: f.column,
    message: f.message,
    fix: f.fix,
    ...(f.secret ? { secret: { kind: f.secret.kind, fingerprint: f.secret.fingerprint } } : {}),
    ...(f.ignoredBy ? { ignored_by: f.ignoredBy } : {}),
    ...(f.commit ? { commit: commitJson(f.commit), in_working_tree: f.inWorkingTree === true } : {}),
  };
}

/** `depwatch scan --json`: the scan and its target. */
export function scanJson(target: string, result: ScanResult) {
  return { target, ...codeScanJson(result) };
}

/** The scan part, also `code` in `depwatch audit --json`. */
export function codeScanJson(result: ScanResult) {
  return {
    findings: result.findings.map(codeFindingJson),
    ignored: result.ignored.map(codeFindingJson),
    skipped: result.skipped.map((s) => ({ path: s.path, reason: s.reason, message: s.message, partial: s.partial })),
    // An `excluded` note names its entry and how many files it kept out (`manifests` is the audit's count, not the scan's).
    notes: result.notes.map(({ exclusion, settingsFile: _, ...n }) => (exclusion ? { ...n, excluded: { path: exclusion.path, reason: exclusion.reason, source: exclusion.source, files: exclusion.files ?? 0 } } : n)),
    stats: {
      // `files` is every file listed; `scanned_files` those read and scanned (the same as text_files).
      files: result.stats.files,
      scanned_files: result.stats.textFiles,
      not_scanned_files: result.stats.files - result.stats.textFiles,
      text_files: result.stats.textFiles,
      python_files: result.stats.pythonFiles,
      binary_files: result.stats.binaryFiles,
      bytes: result.stats.bytes,
    },
    partial: result.partial,
    fingerprint_scope: result.fingerprintScope,
  };
}
