/**
 * What a format module gathers from one file, within limits that keep a hostile file from costing
 * unbounded memory and time. Without them a 5 MB requirements file of `a` lines became 2.6 million
 * dependencies (860 MB), and one of `;` lines 2.6 million error lines nobody would read (and, once
 * those were only counted, still 3 to 5 s of reading lines that were all bad).
 *
 * Reaching a limit is never silent: the file gets one error saying where reading stopped (or how
 * many problems were not listed), so the audit of that file is partial and says so.
 */
import { stripUrlCredentialsNoting } from '../urls.js';
import { boundMessage } from '../../quoted-input.js';
import type { Dependency, ExtractError, IncludeRef, ManifestOption } from '../types.js';

/**
 * Dependencies, includes and options read from one file. The largest real manifests and lockfiles
 * list a few thousand packages; this is ten times that and more, and keeps a whole audit of the
 * worst file the size limit admits well under 300 MB.
 */
export const MAX_ENTRIES_PER_FILE = 100_000;

/** Problems listed for one file; any beyond are counted in one last line. */
export const MAX_ERRORS_PER_FILE = 1_000;

/**
 * Problems found in one file (listed or counted) before a reader stops: a real manifest has a
 * handful, and past this many the file is not one, whatever it holds further down. Reading it to
 * the end cost about a microsecond a line, seconds for the largest file admitted.
 */
export const MAX_PROBLEMS_PER_FILE = 100_000;

/**
 * The longest name read of something every entry below it repeats: an extra, a dependency group,
 * a Poetry group, a Pipfile category (each entry's group), and the name over a Poetry list of
 * constraints (each element's name). A megabyte of name above a quarter of a million entries would
 * be that many megabytes to check, store and print; real names are a few words.
 */
export const MAX_REPEATED_NAME_CHARS = 200;

/**
 * Whether `name` is short enough to repeat on each of its entries. The one test of the rule, for
 * the parsers (through repeatableName) and for the fixer, which must skip exactly the names the
 * parser does not read.
 */
export function isRepeatableName(name: string): boolean {
  return name.length <= MAX_REPEATED_NAME_CHARS;
}

/**
 * Whether `name` is short enough to repeat on each of its entries; if not, one error on `line`
 * says that its entries are not read. `what` says what the name is (`extra name`, …).
 */
export function repeatableName(out: ManifestCollector, line: number | null, what: string, name: string): boolean {
  if (isRepeatableName(name)) return true;
  out.error(line, `${what} of ${name.length} characters is longer than the ${MAX_REPEATED_NAME_CHARS} read; its entries are not read`);
  return false;
}

export class ManifestCollector {
  readonly dependencies: Dependency[] = [];
  readonly options: ManifestOption[] = [];
  readonly includes: IncludeRef[] = [];
  readonly #errors: ExtractError[] = [];
  /** Errors are de-duplicated (a dependency group included twice reports its problems once). */
  readonly #seenErrors = new Set<string>();
  /** The last line any listed problem is on (-1: none yet). */
  #lastListedLine = -1;
  #entries = 0;
  #unlistedErrors = 0;
  #stopped = false;

  constructor(readonly file: string) {}

  /** True once the file has given every entry, or every problem, we read from one file: readers stop there. */
  get full(): boolean {
    return this.#entries >= MAX_ENTRIES_PER_FILE || this.#problems() >= MAX_PROBLEMS_PER_FILE;
  }

  /** Adds a dependency; past the limit it is dropped and the file says where reading stopped. */
  dependency(dependency: Dependency): void {
    if (this.#admit(dependency.line)) this.dependencies.push(dependency);
  }

  option(name: string, value: string, line: number | null): void {
    if (this.#admit(line)) this.options.push({ name, value, line });
  }

  /** An option whose value is a URL as written: kept without its credentials, and marked when one is written out (stripUrlCredentialsNoting). */
  urlOption(name: string, url: string, line: number | null): void {
    const { url: value, literalCredentials } = stripUrlCredentialsNoting(url);
    if (this.#admit(line)) this.options.push({ name, value, line, ...(literalCredentials ? { credentials: true as const } : {}) });
  }

  include(include: IncludeRef): void {
    if (this.#admit(include.line)) this.includes.push(include);
  }

  /**
   * Records a problem once (the same line and message again is the same problem). `note`: nothing
   * was lost by it (the content was still read whole), so it does not make an audit partial. Its
   * message is bounded here too: a parser that quoted more input than quoteInput allows would
   * otherwise carry megabytes into every report, Slack and the database.
   */
  error(line: number | null, whole: string, options: { note?: true } = {}): void {
    const message = boundMessage(whole);
    const full = this.#errors.length >= MAX_ERRORS_PER_FILE;
    // Past the limit, a problem on a line after every listed one cannot be one of them: it is
    // counted without making its key. A file of 2.6 million bad lines spent a fifth of its reading
    // (~0.9 of 4.5 s) on keys for problems nobody would see.
    if (full && line !== null && line > this.#lastListedLine) {
      this.#unlistedErrors++;
      return;
    }
    const key = `${line}\u0000${message}`;
    if (this.#seenErrors.has(key)) return;
    if (full) {
      this.#unlistedErrors++;
      return;
    }
    this.#seenErrors.add(key);
    this.#errors.push({ file: this.file, line, message, ...(options.note ? { note: true as const } : {}) });
    if (line !== null && line > this.#lastListedLine) this.#lastListedLine = line;
  }

  /** Counts problems a reader found but did not keep (it applies the same limit). */
  unlisted(count: number): void {
    this.#unlistedErrors += count;
  }

  /** The problems, with one last line counting those not listed. */
  get errors(): ExtractError[] {
    if (this.#unlistedErrors === 0) return this.#errors;
    return [
      ...this.#errors,
      { file: this.file, line: null, message: `${this.#unlistedErrors} more problems in this file are not listed (the first ${MAX_ERRORS_PER_FILE} are)` },
    ];
  }

  /** Says (once) that the file is not read past `line` because it has more entries (or problems) than we read. */
  stopReading(line: number | null): void {
    if (this.#stopped) return;
    this.#stopped = true;
    const what = this.#entries >= MAX_ENTRIES_PER_FILE ? `more than ${MAX_ENTRIES_PER_FILE} entries` : `${MAX_PROBLEMS_PER_FILE} problems`;
    // Even past the error limit this line is kept: it is why the result is incomplete.
    this.#errors.push({ file: this.file, line, message: `${what} in one file: reading stopped here, the rest of the file is not read` });
  }

  /** Problems found so far, listed or only counted. */
  #problems(): number {
    return this.#errors.length + this.#unlistedErrors;
  }

  #admit(line: number | null): boolean {
    if (this.#entries < MAX_ENTRIES_PER_FILE) {
      this.#entries++;
      return true;
    }
    this.stopReading(line);
    return false;
  }
}
