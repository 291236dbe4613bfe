/**
 * What an audit reports. The JSON form (findingJson) is the CLI contract: add fields freely, never
 * rename or drop one.
 */
import { compareCodeUnits, compareText, ordersByCodeUnits } from '../text-order.js';

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info' | 'unknown';

/** A level a source (or a rule) gives; `unknown` means the advisory carries no rating at all. */
export type RatedSeverity = Exclude<Severity, 'unknown'>;

/**
 * How an advisory no source rated is treated for gating (--fail-on) and ordering, unless the user
 * (--unknown-as) or the channel (/audit settings) says otherwise. 92% of the PyPA records carry no
 * rating, SQL injections and code execution among them: a gate must not wave those through, so
 * unrated counts as high. The finding keeps `unknown` as its severity and is labelled UNRATED_LABEL.
 */
export const DEFAULT_UNKNOWN_AS: RatedSeverity = 'high';
export const UNRATED_LABEL = 'not rated by the source';
/** Levels --unknown-as and the channel setting accept. */
export const UNKNOWN_AS_LEVELS: readonly RatedSeverity[] = ['critical', 'high', 'medium', 'low'];

const RATED_ORDER: readonly RatedSeverity[] = ['critical', 'high', 'medium', 'low', 'info'];

/** Worst first, `unknown` right after the level it is treated as (rated findings of a level come first). */
export function severityOrder(unknownAs: RatedSeverity = DEFAULT_UNKNOWN_AS): Severity[] {
  const at = RATED_ORDER.indexOf(unknownAs) + 1;
  return [...RATED_ORDER.slice(0, at), 'unknown', ...RATED_ORDER.slice(at)];
}

/** Worst first, with unrated treated as DEFAULT_UNKNOWN_AS. */
export const SEVERITY_ORDER: Severity[] = severityOrder();

/** The level a finding counts as for gating. */
export const effectiveSeverity = (s: Severity, unknownAs: RatedSeverity = DEFAULT_UNKNOWN_AS): RatedSeverity => (s === 'unknown' ? unknownAs : s);

/** Each order's ranks, built once per level: sorting 100,000 findings compares millions of times. */
const RANKS = new Map<RatedSeverity, ReadonlyMap<Severity, number>>(
  RATED_ORDER.map((level) => {
    const order = severityOrder(level);
    return [level, new Map(order.map((s, i) => [s, order.length - i]))];
  }),
);

/** Higher is worse; orders `unknown` as severityOrder does. */
export const severityRank = (s: Severity, unknownAs: RatedSeverity = DEFAULT_UNKNOWN_AS): number => RANKS.get(unknownAs)?.get(s) ?? 0;

export type FindingKind =
  | 'vulnerability'
  | 'malicious'
  | 'outdated'
  | 'yanked'
  | 'unpinned'
  | 'no-lockfile'
  | 'no-hashes'
  | 'incomplete-hashes'
  | 'non-registry-source'
  | 'extra-index-url'
  | 'python-eol'
  | 'typosquat'
  | 'not-on-index';

export interface Fix {
  /** The version to move to, when one version fixes it. */
  version: string | null;
  /** What to do, in one or two sentences. */
  text: string;
  /** For upgrades: the same advice as data, so each report format can render it in its own syntax. */
  advice?: UpgradeAdvice;
  /**
   * Set when the registry was asked but did not give the package's release list (PyPI failed for
   * it, or had not answered yet): `version` is the advisory's fixed event as written, not checked as
   * published and not yanked. `depwatch fix` and the fix pull request do not write it (src/fix/plan.ts).
   * Kept with the stored finding (a sweep's finding opens a pull request too); not in the JSON report.
   */
  unverified?: true;
}

/**
 * Places listed per finding (locations, edits, constraints). A release pinned at thousands of lines
 * (a hostile or generated manifest) would otherwise make every finding, the stored audit and the
 * Slack reply grow with the product of findings and places; the rest are counted, never dropped
 * silently.
 */
export const MAX_LISTED_PLACES = 20;

/** How to move one installed release to a fixed one (see src/audit/rules/fix-hints.ts). */
export interface UpgradeAdvice {
  package: string;
  from: string;
  to: string;
  /**
   * The declared requirements that govern the release: exact pins (`pin`), and the ranges its
   * lockfiles resolve, each with whether it admits `to` (null when it cannot be read as PEP 440).
   */
  constraints: { file: string; line: number | null; specifier: string; admits: boolean | null; pin: boolean }[];
  /**
   * What to write where, in each file's own syntax (`django==2.2.28`, `django = "^2.2.28"`);
   * `rehash` when the requirement has `--hash` options, which the new release needs replaced;
   * `lastHashes` when they are the last of their file (no `--require-hashes` there either): pip
   * checks hashes only while one is there, so they are replaced by new ones, never dropped.
   * `hashedBy`: the compiler the file's header names, which re-hashes it (as `depwatch fix` says;
   * absent when none does).
   */
  edits: { file: string; line: number | null; write: string; rehash?: boolean; lastHashes?: boolean; hashedBy?: 'pip-compile' | 'uv-pip-compile' }[];
  /** What to run afterwards (re-lock, recompile), and in which directory (`.` is the root). */
  commands: { run: string; dir: string }[];
  /** A lock entry the project does not declare: it comes in through another package. */
  transitive: boolean;
  /** Edits and constraints beyond MAX_LISTED_PLACES, counted rather than listed. */
  placesOmitted?: number;
  /**
   * When the release is in more than one project (a lock and the manifests it resolves; pins no
   * lock resolves are one more, `project: null`): the same advice split per project, so each
   * command is said with the files it regenerates from and no others. The fields above are their
   * union. Absent for one project.
   */
  projects?: ProjectAdvice[];
  /**
   * Constraints of the project that exclude the fix and that `depwatch fix` leaves as written (a
   * `-c` file's `!=` of the fix): fix moves no pin of the release while one stays, so the advice
   * says to change it first, with fix's reason. Absent when none; not part of the JSON (its text is).
   */
  held?: { file: string; line: number | null; reason: string }[];
}

/** What to change and run: of every place (UpgradeAdvice) or of one project (ProjectAdvice). */
export interface AdvicePlaces {
  constraints: UpgradeAdvice['constraints'];
  edits: UpgradeAdvice['edits'];
  commands: UpgradeAdvice['commands'];
  transitive: boolean;
  placesOmitted?: number;
}

/** The upgrade advice of one project: `project` names its lockfile (or the compiled file), null for pins no lock resolves. */
export interface ProjectAdvice extends AdvicePlaces {
  project: string | null;
}

/** One place an installed release is pinned, locked or declared. */
export interface FindingLocation {
  file: string;
  line: number | null;
  /** `pin` (an exact requirement), `constraint` (a `-c` pin), `lock` (a lockfile entry) or `declaration` (a range a lockfile resolves). */
  role: 'pin' | 'constraint' | 'lock' | 'declaration';
  /** As declared (PEP 440); absent for lock entries. */
  specifier?: string;
}

export interface Finding {
  kind: FindingKind;
  severity: Severity;
  package: string | null;
  version: string | null;
  file: string | null;
  line: number | null;
  /** Advisory id (primary of its alias group) for vulnerability / malicious findings. */
  id?: string;
  aliases?: string[];
  summary?: string;
  cvss?: number | null;
  cvssVector?: string | null;
  /**
   * Vulnerabilities: the id of the record whose rating gave `severity` (the advisory itself, or an
   * alias's GHSA / CVE record when the advisory has none); null when no source rated it.
   */
  severityFrom?: string | null;
  fixedVersions?: string[];
  /** Every place the release is pinned, locked or declared, the primary (file, line) first. */
  locations?: FindingLocation[];
  /** Places beyond MAX_LISTED_PLACES, counted rather than listed. */
  locationsOmitted?: number;
  fix: Fix;
  /** Kind-specific facts (outdated: latest, bump, releases behind…), part of the JSON. */
  details?: Record<string, unknown>;
  /** Set when an ignore rule covers the finding (such findings are kept apart, not dropped). */
  ignoredBy?: { id: string; reason: string; until: string | null; source: string };
}

/** A finding about a file (or one of its lines), not about one package: hygiene of the file itself. */
export function fileFinding(input: { kind: FindingKind; severity: Severity; file: string; line?: number | null; text: string; details?: Record<string, unknown> }): Finding {
  return {
    kind: input.kind,
    severity: input.severity,
    package: null,
    version: null,
    file: input.file,
    line: input.line ?? null,
    fix: { version: null, text: input.text },
    ...(input.details ? { details: input.details } : {}),
  };
}

/** A stable key: the same finding in two audits has the same key (used for diffs and ignores). */
export function findingKey(f: Finding): string {
  return [f.kind, f.id ?? '', f.package ?? '', f.version ?? '', f.kind === 'vulnerability' || f.kind === 'malicious' ? '' : `${f.file ?? ''}:${f.line ?? ''}`].join('|');
}

export function compareFindings(a: Finding, b: Finding, unknownAs: RatedSeverity = DEFAULT_UNKNOWN_AS): number {
  return (
    severityRank(b.severity, unknownAs) - severityRank(a.severity, unknownAs) ||
    (b.cvss ?? -1) - (a.cvss ?? -1) ||
    kindRank(a.kind) - kindRank(b.kind) ||
    // Names, ids and files as localeCompare ordered them, the same on every machine (text-order.ts).
    compareText(a.package ?? '', b.package ?? '') ||
    compareText(a.id ?? '', b.id ?? '') ||
    compareText(a.file ?? '', b.file ?? '') ||
    (a.line ?? 0) - (b.line ?? 0)
  );
}

/**
 * Sorts `findings` in place as `findings.sort((a, b) => compareFindings(a, b, unknownAs))` does,
 * and returns it. A cold process pays for every comparison its sort calls back into JavaScript, and
 * an audit's findings mostly tie on severity, score and kind (the unrated advisories: 2,617 of the
 * bench's 2,904), settled by package name: that sort was 16,000 compareFindings calls and 11-12 ms
 * of an audit of 1,000 pins. Here each finding's severity, score, kind and package become one
 * number, ranked once; the findings are bucketed by it (in their order, as a stable sort keeps
 * them), the few distinct numbers sorted natively, and only findings sharing one (a package's
 * advisories of one rating) compared further, by id, file and line as compareFindings does.
 */
export function sortFindings(findings: Finding[], unknownAs: RatedSeverity = DEFAULT_UNKNOWN_AS): Finding[] {
  if (findings.length < 2) return findings;
  // A score that is not a finite number compares as no order at all (NaN): left to compareFindings itself.
  if (findings.some((f) => f.cvss != null && !Number.isFinite(f.cvss))) return findings.sort((a, b) => compareFindings(a, b, unknownAs));
  const ranks = RANKS.get(unknownAs);
  const packageRank = textRanks(findings.map((f) => f.package ?? ''));
  const packages = packageRank.size;
  // Scores worst first: each distinct score's place, -1 (none) last.
  const scores = Float64Array.from(new Set(findings.map((f) => f.cvss ?? -1))).sort().reverse();
  const scoreRank = new Map<number, number>();
  scores.forEach((score, i) => scoreRank.set(score, i));
  const kinds = KIND_ORDER.length + 1;
  const buckets = new Map<number, Finding[]>();
  for (const f of findings) {
    // Worst first: the highest severity rank (at most RANKS' levels + 1) gets the lowest number.
    const severity = 8 - (ranks?.get(f.severity) ?? 0);
    const key = ((severity * scores.length + scoreRank.get(f.cvss ?? -1)!) * kinds + kindRank(f.kind) + 1) * packages + packageRank.get(f.package ?? '')!;
    const bucket = buckets.get(key);
    if (bucket === undefined) buckets.set(key, [f]);
    else bucket.push(f);
  }
  const ties = ordersByCodeUnits(findings.map((f) => f.id ?? '')) ? compareTiesByCodeUnits : compareTies;
  let i = 0;
  for (const key of Float64Array.from(buckets.keys()).sort()) {
    const bucket = buckets.get(key)!;
    if (bucket.length > 1) bucket.sort(ties);
    for (const f of bucket) findings[i++] = f;
  }
  return findings;
}

/** compareFindings between findings of the same severity, score, kind and package. */
const compareTies = (a: Finding, b: Finding): number => compareText(a.id ?? '', b.id ?? '') || compareText(a.file ?? '', b.file ?? '') || (a.line ?? 0) - (b.line ?? 0);
/** compareTies where compareText orders the ids as their code units (ordersByCodeUnits): no text walked twice per comparison. */
const compareTiesByCodeUnits = (a: Finding, b: Finding): number => compareCodeUnits(a.id ?? '', b.id ?? '') || compareText(a.file ?? '', b.file ?? '') || (a.line ?? 0) - (b.line ?? 0);

/** Each distinct text's place in compareText order; texts it finds equal share a place. */
function textRanks(texts: readonly string[]): Map<string, number> {
  const distinct = [...new Set(texts)];
  // Package names are normalized (lower case, digits and `-`): sorted natively, each its own place.
  if (ordersByCodeUnits(distinct)) return new Map(distinct.sort().map((text, i) => [text, i]));
  distinct.sort(compareText);
  const ranks = new Map<string, number>();
  let rank = 0;
  for (let i = 0; i < distinct.length; i++) {
    if (i > 0 && compareText(distinct[i - 1]!, distinct[i]!) !== 0) rank = i;
    ranks.set(distinct[i]!, rank);
  }
  return ranks;
}

/** Every kind, in report order (the most urgent first). */
export const KIND_ORDER: readonly FindingKind[] = [
  'malicious',
  'vulnerability',
  'python-eol',
  'yanked',
  'typosquat',
  'not-on-index',
  'incomplete-hashes',
  'extra-index-url',
  'unpinned',
  'no-lockfile',
  'non-registry-source',
  'no-hashes',
  'outdated',
];
const kindRank = (k: FindingKind) => KIND_ORDER.indexOf(k);

export function isFindingKind(text: string): text is FindingKind {
  return (KIND_ORDER as readonly string[]).includes(text);
}

/**
 * The kinds an ignore may not name: advisories are ignored one by one, by id (any alias), as
 * pip-audit, Snyk and Dependabot dismiss them. `id: vulnerability` with `package:` would hide every
 * advisory of the package, those published later and malicious-package records included.
 */
export function isAdvisoryKind(text: string): boolean {
  return text === 'vulnerability' || text === 'malicious';
}

/** Why an ignore naming an advisory kind is refused, and what to write instead (every place that takes ignores says the same). */
export const advisoryKindIgnoreRefusal = (kind: string): string =>
  `"${kind}" would ignore every advisory of the package, later ones too; name the advisory ids (GHSA-…, PYSEC-…, CVE-…)`;

/**
 * A finding as the contract's JSON. Fields a finding lacks are left `undefined`, which
 * JSON.stringify leaves out exactly as if they were absent: one object literal per finding, where a
 * spread of a conditional object per optional field cost a third of a large report's writing.
 * Everything that reads this object stringifies it (report/json.ts).
 */
export function findingJson(f: Finding, unknownAs: RatedSeverity = DEFAULT_UNKNOWN_AS) {
  // Whether and by what a vulnerability was rated (`rated`, `severity_source`, `treated_as`).
  const vulnerability = f.kind === 'vulnerability';
  const rated = f.severity !== 'unknown';
  return {
    kind: f.kind,
    severity: f.severity,
    rated: vulnerability ? rated : undefined,
    severity_source: vulnerability ? (rated ? (f.severityFrom ?? f.id ?? null) : null) : undefined,
    treated_as: vulnerability && !rated ? unknownAs : undefined,
    package: f.package,
    version: f.version,
    file: f.file,
    line: f.line,
    id: f.id,
    aliases: f.aliases,
    summary: f.summary,
    cvss: f.cvss,
    fixed_versions: f.fixedVersions,
    locations: f.locations?.map((l) => ({ file: l.file, line: l.line, role: l.role, specifier: l.specifier })),
    locations_omitted: f.locationsOmitted || undefined,
    fix: fixJson(f.fix),
    details: f.details,
    ignored_by: f.ignoredBy,
  };
}

/** A fix as the contract's JSON (a finding's `fix`, and a vulnerable package's: report/json.ts). */
export function fixJson(fix: Fix) {
  return { version: fix.version, text: fix.text, advice: fix.advice ? adviceJson(fix.advice) : undefined };
}

function adviceJson(a: UpgradeAdvice) {
  return {
    from: a.from,
    to: a.to,
    ...placesJson(a),
    projects: a.projects?.map((p) => ({ project: p.project, ...placesJson(p) })),
  };
}

function placesJson(a: AdvicePlaces) {
  return {
    constraints: a.constraints.map((c) => ({ file: c.file, line: c.line, specifier: c.specifier, admits_fix: c.admits, pin: c.pin })),
    edits: a.edits.map((e) => ({ file: e.file, line: e.line, write: e.write, rehash: e.rehash || undefined, last_hashes: e.lastHashes || undefined })),
    commands: a.commands.map((c) => ({ run: c.run, dir: c.dir })),
    transitive: a.transitive,
    places_omitted: a.placesOmitted || undefined,
  };
}

/** Severity levels as a user types them for --fail-on. */
export function parseSeverity(text: string): Severity | null {
  const t = text.toLowerCase();
  if (t === 'moderate') return 'medium';
  return (SEVERITY_ORDER as string[]).includes(t) ? (t as Severity) : null;
}

/** A level for --unknown-as or the channel setting; null when it is not one. */
export function parseUnknownAs(text: string): RatedSeverity | null {
  const level = parseSeverity(text);
  return level !== null && (UNKNOWN_AS_LEVELS as readonly string[]).includes(level) ? (level as RatedSeverity) : null;
}

/** Whether a finding of severity `s` is at or above `threshold`, unrated ones counting as `unknownAs`. */
export function atOrAbove(s: Severity, threshold: Severity, unknownAs: RatedSeverity = DEFAULT_UNKNOWN_AS): boolean {
  return severityRank(effectiveSeverity(s, unknownAs)) >= severityRank(effectiveSeverity(threshold, unknownAs));
}

/**
 * An advisory's severity as a list names it beside its id ("PYSEC-2019-10 (not rated by the
 * source)"), where no channel setting says how unrated ones count: never the bare word "unknown".
 */
export function severityWord(s: string): string {
  return s === 'unknown' ? UNRATED_LABEL : s;
}

/** How a severity reads to people: `unknown` says that the source did not rate it, and how it counts. */
export function severityLabel(s: Severity, unknownAs: RatedSeverity = DEFAULT_UNKNOWN_AS): string {
  return s === 'unknown' ? `${UNRATED_LABEL} (treated as ${unknownAs})` : s;
}
