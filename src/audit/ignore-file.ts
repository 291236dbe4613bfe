/**
 * Reads `.depwatch.yml`'s `ignore:` list into IgnoreRules (see ignores.ts for what they do), and its
 * `exclude:` list into ExcludeRules (exclude.ts). Apart
 * from ignores.ts because it needs the YAML parser and the validator (zod, about 100 ms to load): an
 * audit of a tree without an ignore file loads neither.
 */
import { z } from 'zod';
import { errorLine } from '../error-line.js';
import { normalizeName } from '../python/names.js';
import { advisoryKindIgnoreRefusal, isAdvisoryKind } from './findings.js';
import type { Document, LineCounter, YAMLMap } from 'yaml';
import { QUIET_YAML, withoutErrorStacks, yaml, yamlErrorLine } from '../yaml.js';
import type { ExcludeRule } from './exclude.js';
import { compileGlob } from './glob.js';
import type { IgnoreNote, IgnoreRule } from './ignores.js';
import { issuePhrase, type FieldHints } from '../settings-issue.js';
import { clipInput, quoteInput } from '../quoted-input.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** YYYY-MM-DD naming a day that exists: Date.parse rolls 2027-02-30 over to 2 March, and the writer meant neither. */
function isCalendarDate(v: string): boolean {
  if (!DATE.test(v)) return false;
  const day = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(day.getTime()) && day.toISOString().slice(0, 10) === v;
}

const RuleSchema = z.object({
  id: z.string().trim().min(1).max(200),
  reason: z.string().trim().min(1).max(2000),
  until: z
    .union([z.string(), z.date()])
    .optional()
    .nullable()
    .transform((v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v ?? null))
    .refine((v) => v === null || isCalendarDate(v), { message: 'must be a date, YYYY-MM-DD (a day that exists)' }),
  package: z.string().trim().min(1).max(200).optional().nullable(),
  path: z.string().trim().min(1).max(500).optional().nullable(),
});

/** What an ignore entry's fields are for, said after one that is missing or empty. */
const IGNORE_HINTS: FieldHints = {
  id: 'name the advisory to ignore (GHSA-…, PYSEC-…, CVE-…)',
  reason: 'say why it is ignored',
  until: 'a date, YYYY-MM-DD, after which it applies no more',
  package: 'the package it applies to',
  path: 'the files it applies to (a glob)',
};

/** Characters of an entry's id its label shows: enough to recognise it, short beside the problem it names. */
const LABEL_ID_MAX = 60;

/** "ignore entry 2 (id: GHSA-…)": the entry's number, and its id when it has one to recognise it by. */
function ignoreEntryLabel(i: number, entry: unknown): string {
  const id = entry !== null && typeof entry === 'object' ? (entry as { id?: unknown }).id : undefined;
  if (typeof id !== 'string' || id.trim() === '') return `ignore entry ${i + 1}`;
  return `ignore entry ${i + 1} (id: ${clipInput(id.trim(), LABEL_ID_MAX)})`;
}

const FileSchema = z.object({ ignore: z.array(z.unknown()).max(10_000).optional().nullable() }).passthrough();

/** What `.depwatch.yml` says: ignores (findings kept apart) and excludes (paths not read at all). */
export interface DepwatchFile {
  rules: IgnoreRule[];
  excludes: ExcludeRule[];
  /** Every problem with the file: one per bad entry, or one for a file that cannot be read at all. */
  notes: IgnoreNote[];
  /** The notes that concern `exclude:` (its entries, or the whole file), for readers that apply only excludes (`depwatch deps`). */
  excludeNotes: IgnoreNote[];
}

/** Reads `.depwatch.yml`. Each bad entry becomes one note; the good ones still apply. */
export function parseIgnoreFile(text: string, source = '.depwatch.yml'): DepwatchFile {
  const notes: IgnoreNote[] = [];
  let doc: unknown;
  let problems: Problems;
  try {
    const Y = yaml();
    const counter = new Y.LineCounter();
    // YAML 1.2 core schema: no custom tags, no merge-key tricks; bounded aliases against billion
    // laughs. Quiet (QUIET_YAML): the library's warnings (an unknown tag) are read from the
    // document below and said as notes, never printed raw on stderr. Duplicate keys are found
    // there too, to say which entry they spoil.
    const parsed = withoutErrorStacks(() => Y.parseDocument(text, { ...QUIET_YAML, schema: 'core', uniqueKeys: false, lineCounter: counter }));
    if (parsed.errors.length > 0) throw new Error(yamlErrorLine(parsed.errors[0]!, counter));
    doc = parsed.toJS({ maxAliasCount: 100 });
    problems = placeProblems(parsed, text, counter);
  } catch (err) {
    // The parser's message may quote the file (an unresolved alias names it whole): cut like any quoted input.
    const whole: IgnoreNote[] = [{ kind: 'invalid', message: `${source}: not valid YAML (${clipInput(errorLine(err).replace(/:$/, ''))}); nothing in it applies`, settingsFile: source }];
    return { rules: [], excludes: [], notes: whole, excludeNotes: whole };
  }
  for (const problem of problems.elsewhere) notes.push({ kind: 'invalid', message: `${source}: ${problem}`, settingsFile: source });
  if (doc === null || doc === undefined) return { rules: [], excludes: [], notes, excludeNotes: [] };
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    const whole: IgnoreNote[] = [{ kind: 'invalid', message: `${source}: expected a mapping with "ignore:" and "exclude:" lists; nothing in it applies`, settingsFile: source }];
    return { rules: [], excludes: [], notes: [...notes, ...whole], excludeNotes: whole };
  }
  // Excludes are read apart from the ignores: a bad `ignore:` list does not drop them, nor the reverse.
  const excludeNotes: IgnoreNote[] = [];
  const excludes = parseExcludeList((doc as Record<string, unknown>).exclude, source, excludeNotes, problems.exclude);
  const listProblem = problems.ignore.list[0];
  if (listProblem !== undefined) {
    return { rules: [], excludes, notes: [...notes, { kind: 'invalid', message: `${source}: ignore: ${listProblem}; no ignore applies`, settingsFile: source }, ...excludeNotes], excludeNotes };
  }
  const file = FileSchema.safeParse(doc);
  if (!file.success) return { rules: [], excludes, notes: [...notes, { kind: 'invalid', message: `${source}: "ignore:" must be a list (of at most 10,000 entries); no ignore applies`, settingsFile: source }, ...excludeNotes], excludeNotes };
  const rules: IgnoreRule[] = [];
  let globs = 0;
  (file.data.ignore ?? []).forEach((entry, i) => {
    const entryProblem = problems.ignore.entries.get(i);
    if (entryProblem !== undefined) {
      notes.push({ kind: 'invalid', message: `${source}: ignore entry ${i + 1}: ${entryProblem}; not applied`, settingsFile: source });
      return;
    }
    const parsed = RuleSchema.safeParse(entry);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const subject = issue.path.length ? `\`${issue.path.join('.')}\`` : 'the entry (a mapping with an id and a reason)';
      notes.push({ kind: 'invalid', message: `${source}: ${ignoreEntryLabel(i, entry)}: ${subject} ${issuePhrase(issue, entry, IGNORE_HINTS)}; not applied`, settingsFile: source });
      return;
    }
    const r = parsed.data;
    if (isAdvisoryKind(r.id)) {
      notes.push({ kind: 'invalid', message: `${source}: ${ignoreEntryLabel(i, entry)}: ${advisoryKindIgnoreRefusal(r.id)}; not applied`, settingsFile: source });
      return;
    }
    if (r.path && globs + r.path.length > MAX_GLOBS_TOTAL) {
      notes.push({ kind: 'invalid', message: `${source}: ignore entry ${i + 1}: its path would make the paths of ignore: over ${MAX_GLOBS_TOTAL.toLocaleString('en-US')} characters together; not applied`, settingsFile: source });
      return;
    }
    if (r.path) globs += r.path.length;
    rules.push({ id: r.id, reason: r.reason, until: r.until, package: r.package ? normalizeName(r.package) : null, ...(r.path ? { path: r.path } : {}), source });
  });
  return { rules, excludes, notes: [...notes, ...excludeNotes], excludeNotes };
}

/** What the YAML reader saw wrong in one list: the first problem of each entry, by index, and problems with the list as a whole. */
interface ListProblems {
  entries: Map<number, string>;
  list: string[];
}

/** The file's problems that parse (warnings, duplicate keys), by what they spoil: an entry, a whole list, or nothing in force. */
interface Problems {
  ignore: ListProblems;
  exclude: ListProblems;
  elsewhere: string[];
}

/**
 * The document's warnings and duplicate keys, each placed where it is: in an entry of `ignore:` or
 * `exclude:` (that entry is not applied), on such a list itself (the list is not applied), or
 * elsewhere (a note; nothing in force depends on it). Not applying is the side that fails closed:
 * an unknown tag (`!!python/object`, `!Ref`) means its writer expected something the core schema
 * does not do, and YAML keeps only the last of two `ignore:` keys, while the writer may count on the
 * first; reading the value anyway would ignore or exclude what nobody checked.
 */
function placeProblems(parsed: Document.Parsed, text: string, counter: LineCounter): Problems {
  const Y = yaml();
  const problems: Problems = { ignore: { entries: new Map(), list: [] }, exclude: { entries: new Map(), list: [] }, elsewhere: [] };
  const lineOf = (offset: number) => counter.linePos(offset).line;
  const found: { offset: number; message: string }[] = [];
  for (const w of parsed.warnings) {
    const offset = w.pos[0];
    // The tag as written (`!!foo`), not the library's expansion of it, and never a whole line of the file.
    const what = w.code === 'TAG_RESOLVE_FAILED' ? `unknown YAML tag ${shortQuote(text.slice(w.pos[0], w.pos[1]))}` : `YAML: ${shortQuote(errorLine(w).replace(/ at line \d+, column \d+:?$/, ''))}`;
    found.push({ offset, message: `${what} on line ${lineOf(offset)}` });
  }
  Y.visit(parsed, {
    Map(_, map) {
      const firstLine = new Map<string, number>();
      for (const pair of map.items) {
        if (!Y.isScalar(pair.key) || pair.key.range === undefined || pair.key.range === null) continue;
        const key = String(pair.key.value);
        const line = lineOf(pair.key.range[0]);
        const first = firstLine.get(key);
        if (first === undefined) firstLine.set(key, line);
        else found.push({ offset: pair.key.range[0], message: `${shortQuote(key)} is given more than once (lines ${first} and ${line}; YAML would keep only the last)` });
      }
    },
  });
  if (found.length === 0) return problems;
  const top = Y.isMap(parsed.contents) ? parsed.contents : null;
  // In file order, so one walk over the lists places them all: a file of many duplicate keys or
  // unknown tags (each a problem) must not cost a walk of the whole list per problem.
  found.sort((a, b) => a.offset - b.offset);
  const places = top ? placeAll(top, found.map((f) => f.offset)) : found.map(() => null);
  for (const [i, { message }] of found.entries()) {
    const place = places[i]!;
    if (place === null) problems.elsewhere.push(message);
    else if (place.index === null) problems[place.list].list.push(message);
    else if (!problems[place.list].entries.has(place.index)) problems[place.list].entries.set(place.index, message);
  }
  return problems;
}

type Place = { list: 'ignore' | 'exclude'; index: number | null } | null;

/**
 * Which list (and entry) of the top-level mapping each offset (in ascending order) falls in. A
 * pair, or an item, is taken to start where the one before it ended: a tag is written before the
 * node it is on (`- !custom {…}`), and the node's own range starts after it. One pass over the
 * pairs and items, the offsets followed along (linear in both).
 */
function placeAll(top: YAMLMap, offsets: readonly number[]): Place[] {
  const Y = yaml();
  const places: Place[] = offsets.map(() => null);
  let next = 0;
  let pairStart = 0;
  for (const pair of top.items) {
    if (next >= offsets.length) break;
    const end = nodeEnd(pair.value) ?? nodeEnd(pair.key) ?? pairStart;
    const pairEnd = Math.max(end, pairStart + 1);
    const from = pairStart;
    pairStart = end;
    while (next < offsets.length && offsets[next]! < from) next += 1;
    const key = Y.isScalar(pair.key) ? String(pair.key.value) : null;
    const list = key === 'ignore' || key === 'exclude' ? key : null;
    const items = list !== null && Y.isSeq(pair.value) ? pair.value.items : [];
    let item = 0;
    let itemStart = list !== null && Y.isSeq(pair.value) ? (pair.value.range?.[0] ?? 0) : 0;
    for (; next < offsets.length && offsets[next]! < pairEnd; next += 1) {
      const offset = offsets[next]!;
      if (list === null) continue;
      // Items before the offset are passed once: the offsets only grow.
      while (item < items.length && offset >= (nodeEnd(items[item]) ?? itemStart)) {
        itemStart = nodeEnd(items[item]) ?? itemStart;
        item += 1;
      }
      places[next] = { list, index: item < items.length && offset >= itemStart ? item : null };
    }
  }
  return places;
}

function nodeEnd(node: unknown): number | null {
  const range = (node as { range?: [number, number, number] | null } | null)?.range;
  return range ? range[2] : null;
}

/** Characters of a tag or key a note quotes: one of them is a few words, never a paragraph. */
const SHORT_QUOTE_MAX = 60;

/** A piece of the file inside a note: quoted, control characters escaped, and cut short (with its length). */
const shortQuote = (s: string): string => quoteInput(s, SHORT_QUOTE_MAX);

/** More entries than any project needs; past it the rest are not applied (and a note says so). */
export const MAX_EXCLUDES = 100;
const MAX_EXCLUDE_PATH = 500;
/**
 * The globs of one list (`exclude:` paths, or the `path`s of `ignore:`) together: matching a path
 * costs its length times the globs' (glob.ts), and both come from the repository, so the total is
 * what bounds the cost of a file. An entry past it is not applied, with a note: its files are read,
 * its findings reported (fail closed).
 */
export const MAX_GLOBS_TOTAL = 5_000;
const MAX_EXCLUDE_REASON = 2000;

/**
 * Names an exclude must never match. The settings files themselves: the file that says what is
 * excluded must always be read (an exclude that hid it would be the file hiding itself, and every
 * later reader would see a tree without settings). And a name nobody chose, at the root and in a
 * folder: a glob that matches a made-up name matches every name (`*`, `**`, `?*`, and a star then a slash).
 */
const NEVER_EXCLUDED = ['depwatch-probe-c4f1', 'depwatch-probe-c4f1/depwatch-probe-c4f1', '.depwatch.yml', '.depwatch.yaml'];

/**
 * Why an exclude glob is refused, or null when it may be used. The rule, and why (fail closed: a
 * setting that hides everything must not turn a gate green, however it is written):
 *  - a glob made of nothing but `/` and `.` (`/`, `.`, `./`) means "the whole tree" to its writer,
 *    and nothing at all in .gitignore syntax: a mistake either way;
 *  - a glob that matches the settings file or a made-up name (NEVER_EXCLUDED) excludes the whole
 *    tree or the settings themselves (`*`, `/*`, `?*`, `*.yml`, `.*`, every folder);
 *  - `!` (a negation) has nothing to undo here, each entry stands alone, and `#` starts a comment:
 *    either would silently match nothing, so the user is told instead.
 * A glob that hides every manifest without matching these is the user's
 * choice (say `**` then `/requirements*.txt`), and still not green: an audit that read no
 * manifest is partial (partial.ts).
 */
export function refusedExclude(glob: string): string | null {
  if (/^[/.]+$/.test(glob)) return `${quoteInput(glob)} would exclude the whole tree; name the folders or files that are not part of the project`;
  if (glob.startsWith('!')) return `${quoteInput(glob)}: a negation (!) has nothing to undo in an exclude; list only what to exclude`;
  if (glob.startsWith('#')) return `${quoteInput(glob)}: starts with #, a comment in .gitignore syntax, so it would match nothing`;
  const matches = compileGlob(glob);
  const hit = NEVER_EXCLUDED.find((name) => matches(name));
  if (hit === undefined) return null;
  if (hit.startsWith('.depwatch.')) return `${quoteInput(glob)} would exclude ${hit} itself, the file that says what is excluded; narrow it (for example to a folder: tests/fixtures/)`;
  return `${quoteInput(glob)} would exclude the whole tree (it matches any name); name the folders or files that are not part of the project`;
}

/** The `exclude:` list: each bad entry one note, the good ones kept. */
function parseExcludeList(list: unknown, source: string, notes: IgnoreNote[], problems: ListProblems): ExcludeRule[] {
  const note = (message: string) => notes.push({ kind: 'invalid', message: `${source}: ${message}`, settingsFile: source });
  if (problems.list.length > 0) {
    note(`exclude: ${problems.list[0]}; nothing was excluded`);
    return [];
  }
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) {
    note('exclude: expected a list of entries with a path and a reason; nothing was excluded');
    return [];
  }
  if (list.length > MAX_EXCLUDES) {
    note(`exclude: ${list.length} entries, over the limit of ${MAX_EXCLUDES}; entries after the ${MAX_EXCLUDES}th were not applied (their files are read)`);
  }
  const excludes: ExcludeRule[] = [];
  let globs = 0;
  list.slice(0, MAX_EXCLUDES).forEach((entry, i) => {
    const bad = (message: string) => note(`exclude entry ${i + 1}: ${message}; not applied`);
    const problem = problems.entries.get(i);
    if (problem !== undefined) return bad(problem);
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return bad('expected a mapping with a path and a reason');
    const { path, reason } = entry as Record<string, unknown>;
    // Worded as ignore entries' problems are (settings-issue.ts): the field, then what is wrong and what it is for.
    const pathFor = 'the files not to read (a .gitignore-syntax glob, such as tests/fixtures/)';
    if (path === undefined || path === null) return bad(`\`path\` is missing: ${pathFor}`);
    if (typeof path !== 'string') return bad(`\`path\` must be text: ${pathFor}`);
    const glob = path.trim();
    if (glob === '') return bad(`\`path\` is empty: ${pathFor}`);
    if (glob.length > MAX_EXCLUDE_PATH) return bad(`\`path\` is ${glob.length} characters, over the limit of ${MAX_EXCLUDE_PATH}`);
    const reasonFor = 'say why these files are not part of the project';
    if (reason === undefined || reason === null) return bad(`\`reason\` is missing: ${reasonFor}`);
    if (typeof reason !== 'string') return bad(`\`reason\` must be text: ${reasonFor}`);
    if (reason.trim() === '') return bad(`\`reason\` is empty: ${reasonFor}`);
    if (reason.trim().length > MAX_EXCLUDE_REASON) return bad(`\`reason\` is over the limit of ${MAX_EXCLUDE_REASON} characters`);
    const refused = refusedExclude(glob);
    if (refused !== null) return bad(refused);
    if (globs + glob.length > MAX_GLOBS_TOTAL) return bad(`its path would make the paths of exclude: over ${MAX_GLOBS_TOTAL.toLocaleString('en-US')} characters together`);
    globs += glob.length;
    excludes.push({ path: glob, reason: reason.trim(), source });
  });
  return excludes;
}
