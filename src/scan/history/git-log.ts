/**
 * Reads the output of `git log -p --unified=0 --format=<COMMIT_FORMAT>` (history-args.ts) as it
 * streams in: each commit's header, then for each file it changed, the lines it added, with their
 * line numbers in that commit's version of the file. Pure: bytes in, events out; the caller owns
 * the process.
 *
 * The text is untrusted (a repository's file names, contents and commit subjects), so the reader is
 * one pass over the bytes, a state machine whose every line is looked at once: a line it does not
 * understand is passed over and counted, never fatal, and the next `diff` header or commit header
 * starts afresh, so one bad chunk never hides the rest. Memory is bounded: a file change's added
 * text is kept up to `maxFileBytes` (past it, the change is marked too large and its lines dropped
 * as they come), and a line, however long, is never held beyond that limit.
 *
 * Why a line is told by its first byte and the state: git writes every line of a hunk with a prefix
 * (`+`, `-`, ` `, `\`; a combined diff of a merge, several such columns), and every header line of a
 * file change before its first hunk. `+++ b/path` is a header only before the first `@@`; inside a
 * hunk it is an added line that starts with `++`. A commit header starts with SOH (\x01), which
 * git never writes at the start of a diff line (a file name with control characters is quoted).
 */

/** The commit header line: SOH, the marker, the full sha, the author date (strict ISO 8601), the subject (git folds it to one line). */
export const COMMIT_FORMAT = '%x01depwatch-commit %H %aI %s';
const COMMIT_MARK = Buffer.from('\x01depwatch-commit ');

export interface CommitHeader {
  sha: string;
  /** Strict ISO 8601, as git gives it (`2024-03-01T12:00:00+01:00`). */
  authorDate: string;
  /** The subject as written: may hold control characters and anything else (shown safely at the output). */
  subject: string;
}

/** One file a commit changed, as read: the lines it added and where. */
export interface FileChange {
  commit: CommitHeader;
  /** The path in the commit's version (after a rename), `/` separators; null when it could not be read from the headers. */
  path: string | null;
  /** git said the change is binary ("Binary files … differ"): no lines were read. */
  binary: boolean;
  /** The file was deleted: nothing was added. */
  deleted: boolean;
  /** The added text went over the byte limit: `lines` holds what came before it, and the change counts as not read. */
  tooLarge: boolean;
  /** Bytes of added text seen (all of them, also past the limit). */
  addedBytes: number;
  /** The added lines (without their prefix and line break), in order. */
  lines: Buffer[];
  /** The 1-based line number of each entry of `lines` in the commit's version of the file. */
  lineNumbers: number[];
  /** The new version's blob id, from `index …..<id>` (with --full-index), or null (deleted, or not given). */
  blob: string | null;
}

export interface GitLogEvents {
  /** A file change, once all of it was read (at the next file, commit, or the end). */
  fileChange(change: FileChange): void;
  /** A commit header (before its file changes). */
  commit?(commit: CommitHeader): void;
}

export interface GitLogParserOptions {
  /** The most added bytes kept for one file in one commit; default 5 MiB (the scan's file limit). */
  maxFileBytes?: number;
}

const PLUS = 0x2b;
const MINUS = 0x2d;
const SPACE = 0x20;
const AT = 0x40;
const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;
const SOH = 0x01;
/** What is kept of a line too long to hold: enough for a commit header's sha and date, or a hunk line's prefix columns. */
const HEAD_BYTES = 256;

const DIFF = Buffer.from('diff ');
const PLUS3 = Buffer.from('+++ ');
const BINARY = Buffer.from('Binary files ');
const DELETED = Buffer.from('deleted file mode');
const INDEX = Buffer.from('index ');

const startsWith = (line: Buffer, prefix: Buffer) => line.length >= prefix.length && line.compare(prefix, 0, prefix.length, 0, prefix.length) === 0;

export class GitLogParser {
  private readonly maxFileBytes: number;
  /** The unfinished line at the end of the last chunk, in pieces; dropped past the limit (`overlong`). */
  private carry: Buffer[] = [];
  private carryBytes = 0;
  private overlong = false;
  /** The length of the overlong line being dropped, so its file change counts its real size however git's chunks fell. */
  private overlongBytes = 0;

  private commit: CommitHeader | null = null;
  private change: FileChange | null = null;
  /** Before the first `@@` of the current file change: `+++`/`---` lines are headers. */
  private inHunks = false;
  /** The prefix columns of the current hunk: 1 for a plain diff, one per parent for a merge's combined diff. */
  private columns = 1;
  /** The next line number of the new version in the current hunk. */
  private nextLine = 0;

  /** Lines not understood where they came (outside a commit, or a hunk line before any hunk). */
  strayLines = 0;
  /** Commit headers read. */
  commits = 0;

  constructor(
    private readonly events: GitLogEvents,
    options: GitLogParserOptions = {},
  ) {
    this.maxFileBytes = options.maxFileBytes ?? 5 * 1024 * 1024;
  }

  push(chunk: Buffer): void {
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE, start); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
      if (this.carryBytes > 0 || this.overlong) {
        this.keep(chunk.subarray(start, nl));
        this.takeCarried();
      } else this.line(chunk.subarray(start, nl));
      start = nl + 1;
    }
    if (start < chunk.length) this.keep(chunk.subarray(start));
  }

  /** The end of the output: a last line without its line break, and the last file change. */
  end(): void {
    if (this.carryBytes > 0 || this.overlong) this.takeCarried();
    this.finishChange();
  }

  /** The line carried over chunks, now whole: read, or (too long to hold) judged by its head and length. */
  private takeCarried(): void {
    if (this.overlong) {
      const head = Buffer.concat(this.carry);
      this.longLine(head, this.overlongBytes);
    } else this.line(Buffer.concat(this.carry, this.carryBytes));
    this.carry = [];
    this.carryBytes = 0;
    this.overlong = false;
    this.overlongBytes = 0;
  }

  /** Keeps part of an unfinished line, up to the limit (a copy: the chunk may be reused). */
  private keep(piece: Buffer): void {
    if (this.overlong) {
      this.overlongBytes += piece.length;
      return;
    }
    if (piece.length === 0) return;
    // A line longer than a whole file change may be is never held: only its head (what says what
    // the line is) and its length are kept.
    if (this.carryBytes + piece.length > this.maxFileBytes + 1024) {
      const head = Buffer.concat([...this.carry, piece]).subarray(0, HEAD_BYTES);
      this.overlong = true;
      this.overlongBytes = this.carryBytes + piece.length;
      this.carry = [Buffer.from(head)];
      this.carryBytes = 0;
      return;
    }
    this.carry.push(Buffer.from(piece));
    this.carryBytes += piece.length;
  }

  /**
   * A line too long to hold, by its head: a commit header (a huge subject) is still that commit's,
   * cut; an added line makes its file change too large (counted at its real length); a removed or
   * context line keeps the line numbers right; anything else is stray.
   */
  private longLine(head: Buffer, length: number): void {
    if (head[0] === SOH && startsWith(head, COMMIT_MARK)) return this.commitLine(head);
    const change = this.change;
    if (change === null || !this.inHunks || !(head[0] === PLUS || head[0] === MINUS || head[0] === SPACE)) {
      this.strayLines++;
      return;
    }
    let added = false;
    for (let i = 0; i < Math.min(this.columns, head.length); i++) {
      if (head[i] === MINUS) return; // removed from a parent: no number in the new version
      if (head[i] === PLUS) added = true;
    }
    this.nextLine++;
    if (!added) return;
    change.tooLarge = true;
    change.addedBytes += length - this.columns + 1;
  }

  private line(line: Buffer): void {
    const first = line.length > 0 ? line[0] : -1;
    if (first === SOH && startsWith(line, COMMIT_MARK)) return this.commitLine(line);
    if (this.commit === null) {
      if (line.length > 0) this.strayLines++;
      return;
    }
    if (first === 0x64 /* d */ && startsWith(line, DIFF)) return this.diffLine(line);
    const change = this.change;
    if (change === null) {
      // The blank line after a header; anything else outside a file change is not git's.
      if (line.length > 0) this.strayLines++;
      return;
    }
    if (first === AT && line.length > 1 && line[1] === AT) return this.hunkHeader(line);
    if (!this.inHunks) return this.headerLine(change, line);
    if (first === PLUS || first === MINUS || first === SPACE) return this.hunkLine(change, line);
    if (first === BACKSLASH) return; // "\ No newline at end of file"
    if (line.length > 0) this.strayLines++;
  }

  private commitLine(line: Buffer): void {
    this.finishChange();
    this.commits++;
    const text = line.subarray(COMMIT_MARK.length).toString('utf8');
    const space1 = text.indexOf(' ');
    const space2 = space1 === -1 ? -1 : text.indexOf(' ', space1 + 1);
    const sha = space1 === -1 ? text : text.slice(0, space1);
    const authorDate = space1 === -1 ? '' : space2 === -1 ? text.slice(space1 + 1) : text.slice(space1 + 1, space2);
    const subject = space2 === -1 ? '' : text.slice(space2 + 1);
    this.commit = { sha: /^[0-9a-f]{40,64}$/.test(sha) ? sha : '(unknown)', authorDate, subject };
    this.events.commit?.(this.commit);
  }

  private diffLine(line: Buffer): void {
    this.finishChange();
    this.change = { commit: this.commit!, path: diffHeaderPath(line.subarray(DIFF.length).toString('utf8')), binary: false, deleted: false, tooLarge: false, addedBytes: 0, lines: [], lineNumbers: [], blob: null };
    this.inHunks = false;
    this.columns = 1;
  }

  private headerLine(change: FileChange, line: Buffer): void {
    if (startsWith(line, PLUS3)) {
      const path = stripPrefix(unquote(line.subarray(PLUS3.length).toString('utf8')), 'b/');
      if (path === null) change.deleted = true; // `+++ /dev/null`
      else change.path = path;
    } else if (startsWith(line, BINARY)) change.binary = true;
    else if (startsWith(line, INDEX)) {
      // `index <old>..<new> <mode>`, or `index <p1>,<p2>..<new>` for a merge: the new blob, unless all zeros (deleted).
      const text = line.subarray(INDEX.length, INDEX.length + 300).toString('latin1');
      const id = /\.\.([0-9a-f]{40,64})\b/.exec(text)?.[1];
      if (id !== undefined && !/^0+$/.test(id)) change.blob = id;
    }
    else if (startsWith(line, DELETED)) change.deleted = true;
    // Other headers (`---`, `new file mode`, `rename from`, `similarity index`…) say nothing about added lines.
  }

  /** `@@ -a,b +c,d @@` (plain) or `@@@ -a,b -c,d +e,f @@@` (a merge's combined diff): where the new lines start. */
  private hunkHeader(line: Buffer): void {
    let ats = 0;
    while (ats < line.length && line[ats] === AT) ats++;
    const text = line.subarray(0, Math.min(line.length, 200)).toString('latin1');
    const plus = text.indexOf(' +', ats);
    const start = plus === -1 ? NaN : parseInt(text.slice(plus + 2), 10);
    this.inHunks = true;
    this.columns = Math.max(1, ats - 1);
    this.nextLine = Number.isFinite(start) ? start : 1;
  }

  private hunkLine(change: FileChange, line: Buffer): void {
    const columns = Math.min(this.columns, line.length);
    let added = false;
    let removed = false;
    for (let i = 0; i < columns; i++) {
      if (line[i] === PLUS) added = true;
      else if (line[i] === MINUS) removed = true;
    }
    // A line removed from a parent is not in the new version: it takes no line number there.
    if (removed) return;
    const number = this.nextLine++;
    if (!added) return; // context
    const body = line.subarray(this.columns);
    change.addedBytes += body.length + 1;
    if (change.tooLarge) return;
    if (change.addedBytes > this.maxFileBytes) {
      change.tooLarge = true;
      return;
    }
    // A copy: a slice would keep git's whole chunk alive, removed lines and all, past the limit.
    change.lines.push(Buffer.from(body));
    change.lineNumbers.push(number);
  }

  private finishChange(): void {
    const change = this.change;
    this.change = null;
    this.inHunks = false;
    if (change) this.events.fileChange(change);
  }
}

/** `a/x b/x`, `"a/x\n" "b/x\n"` (git diff --git), or `--cc x` / `--combined x`: the new path, when it can be told. */
export function diffHeaderPath(rest: string): string | null {
  if (rest.startsWith('--cc ') || rest.startsWith('--combined ')) return unquote(rest.slice(rest.indexOf(' ') + 1));
  if (!rest.startsWith('--git ')) return null;
  const names = rest.slice('--git '.length);
  if (names.startsWith('"')) {
    const end = quotedEnd(names);
    if (end === -1) return null;
    const second = names.slice(end + 1).trimStart();
    return stripPrefix(unquote(second), 'b/');
  }
  // Unquoted `a/P b/P`: P has no quote or control character, but may hold spaces; the two names are
  // the same unless the file was renamed (then `+++` gives the new name).
  const half = (names.length - 1) / 2;
  if (Number.isInteger(half) && names[half] === ' ' && names.slice(2, half) === names.slice(half + 3)) return stripPrefix(names.slice(half + 1), 'b/');
  return null;
}

/** A path without git's `a/` / `b/` prefix; null for `/dev/null`. */
function stripPrefix(path: string | null, prefix: string): string | null {
  if (path === null || path === '/dev/null') return null;
  // git ends a `---`/`+++` name that holds a space with a tab (for GNU patch).
  const name = path.endsWith('\t') ? path.slice(0, -1) : path;
  return name.startsWith(prefix) ? name.slice(prefix.length) : name;
}

/** The index of the quote that closes the C-style string starting at 0, or -1. */
function quotedEnd(text: string): number {
  for (let i = 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return -1;
}

const ESCAPES: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 0x22, '\\': 0x5c };

/**
 * A name as git writes it: as is, or C-quoted (`"caf\303\251\n.txt"`) when it holds a quote, a
 * backslash, a control character (or, with core.quotePath, a byte over 0x7f). Octal escapes are
 * bytes, decoded as UTF-8 together. A quoted name never closed is taken as written.
 */
export function unquote(name: string): string {
  if (!name.startsWith('"')) return name;
  const end = quotedEnd(name);
  if (end === -1) return name;
  const raw = Buffer.from(name.slice(1, end), 'utf8');
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i]!;
    if (b !== BACKSLASH || i + 1 >= raw.length) {
      bytes.push(b);
      continue;
    }
    const next = raw[++i]!;
    if (next >= 0x30 && next <= 0x37) {
      let value = 0;
      let digits = 0;
      for (; digits < 3 && i < raw.length && raw[i]! >= 0x30 && raw[i]! <= 0x37; digits++, i++) value = value * 8 + (raw[i]! - 0x30);
      i--;
      bytes.push(value & 0xff);
    } else bytes.push(ESCAPES[String.fromCharCode(next)] ?? next);
  }
  return Buffer.from(bytes).toString('utf8') + name.slice(end + 1);
}
