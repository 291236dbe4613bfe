/**
 * SARIF 2.1.0 for GitHub code scanning and other SARIF viewers. Rules carry `security-severity`
 * (a CVSS-like number as a string), which GitHub maps to critical / high / medium / low.
 *
 * An advisory no source rated gets no `security-severity`: a number would be invented. GitHub then
 * shows the alert by its `level` (Error / Warning / Note) instead of a security severity, and its
 * default check fails on `error`; so the level follows how unrated advisories are treated
 * (--unknown-as, default high → `error`), and the rule says `rated: false` in its properties.
 *
 * A partial result (see src/audit/partial.ts) is a run whose invocation did not succeed:
 * `invocations[0].executionSuccessful` is false and each reason is a `toolExecutionNotifications`
 * entry (level `error`, with the file and line when it concerns one), so a viewer can tell "no
 * alerts" from "not everything was read". So is a SARIF kept within GitHub code scanning's limits
 * by leaving results out (sarif-limits.ts). What is said without making the result partial (every
 * line of the result's `notices`, the settings files' `invalid` notes, and every other note the
 * text and Markdown reports print) follows as `note`s.
 *
 * Code and configuration findings (AuditResult.code) are results of their scan rule, with line and
 * column; file-level findings (a committed `.env`) have no region.
 *
 * Paths are URI references (percent-encoded); a directory audit's are relative to `%SRCROOT%`, the
 * git work tree holding the folder (or the folder itself), see locator().
 */
import type { AuditResult } from '../audit/audit.js';
import { describeExclusion } from '../audit/exclude.js';
import { DEFAULT_UNKNOWN_AS, effectiveSeverity, UNRATED_LABEL, type Finding, type FindingLocation, type RatedSeverity } from '../audit/findings.js';
import { describeReason, isUnread, reasonsOf, type PartialReason } from '../audit/partial.js';
import type { CodeFinding, Confidence, ScanResult, ScanRuleText } from '../scan/types.js';
import { passedOver, scanNotes, secretLabel } from './code.js';
import { fitGzipped, GITHUB_SARIF_LIMITS, sarifSelection, type SarifLimits, type SarifSelection } from './sarif-limits.js';
import { measureGzipped } from './sarif-size.js';
import type { RenderedReport, Renderer, ReportOptions } from './interface.js';
import { jsonChunks, streamed } from './json-chunks.js';
import { showInvisible } from './terminal-text.js';
import { packageVersion } from '../version.js';
import { compareCodeUnits } from '../text-order.js';

const SCORE: Record<RatedSeverity, number> = { critical: 9.5, high: 8.0, medium: 5.5, low: 3.0, info: 0.0 };
const LEVEL: Record<RatedSeverity, 'error' | 'warning' | 'note'> = { critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note' };

const ruleId = (f: Finding) => f.id ?? `depwatch/${f.kind}`;

const ROLE_TEXT: Record<FindingLocation['role'], string> = { pin: 'also pinned here', constraint: 'constrained here', lock: 'locked here', declaration: 'declared here' };

/**
 * A path (relative, `/` separators) as the URI reference SARIF's `artifactLocation.uri` must be
 * (RFC 3986): each segment percent-encoded as UTF-8 (spaces, non-ASCII, `|`, backtick, `%`, `#`, `?`…),
 * the `/` between segments kept. Only the URI is encoded: fingerprints keep the path as text.
 */
const pathUri = (path: string): string => path.split('/').map(encodeURIComponent).join('/');

/** The `uriBaseId` of a directory audit's paths; `run.originalUriBaseIds` gives its file:// URI. */
const SOURCE_ROOT_ID = '%SRCROOT%';

/** A result's path (relative to the audited folder) as an `artifactLocation`. */
type Locate = (file: string) => { uri: string; uriBaseId?: string };

/**
 * For a directory audit (`sourceRoot` given) each path is put after the way from the source root to
 * the audited folder and named relative to SOURCE_ROOT_ID, so a viewer, and GitHub code scanning (which
 * reads relative URIs from the repository root), finds `svc/requirements.txt` when `svc` was audited.
 * A GitHub repository's paths are already from its root: no base.
 */
function locator(options: ReportOptions): Locate {
  const root = options.sourceRoot;
  if (!root) return (file) => ({ uri: pathUri(file) });
  return (file) => ({ uri: pathUri(withoutClimbs(root.prefix + file)), uriBaseId: SOURCE_ROOT_ID });
}

/**
 * `svc/api/../../.gitignore` → `.gitignore`: a scan of a subfolder points at the `.gitignore` above
 * it that it judged (file-gitignore-env), and GitHub code scanning resolves only plain paths. A
 * climb past the start is kept as written.
 */
function withoutClimbs(path: string): string {
  if (!path.includes('../')) return path;
  const kept: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '..' && kept.length > 0 && kept[kept.length - 1] !== '..') kept.pop();
    else kept.push(segment);
  }
  return kept.join('/');
}

const physicalLocation = (locate: Locate, file: string, line: number | null | undefined) => ({ physicalLocation: { artifactLocation: locate(file), ...(line ? { region: { startLine: line } } : {}) } });

/** A description ends with a full stop before the fix follows (some already end with one). */
const sentence = (text: string) => (/[.!?…]$/.test(text) ? text : `${text}.`);

/** GitHub reads this as a string; a CVSS score beats the coarse level when we have one. Null for unrated. */
function securitySeverity(f: Finding): string | null {
  if (f.severity === 'unknown') return null;
  return (f.cvss ?? SCORE[f.severity]).toFixed(1);
}

function ruleProperties(f: Finding, unknownAs: RatedSeverity): Record<string, unknown> {
  const score = securitySeverity(f);
  const tags = ['security', 'dependency', f.kind];
  const aliases = f.aliases?.length ? { aliases: f.aliases } : {};
  if (score !== null) return { 'security-severity': score, tags, ...aliases };
  return { tags: [...tags, 'not-rated'], rated: false, 'treated-as': unknownAs, ...aliases };
}

function resultProperties(f: Finding): Record<string, unknown> {
  const score = securitySeverity(f);
  return { severity: f.severity, ...(score !== null ? { 'security-severity': score } : {}) };
}

/**
 * A SARIF text a viewer shows (a result's or a notification's message, an advisory rule's
 * description), which quotes what repositories and advisories wrote: its invisible characters (bidi
 * controls, zero-width characters, other controls) shown as the CLI's visible escapes, so that
 * `requirem\u200bents.txt` does not look like `requirements.txt` on GitHub's alert page.
 */
const shownText = (text: string) => ({ text: showInvisible(text) });

function messageText(f: Finding, unknownAs: RatedSeverity): string {
  const unrated = f.severity === 'unknown' ? `(${UNRATED_LABEL}; treated as ${unknownAs}) ` : '';
  return `${f.package ? `${f.package}${f.version ? ` ${f.version}` : ''}: ` : ''}${f.summary ? `${sentence(f.summary)} ` : ''}${unrated}${f.fix.text}`;
}

// Code and configuration rules (src/scan): their ids are plain words (`py-eval-exec`), apart from
// advisory ids, and each carries its help so GitHub code scanning can show why and what instead.
const PRECISION: Record<Confidence, string> = { high: 'high', medium: 'medium', low: 'low' };

function scanRule(rule: ScanRuleText, findings: readonly CodeFinding[]) {
  // The rule's severity is that of its worst finding here (findings come worst first; a rule may rate one higher than usual).
  const worst = findings.find((f) => f.rule === rule.id);
  const severity = worst?.severity ?? 'medium';
  return {
    id: rule.id,
    name: rule.id,
    shortDescription: { text: rule.title },
    fullDescription: { text: rule.help },
    help: { text: rule.help, markdown: `**${rule.title}.** ${rule.help}` },
    properties: { 'security-severity': SCORE[severity].toFixed(1), precision: PRECISION[worst?.confidence ?? 'medium'], tags: ['security', rule.kind] },
  };
}

/**
 * A code result's `partialFingerprints.depwatchCode`: `rule|path|content`, without the line, so an
 * alert keeps its identity (and its dismissal) when lines are added or removed above it. The content
 * is a secret's keyed fingerprint, or the digest of the finding's line (CodeFinding.content), or
 * nothing (a file-level finding; a finding on a line holding a credential, which is not hashed).
 * Results that share all three (the same call twice on one line, the same line twice in a file) are
 * told apart by their order in the file: the second gets `|2`, the third `|3`, as dependency results.
 */
function codeFingerprints(findings: readonly CodeFinding[]): Map<CodeFinding, string> {
  const byPlace = [...findings].sort((a, b) => compareCodeUnits(a.file, b.file) || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  const given = new Map<string, number>();
  const fingerprints = new Map<CodeFinding, string>();
  for (const f of byPlace) {
    const base = [f.rule, f.file, f.secret?.fingerprint ?? f.content ?? ''].join('|');
    const seen = given.get(base) ?? 0;
    given.set(base, seen + 1);
    fingerprints.set(f, seen === 0 ? base : `${base}|${seen + 1}`);
  }
  return fingerprints;
}

/** The results of `kept` (scan's findings within the SARIF's limits); fingerprints are counted over them all, so cutting changes none. */
function* codeResultsOf(scan: ScanResult, kept: readonly CodeFinding[], locate: Locate) {
  const fingerprints = codeFingerprints(scan.findings);
  for (const f of kept) {
    const secret = secretLabel(f);
    yield {
      ruleId: f.rule,
      level: LEVEL[f.severity],
      message: shownText(`${sentence(f.message)} ${secret ? `(${secret}.) ` : ''}${f.fix}`),
      locations: [{ physicalLocation: { artifactLocation: locate(f.file), ...(f.line !== null ? { region: { startLine: f.line, ...(f.column !== null ? { startColumn: f.column } : {}) } } : {}) } }],
      // Stable across runs when the line moves (codeFingerprints). A secret's fingerprint keyed per run
      // (no DEPWATCH_FINGERPRINT_KEY) would change every upload and close and reopen the alert: none
      // then, and GitHub matches it by its own line hash (see runProperties).
      ...(f.secret && scan.fingerprintScope === 'run' ? {} : { partialFingerprints: { depwatchCode: fingerprints.get(f)! } }),
    };
  }
}

/** Whether secret fingerprints compare across runs; said whenever the code was scanned. */
function runProperties(scan: ScanResult | undefined) {
  if (!scan) return {};
  if (scan.fingerprintScope === 'installation') return { properties: { fingerprintScope: 'installation' } };
  return {
    properties: {
      fingerprintScope: 'run',
      fingerprintNote:
        'Secret fingerprints are per run (keyed with a random key) unless DEPWATCH_FINGERPRINT_KEY is set, so secret results carry no partialFingerprints here: code scanning matches them across runs by their location.',
    },
  };
}

function notification(r: PartialReason, locate: Locate) {
  const where = r.file !== undefined && r.file !== '(tree)' ? { locations: [physicalLocation(locate, r.file, r.line)] } : {};
  return { level: 'error', message: shownText(describeReason(r)), descriptor: { id: `depwatch/partial/${r.kind}` }, ...where };
}

/**
 * Every line of the result's `notices` (as JSON and text give them), each a `note`: not partial (the
 * run stays successful), but said. What `exclude:` kept out is the user's decision, `depwatch/excluded`;
 * the others (the `.in` files discovery passed over, an offline audit's unasked registry, the
 * advisory mirror standing in for OSV, the age of its data…) are `depwatch/notice`.
 */
function noticeNotifications(result: AuditResult) {
  const excluded = new Set((result.exclusions ?? []).map((e) => describeExclusion(e)));
  return result.notices.map((text) => ({ level: 'note', message: shownText(text), descriptor: { id: excluded.has(text) ? 'depwatch/excluded' : 'depwatch/notice' } }));
}

/**
 * What is wrong with the tree's settings files (an entry or a file that does not apply, a second
 * settings file not read), from the audit and from its code scan: said once, as the other outputs
 * say them (withCodeScan keeps in the scan's notes only those the audit did not give).
 */
function settingsNotes(result: AuditResult): string[] {
  return [...result.notes, ...(result.code?.notes ?? [])].filter((n) => n.kind === 'invalid').map((n) => n.message);
}

/** A `note`, as for an exclusion: nothing it concerns goes unreported (a setting not applied only shows more). */
function settingsNotification(message: string) {
  return { level: 'note', message: shownText(message), descriptor: { id: 'depwatch/settings' } };
}

/**
 * The other notes text and Markdown print, none a partial reason: ignores that expired or match
 * nothing, manifest problems that left the file read whole (an include cycle), the code scan's
 * notes (a file parsed with errors, ignored findings past the list's limit…) and the files it
 * passed over (a symbolic link), each a `note` with the file (and line) when it names one. The
 * settings files' `invalid` notes are said by settingsNotes.
 */
function otherNotes(result: AuditResult, locate: Locate) {
  const at = (file: string | undefined, line: number | null = null) => (file === undefined ? {} : { locations: [physicalLocation(locate, file, line)] });
  const note = (text: string, file?: string, line?: number | null) => ({ level: 'note', message: shownText(text), descriptor: { id: 'depwatch/note' }, ...at(file, line) });
  const code = result.code;
  return [
    ...result.notes.filter((n) => n.kind !== 'invalid').map((n) => note(n.message)),
    ...result.errors.filter((e) => !isUnread(e)).map((e) => note(`${e.file}${e.line === null ? '' : `:${e.line}`}: ${e.message}`, e.file, e.line)),
    ...(code ? passedOver(code, result.errors).map((s) => note(s.message, s.path)) : []),
    ...(code ? scanNotes(code).filter((n) => n.kind !== 'invalid').map((n) => note(n.message, n.file)) : []),
  ];
}

/** Rule-level help for the rules that stand for a kind (`depwatch/<kind>`): about the kind, not one finding. */
const KIND_HELP: Record<Finding['kind'], string> = {
  vulnerability: 'A pinned or locked release is affected by a published advisory. Upgrade to a release the advisory lists as fixed.',
  malicious: 'A pinned or locked release is reported as malicious. Remove it and check the machines that installed it.',
  outdated: 'A pinned release is behind the latest release on the registry. Upgrade when you can; each result names the version.',
  yanked: 'A pinned or locked release was yanked by its maintainers. Move to a release that is not yanked.',
  unpinned: 'A requirement does not pin one version, so installs can change under you. Pin it (==) or lock it.',
  'no-lockfile': 'A manifest has no lockfile next to it, so installs are not reproducible. Generate and commit a lockfile.',
  'no-hashes': 'Requirements are pinned without hashes, so a changed artifact would be installed. Add --hash entries or use a locking tool.',
  'incomplete-hashes': 'Some requirements of a requirements file have --hash and others do not: pip then checks hashes for every requirement and refuses the ones without, so the install fails. Hash every line (pip-compile --generate-hashes).',
  'non-registry-source': 'A dependency comes from outside the package registry (VCS, URL or path). Prefer a registry release, or pin a commit.',
  'extra-index-url': 'An extra index URL lets a public package shadow a private one (dependency confusion). Use --index-url or a proxy that serves one namespace.',
  'python-eol': 'The project targets a Python version that is at or near its end of life. Move to a supported Python version.',
  typosquat: 'A package name looks like a more popular project\'s. Check that this is the package you meant.',
  'not-on-index': 'A pinned, locked or required package is not on the package index: anyone can register its name (dependency confusion when it comes from another index; a typo or a removed project otherwise). Reserve the name, or check it.',
};

/*
 * A kind rule (`depwatch/<kind>`, no advisory id) covers findings of different severities, but GitHub
 * reads `security-severity` from the rule only. Rule ids stay one per kind (a rule per kind and
 * severity would change the ruleId of alerts users have dismissed), and the rule is rated as the
 * kind's worst finding in this run, the first of its kind (findings come worst first): a gate had
 * rather rate a low alert high than let a high one pass as low. Each result's own level is its
 * `level` and `properties.severity` / `properties.security-severity`. Advisory rules (one per
 * advisory id) keep their own rating.
 */

/**
 * The SARIF of `result` within `limits` (GitHub's, smaller in tests), and what it left out, one
 * sentence each, worked out here once: the same sentences are the file's notifications and the
 * CLI's PARTIAL lines, and make its exit status. The count limits are applied first
 * (sarifSelection); the text is then made once and measured (sarif-size.ts): a text that fits
 * uncompressed (up to about 9.9 MB) is handed back as made; a larger one is measured gzip-compressed
 * as it is made, never held whole, cut further when over (fitGzipped), and made again for writing
 * (the 15 MB SARIF of 25,000 short results: about 0.1 s more).
 */
export function sarifReport(result: AuditResult, options: ReportOptions, limits: SarifLimits = GITHUB_SARIF_LIMITS): RenderedReport {
  const command = options.sarifCommand ?? 'audit';
  const selection = sarifSelection(result, command, limits);
  let pulled = 0;
  const measured = measureGzipped(
    sarifChunks(result, options, selection, limits, () => pulled++),
    () => pulled,
    limits.gzippedBytes,
  );
  if (measured.uncompressedFits) return { chunks: measured.chunks, leftOut: selection.leftOut };
  const fitting = fitGzipped(selection, measured.sizes, result.unknownAs ?? DEFAULT_UNKNOWN_AS, command, limits.gzippedBytes);
  return { chunks: sarifChunks(result, options, fitting, limits), leftOut: fitting.leftOut };
}

export const renderSarif: Renderer = (result, options) => [...sarifReport(result, options).chunks].join('');

/** The text of the SARIF that holds `selection`; `onResult` is called as each result is taken to be written. */
function* sarifChunks(result: AuditResult, options: ReportOptions, selection: SarifSelection, limits: SarifLimits, onResult: () => void = () => {}): Generator<string> {
  const unknownAs = result.unknownAs ?? DEFAULT_UNKNOWN_AS;
  const locate = locator(options);
  const rules = new Map<string, object>();
  for (const f of selection.findings) {
    const id = ruleId(f);
    if (rules.has(id)) continue;
    // An advisory rule is described by its advisory; a kind rule by the kind (KIND_HELP).
    rules.set(id, {
      id,
      name: f.kind,
      shortDescription: shownText((f.id && f.summary) || f.kind),
      ...(f.id ? { helpUri: `https://osv.dev/vulnerability/${encodeURIComponent(f.id)}` } : {}),
      help: shownText(f.id ? f.fix.text : KIND_HELP[f.kind]),
      properties: ruleProperties(f, unknownAs),
    });
  }
  if (result.code) {
    for (const rule of result.code.rules) if (!rules.has(rule.id)) rules.set(rule.id, scanRule(rule, result.code.findings));
  }
  if (rules.size > limits.rulesPerRun) {
    // Only the rules the results name (at most one a result, and results are within their limit).
    const named = new Set([...selection.findings.map(ruleId), ...selection.codeFindings.map((f) => f.rule)]);
    for (const id of rules.keys()) if (!named.has(id)) rules.delete(id);
  }
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        // informationUri is optional in SARIF 2.1.0 and left out: Depwatch has no published home page.
        tool: { driver: { name: 'depwatch', version: packageVersion(), rules: [...rules.values()] } },
        ...(options.sourceRoot ? { originalUriBaseIds: { [SOURCE_ROOT_ID]: { uri: options.sourceRoot.uri } } } : {}),
        invocations: [
          {
            // Within GitHub code scanning's limits (sarif-limits.ts): what is left out makes the run partial.
            executionSuccessful: !result.partial && selection.leftOut.length === 0,
            toolExecutionNotifications: [
              ...reasonsOf(result).map((r) => notification(r, locate)),
              ...selection.leftOut.map((text) => ({ level: 'error', message: shownText(text), descriptor: { id: 'depwatch/partial/sarif-limit' } })),
              ...noticeNotifications(result),
              ...settingsNotes(result).map(settingsNotification),
              ...otherNotes(result, locate),
            ],
          },
        ],
        ...runProperties(result.code),
        results: streamed(counting(allResults(selection, unknownAs, result.code, locate, limits), onResult)),
      },
    ],
  };
  yield* jsonChunks(sarif);
  yield '\n';
}

/** `items`, calling `onItem` as each is taken. */
function* counting<T>(items: Iterable<T>, onItem: () => void): Generator<T> {
  for (const item of items) {
    onItem();
    yield item;
  }
}

function* allResults(selection: SarifSelection, unknownAs: RatedSeverity, code: ScanResult | undefined, locate: Locate, limits: SarifLimits) {
  yield* resultsOf(selection.findings, unknownAs, locate, limits);
  if (code) yield* codeResultsOf(code, selection.codeFindings, locate);
}

/** What tells one index finding from another in one file: its index (an extra index URL, a find-links page, a trusted host). */
function indexOf(f: Finding): string[] {
  if (f.kind !== 'extra-index-url') return [];
  const index = f.details?.url ?? f.details?.host;
  return typeof index === 'string' ? [index] : [];
}

function* resultsOf(findings: readonly Finding[], unknownAs: RatedSeverity, locate: Locate, limits: SarifLimits) {
  // Fingerprints given in this run, and how often: GitHub merges results that share one.
  const given = new Map<string, number>();
  for (const f of findings) {
    const fingerprint = [f.kind, f.id ?? '', f.package ?? '', f.version ?? '', ...(f.kind === 'vulnerability' || f.kind === 'malicious' ? [] : [f.file ?? '', ...indexOf(f)])].join('|');
    const seen = given.get(fingerprint) ?? 0;
    given.set(fingerprint, seen + 1);
    yield {
      ruleId: ruleId(f),
      level: LEVEL[effectiveSeverity(f.severity, unknownAs)],
      message: shownText(messageText(f, unknownAs)),
      ...(f.file ? { locations: [physicalLocation(locate, f.file, f.line)] } : {}),
      // The other places the same release is pinned, locked or declared (the primary is `locations`).
      ...((f.locations?.length ?? 0) > 1
        ? { relatedLocations: f.locations!.slice(1, limits.locationsPerResult).map((l, i) => ({ id: i + 1, ...physicalLocation(locate, l.file, l.line), message: { text: ROLE_TEXT[l.role] } })) }
        : {}),
      // Kind rules: the result's own level (the rule is rated as the kind's worst, see above).
      ...(f.id ? {} : { properties: resultProperties(f) }),
      // Advisories keep kind|id|package|version (existing alerts keep their identity). Other kinds add
      // the file, as findingKey does, but not the line (stable when lines move): `no-lockfile` in two
      // files would otherwise share one fingerprint and GitHub would merge them into one alert. An
      // index finding adds its index (URL or host), so each index line keeps its own alert, and a
      // dismissal stays with its index when lines are added or removed. The same index on two lines
      // of one file (rare) is told apart by order: `|2`, `|3`.
      partialFingerprints: { depwatchFinding: seen === 0 ? fingerprint : `${fingerprint}|${seen + 1}` },
    };
  }
}
