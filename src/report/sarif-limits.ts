/**
 * GitHub code scanning's hard limits on a SARIF upload ("SARIF results exceed hard limit" in its
 * documentation): a file over any of them is rejected whole, so a CI gate that uploads it shows
 * nothing at all. Those Depwatch can reach, and how each is kept:
 *
 * - 25,000 results per run: the most severe are kept (the order every report uses: worst first,
 *   unrated where --unknown-as puts them, dependency findings before code findings of one level).
 * - 1,000 locations per result: a release pinned in more places than that lists the first ones.
 * - 25,000 rules per run: held by the first, as only the rules of the results kept are listed
 *   when there would be more (see sarifChunks in sarif.ts).
 * - 10 MB per file as uploaded, gzip-compressed ("SARIF file is too large"): more of the least
 *   severe results are left out until the file fits (fitGzipped, measured by sarif-size.ts). Bounded
 *   texts compress well (25,000 results of a generated tree, 24 MB of SARIF, gzip to 0.35 MB), so
 *   only long unique texts (paths, messages) reach it.
 *
 * Whatever is left out makes the SARIF partial (its invocation not successful, an `error`
 * notification each, saying how much and that `--json` lists it all), and the CLI says so and exits 2
 * unless findings already fail it: a gate never passes on a report that is not whole. The renderer
 * works the cut out once and hands it to the CLI with the text (sarifReport), so what the file says
 * and what the exit status says cannot differ. The others (20 runs per file, 100 tool extensions,
 * 20 tags per rule, thread flows) Depwatch never comes near: one run, no extensions, at most four
 * tags, no thread flows.
 */
import type { AuditResult } from '../audit/audit.js';
import { DEFAULT_UNKNOWN_AS, severityRank, type Finding, type RatedSeverity } from '../audit/findings.js';
import type { CodeFinding } from '../scan/types.js';
import { severityCounts } from './summary.js';

/**
 * `gzippedBytes`: GitHub says "10 MB" of the gzip-compressed file; 10,000,000 bytes is the smaller
 * reading of that, so a file kept under it is accepted either way.
 */
export const GITHUB_SARIF_LIMITS: SarifLimits = { resultsPerRun: 25_000, locationsPerResult: 1_000, rulesPerRun: 25_000, gzippedBytes: 10_000_000 };

/** The limits a SARIF is kept within: GitHub's, or smaller ones in tests. */
export interface SarifLimits {
  readonly resultsPerRun: number;
  readonly locationsPerResult: number;
  readonly rulesPerRun: number;
  readonly gzippedBytes: number;
}

/** What one SARIF run holds: the findings kept, and why it is not whole (one sentence each). */
export interface SarifSelection {
  findings: readonly Finding[];
  codeFindings: readonly CodeFinding[];
  /** The results of the whole result, before any was left out. */
  total: number;
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
  return { findings, codeFindings, total, leftOut };
}

/**
 * A point of the compressed SARIF between two pieces of its text: `bytes` of deflate output hold at
 * least the first `written` results whole, and nothing of any result after the first `started`
 * (results in the order the file lists them: dependency results, then code results).
 */
export interface SizeMark {
  written: number;
  started: number;
  bytes: number;
}

/** The SARIF of a selection as measured by sarif-size.ts: its marks in order, the last after every result. */
export interface CompressedSizes {
  marks: readonly SizeMark[];
  /** The whole file gzip-compressed: the deflate output and gzip's header and trailer. */
  total: number;
}

/** gzip's header (10 bytes) and trailer (8). */
export const GZIP_FRAME_BYTES = 18;
/** What follows the last result: the closing brackets, under a hundred bytes. */
const TAIL_BYTES = 128;
/** The notification that says what the cut left out, over twice its length (its text is under 400 characters). */
const NOTIFICATION_BYTES = 1_024;

/**
 * The room the results have: the measure is of pieces compressed one after the other (see
 * sarif-size.ts), within a percent of one pass over the whole file and above it in every file tried;
 * half a percent of the limit is kept back against a file where it would come out below.
 */
const gzipBudget = (limit: number) => limit - Math.ceil(limit / 200);

/** "10 MB", "200 kB": the limit as the notification names it. */
const sizeText = (bytes: number) => (bytes >= 1_000_000 ? `${(bytes / 1_000_000).toLocaleString('en')} MB` : `${(bytes / 1_000).toLocaleString('en')} kB`);

/**
 * The selection whose SARIF fits in `limit` bytes gzip-compressed: `selection` itself when its file
 * (measured as `sizes`) does, else with the least severe results left out, one at a time, until the
 * estimate fits, and a sentence more in `leftOut`. Linear in the results: the kept ones are always
 * the first of each list (both are worst first), so the estimate of keeping `a` dependency results
 * and `b` code results is read off the marks, from the file's start to the last of the `a`, and from
 * before the first code result to the last of the `b`. Each span counts the whole piece it ends in,
 * and the rules, which only get fewer as results go, are counted as measured: it may leave out a few
 * more than needed, never too few by the measure.
 */
export function fitGzipped(selection: SarifSelection, sizes: CompressedSizes, unknownAs: RatedSeverity, command: SarifCommand, limit: number): SarifSelection {
  const budget = gzipBudget(limit);
  if (sizes.total <= budget) return selection;
  const deps = selection.findings;
  const code = selection.codeFindings;
  const count = deps.length + code.length;
  // throughResult[r]: the compressed bytes up to a point where the first r results are written whole.
  const throughResult = new Array<number>(count + 1);
  let m = 0;
  for (let r = 0; r <= count; r++) {
    while (m < sizes.marks.length - 1 && sizes.marks[m]!.written < r) m++;
    throughResult[r] = sizes.marks[m]!.bytes;
  }
  // The bytes up to the last point before any code result began: the code results' span starts there.
  let beforeCode = 0;
  for (const mark of sizes.marks) if (mark.started <= deps.length) beforeCode = mark.bytes;
  const fixed = GZIP_FRAME_BYTES + TAIL_BYTES + NOTIFICATION_BYTES;
  const estimate = (a: number, b: number) => throughResult[a]! + (b > 0 ? throughResult[deps.length + b]! - beforeCode : 0) + fixed;
  let a = deps.length;
  let b = code.length;
  // The last in the reports' order goes first: the least severe, a code result before a dependency result of its level.
  while ((a > 0 || b > 0) && estimate(a, b) > budget) {
    if (b > 0 && (a === 0 || severityRank(code[b - 1]!.severity, unknownAs) <= severityRank(deps[a - 1]!.severity, unknownAs))) b--;
    else a--;
  }
  const dropped = [...deps.slice(a), ...code.slice(b)];
  // Rules and notifications alone over the limit (never seen: they are bounded texts): said, never passed.
  const stillOver = estimate(a, b) > budget ? [`the SARIF is over ${sizeText(limit)} gzip-compressed without any result (its rules and notifications): GitHub code scanning will reject it; "depwatch ${command} --json" lists everything`] : [];
  // After the cut to 25,000 results, these are more of the results that cut kept.
  const what = count < selection.total ? `also leaves out ${dropped.length.toLocaleString('en')} of the ${counted(count, 'result')} it kept` : `leaves out ${counted(dropped.length, 'result')} of ${count.toLocaleString('en')}`;
  return {
    findings: deps.slice(0, a),
    codeFindings: code.slice(0, b),
    total: selection.total,
    leftOut: [
      ...selection.leftOut,
      ...(dropped.length > 0 ? [`the SARIF ${what}, the least severe (${severityCounts(dropped, unknownAs)}): GitHub code scanning rejects a file over ${sizeText(limit)} gzip-compressed; "depwatch ${command} --json" lists them all`] : []),
      ...stillOver,
    ],
  };
}
