/**
 * GitHub code scanning's hard limits on a SARIF upload ("SARIF results exceed hard limit" in its
 * documentation): a file over any of them is rejected whole, so a CI gate that uploads it shows
 * nothing at all. Those Depwatch can reach, and how each is kept:
 *
 * - 25,000 results per run: the most severe are kept (the order every report uses: worst first,
 *   unrated where --unknown-as puts them, dependency findings before code findings of one level).
 * - 1,000 locations per result: a release pinned in more places than that lists the first ones.
 * - 25,000 rules per run: held by the first, as only the rules of the results kept are listed
 *   when there would be more (see renderSarifChunks).
 *
 * Whatever is left out makes the SARIF partial (its invocation not successful, an `error`
 * notification each, saying how much and that `--json` lists it all), and the CLI says so and exits 2
 * unless findings already fail it: a gate never passes on a report that is not whole. The renderer
 * works the cut out once and hands it to the CLI with the text (sarifReport), so what the file says
 * and what the exit status says cannot differ. The others (20 runs per file, 100 tool extensions,
 * 20 tags per rule, thread flows) Depwatch never comes near: one run, no extensions, at most four
 * tags, no thread flows. The 10 MB limit is on the file as uploaded, gzip-compressed: 25,000 results
 * of a generated tree (24 MB of SARIF) gzip to 0.35 MB, as messages and help are bounded texts; only
 * paths thousands of characters long could approach it.
 */
import type { AuditResult } from '../audit/audit.js';
import { DEFAULT_UNKNOWN_AS, severityRank, type Finding } from '../audit/findings.js';
import type { CodeFinding } from '../scan/types.js';
import { severityCounts } from './summary.js';

export const GITHUB_SARIF_LIMITS: SarifLimits = { resultsPerRun: 25_000, locationsPerResult: 1_000, rulesPerRun: 25_000 };

/** The limits a SARIF is kept within: GitHub's, or smaller ones in tests. */
export interface SarifLimits {
  readonly resultsPerRun: number;
  readonly locationsPerResult: number;
  readonly rulesPerRun: number;
}

/** What one SARIF run holds: the findings kept, and why it is not whole (one sentence each). */
export interface SarifSelection {
  findings: readonly Finding[];
  codeFindings: readonly CodeFinding[];
  /** Each a notification `depwatch/partial/sarif-limit` and a PARTIAL line of the CLI. */
  leftOut: string[];
}

/** The command whose JSON lists everything the SARIF left out. */
export type SarifCommand = 'audit' | 'scan';

/** "1 result", "5,001 results". */
const counted = (n: number, noun: string) => `${n.toLocaleString('en')} ${noun}${n === 1 ? '' : 's'}`;

export function sarifSelection(result: AuditResult, command: SarifCommand = 'audit', limits: SarifLimits = GITHUB_SARIF_LIMITS): SarifSelection {
  const code = result.code?.findings ?? [];
  const total = result.findings.length + code.length;
  const leftOut: string[] = [];
  let findings: readonly Finding[] = result.findings;
  let codeFindings: readonly CodeFinding[] = code;
  const limit = limits.resultsPerRun;
  if (total > limit) {
    const unknownAs = result.unknownAs ?? DEFAULT_UNKNOWN_AS;
    // Both lists are worst first already; a stable sort of the two by level keeps that order within each.
    const all = [...result.findings.map((f) => ({ rank: severityRank(f.severity, unknownAs), f, code: false })), ...code.map((f) => ({ rank: severityRank(f.severity, unknownAs), f, code: true }))];
    all.sort((a, b) => b.rank - a.rank);
    const kept = new Set<Finding | CodeFinding>(all.slice(0, limit).map((e) => e.f));
    const dropped = all.slice(limit).map((e) => e.f);
    findings = result.findings.filter((f) => kept.has(f));
    codeFindings = code.filter((f) => kept.has(f));
    leftOut.push(
      `the SARIF leaves out ${counted(dropped.length, 'result')} of ${total.toLocaleString('en')}, the least severe (${severityCounts(dropped, unknownAs)}): GitHub code scanning rejects a run of more than ${limit.toLocaleString('en')}; "depwatch ${command} --json" lists them all`,
    );
  }
  const crowded = findings.filter((f) => (f.locations?.length ?? 0) > limits.locationsPerResult).length;
  if (crowded > 0) {
    leftOut.push(
      `the SARIF lists only the first ${limits.locationsPerResult.toLocaleString('en')} places of ${counted(crowded, 'result')} pinned in more (GitHub code scanning rejects a result with more locations); "depwatch ${command} --json" lists them all`,
    );
  }
  return { findings, codeFindings, leftOut };
}
