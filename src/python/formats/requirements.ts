/**
 * pip requirements files (`requirements*.txt`, pip-tools `.in`, constraints files), read with pip's
 * own line grammar (pip `req_file.py` + `req/constructors.py`), never by running pip:
 *
 * 1. lines are split like Python's `str.splitlines`; a line ending in `\` is joined with the next
 *    (a comment line ends the join), and the joined line keeps the number of its first line;
 * 2. comments (`#` at line start or after whitespace) and blank lines are dropped;
 * 3. `${VAR}` references are kept as written: we never have the user's environment;
 * 4. each line is split at the first space-separated token starting with `-`: what comes before is
 *    the requirement, what comes after is shell-split and read as options (pip uses optparse, so
 *    long options may be abbreviated and `--opt=value`, `--opt value`, `-ovalue` all work);
 * 5. the requirement is read like pip's `parse_req_from_line`: a URL (pip's URL schemes only), a
 *    local path or archive, or a PEP 508 requirement with the marker split off at the first `;`
 *    (at `"; "` for URLs).
 *
 * pip reads paths against the file system (is `./pkg` a directory?); this module is pure, so
 * anything that looks like a path and is not a PEP 508 requirement is taken to be a local project.
 * Requirements pip accepts without a name (a path, an sdist URL, a VCS URL without `#egg=`) are kept
 * with a name derived from the wheel or sdist file name, the VCS repository or the directory name,
 * or "" when nothing usable is written (`-e .`); pip itself learns those names by building.
 *
 * A line pip would reject becomes one `errors` entry; every other line is still read.
 */
import { clipInput, singleQuoteInput } from '../../quoted-input.js';
import { stripUrlCredentials } from '../urls.js';
import { undecodableLineMessage, withoutByteOrderMark } from './undecodable.js';
import type {
  Dependency,
  DependencySource,
  ExtractContext,
  ExtractResult,
  ManifestFormatModule,
} from '../types.js';
import { normalizeName, writtenNameOf } from '../names.js';
import { archiveExtension, archivePin, linkFilename, wheelRelease } from '../archive-name.js';
import { exactPin, parseMarker, parsePep508 } from '../pep508.js';
import { isJsSpace, pythonStrip } from '../text.js';
import { ManifestCollector } from './collector.js';
import { compiledBy, lockedByRye } from './created-by.js';
import { isRequirementsPath } from './paths.js';

// ---------------------------------------------------------------------------------------------
// Lines: split, join continuations, drop comments (pip's `preprocess`)
// ---------------------------------------------------------------------------------------------

interface LogicalLine {
  line: number;
  text: string;
  /**
   * The first character outside the comment that stands for bytes that are not text (an invalid
   * UTF-8 sequence or a NUL: ExtractContext.undecodable), with the physical line holding it: the line
   * is not read. Bytes inside the comment cost nothing, as pip drops the comment.
   */
  undecodable?: { line: number; nul: boolean };
}

/** Python's `str.splitlines` boundaries: \r\n, and each of \n \r \v \f \x1c \x1d \x1e \x85 \u2028 \u2029. */
function isLineBreak(code: number): boolean {
  return (code >= 0x0a && code <= 0x0d) || (code >= 0x1c && code <= 0x1e) || code === 0x85 || code === 0x2028 || code === 0x2029;
}

/** Physical lines as `str.splitlines` gives them (no empty last one after a final newline), one at a time, with where each starts. */
function* physicalLines(content: string): Generator<{ raw: string; start: number }> {
  let start = 0;
  for (let i = 0; i < content.length; i++) {
    const code = content.charCodeAt(i);
    if (!isLineBreak(code)) continue;
    yield { raw: content.slice(start, i), start };
    if (code === 0x0d && content.charCodeAt(i + 1) === 0x0a) i++;
    start = i + 1;
  }
  if (start < content.length) yield { raw: content.slice(start), start };
}

/** A whole-line comment: `#` first, or after blanks only. */
function isCommentLine(raw: string): boolean {
  let i = 0;
  while (i < raw.length && isJsSpace(raw.charCodeAt(i))) i++;
  return raw.charCodeAt(i) === 0x23 /* # */;
}

/** How many `char`s start the text (what Python's `strip(chars)` takes off its front). */
function leadingRun(text: string, char: string): number {
  let i = 0;
  while (i < text.length && text[i] === char) i++;
  return i;
}

/**
 * The logical lines of a file, one at a time (a 5 MB file of short lines never exists as an array
 * of millions of strings): continuations joined, comments and blank lines dropped. `undecodable`:
 * offsets into `content`, in order (ExtractContext.undecodable), walked once alongside.
 */
function* logicalLines(content: string, undecodable: readonly number[] = []): Generator<LogicalLine> {
  let pending: string | null = null;
  let pendingLine = 0;
  let lineNumber = 0;
  /** The first undecodable character of the logical line being built: where it is in the joined text. */
  let firstBad: { at: number; line: number; nul: boolean } | null = null;
  let next = 0;
  const finish = (line: number, text: string): LogicalLine | null => {
    const cut = commentStart(text);
    const kept = pythonStrip(text.slice(0, cut));
    const bad = firstBad !== null && firstBad.at < cut ? { line: firstBad.line, nul: firstBad.nul } : undefined;
    firstBad = null;
    if (kept === '') return null;
    return bad === undefined ? { line, text: kept } : { line, text: kept, undecodable: bad };
  };
  for (const { raw, start } of physicalLines(content)) {
    lineNumber++;
    const isComment = isCommentLine(raw);
    // Where this line's text lands in the joined text: after what is pending, shifted by what is
    // added before it (a comment's space) or taken off its front (a continuation's backslashes).
    const ends = !raw.endsWith('\\') || isComment;
    const base = (pending?.length ?? 0) + (ends ? (isComment ? 1 : 0) : -leadingRun(raw, '\\'));
    while (next < undecodable.length && undecodable[next]! < start + raw.length) {
      const offset = undecodable[next++]!;
      if (offset < start || firstBad !== null) continue;
      firstBad = { at: base + offset - start, line: lineNumber, nul: content.charCodeAt(offset) === 0 };
    }
    if (ends) {
      // A comment ends a continuation; the leading space keeps it recognisable as a comment.
      const text = isComment ? ` ${raw}` : raw;
      let joined: LogicalLine | null;
      if (pending !== null) {
        joined = finish(pendingLine, pending + text);
        pending = null;
      } else {
        joined = finish(lineNumber, text);
      }
      if (joined !== null) yield joined;
    } else {
      if (pending === null) {
        pendingLine = lineNumber;
        pending = '';
      }
      pending += stripChars(raw, '\\');
    }
  }
  if (pending !== null) {
    const joined = finish(pendingLine, pending);
    if (joined !== null) yield joined;
  }
}

/**
 * Where pip's COMMENT_RE, `(^|\s+)#.*$`, starts matching: the first `#` that starts the line or
 * follows a blank (the blanks before it are stripped with the rest); the length when none does.
 * Scanned rather than matched: the pattern rescans a run of blanks from each of its positions when
 * no `#` follows, quadratic on a long run.
 */
function commentStart(text: string): number {
  for (let hash = text.indexOf('#'); hash !== -1; hash = text.indexOf('#', hash + 1)) {
    if (hash === 0) return 0;
    if (!isJsSpace(text.charCodeAt(hash - 1))) continue;
    let blanks = hash - 1;
    while (blanks > 0 && isJsSpace(text.charCodeAt(blanks - 1))) blanks--;
    return blanks;
  }
  return text.length;
}

/** pip's COMMENT_RE removed, then `strip()`: the text before the first `#` that starts the line or follows a blank. */
export function withoutComment(text: string): string {
  return pythonStrip(text.slice(0, commentStart(text)));
}

/** Python's `str.strip(chars)`. */
function stripChars(text: string, char: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && text[start] === char) start++;
  while (end > start && text[end - 1] === char) end--;
  return text.slice(start, end);
}

/** pip's `break_args_options`: the requirement is every space-separated token before the first option. */
function breakArgsOptions(line: string): { args: string; options: string } {
  // Only a token that starts with `-` begins the options: most lines have none.
  if (!line.startsWith('-') && !line.includes(' -')) return { args: line, options: '' };
  const tokens = line.split(' ');
  const firstOption = tokens.findIndex((token) => token.startsWith('-'));
  if (firstOption === -1) return { args: tokens.join(' '), options: '' };
  return { args: tokens.slice(0, firstOption).join(' '), options: tokens.slice(firstOption).join(' ') };
}

// ---------------------------------------------------------------------------------------------
// Options: shlex + optparse, with pip's requirements-file option table
// ---------------------------------------------------------------------------------------------

/**
 * Why a line cannot be read. Not an `Error`: it never leaves this module (each one becomes an
 * `errors` entry), and a stack trace per bad line made a file of bad lines slow to read.
 */
class LineProblem {
  constructor(readonly message: string) {}
}

/** shlex's whitespace is exactly these four characters. */
const SHLEX_BLANKS = /[ \t\r\n]+/;

/** Python's `shlex.split` (POSIX mode, no comments). */
export function shlexSplit(text: string): string[] {
  // Without quotes or backslashes every character is a blank or part of a word (`--hash=sha256:…`).
  if (!/["'\\]/.test(text)) return text.split(SHLEX_BLANKS).filter((word) => word !== '');
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quote === "'") {
      if (ch === "'") quote = null;
      else word += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = null;
      else if (ch === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\')) word += text[++i];
      else word += ch;
    } else if (ch === '\\') {
      if (i + 1 >= text.length) throw new LineProblem('No escaped character');
      word += text[++i];
      inWord = true;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n') {
      // shlex's whitespace is exactly these four characters.
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (quote !== null) throw new LineProblem('No closing quotation');
  if (inWord) words.push(word);
  return words;
}

interface OptionSpec {
  /** Canonical name without dashes, as recorded in `options`. */
  name: string;
  flags: string[];
  takesValue: boolean;
}

/** pip's SUPPORTED_OPTIONS + SUPPORTED_OPTIONS_REQ (`req_file.build_parser`). */
const OPTION_SPECS: OptionSpec[] = [
  { name: 'index-url', flags: ['-i', '--index-url', '--pypi-url'], takesValue: true },
  { name: 'extra-index-url', flags: ['--extra-index-url'], takesValue: true },
  { name: 'no-index', flags: ['--no-index'], takesValue: false },
  { name: 'constraint', flags: ['-c', '--constraint'], takesValue: true },
  { name: 'requirement', flags: ['-r', '--requirement'], takesValue: true },
  { name: 'editable', flags: ['-e', '--editable'], takesValue: true },
  { name: 'find-links', flags: ['-f', '--find-links'], takesValue: true },
  { name: 'no-binary', flags: ['--no-binary'], takesValue: true },
  { name: 'only-binary', flags: ['--only-binary'], takesValue: true },
  { name: 'prefer-binary', flags: ['--prefer-binary'], takesValue: false },
  { name: 'require-hashes', flags: ['--require-hashes'], takesValue: false },
  { name: 'pre', flags: ['--pre'], takesValue: false },
  { name: 'trusted-host', flags: ['--trusted-host'], takesValue: true },
  { name: 'use-feature', flags: ['--use-feature'], takesValue: true },
  { name: 'global-option', flags: ['--global-option'], takesValue: true },
  { name: 'hash', flags: ['--hash'], takesValue: true },
  { name: 'config-settings', flags: ['-C', '--config-settings'], takesValue: true },
];
const SHORT_OPTIONS = new Map<string, OptionSpec>();
const LONG_OPTIONS = new Map<string, OptionSpec>();
for (const spec of OPTION_SPECS) {
  for (const flag of spec.flags) (flag.startsWith('--') ? LONG_OPTIONS : SHORT_OPTIONS).set(flag, spec);
}
const LONG_FLAGS = [...LONG_OPTIONS.keys()].sort();

interface ParsedOption {
  spec: OptionSpec;
  value: string;
}

/** A long option of a requirements file, named in full or abbreviated (matchAbbreviation). */
function matchLongOption(flag: string): OptionSpec {
  const match = matchAbbreviation(flag, LONG_FLAGS);
  if (match === null) throw new LineProblem(`no such option: ${clipInput(flag)}`);
  if ('ambiguous' in match) throw new LineProblem(`ambiguous option: ${clipInput(flag)} (${match.ambiguous.join(', ')}?)`);
  return LONG_OPTIONS.get(match.only) as OptionSpec;
}

/**
 * optparse's `_match_abbrev` (argparse matches long options the same way): the option of `known`
 * (sorted) that `flag` names in full or by a unique prefix (`--extra-index` is `--extra-index-url`);
 * every candidate when it is the prefix of several (`--req`: pip refuses it); null when it is the
 * prefix of none.
 */
export function matchAbbreviation(flag: string, known: readonly string[]): { only: string } | { ambiguous: string[] } | null {
  if (known.includes(flag)) return { only: flag };
  const candidates = known.filter((option) => option.startsWith(flag));
  if (candidates.length === 0) return null;
  return candidates.length === 1 ? { only: candidates[0]! } : { ambiguous: candidates };
}

/** optparse's argument loop; leftover positional arguments are ignored, as pip ignores them. */
function parseOptions(args: string[]): ParsedOption[] {
  const parsed: ParsedOption[] = [];
  // An index, not `shift()`: shifting a long array moves every element, quadratic on `- - - …`.
  let next = 0;
  const rest = { shift: (): string | undefined => (next < args.length ? args[next++] : undefined) };
  while (next < args.length) {
    const arg = rest.shift() as string;
    if (arg === '--') break;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const flag = eq === -1 ? arg : arg.slice(0, eq);
      const spec = matchLongOption(flag);
      if (spec.takesValue) {
        const value = eq === -1 ? rest.shift() : arg.slice(eq + 1);
        if (value === undefined) throw new LineProblem(`${clipInput(flag)} option requires 1 argument`);
        parsed.push(checkOptionValue(spec, value));
      } else {
        if (eq !== -1) throw new LineProblem(`${clipInput(flag)} option does not take a value`);
        parsed.push({ spec, value: '' });
      }
    } else if (arg.startsWith('-') && arg.length > 1) {
      for (let i = 1; i < arg.length; i++) {
        const flag = `-${arg[i]}`;
        const spec = SHORT_OPTIONS.get(flag);
        if (!spec) throw new LineProblem(`no such option: ${clipInput(flag)}`);
        if (!spec.takesValue) {
          parsed.push({ spec, value: '' });
          continue;
        }
        const value = i + 1 < arg.length ? arg.slice(i + 1) : rest.shift();
        if (value === undefined) throw new LineProblem(`${clipInput(flag)} option requires 1 argument`);
        parsed.push(checkOptionValue(spec, value));
        break;
      }
    }
    // A positional argument after an option: optparse collects it, pip never looks at it.
  }
  return parsed;
}

const STRONG_HASHES = ['sha256', 'sha384', 'sha512'];

/** The checks pip's option callbacks make (`_handle_merge_hash`, `_handle_config_settings`, …). */
function checkOptionValue(spec: OptionSpec, value: string): ParsedOption {
  if (spec.name === 'hash') {
    const colon = value.indexOf(':');
    if (colon === -1) {
      throw new LineProblem('Arguments to --hash must be a hash name followed by a value, like --hash=sha256:abcde...');
    }
    const algorithm = value.slice(0, colon);
    if (!STRONG_HASHES.includes(algorithm)) {
      throw new LineProblem(`Allowed hash algorithms for --hash are ${STRONG_HASHES.join(', ')}.`);
    }
  } else if (spec.name === 'config-settings' && !value.includes('=')) {
    throw new LineProblem('Arguments to --config-settings must be of the form KEY=VAL');
  } else if ((spec.name === 'no-binary' || spec.name === 'only-binary') && value.startsWith('-')) {
    throw new LineProblem('--no-binary / --only-binary option requires 1 argument.');
  }
  return { spec, value };
}

// ---------------------------------------------------------------------------------------------
// Requirements: URLs, paths, VCS, PEP 508 (pip's `parse_req_from_line` / `parse_editable`)
// ---------------------------------------------------------------------------------------------

const VCS_SCHEMES = new Set([
  'git+http', 'git+https', 'git+ssh', 'git+git', 'git+file',
  'hg+file', 'hg+http', 'hg+https', 'hg+ssh', 'hg+static-http',
  'svn', 'svn+ssh', 'svn+http', 'svn+https', 'svn+svn', 'svn+file',
  'bzr+http', 'bzr+https', 'bzr+ssh', 'bzr+sftp', 'bzr+ftp', 'bzr+lp', 'bzr+file',
]);
const URL_SCHEMES = new Set(['http', 'https', 'file', 'ftp', ...VCS_SCHEMES]);
const VCS_NAMES = ['git', 'hg', 'svn', 'bzr'];
const VALID_PROJECT_NAME = /^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$/i;

/** `urllib.parse.urlsplit(...).scheme`, lower case, or null. */
function urlScheme(text: string): string | null {
  const match = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(text);
  return match ? (match[1] as string).toLowerCase() : null;
}

/** pip's `is_url`: only pip's own schemes count (`git://` does not, `git+git://` does). */
function isPipUrl(text: string): boolean {
  const scheme = urlScheme(text);
  return scheme !== null && URL_SCHEMES.has(scheme);
}

function looksLikePath(text: string): boolean {
  return text.includes('/') || text.startsWith('.');
}

function isArchive(path: string): boolean {
  return archiveExtension(path) !== null;
}

function sourceOfUrl(url: string): DependencySource {
  const scheme = urlScheme(url);
  if (scheme === null) return 'path';
  if (scheme === 'file') return 'path';
  if (VCS_SCHEMES.has(scheme) || VCS_NAMES.some((vcs) => scheme.startsWith(`${vcs}+`))) return 'vcs';
  return 'url';
}


/** pip's `Link.egg_fragment`. */
function eggFragment(url: string): string | null {
  const match = /[#&]egg=([^&]*)/.exec(url);
  return match ? (match[1] as string) : null;
}

/** A name for a requirement pip would accept unnamed, from what the URL or path shows. */
function deriveName(location: string, source: DependencySource): string {
  const withoutFragment = (location.split('#')[0] ?? '').split('?')[0] ?? '';
  const path = withoutFragment.replace(/^[a-zA-Z][a-zA-Z0-9+.-]*:(?:\/\/[^/]*)?/, '');
  const segments = path.split('/').filter((s) => s !== '' && s !== '.' && s !== '..');
  if (source === 'vcs') {
    // git+https://host/org/Repo.git@v1 → repo
    const last = (segments[segments.length - 1] ?? '').replace(/@.*$/, '').replace(/\.git$/i, '');
    return VALID_PROJECT_NAME.test(last) ? normalizeName(last) : '';
  }
  const last = segments[segments.length - 1] ?? '';
  if (isArchive(last)) {
    // GitHub-style `…/org/repo/archive/<ref>.zip` names the repository, not the project version.
    const archiveAt = segments.lastIndexOf('archive');
    if (archiveAt > 0 && archiveAt === segments.length - 2) {
      const repo = segments[archiveAt - 1] ?? '';
      return VALID_PROJECT_NAME.test(repo) ? normalizeName(repo) : '';
    }
    const stem = last.slice(0, last.length - (archiveExtension(last) ?? '').length);
    const nameOnly = /^(.+?)-\d/.exec(stem)?.[1] ?? stem;
    return VALID_PROJECT_NAME.test(nameOnly) ? normalizeName(nameOnly) : '';
  }
  return VALID_PROJECT_NAME.test(last) ? normalizeName(last) : '';
}

/**
 * pip's `_strip_extras`, `^(.+)(\[[^\]]+\])$`: a trailing `[extras]` on a path, opened by the last
 * `[` that leaves something before it and only non-`]` text inside. Found by searching back from
 * the end: the pattern itself tried every `[` and rescanned to the end from each (quadratic).
 */
export function stripExtras(path: string): { path: string; extras: string | null } {
  const none = { path, extras: null };
  const close = path.length - 1;
  if (close < 2 || path[close] !== ']') return none;
  // `.` stops at line terminators (a requirements line has none; an editable value might), so
  // the part before the `[` cannot reach past the first one.
  const terminator = path.search(/[\n\r\u2028\u2029]/);
  const open = path.lastIndexOf('[', terminator === -1 ? close - 2 : Math.min(terminator, close - 2));
  if (open < 1 || path.lastIndexOf(']', close - 1) > open) return none;
  return { path: path.slice(0, open), extras: path.slice(open) };
}

/** pip's `convert_extras`: `[a,b]` read through a placeholder requirement. */
function convertExtras(extras: string | null): string[] {
  if (!extras) return [];
  const parsed = parsePep508(`placeholder${extras.toLowerCase()}`);
  if (!parsed.ok) throw new LineProblem(`Invalid extras ${clipInput(extras)}: ${parsed.message}`);
  return parsed.requirement.extras;
}

/** What a requirement says about the package; the line adds where and how. Built without object spread: it is the hot path. */
export type RequirementParts = Pick<Dependency, 'name' | 'version' | 'specifier' | 'extras' | 'marker' | 'source'> & { url: string | undefined; writtenName: string | undefined };

/** `written`: the name as the line writes it (Dependency.writtenName), when it names one; a name taken from a URL or a file name is not one. */
function requirementParts(
  name: string,
  specifier: string,
  extras: string[],
  marker: string | null,
  source: DependencySource,
  url: string | undefined,
  written?: string,
): RequirementParts {
  return { name, version: exactPin(specifier), specifier, extras, marker, source, url, writtenName: written === undefined ? undefined : writtenNameOf(written, name) };
}

function invalidRequirement(text: string, message: string): LineProblem {
  let hint = '';
  if (/\$\{[A-Z0-9_]+\}/.test(text)) hint = ' (it uses an environment variable, which pip expands at install time)';
  else if (text.includes('=') && !/(===|==|~=|!=|<=|>=|<|>)/.test(text)) hint = ' (= is not a valid operator. Did you mean == ?)';
  return new LineProblem(`Invalid requirement: ${singleQuoteInput(text)}: ${message}${hint}`);
}

function namedRequirement(text: string): RequirementParts {
  const parsed = parsePep508(text);
  if (!parsed.ok) throw invalidRequirement(text, parsed.message);
  const req = parsed.requirement;
  const source = req.url === null ? 'registry' : sourceOfUrl(req.url);
  const url = req.url === null ? undefined : stripUrlCredentials(req.url);
  // `name @ …/name-1.0-py3-none-any.whl` installs 1.0, as the same link on a line of its own does.
  const fromFile = req.url === null || source === 'vcs' ? null : archivePin(req.normalizedName, linkFilename(req.url));
  return requirementParts(req.normalizedName, fromFile ?? req.specifier, req.extras, req.marker, source, url, req.name);
}

/** A link pip would install from: wheel → `name==version`; otherwise `#egg=` names it, or nothing does. */
function linkRequirement(location: string, source: DependencySource, extras: string[], notes: string[]): RequirementParts {
  const url = stripUrlCredentials(location);
  const filename = source === 'path' && !isPipUrl(location) ? location.split('/').pop() ?? '' : linkFilename(location);
  if (filename.toLowerCase().endsWith('.whl')) {
    const wheel = wheelRelease(filename);
    if (!wheel) throw new LineProblem(`${clipInput(filename)} is not a valid wheel filename.`);
    const { name, version } = wheel;
    const named = namedRequirement(`${name}==${version}`);
    return requirementParts(named.name, named.specifier, extras.length > 0 ? extras : named.extras, named.marker, source, url);
  }
  const egg = isPipUrl(location) ? eggFragment(location) : null;
  if (egg !== null) {
    const named = eggRequirement(egg, location, notes);
    return requirementParts(named.name, named.specifier, extras.length > 0 ? extras : named.extras, named.marker, source, url, named.writtenName);
  }
  const name = deriveName(location, source);
  // An sdist (`…/Django-2.2.0.tar.gz`) installs the release its name states, as a wheel does.
  const pin = source === 'vcs' || name === '' ? null : archivePin(name, filename);
  return requirementParts(name, pin ?? '', extras, null, source, url);
}

/**
 * `#egg=` names the project. pip up to 25.2 read it as a whole requirement (`#egg=foo==1.0`,
 * `#egg=foo[bar]`) with a deprecation warning; pip 25.3 rejects anything but a plain name. We keep
 * the older reading (the name and version are worth auditing) and report the line, so it is
 * neither lost nor silently accepted.
 */
function eggRequirement(egg: string, location: string, notes: string[]): RequirementParts {
  const parsed = parsePep508(egg);
  if (!parsed.ok) {
    const legacy = legacyEggPin(egg);
    if (legacy === null) throw invalidRequirement(egg, parsed.message);
    notes.push(
      `${clipInput(location)} pins ${singleQuoteInput(legacy.name)} to ${singleQuoteInput(legacy.version)} in its egg fragment, which is not a PEP 440 version; pip 24.1 and later reject the line (use 'name @ url')`,
    );
    return requirementParts(legacy.name, `${legacy.operator}${legacy.version}`, [], null, 'vcs', undefined, legacy.written);
  }
  if (!VALID_PROJECT_NAME.test(egg)) {
    notes.push(
      `${clipInput(location)} contains an egg fragment with a non-PEP 508 name ${singleQuoteInput(egg)}; pip 25.3 and later reject it (use 'name @ url')`,
    );
  }
  const req = parsed.requirement;
  return requirementParts(req.normalizedName, req.specifier, req.extras, req.marker, 'vcs', undefined, req.name);
}

/**
 * `#egg=talon-core==1.6.0.zulip1`: a pin to a version PEP 440 cannot read. pip up to 24.0 accepted
 * it (packaging's legacy versions) and installs the URL either way, so the name and the pin as
 * written are kept rather than losing the line; the version is simply never matched as PEP 440.
 */
function legacyEggPin(egg: string): { name: string; written: string; operator: string; version: string } | null {
  const match = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(===|==)\s*([^\s,;]+)$/.exec(egg);
  if (!match) return null;
  return { name: normalizeName(match[1] as string), written: match[1] as string, operator: match[2] as string, version: match[3] as string };
}

/** pip's `parse_req_from_line`, without the file system. */
function requirementFromLine(line: string, notes: string[]): RequirementParts {
  let text = line;
  let marker: string | null = null;
  const separator = isPipUrl(text) ? '; ' : ';';
  const at = text.indexOf(separator);
  if (at !== -1) {
    const markerText = pythonStrip(text.slice(at + separator.length));
    text = text.slice(0, at);
    if (markerText !== '') {
      const parsed = parseMarker(markerText);
      if (!parsed.ok) throw new LineProblem(`Invalid marker: ${singleQuoteInput(markerText)}: ${parsed.message}`);
      marker = parsed.marker;
    }
  }
  text = pythonStrip(text);

  let parts: RequirementParts;
  if (isPipUrl(text)) {
    parts = linkRequirement(text, sourceOfUrl(text), [], notes);
  } else if (looksLikePath(text) && !isPep508UrlForm(text)) {
    const { path, extras } = stripExtras(text);
    parts = linkRequirement(path, 'path', convertExtras(extras), notes);
  } else {
    parts = namedRequirement(text);
  }
  if (marker !== null) parts.marker = marker;
  return parts;
}

/**
 * A path-looking line that is really `name @ url` or `name>=1; …/…`: pip first asks the file
 * system, then falls back to PEP 508. Without a file system, whatever PEP 508 accepts is a
 * requirement, and a `name @ …archive` is one too (pip's `_get_url_from_path` rule).
 */
function isPep508UrlForm(text: string): boolean {
  const at = text.indexOf('@');
  if (at !== -1 && !looksLikePath(text.slice(0, at)) && isArchive(stripExtras(text).path)) return true;
  return parsePep508(text).ok;
}

/** pip's `parse_editable`: a local project directory or a VCS URL with `#egg=`. */
function editableRequirement(value: string, notes: string[]): RequirementParts {
  const { path, extras } = stripExtras(value);
  if (urlScheme(path) === null || /^[a-zA-Z]:[\\/]/.test(path)) {
    // pip checks that the directory exists and has setup.py/pyproject.toml; we assume it does.
    const parts = linkRequirement(path, 'path', convertExtras(extras), notes);
    parts.url = path;
    return parts;
  }
  if (path.toLowerCase().startsWith('file:')) {
    return linkRequirement(path, 'path', convertExtras(extras), notes);
  }
  let url = value;
  const bareVcs = VCS_NAMES.find((vcs) => url.toLowerCase().startsWith(`${vcs}:`));
  if (bareVcs) url = `${bareVcs}+${url}`;
  const scheme = urlScheme(url);
  if (scheme === null || !VCS_SCHEMES.has(scheme)) {
    throw new LineProblem(
      `${clipInput(value)} is not a valid editable requirement. It should either be a path to a local project or a VCS URL (beginning with ${[...VCS_SCHEMES].join(', ')}).`,
    );
  }
  const egg = eggFragment(url);
  if (!egg) {
    throw new LineProblem(`Could not detect requirement name for ${singleQuoteInput(value)}, please specify one with #egg=your_package_name`);
  }
  const parts = eggRequirement(egg, value, notes);
  parts.url = stripUrlCredentials(url);
  return parts;
}

/**
 * One requirement as pip reads it from its own command line (`pip install 'flask>=2'`, `pip install
 * -e ./pkg`): pip reads each argument as it reads a requirements file's line (`install_req_from_line`,
 * `parse_editable`), so a Dockerfile's `pip install` (./dockerfile.ts) is read by the same code.
 * `notes`: what pip accepts with a warning (an egg fragment), to be said on the line.
 */
export function requirementArgument(text: string, editable: boolean): { ok: true; parts: RequirementParts; notes: string[] } | { ok: false; message: string } {
  const notes: string[] = [];
  try {
    return { ok: true, parts: editable ? editableRequirement(text, notes) : requirementFromLine(text, notes), notes };
  } catch (error) {
    return { ok: false, message: error instanceof LineProblem ? error.message : `Unexpected problem: ${String(error)}` };
  }
}

// ---------------------------------------------------------------------------------------------
// The format module
// ---------------------------------------------------------------------------------------------

const URL_VALUED_OPTIONS = new Set(['index-url', 'extra-index-url', 'find-links']);

export function extractRequirements(text: string, context: ExtractContext): ExtractResult {
  const out = new ManifestCollector(context.file);
  const kind = context.kind ?? 'requirement';
  const { content, undecodable } = withoutByteOrderMark(text, context.undecodable);

  for (const { line, text: lineText, undecodable: bad } of logicalLines(content, undecodable)) {
    if (out.full) {
      out.stopReading(line);
      break;
    }
    // Bytes that are not text where pip would read them: what the line says is not known (a
    // Latin-1 `é` in a marker, a NUL in a name), so it is not read, and the result is partial.
    if (bad !== undefined) {
      out.error(bad.line, undecodableLineMessage(bad.nul));
      continue;
    }
    try {
      const { args, options: optionText } = breakArgsOptions(lineText);
      let words: string[] = [];
      try {
        if (optionText !== '') words = shlexSplit(optionText);
      } catch (error) {
        throw new LineProblem(`Could not split options: ${clipInput(optionText)} (${(error as Error).message})`);
      }
      const parsed = words.length === 0 ? [] : parseOptions(words);
      const editables = parsed.filter((o) => o.spec.name === 'editable');

      if (args !== '' || editables.length > 0) {
        const editable = args === '';
        const notes: string[] = [];
        const parts = editable
          ? editableRequirement((editables[0] as ParsedOption).value, notes)
          : requirementFromLine(args, notes);
        for (const message of notes) out.error(line, message);
        // pip honours --hash only on non-editable requirement lines.
        const hashes = editable ? [] : parsed.filter((o) => o.spec.name === 'hash').map((o) => o.value);
        const dependency: Dependency = {
          name: parts.name,
          version: parts.version,
          specifier: parts.specifier,
          extras: parts.extras,
          marker: parts.marker,
          source: parts.source,
          editable,
          kind,
          group: 'main',
          direct: true,
          file: context.file,
          line,
        };
        if (parts.writtenName !== undefined) dependency.writtenName = parts.writtenName;
        if (parts.url !== undefined) dependency.url = parts.url;
        if (hashes.length > 0) dependency.hashes = hashes;
        out.dependency(dependency);
        continue;
      }

      // pip follows only the first -r (or, failing that, the first -c) of a line, and a line that
      // includes another file is replaced by it: its other options are never applied.
      const include = parsed.find((o) => o.spec.name === 'requirement') ?? parsed.find((o) => o.spec.name === 'constraint');
      if (include) {
        out.include({ path: include.value, kind: include.spec.name === 'requirement' ? 'requirement' : 'constraint', line });
        continue;
      }
      for (const option of parsed) {
        if (['hash', 'global-option', 'config-settings'].includes(option.spec.name)) continue; // per-requirement only
        if (URL_VALUED_OPTIONS.has(option.spec.name)) out.urlOption(option.spec.name, option.value, line);
        else out.option(option.spec.name, option.value, line);
      }
    } catch (error) {
      const message = error instanceof LineProblem ? error.message : `Unexpected problem: ${String(error)}`;
      out.error(line, message);
    }
  }

  // Rye's lock (`requirements.lock`): said, so that advice locks it again with Rye (fix-hints.ts).
  return { dependencies: out.dependencies, errors: out.errors, includes: out.includes, options: out.options, ...(lockedByRye(content) ? { lockedBy: 'rye' } : {}), ...compiledByOf(content) };
}

export const requirementsFormat: ManifestFormatModule = {
  format: 'requirements',
  matches: isRequirementsPath,
  extract: extractRequirements,
};

/** The compiler the header names, as an ExtractResult field (absent when none does). */
function compiledByOf(content: string): { compiledBy?: 'pip-compile' | 'uv-pip-compile' } {
  const tool = compiledBy(content);
  return tool === null ? {} : { compiledBy: tool };
}
