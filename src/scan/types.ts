/**
 * What the code and configuration scanner reports. Everything here is plain data (no classes, no
 * functions, no Buffers in results) so a scan can run in a worker thread and post its result back by
 * structured clone.
 */
import type { Exclusion } from '../audit/exclude.js';
import type { Severity } from '../audit/findings.js';

/** `code`: Python source rules; `secret`: credentials in any text file; `file`: files that should not be committed; `runtime`: containers and manifests. */
export type CodeFindingKind = 'code' | 'secret' | 'file' | 'runtime';

/** A scan rule never says `unknown`: it knows how bad what it found is. */
export type ScanSeverity = Exclude<Severity, 'unknown'>;

/** How sure the rule is that what it matched is the problem it names (not how bad the problem is). */
export type Confidence = 'high' | 'medium' | 'low';

export const CONFIDENCE_ORDER: Confidence[] = ['high', 'medium', 'low'];

export interface CodeFinding {
  kind: CodeFindingKind;
  /** Stable rule id (`py-eval-exec`, `secret-github-token`, `docker-root-user`…): ignores and suppressions name it. */
  rule: string;
  severity: ScanSeverity;
  confidence: Confidence;
  /** Relative to the scanned root, `/` separators. */
  file: string;
  /** 1-based; null when the finding is about the file as a whole (a committed `.env`). */
  line: number | null;
  /** 1-based, in UTF-16 code units (SARIF's default column unit); null with line. */
  column: number | null;
  /** Why it matters, in a sentence or two. Never holds a secret's value. */
  message: string;
  /** What to do instead. */
  fix: string;
  /** Secrets only: what kind of credential and a keyed fingerprint of its value (never the value). */
  secret?: { kind: string; fingerprint: string };
  /**
   * A digest of the finding's own line, whitespace-normalised (lineDigests in scan.ts): what tells
   * this finding apart when lines above it are added or removed (SARIF `partialFingerprints`).
   * Absent for a file-level finding, a secret (its keyed fingerprint stands for it) and any finding
   * on a line that holds a credential: a plain hash of such a line is a guessable hash of the
   * credential. Not in the JSON.
   */
  content?: string;
  /** Set when an inline suppression or a `.depwatch.yml` ignore covers the finding (kept apart, not dropped). */
  ignoredBy?: { id: string; reason: string; until: string | null; source: string };
}

/** Why a file was not (fully) scanned. */
/**
 * `not-utf8` also: a Python file whose PEP 263 cookie names a codec the scanner does not decode, or
 * that its bytes do not follow, and a file with NULs that looks like text but decodes as neither
 * UTF-8 nor UTF-16 (not scanned at all); `nul-byte`: a Python file with a NUL byte (code rules not run).
 */
export type SkipReason = 'too-large' | 'not-utf8' | 'nul-byte' | 'parse-timeout' | 'rule-timeout' | 'wide-syntax-error' | 'unreadable' | 'symlink' | 'not-regular';

export interface SkippedFile {
  path: string;
  reason: SkipReason;
  /** One clear line: what was not done and why. */
  message: string;
  /** Whether something that should have been checked was not, so the result is partial. */
  partial: boolean;  /** Set when `path` is a folder the walk could not list: why (see ExtractError.unlistedBecause). */
  unlistedBecause?: string;
  /** Set when the scan did not run because GitHub failed: the same scan may run next time (PartialReason.transient). Not in the JSON. */
  transient?: true;
}

export interface ScanNote {
  /**
   * syntax: a file parsed with errors (rules ran on the rest); error: a rule failed on a file;
   * incomplete: part of a file could not be read for its rules (a Dockerfile here-document never
   * closed); truncated: a file had more findings than one file may list, so some are not listed;
   * ignored-truncated: the same for findings that were ignored (nothing the gate needs is lost);
   * expired, stale, invalid: about ignores; excluded: files an `exclude:` entry of `.depwatch.yml`
   * kept out of the scan (the user's decision: said, not partial); binary: a file named like source
   * or settings (`.py`, `.env`, `.yml`, a Dockerfile…) that is not text (a NUL byte in its first
   * 8 KB and not UTF-8), passed over (said, not partial); skipped-folders: folders every scan skips
   * by name (`node_modules`, `venv`, `__pycache__`…) that the tree holds, not scanned, not even for
   * secrets (documented, so said, not partial); unfollowed: a workflow step gives untrusted text to
   * a local action (`uses: ./…`) that is not in the tree, so what it does with it was not checked
   * (not the tree's code, as a remote action is not: said, not partial). `error`, `incomplete` and
   * `truncated` make the result partial.
   */
  kind: 'expired' | 'stale' | 'invalid' | 'syntax' | 'error' | 'incomplete' | 'truncated' | 'ignored-truncated' | 'excluded' | 'binary' | 'skipped-folders' | 'unfollowed';
  message: string;
  /** The file concerned, when the note is about one (incomplete, truncated). */
  file?: string;
  /** With `excluded`: the entry and how many files it kept out (`files`; `manifests` is 0 here). */
  exclusion?: Exclusion;
  /** With `invalid`: the settings file it is about (`.depwatch.yml`); not in the JSON. */
  settingsFile?: string;
}

/**
 * Whether a note means the result is missing something it should hold (a rule that did not run,
 * part of a file the rules did not see, findings that are not listed), so the result is partial
 * and the note is one of its reasons.
 */
export function isPartialNote(note: ScanNote): boolean {
  return note.kind === 'error' || note.kind === 'incomplete' || note.kind === 'truncated';
}

export interface ScanStats {
  /** Files listed under the root (outside skipped folders and paths `exclude:` keeps out): not all of them are scanned. */
  files: number;
  /**
   * Files read and scanned (for secrets at least): the files scanned. The others listed were not:
   * too large, unreadable (in `skipped`) or binary (`binaryFiles`).
   */
  textFiles: number;
  /** Python files parsed and run through the code rules. */
  pythonFiles: number;
  /** Files passed over because they are binary (they cannot hold code, and secret formats here are text). */
  binaryFiles: number;
  bytes: number;
}

/** A rule's words for reports that describe rules apart from results (SARIF `rules`). */
export interface ScanRuleText {
  id: string;
  kind: CodeFindingKind;
  title: string;
  help: string;
}

export interface ScanResult {
  /** Findings not covered by any suppression or ignore, worst first. */
  findings: CodeFinding[];
  /** Findings covered by an inline suppression or an ignore, each with `ignoredBy`. */
  ignored: CodeFinding[];
  skipped: SkippedFile[];
  notes: ScanNote[];
  stats: ScanStats;
  /** True when a file that should have been scanned was not (fail closed: say so, never pass silently). */
  /**
   * `installation`: fingerprints were keyed with the installation's key (DEPWATCH_FINGERPRINT_KEY)
   * and compare across scans; `run`: with a random key, comparable within this result only.
   */
  fingerprintScope: 'installation' | 'run';
  /** The rules behind `findings` and `ignored`, by id order, with their title and help. */
  rules: ScanRuleText[];
  partial: boolean;
}
