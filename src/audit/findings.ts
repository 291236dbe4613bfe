/**
 * What an audit reports. The JSON form (findingJson) is the CLI contract: add fields freely, never
 * rename or drop one.
 */

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info' | 'unknown';

/** Worst first. `unknown` (an advisory without a score) sorts with medium: not ignorable, not alarming. */
export const SEVERITY_ORDER: Severity[] = ['critical', 'high', 'medium', 'unknown', 'low', 'info'];

export const severityRank = (s: Severity): number => SEVERITY_ORDER.length - SEVERITY_ORDER.indexOf(s);

export type FindingKind =
  | 'vulnerability'
  | 'malicious'
  | 'outdated'
  | 'yanked'
  | 'unpinned'
  | 'no-lockfile'
  | 'no-hashes'
  | 'non-registry-source'
  | 'extra-index-url'
  | 'python-eol';

export interface Fix {
  /** The version to move to, when one version fixes it. */
  version: string | null;
  /** What to do, in one or two sentences. */
  text: string;
  /** For upgrades: the same advice as data, so each report format can render it in its own syntax. */
  advice?: UpgradeAdvice;
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
  /** What to write where, in each file's own syntax (`django==2.2.28`, `django = "^2.2.28"`). */
  edits: { file: string; line: number | null; write: string }[];
  /** What to run afterwards (re-lock, recompile), and in which directory (`.` is the root). */
  commands: { run: string; dir: string }[];
  /** A lock entry the project does not declare: it comes in through another package. */
  transitive: boolean;
  /** Edits and constraints beyond MAX_LISTED_PLACES, counted rather than listed. */
  placesOmitted?: number;
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

// `localeCompare` without arguments is specified to act as a fresh default Collator's `compare`;
// building that collator once instead of per call keeps large sorts (thousands of findings) cheap.
const collate = new Intl.Collator().compare;

export function compareFindings(a: Finding, b: Finding): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    (b.cvss ?? -1) - (a.cvss ?? -1) ||
    kindRank(a.kind) - kindRank(b.kind) ||
    collate(a.package ?? '', b.package ?? '') ||
    collate(a.id ?? '', b.id ?? '') ||
    collate(a.file ?? '', b.file ?? '') ||
    (a.line ?? 0) - (b.line ?? 0)
  );
}

/** Every kind, in report order (the most urgent first). */
export const KIND_ORDER: readonly FindingKind[] = [
  'malicious',
  'vulnerability',
  'python-eol',
  'yanked',
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

export function findingJson(f: Finding) {
  return {
    kind: f.kind,
    severity: f.severity,
    package: f.package,
    version: f.version,
    file: f.file,
    line: f.line,
    ...(f.id !== undefined ? { id: f.id } : {}),
    ...(f.aliases !== undefined ? { aliases: f.aliases } : {}),
    ...(f.summary !== undefined ? { summary: f.summary } : {}),
    ...(f.cvss !== undefined ? { cvss: f.cvss } : {}),
    ...(f.fixedVersions !== undefined ? { fixed_versions: f.fixedVersions } : {}),
    ...(f.locations ? { locations: f.locations.map((l) => ({ file: l.file, line: l.line, role: l.role, ...(l.specifier !== undefined ? { specifier: l.specifier } : {}) })) } : {}),
    ...(f.locationsOmitted ? { locations_omitted: f.locationsOmitted } : {}),
    fix: { version: f.fix.version, text: f.fix.text, ...(f.fix.advice ? { advice: adviceJson(f.fix.advice) } : {}) },
    ...(f.details ? { details: f.details } : {}),
    ...(f.ignoredBy ? { ignored_by: f.ignoredBy } : {}),
  };
}

function adviceJson(a: UpgradeAdvice) {
  return {
    from: a.from,
    to: a.to,
    constraints: a.constraints.map((c) => ({ file: c.file, line: c.line, specifier: c.specifier, admits_fix: c.admits, pin: c.pin })),
    edits: a.edits.map((e) => ({ file: e.file, line: e.line, write: e.write })),
    commands: a.commands.map((c) => ({ run: c.run, dir: c.dir })),
    transitive: a.transitive,
    ...(a.placesOmitted ? { places_omitted: a.placesOmitted } : {}),
  };
}

/** Severity levels as a user types them for --fail-on. */
export function parseSeverity(text: string): Severity | null {
  const t = text.toLowerCase();
  if (t === 'moderate') return 'medium';
  return (SEVERITY_ORDER as string[]).includes(t) ? (t as Severity) : null;
}

export function atOrAbove(s: Severity, threshold: Severity): boolean {
  return severityRank(s) >= severityRank(threshold);
}
