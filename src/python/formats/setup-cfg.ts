/**
 * `setup.cfg` (setuptools declarative config), read the way setuptools reads it:
 *
 * - INI as Python's `configparser` parses it: `[section]` headers, `key = value` or `key: value`,
 *   a value continues on following lines indented deeper than its key, whole-line comments
 *   (`#` or `;`) are skipped even inside a value, there are no inline comments (so the `;` of an
 *   environment marker stays in the value), keys are case-insensitive.
 * - `[options] install_requires` (group `main`) and each key of `[options.extras_require]`
 *   (group = extra) are lists of PEP 508 strings: one per line when the value spans lines, else
 *   split on `;` (setuptools' `_parse_list_semicolon`, which is why a one-line value with a
 *   marker is a known setuptools pitfall; we report the broken half as an error). Each entry is
 *   then read as setuptools' `Distribution` reads these two options (`_reqs.parse_strings`):
 *   lines starting with `#` dropped, a ` #` comment cut off (`urllib3==1.24.1  # why`), an entry
 *   ending in a backslash joined to the next. `python_requires` gets no such cleaning in setuptools
 *   (a comment there fails the build), so none here either.
 * - `file: a.txt, b.txt` in place of such a list (setuptools 62.6+): the files, relative to
 *   setup.cfg's folder, are includes the loader reads as requirements files (an extra's files give
 *   their entries the extra as group). setuptools reads them as this list (one-line files split on
 *   `;`, pip options rejected); we read them as pip does, since the same file is what
 *   `pip install -r` installs, and a missing or outside file is said (setuptools skips a missing
 *   one with a warning).
 * - `python_requires` → requiresPython. `setup_requires` / `tests_require` are build and test
 *   tooling, not installed with the project, so they are skipped like `[build-system] requires`.
 * - `%%` is an escaped `%` (configparser's interpolation); other interpolation is not expanded.
 */
import { quoteInput } from '../../quoted-input.js';
import { normalizeSpecifier } from '../pep508.js';
import type { ExtractContext, ExtractResult, ManifestFormatModule } from '../types.js';
import { ManifestCollector, MAX_ERRORS_PER_FILE } from './collector.js';
import { dependencyFromPep508 } from './pyproject.js';
import { isSetupCfgPath } from './paths.js';
import { requirementLines } from './setuptools-lines.js';
import { undecodableLineMessage, withoutByteOrderMark } from './undecodable.js';

export const setupCfgFormat: ManifestFormatModule = {
  format: 'setup-cfg',
  matches: isSetupCfgPath,
  extract: extractSetupCfg,
};

/** Input beyond this is not a setup.cfg anyone wrote; refuse it rather than scan it. */
export const MAX_SETUP_CFG_CHARS = 2_000_000;

export interface IniValueLine {
  text: string;
  line: number;
}

export interface IniOption {
  line: number;
  /**
   * First line's value, then each continuation line. Blank lines between them are kept, as
   * configparser keeps them, but a run of them is one line whose text is the line breaks inside the
   * run (`""` for one blank line), so joining the lines with `\n` gives configparser's value; blank
   * lines at the end are dropped, as configparser drops them. One object per run, not per line: a
   * value of a million blank lines is not a million objects.
   */
  lines: IniValueLine[];
}

export interface IniSection {
  name: string;
  line: number;
  /** Keyed by the lower-cased option name (configparser's `optionxform`). */
  options: Map<string, IniOption>;
}

export interface IniDocument {
  sections: Map<string, IniSection>;
  /** The first MAX_ERRORS_PER_FILE problems. */
  errors: Array<{ line: number; message: string }>;
  /** How many more problems there were. */
  unlistedErrors: number;
}

const SECTION = /^\[(.+)\]$/;

/**
 * configparser's OPTCRE, `(.*?)\s*([=:])\s*(.*)$`: the key is everything before the first `=` or
 * `:`, blanks around the delimiter dropped. Written out because the pattern is quadratic in
 * JavaScript on a line of blanks with no delimiter (the lazy key re-scans the blanks at every
 * step); `.` in Python also matches U+2028/U+2029, so they are ordinary characters here too.
 */
export function splitOption(line: string): { key: string; value: string } | null {
  let delimiter = -1;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 0x3d /* = */ || c === 0x3a /* : */) {
      delimiter = i;
      break;
    }
  }
  if (delimiter === -1) return null;
  return { key: line.slice(0, delimiter).trimEnd(), value: line.slice(delimiter + 1).trimStart() };
}

/** Parses INI text like `configparser.ConfigParser` (defaults) would; problems are collected, not thrown. */
export function parseIni(text: string): IniDocument {
  const sections = new Map<string, IniSection>();
  const errors: IniDocument['errors'] = [];
  let unlistedErrors = 0;
  const error = (line: number, message: string): void => {
    if (errors.length < MAX_ERRORS_PER_FILE) errors.push({ line, message });
    else unlistedErrors++;
  };
  let section: IniSection | null = null;
  let option: IniOption | null = null;
  let indentLevel = 0;

  // Blank lines seen since the option's last line that was not blank, and where they began.
  let blankRun = 0;
  let blankRunLine = 0;
  const readLine = (raw: string, lineNumber: number): void => {
    const stripped = raw.trim();
    if (stripped.startsWith('#') || stripped.startsWith(';')) return;
    if (stripped === '') {
      if (option && blankRun++ === 0) blankRunLine = lineNumber;
      return;
    }
    const indent = raw.length - raw.trimStart().length;
    if (section && option && indent > indentLevel) {
      if (blankRun > 0) option.lines.push({ text: '\n'.repeat(blankRun - 1), line: blankRunLine });
      blankRun = 0;
      option.lines.push({ text: stripped, line: lineNumber });
      return;
    }
    blankRun = 0;
    indentLevel = indent;
    const header = SECTION.exec(stripped);
    if (header) {
      const name = header[1]!;
      option = null;
      if (sections.has(name)) {
        error(lineNumber, `section [${name}] appears twice; the first one is used`);
        section = { name, line: lineNumber, options: new Map() };
        return;
      }
      section = { name, line: lineNumber, options: new Map() };
      sections.set(name, section);
      return;
    }
    if (!section) {
      error(lineNumber, 'text before the first [section] header');
      return;
    }
    const pair = splitOption(stripped);
    if (pair === null || pair.key === '') {
      error(lineNumber, `not a "key = value" line: ${JSON.stringify(stripped.slice(0, 80))}`);
      option = null;
      return;
    }
    const key = pair.key.toLowerCase();
    option = { line: lineNumber, lines: [{ text: pair.value, line: lineNumber }] };
    if (section.options.has(key)) {
      error(lineNumber, `option ${key} appears twice in [${section.name}]; the first one is used`);
      return;
    }
    section.options.set(key, option);
  };

  // Lines end at \r\n, \n or \r, read one by one rather than split into an array first: on a
  // file of a million line breaks the array alone cost more than the reading.
  let lineNumber = 1;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code !== 0x0a && code !== 0x0d) continue;
    readLine(text.slice(start, i), lineNumber++);
    if (code === 0x0d && text.charCodeAt(i + 1) === 0x0a) i++;
    start = i + 1;
  }
  readLine(text.slice(start), lineNumber);
  return { sections, errors, unlistedErrors };
}

function extractSetupCfg(text: string, context: ExtractContext): ExtractResult {
  const out = new ManifestCollector(context.file);
  if (text.length > MAX_SETUP_CFG_CHARS) {
    out.error(null, `setup.cfg is too large (${text.length} characters; the limit is ${MAX_SETUP_CFG_CHARS})`);
    return { dependencies: [], errors: out.errors, options: [], requiresPython: null };
  }
  const { content, undecodable: offsets } = withoutByteOrderMark(text, context.undecodable);
  const ini = parseIni(content);
  for (const e of ini.errors) out.error(e.line, e.message);
  out.unlisted(ini.unlistedErrors);
  const undecodable = undecodableLines(content, offsets);

  const options = ini.sections.get('options');
  let requiresPython: string | null = null;
  if (options) {
    const install = findOption(options, 'install_requires');
    if (install) readRequirementList(withoutUndecodable(install, undecodable, out), undefined, 'install_requires', out);
    const python = findOption(options, 'python_requires');
    if (python) {
      // A python_requires not read is not known: none, rather than part of one.
      if (withoutUndecodable(python, undecodable, out) === python) requiresPython = normalizeSpecifier(joinValue(python)) || null;
    }
  }
  const extras = ini.sections.get('options.extras_require');
  if (extras) {
    for (const [extra, option] of extras.options) readRequirementList(withoutUndecodable(option, undecodable, out), extra, `extras_require[${extra}]`, out);
  }
  const includes = out.includes.length > 0 ? { includes: out.includes } : {};
  return { dependencies: out.dependencies, errors: out.errors, ...includes, options: out.options, requiresPython };
}

/**
 * The lines (numbered as parseIni numbers them) holding a character that stands for bytes that are
 * not text (ExtractContext.undecodable), and whether that character is a NUL. Whole-line comments
 * never reach a value, so bytes in them cost nothing; a line elsewhere that no value read here
 * comes from (`[metadata] author = José` in Latin-1) costs nothing either. setuptools itself reads
 * setup.cfg as strict UTF-8 and stops at such a byte anywhere; the dependencies it lists are still
 * these, so the audit reads them and says which line it could not.
 */
function undecodableLines(content: string, offsets: readonly number[] | undefined): Map<number, boolean> {
  const lines = new Map<number, boolean>();
  if (offsets === undefined || offsets.length === 0) return lines;
  let line = 1;
  let from = 0;
  for (const offset of offsets) {
    // Line breaks as parseIni's split: \r\n, \n or \r.
    for (; from < offset; from++) {
      const code = content.charCodeAt(from);
      if (code === 0x0a || (code === 0x0d && content.charCodeAt(from + 1) !== 0x0a)) line++;
    }
    if (!lines.has(line)) lines.set(line, content.charCodeAt(offset) === 0);
  }
  return lines;
}

/**
 * The option with its lines that hold undecodable bytes blanked (kept as lines, so a value that
 * spans lines is still read as one: its other lines are not split on `;`), each said once as not read.
 */
function withoutUndecodable(option: IniOption, undecodable: ReadonlyMap<number, boolean>, out: ManifestCollector): IniOption {
  if (undecodable.size === 0 || !option.lines.some((l) => undecodable.has(l.line))) return option;
  const lines = option.lines.map((l) => {
    const nul = undecodable.get(l.line);
    if (nul === undefined) return l;
    out.error(l.line, undecodableLineMessage(nul));
    return { text: '', line: l.line };
  });
  return { ...option, lines };
}

/** setuptools still accepts the dashed spelling (`install-requires`) with a deprecation warning. */
function findOption(section: IniSection, key: string): IniOption | undefined {
  return section.options.get(key) ?? section.options.get(key.replace(/_/g, '-'));
}

function unescape(text: string): string {
  return text.replace(/%%/g, '%');
}

function joinValue(option: IniOption): string {
  return unescape(
    option.lines
      .map((l) => l.text)
      .join('\n')
      .trim(),
  );
}

/** `group`: the extra, or undefined for install_requires (group `main`). */
function readRequirementList(option: IniOption, extra: string | undefined, label: string, out: ManifestCollector): void {
  const group = extra ?? 'main';
  const first = option.lines[0];
  if (first && first.text.startsWith('file:')) {
    includeFiles(option, extra, label, out);
    return;
  }
  // configparser drops the value's trailing blank lines; a value spanning lines is a list of lines.
  const content = option.lines.filter((l) => l.text.trim() !== '');
  const spansLines = content.length > 1 || (content.length === 1 && content[0] !== first);
  const items: IniValueLine[] = spansLines
    ? content
    : content.flatMap((l) => l.text.split(';').flatMap((part) => (part.trim() === '' ? [] : [{ text: part, line: l.line }])));
  // setuptools hands the list to its `Distribution`, which reads install_requires and
  // extras_require through `_reqs.parse_strings`: `#` lines dropped, ` #` comments cut off, a
  // trailing backslash joining the next entry (setup.py's lists are read the same way).
  const unescaped = items.map((item) => ({ text: unescape(item.text), line: item.line }));
  for (const requirement of requirementLines([unescaped])) {
    if (out.full) {
      out.stopReading(requirement.line);
      break;
    }
    const result = dependencyFromPep508(requirement.text, { file: out.file, group, line: requirement.line });
    if (result.ok) out.dependency(result.dependency);
    else out.error(requirement.line, `${label}: ${result.message}`);
  }
}

/**
 * `file: a.txt, b.txt`: setuptools (62.6 and later) reads the files, relative to setup.cfg's
 * folder, as the list. Each becomes an include, read by the loader as a requirements file. A path
 * continued on the next line without a comma is one path with a line break in it, which names no
 * file (setuptools warns and reads nothing from it): said, so nothing is silently missing.
 */
function includeFiles(option: IniOption, extra: string | undefined, label: string, out: ManifestCollector): void {
  const spec = joinValue(option).slice('file:'.length);
  for (const part of spec.split(',')) {
    const path = part.trim();
    if (path === '') continue;
    if (/[\r\n]/.test(path)) {
      out.error(option.line, `${label}: ${quoteInput(path)} is not one path (separate files with commas); not read`);
      continue;
    }
    out.include({ path, kind: 'requirement', line: option.line, ...(extra === undefined ? {} : { group: extra }) });
  }
}
