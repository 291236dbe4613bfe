/**
 * Rewriting version constraints that live in TOML strings (pyproject.toml, Pipfile). A format lists
 * its sites (which key path holds which package's constraint, in which syntax); this finds each
 * string's exact characters, checks they decode to what the parser read and that the parser reported
 * that requirement, widens the constraint, and edits inside the quotes only. TOML is never
 * re-serialised: the quotes, spacing, comments and every other byte stay as written.
 */
import { pipfileVersion } from '../../python/formats/pipfile.js';
import { normalizeSpecifier, parsePep508 } from '../../python/pep508.js';
import { poetryToPep440 } from '../../python/poetry-constraint.js';
import { parseToml, type TomlPositions, type TomlTable } from '../../python/toml.js';
import type { Dependency, ManifestFormat } from '../../python/types.js';
import { pushTo } from '../group.js';
import { locateRequirement } from '../requirement-text.js';
import { stringSpans, type StringSpan } from '../toml-spans.js';
import type { FixTarget, ManifestRewriter, RewriteResult } from '../types.js';
import { widenPep440, widenPoetry, type Widening } from '../widen.js';
import { leftAlone } from '../left-alone.js';

/**
 * A TOML manifest's rewriter: the file parsed once, its sites listed by `sitesOf`, its requirements
 * read by the format's own parser (`extract`), then prepareTomlSites. A file that does not parse is
 * left as it is (the audit reported it).
 */
export function tomlRewriter(
  format: ManifestFormat,
  extract: (text: string, file: string) => readonly Dependency[],
  sitesOf: (doc: TomlTable, positions: TomlPositions) => TomlSite[],
): ManifestRewriter {
  const prepare = (text: string, file: string): ((targets: readonly FixTarget[]) => RewriteResult) => {
    const parsed = parseToml(text);
    if (!parsed.ok) return () => ({ edits: [], changes: [], leftAlone: [], rehash: [] });
    return prepareTomlSites(text, file, sitesOf(parsed.value, parsed.positions), extract(text, file));
  };
  return { format, rewrite: (text, file, targets) => prepare(text, file)(targets), prepare };
}

export interface TomlSite {
  /** Key path of the string value (see toml-spans.ts). */
  path: string[];
  /** PEP 503 name of the package it constrains. */
  name: string;
  /** The string value as the TOML parser decoded it. */
  value: string;
  /**
   * `pep508`: a whole requirement string; `pipfile`: a Pipfile version, read as pipenv and the parser
   * read it (`*` = any, a bare `2.0` = `==2.0`, see `pipfileVersion`); `poetry`: a Poetry constraint.
   */
  syntax: 'pep508' | 'pipfile' | 'poetry';
  /** The line the parser reports for the entry (a Poetry sub-table's header, an array element's start). */
  line: number | null;
}

interface Reading {
  /** The constraint's characters within the value (offsets in the value). */
  start: number;
  end: number;
  /** What it means, as the parsers print it, to compare with what the audit read. */
  specifier: string;
  url: boolean;
}

function read(site: TomlSite): Reading | null {
  if (site.syntax === 'pep508') {
    const parsed = parsePep508(site.value);
    const located = locateRequirement(site.value);
    if (!parsed.ok || located === null) return null;
    return { start: located.specStart, end: located.specEnd, specifier: parsed.requirement.specifier, url: parsed.requirement.url !== null };
  }
  const start = site.value.length - site.value.trimStart().length;
  const end = site.value.trimEnd().length;
  if (site.syntax === 'pipfile') {
    const version = pipfileVersion(site.value);
    return version === null ? null : { start, end, specifier: normalizeSpecifier(version.specifier), url: false };
  }
  const translated = poetryToPep440(site.value);
  return translated.ok ? { start, end, specifier: translated.specifier, url: false } : null;
}

function widen(site: TomlSite, written: string, t: FixTarget): Widening {
  if (site.syntax === 'poetry') return widenPoetry(written, t.from, t.to);
  if (site.syntax === 'pep508') return widenPep440(written, t.from, t.to);
  // A Pipfile version is widened as the specifier it means, and written back in the file's form:
  // bare `2.19.0` → `==2.19.0` → `==2.31.0` → bare `2.31.0`; `==2.19.0` keeps its `==`.
  const version = pipfileVersion(written);
  if (version === null) return { kind: 'refused', reason: `the version ${JSON.stringify(written)} is not one the rewriter can read` };
  const widening = widenPep440(version.specifier, t.from, t.to);
  if (widening.kind !== 'widened' || version.implied === '') return widening;
  const bare = widening.text.slice(version.implied.length);
  // widenPep440 keeps each clause's operator, so the implied `==` is still first; a bare result must read back the same.
  if (!widening.text.startsWith(version.implied) || pipfileVersion(bare)?.specifier !== widening.text) return widening;
  return { kind: 'widened', text: bare };
}

/** Whether the characters between the quotes are exactly the decoded value (no escapes, one line). */
function holdsPlainly(text: string, span: StringSpan | undefined, value: string): span is StringSpan {
  return span !== undefined && !span.multiline && text.slice(span.contentStart, span.contentEnd) === value;
}

/**
 * The rewrite with what depends on the file alone done once (its string spans, its sites and
 * readings by name): the audit's fix advice asks what one entry becomes for each package it
 * advises on, and reading the whole file again for each made a 2,000-entry pyproject.toml cost
 * 90 s. Each rewrite then looks only at the sites of the names it moves.
 */
export function prepareTomlSites(text: string, file: string, sites: readonly TomlSite[], dependencies: readonly Dependency[]): (targets: readonly FixTarget[]) => RewriteResult {
  const readAs = new Map<string, Dependency[]>();
  for (const d of dependencies) pushTo(readAs, d.name, d);
  const sitesByName = new Map<string, { site: TomlSite; order: number }[]>();
  sites.forEach((site, order) => pushTo(sitesByName, site.name, { site, order }));
  let spans: ReturnType<typeof stringSpans> | null = null;
  return (targets) => {
    spans ??= stringSpans(text);
    const wanted = new Map<string, FixTarget[]>();
    for (const t of targets) pushTo(wanted, t.name, t);
    const mine = [...wanted.keys()].flatMap((name) => sitesByName.get(name) ?? []).sort((a, b) => a.order - b.order);
    return rewriteSites(text, file, mine.map((m) => m.site), wanted, readAs, spans);
  };
}

function rewriteSites(
  text: string,
  file: string,
  sites: readonly TomlSite[],
  wanted: ReadonlyMap<string, FixTarget[]>,
  readAs: ReadonlyMap<string, Dependency[]>,
  spans: ReturnType<typeof stringSpans>,
): RewriteResult {
  const result: RewriteResult = { edits: [], changes: [], leftAlone: [], rehash: [] };
  for (const site of sites) {
    const mine = wanted.get(site.name);
    if (!mine) continue;
    const span = spans.get(site.path);
    const line = site.line ?? span?.line ?? null;
    const reading = read(site);
    if (reading === null) continue; // the parser reported this entry as an error already
    const sameName = readAs.get(site.name) ?? [];
    // `name @ url`, or a name a [tool.uv.sources] entry sends to git or a path: no version to move here.
    if (reading.url || (sameName.length > 0 && sameName.every((d) => d.source !== 'registry'))) continue;

    const before = site.value.slice(reading.start, reading.end);
    let written = before;
    const moved: FixTarget[] = [];
    for (const t of mine) {
      const widening = widen(site, written, t);
      if (widening.kind === 'widened') {
        written = widening.text;
        moved.push(t);
      } else if (widening.kind === 'refused') {
        result.leftAlone.push(leftAlone('not-understood', t, file, line, `not rewritten: ${widening.reason}`));
      }
    }
    if (moved.length === 0) continue;

    // Two checks before a character changes: the audit read this requirement as written here, and
    // the characters between the quotes are the value itself.
    const readByAudit = sameName.some((d) => d.source === 'registry' && d.specifier === reading.specifier && (site.line === null || d.line === site.line));
    if (!readByAudit || !holdsPlainly(text, span, site.value)) {
      const why = !readByAudit
        ? 'the audit did not read this entry as a requirement (it only adds to another one); change it by hand if the lock cannot be regenerated'
        : 'the string is written with escapes or over several lines; change it by hand';
      for (const t of moved) result.leftAlone.push(leftAlone('not-understood', t, file, line, why));
      continue;
    }
    result.edits.push({ start: span.contentStart + reading.start, end: span.contentStart + reading.end, text: written });
    for (const t of moved) {
      result.changes.push({
        file,
        line: line ?? span.line,
        lines: { first: span.line, last: span.line },
        package: t.name,
        before,
        after: written,
        fromVersion: t.from,
        toVersion: t.to,
        hashesRemoved: 0,
      });
    }
  }
  return result;
}
