/** What every scan rule declares about itself, whatever it looks at. */
import type { Suppression } from './suppressions.js';
import type { CodeFindingKind, Confidence, ScanSeverity } from './types.js';

export interface RuleInfo {
  /** Stable id: ignores, `# depwatch: ignore[id]`, SARIF and JSON name it. Never rename one. */
  id: string;
  kind: CodeFindingKind;
  /** The usual severity and confidence; a rule may report a finding higher or lower when it knows more. */
  severity: ScanSeverity;
  confidence: Confidence;
  /** A few words (SARIF `shortDescription`). */
  title: string;
  /** Why it matters and what to do instead, a short paragraph (SARIF `help`). */
  help: string;
  /** Bandit test ids for the same problem, so `# nosec B602` written for bandit also covers ours. */
  bandit?: string[];
}

/** What a rule hands back; the scanner adds kind, rule id, file and the defaults. */
export interface Report {
  line: number | null;
  column: number | null;
  message: string;
  fix: string;
  severity?: ScanSeverity;
  confidence?: Confidence;
  /**
   * Python: the statement the finding is in (for a compound statement, its header up to the `:`).
   * A suppression on its first or last line applies as well as one on the finding's own line.
   */
  statement?: { line: number; endLine: number };
  secret?: { kind: string; fingerprint: string };
  /**
   * A notebook's code: the inline suppression that covers the finding, already read from the
   * comments of its cell (null: none does), and where it is written (`cell 3, line 2`). The file's
   * own lines are JSON, where no comment is: they are not read for one then.
   */
  inline?: { marker: Suppression; where: string } | null;
}
