/**
 * A conda environment file (`environment.yml`, what `conda env create` reads by default), read for
 * what it installs from PyPI.
 *
 * `dependencies` lists conda packages (`numpy=1.21`, `conda-forge::scipy`), which come from conda
 * channels, not PyPI: their names and versions are conda's, so they are not audited and are said so
 * in one notice. A `pip:` entry of that list holds pip requirement strings; conda writes them, one a
 * line, to a temporary requirements file in the environment file's folder and runs
 * `pip install -U -r` on it there (conda/env/installers/pip.py). So they are read as that file:
 * by the requirements reader, `-r other.txt` relative to the environment file's folder, options and
 * all, each entry on the line of the YAML it came from.
 *
 * Untrusted YAML: refused above a size, and not handed to the library when it may nest deeper than
 * the library can recurse (yamlMayNestDeeperThan); a file that does not parse is one error line.
 */
import type { Node as YamlNode } from 'yaml';
import { clipInput } from '../../quoted-input.js';
import { flowBrackets, QUIET_YAML, withoutErrorStacks, yaml, yamlMayNestDeeperThan } from '../../yaml.js';
import type { ExtractContext, ExtractError, ExtractResult, ManifestFormatModule } from '../types.js';
import { isCondaEnvPath } from './paths.js';
import { requirementsFormat } from './requirements.js';

export const condaEnvFormat: ManifestFormatModule = {
  format: 'conda-env',
  matches: isCondaEnvPath,
  extract: extractCondaEnv,
};

/**
 * Environment files are a few kilobytes (`conda env export` of a few hundred packages is ~15 KB).
 * The YAML library reads hostile text at up to ~10 µs a character (a run of `]` or `"` is an error
 * per character: 100k of them cost ~0.8 s of CPU), so past this the file is one error, not a stall.
 */
export const MAX_CONDA_ENV_CHARS = 64 * 1024;

/**
 * Brackets a file may hold: a stray `]` or `}` is an error per character to the YAML library (about
 * 3 µs each even without stacks), so a file of them cost 200 ms. Real files have a few: extras
 * (`requests[socks]`) and an occasional flow list (`channels: [conda-forge]`); 300 pip entries with
 * extras hold 600.
 */
export const MAX_CONDA_ENV_BRACKETS = 2_000;

/** Real environment files nest three levels (`dependencies` → `pip` → entry). */
const MAX_CONDA_ENV_NESTING = 100;

/** How many conda packages the notice names before it counts the rest. */
const NAMED_CONDA_PACKAGES = 5;

/** One line of the requirements text conda writes for the `pip:` list, and the YAML entry it came from. */
export interface PipLine {
  text: string;
  /** 1-based line of the YAML file. */
  line: number;
  entry: PipEntry;
}

/** Where a `pip:` entry sits in the YAML text, and how it is written there (what a rewriter needs). */
export interface PipEntry {
  /** The scalar's style: `PLAIN`, `QUOTE_DOUBLE`, `QUOTE_SINGLE`, `BLOCK_LITERAL` or `BLOCK_FOLDED`. */
  style: string;
  /** Inside a flow collection (`pip: [a==1, b==2]`), where `,` `[` `]` `{` `}` end a plain entry. */
  flow: boolean;
  /** The entry's text in the file without its quotes: `text.slice(start, end)`. */
  start: number;
  end: number;
  /** The string conda reads from it. */
  value: string;
}

/** The requirements text conda writes for the `pip:` list: one entry (or a block scalar's line) a line. */
export const pipRequirementsText = (lines: readonly PipLine[]) => lines.map((l) => l.text).join('\n');

/** A conda package of `dependencies` as written (a match spec: `python=3.7`, `conda-forge::numpy>=1.21`), and its 1-based line. */
export interface CondaPackage {
  spec: string;
  line: number | null;
}

/**
 * The `pip:` lines of an environment file and its conda packages, or the result that says why it
 * was not read.
 */
export type CondaEnvRead = { read: ExtractResult } | { pipLines: PipLine[]; errors: ExtractError[]; notices?: string[]; condaPackages?: CondaPackage[] };

function extractCondaEnv(text: string, context: ExtractContext): ExtractResult {
  const file = context.file;
  const env = readCondaEnv(text, file);
  if ('read' in env) return env.read;
  const { pipLines, errors, notices } = env;
  if (pipLines.length === 0) return notices === undefined ? { dependencies: [], errors } : { dependencies: [], errors, notices };
  const read = requirementsFormat.extract(pipRequirementsText(pipLines), { file });
  // The requirements reader numbers the lines of the text conda would write; each is put back on its YAML line.
  const yamlLine = (line: number | null): number | null => (line === null ? null : (pipLines[line - 1]?.line ?? line));
  return {
    dependencies: read.dependencies.map((d) => ({ ...d, line: yamlLine(d.line) })),
    errors: [...errors, ...read.errors.map((e) => ({ ...e, line: yamlLine(e.line) }))],
    includes: (read.includes ?? []).map((i) => ({ ...i, line: yamlLine(i.line) })),
    options: (read.options ?? []).map((o) => ({ ...o, line: yamlLine(o.line) })),
    notices: notices ?? [],
  };
}

/** Reads the YAML: its `pip:` lines with the entries they came from, the errors, and the notice of conda packages. */
export function readCondaEnv(text: string, file: string): CondaEnvRead {
  const problem = (line: number | null, message: string): { read: ExtractResult } => ({ read: { dependencies: [], errors: [{ file, line, message }] } });
  if (text.length > MAX_CONDA_ENV_CHARS) return problem(null, `${file} is too large (${text.length} characters; the limit is ${MAX_CONDA_ENV_CHARS}); not read`);
  if (yamlMayNestDeeperThan(text, MAX_CONDA_ENV_NESTING)) return problem(null, `nests deeper than ${MAX_CONDA_ENV_NESTING} levels, which no conda environment does; not read`);
  const brackets = flowBrackets(text);
  if (brackets > MAX_CONDA_ENV_BRACKETS) return problem(null, `holds ${brackets} brackets ([ ] { }; the limit is ${MAX_CONDA_ENV_BRACKETS}), which no conda environment does; not read`);

  const Y = yaml();
  const counter = new Y.LineCounter();
  const doc = withoutErrorStacks(() => Y.parseDocument(text, { ...QUIET_YAML, lineCounter: counter, uniqueKeys: false }));
  const lineOf = (node: YamlNode | null | undefined): number | null => {
    const offset = node?.range?.[0];
    return offset === undefined ? null : counter.linePos(offset).line || null;
  };
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    const line = counter.linePos(first.pos[0]).line || null;
    return problem(line, `not valid YAML (${clipInput(first.message.split('\n')[0] ?? '')}); not read`);
  }

  const errors: ExtractError[] = [];
  const root = doc.contents;
  const dependencies = Y.isMap(root) ? root.get('dependencies', true) : undefined;
  if (dependencies === undefined || dependencies === null || (Y.isScalar(dependencies) && dependencies.value === null)) {
    return { pipLines: [], errors };
  }
  if (!Y.isSeq(dependencies)) return problem(lineOf(dependencies as YamlNode), '`dependencies` is not a list; not read');

  const condaPackages: CondaPackage[] = [];
  const pipLines: PipLine[] = [];
  for (const item of dependencies.items) {
    if (Y.isScalar(item) && item.value !== null) {
      condaPackages.push({ spec: String(item.value).trim(), line: lineOf(item) });
      continue;
    }
    const pip = Y.isMap(item) ? item.get('pip', true) : undefined;
    if (!Y.isMap(item) || item.items.length !== 1 || pip === undefined) {
      errors.push({ file, line: lineOf(item as YamlNode), message: 'a `dependencies` entry that is neither a conda package nor a `pip:` list; not read' });
      continue;
    }
    if (pip === null || (Y.isScalar(pip) && pip.value === null)) continue;
    if (!Y.isSeq(pip)) {
      errors.push({ file, line: lineOf(pip as YamlNode) ?? lineOf(item), message: '`pip:` is not a list of requirements; not read' });
      continue;
    }
    for (const entry of pip.items) {
      if (!Y.isScalar(entry) || (typeof entry.value !== 'string' && typeof entry.value !== 'number')) {
        errors.push({ file, line: lineOf(entry as YamlNode), message: 'a `pip:` entry that is not a requirement string; not read' });
        continue;
      }
      const line = lineOf(entry) ?? 1;
      const value = String(entry.value);
      const [from, to] = entry.range ?? [0, 0];
      const quoted = entry.type === 'QUOTE_DOUBLE' || entry.type === 'QUOTE_SINGLE';
      const where: PipEntry = { style: entry.type ?? 'PLAIN', flow: Boolean(dependencies.flow || item.flow || pip.flow), start: quoted ? from + 1 : from, end: quoted ? to - 1 : to, value };
      // A block scalar (`- |`, `- >`) is as many lines of the requirements file conda writes as its
      // value has; each is put on the line of the YAML where it is written (blockLinesOf), where a
      // finding should point.
      const parts = value.split(/\r\n|\n|\r/);
      const lines = where.style === 'BLOCK_LITERAL' || where.style === 'BLOCK_FOLDED' ? blockLinesOf(text, from, to, parts, line) : parts.map(() => line);
      for (const [k, part] of parts.entries()) pipLines.push({ text: part, line: lines[k]!, entry: where });
    }
  }

  const notices = condaPackages.length === 0 ? [] : [condaPackagesNotice(file, condaPackages[0]!.line, condaPackages.map((p) => p.spec))];
  return { pipLines, errors, notices, condaPackages };
}

/**
 * The 1-based YAML line each line of a block scalar's value (`parts`) is written on. The body starts
 * on the line after the header (`headerLine`, the `|` or `>`). A literal keeps its lines one for
 * one; a folded one joins lines into one (`a==1` and `b==2` on two lines become `a==1 b==2`) and
 * turns blank lines into line breaks, so lines are counted by matching: each line of the body, its
 * indentation dropped, is the next text of the value after the spaces and line breaks folding left
 * (both kinds keep every character of a body line). A value line is on the line its first text is;
 * one of no text (a blank line kept) is on the line after the one before it. Linear: each character
 * of the body and of the value is looked at a bounded number of times. Should the body not match
 * (a form this does not follow), the rest are counted one a line from where it stopped.
 */
function blockLinesOf(text: string, from: number, to: number, parts: readonly string[], headerLine: number): number[] {
  const value = parts.join('\n');
  const lines: (number | undefined)[] = new Array<number | undefined>(parts.length).fill(undefined);
  const headerEnd = text.indexOf('\n', from);
  let at = 0;
  let valueLine = 0;
  let sourceLine = headerLine;
  for (let start = headerEnd === -1 ? to : headerEnd + 1; start < to; ) {
    sourceLine += 1;
    const newline = text.indexOf('\n', start);
    const end = newline === -1 || newline > to ? to : newline;
    let contentStart = start;
    while (contentStart < end && (text[contentStart] === ' ' || text[contentStart] === '\t')) contentStart++;
    let contentEnd = end;
    while (contentEnd > contentStart && (text[contentEnd - 1] === ' ' || text[contentEnd - 1] === '\t' || text[contentEnd - 1] === '\r')) contentEnd--;
    start = end + 1;
    if (contentStart === contentEnd) continue;
    while (at < value.length && (value[at] === ' ' || value[at] === '\t' || value[at] === '\n')) {
      if (value[at] === '\n') valueLine++;
      at++;
    }
    const content = text.slice(contentStart, contentEnd);
    if (!value.startsWith(content, at)) break;
    lines[valueLine] ??= sourceLine;
    at += content.length;
  }
  const out: number[] = [];
  for (const [k, line] of lines.entries()) out.push(line ?? (k === 0 ? headerLine + 1 : out[k - 1]! + 1));
  return out;
}

/** One line for every conda package of the file: named (the first few), and said not audited. */
function condaPackagesNotice(file: string, line: number | null, packages: readonly string[]): string {
  const named = packages.slice(0, NAMED_CONDA_PACKAGES).map((p) => clipInput(p)).join(', ');
  const more = packages.length > NAMED_CONDA_PACKAGES ? ` and ${packages.length - NAMED_CONDA_PACKAGES} more` : '';
  const count = packages.length === 1 ? '1 conda package' : `${packages.length} conda packages`;
  return `${file}${line === null ? '' : `:${line}`}: ${count} (${named}${more}) ${packages.length === 1 ? 'comes' : 'come'} from conda channels, not PyPI, and ${packages.length === 1 ? 'was' : 'were'} not audited (only its \`pip:\` list is)`;
}
