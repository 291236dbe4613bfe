/**
 * The shapes of a fix: what to move where (targets), how one file's text changes (edits), what was
 * changed for the user to read (changes), and what was not touched and why (left alone). Pure data,
 * shared by the rewriters, the planner, `depwatch fix` and (later) the "Open fix PR" button.
 */
import type { ManifestFormat } from '../python/types.js';

/** One vulnerable release to move: every advisory of `name` `from` is cleared by `to` (the audit's fix.version). */
export interface FixTarget {
  name: string;
  from: string;
  to: string;
  /** Ids of the (not ignored) findings the move clears. */
  advisories: string[];
}

/** A replacement of `text.slice(start, end)` in a file's original text. Edits of one file never overlap. */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

/** One requirement rewritten, as the user reads it. */
export interface EntryChange {
  file: string;
  /** 1-based line of the requirement in the file as it was. */
  line: number;
  /** Every line of the original file the edit touched (a requirement and its `--hash` continuation lines). */
  lines: { first: number; last: number };
  package: string;
  /** The version constraint as written before and after (`==2.1.5` → `==2.1.11`, `^0.65.1` → `^0.66.0`). */
  before: string;
  after: string;
  /** The vulnerable release it moves away from, and the fixed one it now admits. */
  fromVersion: string;
  toVersion: string;
  /** `--hash` options of the old release removed from this requirement (requirements files only). */
  hashesRemoved: number;
}

export type LeftAloneKind =
  /** Covered by an ignore (.depwatch.yml or a channel's). */
  | 'ignored'
  /** No release fixes every advisory (or none is known yet). */
  | 'no-fix'
  /** An OSV MAL- record: the answer is removing it, not upgrading. */
  | 'malicious'
  /** Installed from a VCS, a URL or a path: there is no version to move. */
  | 'non-registry'
  /** Written in a way the rewriter does not understand, or a constraint it will not widen (`!=` the fix, `||`). */
  | 'not-understood'
  /** In a file format `depwatch fix` does not rewrite (setup.cfg). */
  | 'unsupported-format'
  /** The pin the audit reported is not in the files given (they changed, or were not passed). */
  | 'not-found'
  /** Online, PyPI's release list could not be read, so the fix version was not checked as published and not yanked: not written. */
  | 'unverified';

/** A finding, or one requirement, that the fix did not act on, with the reason in words. */
export interface LeftAlone {
  kind: LeftAloneKind;
  package: string | null;
  version: string | null;
  file: string | null;
  line: number | null;
  advisories: string[];
  reason: string;
}

/** What one rewriter did to one file. */
export interface RewriteResult {
  edits: TextEdit[];
  changes: EntryChange[];
  leftAlone: LeftAlone[];
  /** Hashes removed, per package, so the planner can say which file needs re-hashing. */
  rehash: { package: string; from: string; line: number; removed: number }[];
}

/** One rewriter per manifest format, behind this interface (like the parsers in src/python/formats). */
export interface ManifestRewriter {
  format: ManifestFormat;
  /**
   * Pure: the file's text (as read, BOM and line endings included) and the moves wanted → edits of
   * the exact spans that pin or constrain the moved packages. An entry is rewritten only when it
   * admits the vulnerable release and not the fix; one that already admits the fix is left as it is
   * (the lock is what needs regenerating). Never throws on bad input: what it does not understand is
   * in `leftAlone`.
   */
  rewrite(text: string, file: string, targets: readonly FixTarget[]): RewriteResult;
  /**
   * The same rewrite with the file read once, for callers asking about many entries of one file in
   * turn (the audit's fix advice): `prepare(text, file)(targets)` is `rewrite(text, file, targets)`.
   */
  prepare?(text: string, file: string): (targets: readonly FixTarget[]) => RewriteResult;
}
