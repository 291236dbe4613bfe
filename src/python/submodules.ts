/**
 * Git submodules: folders of a tree that are other repositories. Their files are not the tree's:
 * a GitHub snapshot never has them (the tree lists a submodule as one `commit` entry, mode 160000),
 * and a checkout has them only once `git submodule update --init` ran. What is not read is said,
 * never passed over: one notice naming the submodules (submodulesNotice), and a manifest that
 * includes a file inside one is told why it is not read (inSubmoduleMessage), not "file not found".
 * A checked-out submodule's files are on disk and are read as the tree's own (as OSV-Scanner does).
 *
 * `.gitmodules` is read here without git: parsed in one pass over its text, bounded, and a path that
 * is absolute or climbs out of the root is never used (a hostile repository writes what it likes).
 */
import { posix } from 'node:path';
import { clipInput } from '../quoted-input.js';

/** A submodule whose files were not read: its folder, and the commit the tree pins (a GitHub tree says it; `.gitmodules` does not). */
export interface Submodule {
  path: string;
  commit?: string;
}

/**
 * What a file source knows of its submodules (FileSource.submodules): those whose files it did not
 * read, where the tree came from (what the notice tells the user to do differs), and one line when
 * `.gitmodules` could not be read whole.
 */
export interface UnreadSubmodules {
  from: 'checkout' | 'github';
  unread: Submodule[];
  problem: string | null;
}

/** A file inside a submodule whose files were not read: refused with why (inSubmoduleMessage). */
export class InSubmoduleError extends Error {
  override name = 'InSubmoduleError';
}

/** Far above any real repository's `.gitmodules` (a few hundred bytes a submodule). */
export const MAX_GITMODULES_BYTES = 1024 * 1024;
/** Submodules named by one `.gitmodules` past which the rest are not looked at. */
export const MAX_SUBMODULES = 10_000;
/** A path longer than this is not a path git would check out: the entry is not understood. */
const MAX_PATH_CHARS = 4096;
/** How many submodules the notice names before saying how many more there are. */
const SUBMODULES_NAMED = 5;
/** How many lines not understood the problem line names. */
const BAD_LINES_NAMED = 3;

/** The short form of a commit sha, as git shows it. */
const shortSha = (sha: string) => sha.slice(0, 7);

/**
 * The one notice naming the submodules whose files were not read, or null when there is none. Not
 * partial: a submodule is another repository, audited on its own, as OSV-Scanner and pip-audit leave
 * it; but never silent, since its requirements may be what the project installs.
 */
export function submodulesNotice(unread: readonly Submodule[], from: UnreadSubmodules['from']): string | null {
  if (unread.length === 0) return null;
  const named = unread
    .slice(0, SUBMODULES_NAMED)
    .map((s) => (s.commit === undefined ? clipInput(s.path) : `${clipInput(s.path)} (at ${shortSha(s.commit)})`))
    .join(', ');
  const more = unread.length > SUBMODULES_NAMED ? ` and ${unread.length - SUBMODULES_NAMED} more` : '';
  const one = unread.length === 1;
  if (from === 'checkout') {
    return (
      `${named}${more}: ${one ? 'a git submodule that is' : 'git submodules that are'} not checked out, ` +
      `${one ? 'another repository whose files were' : 'other repositories whose files were'} not audited ` +
      `(run \`git submodule update --init --recursive\` and audit again, or audit ${one ? 'that repository' : 'those repositories'} on ${one ? 'its' : 'their'} own)`
    );
  }
  return (
    `${named}${more}: ${one ? 'a git submodule, another repository whose files were' : 'git submodules, other repositories whose files were'} not audited ` +
    `(GitHub lists a submodule as a commit of another repository, not as files; audit or watch ${one ? 'that repository' : 'those repositories'} on ${one ? 'its' : 'their'} own)`
  );
}

/** What a read of a file inside an unread submodule is told (the loader adds the include that named it). */
export function inSubmoduleMessage(submodule: Submodule, from: UnreadSubmodules['from']): string {
  return from === 'checkout'
    ? `is in ${submodule.path}, a git submodule that is not checked out (another repository; run \`git submodule update --init --recursive\`); not read`
    : `is in ${submodule.path}, a git submodule (another repository, at ${shortSha(submodule.commit ?? '')}) whose files a snapshot does not have; not read`;
}

/** The submodule, among `byPath`, that holds `path` (a folder on its way is one), or undefined. */
export function submoduleHolding<T>(path: string, byPath: ReadonlyMap<string, T>): T | undefined {
  if (byPath.size === 0) return undefined;
  for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) {
    const found = byPath.get(path.slice(0, i));
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * The submodule folders a `.gitmodules` names (its `path =` values, in order of first appearance,
 * each once), and one line when some of it was not understood. Read as git reads its config files:
 * `[submodule "name"]` sections (and the old `[submodule.name]`), `key = value` lines with `#` and
 * `;` comments, double quotes, backslash escapes and continuation lines. One pass over the text
 * (each character looked at a bounded number of times), so a hostile file costs its length.
 *
 * A path that is absolute, names a drive, holds a backslash or NUL, or climbs out of the root
 * (`..`) is never returned: it is counted in the problem line.
 */
export function parseGitmodules(text: string, file = '.gitmodules'): { paths: string[]; problem: string | null } {
  const byName = new Map<string, string>();
  const badLines: number[] = [];
  let badLineCount = 0;
  let outside = 0;
  let tooMany = false;
  /** The submodule whose section the lines are in, or null outside one. */
  let section: string | null = null;
  let line = 1;
  let i = 0;
  const n = text.length;
  const bad = (at: number) => {
    badLineCount++;
    if (badLines.length < BAD_LINES_NAMED) badLines.push(at);
  };
  /** Past the end of the current line (its `\n` consumed). */
  const skipLine = () => {
    const end = text.indexOf('\n', i);
    i = end < 0 ? n : end + 1;
    line++;
  };
  const isBlank = (c: string | undefined) => c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v';
  const restIsEmpty = (): boolean => {
    while (i < n && isBlank(text[i])) i++;
    return i >= n || text[i] === '\n' || text[i] === '#' || text[i] === ';';
  };

  while (i < n) {
    while (i < n && isBlank(text[i])) i++;
    const c = text[i];
    if (c === undefined) break;
    if (c === '\n') {
      i++;
      line++;
      continue;
    }
    if (c === '#' || c === ';') {
      skipLine();
      continue;
    }
    const startLine = line;
    if (c === '[') {
      i++;
      const header = readHeader();
      if (header === undefined || !restIsEmpty()) {
        bad(startLine);
        section = null;
        skipLine();
        continue;
      }
      section = header;
      skipLine();
      continue;
    }
    if (!/[A-Za-z]/.test(c)) {
      bad(startLine);
      skipLine();
      continue;
    }
    const keyStart = i;
    while (i < n && /[A-Za-z0-9-]/.test(text[i]!)) i++;
    const key = text.slice(keyStart, i).toLowerCase();
    while (i < n && isBlank(text[i])) i++;
    if (i < n && text[i] === '=') {
      i++;
      const value = readValue();
      if (value === null) {
        bad(startLine);
        skipLine();
        continue;
      }
      if (section !== null && key === 'path') {
        if (!byName.has(section) && byName.size >= MAX_SUBMODULES) tooMany = true;
        else byName.set(section, value);
      }
      // readValue stopped at the end of the line (or at a comment): go past it.
      skipLine();
      continue;
    }
    // A key alone is a boolean `true`: nothing a submodule's path is.
    if (!restIsEmpty()) bad(startLine);
    skipLine();
  }

  const paths: string[] = [];
  const seen = new Set<string>();
  for (const raw of byName.values()) {
    const path = submodulePath(raw);
    if (path === null) outside++;
    else if (!seen.has(path)) {
      seen.add(path);
      paths.push(path);
    }
  }
  const parts = [
    ...(badLineCount > 0 ? [`${badLineCount === 1 ? 'a line' : `${badLineCount} lines`} not understood (line ${badLines.join(', ')}${badLineCount > badLines.length ? ', …' : ''})`] : []),
    ...(outside > 0 ? [`${outside === 1 ? 'a submodule path that is' : `${outside} submodule paths that are`} absolute or outside the repository, ignored`] : []),
    ...(tooMany ? [`more than ${MAX_SUBMODULES} submodules; the rest were not looked at`] : []),
  ];
  return { paths, problem: parts.length === 0 ? null : `${clipInput(file)}: ${parts.join('; ')}; a submodule it names there that is not checked out may not be named here` };

  /**
   * A section header, the cursor past its `[`: the submodule's name for `[submodule "name"]` or the
   * old `[submodule.name]`, null for any other section, undefined when it is not a header git reads.
   */
  function readHeader(): string | null | undefined {
    const nameStart = i;
    while (i < n && /[A-Za-z0-9.-]/.test(text[i]!)) i++;
    const name = text.slice(nameStart, i);
    let sub: string | null = null;
    while (i < n && isBlank(text[i])) i++;
    if (text[i] === '"') {
      i++;
      let out = '';
      for (;;) {
        const ch = text[i];
        if (ch === undefined || ch === '\n') return undefined;
        i++;
        if (ch === '"') break;
        if (ch === '\\') {
          const next = text[i];
          if (next === undefined || next === '\n') return undefined;
          out += next;
          i++;
        } else out += ch;
        if (out.length > MAX_PATH_CHARS) return undefined;
      }
      sub = out;
    }
    if (text[i] !== ']' || name === '') return undefined;
    i++;
    const lower = name.toLowerCase();
    if (sub !== null) return lower === 'submodule' ? sub : null;
    // The old form: `[submodule.name]`, the name lower-cased by git.
    return lower.startsWith('submodule.') && lower.length > 'submodule.'.length ? lower.slice('submodule.'.length) : null;
  }

  /**
   * A value after `=` (the cursor past it), up to the end of its line (continuation lines joined),
   * without a comment, its quotes and its surrounding blanks, escapes read; null when git would
   * refuse it (an unclosed quote, an unknown escape) or it is past MAX_PATH_CHARS.
   */
  function readValue(): string | null {
    let out = '';
    let pendingBlanks = '';
    let quoted = false;
    let started = false;
    for (;;) {
      const ch = text[i];
      if (ch === undefined || ch === '\n') return quoted ? null : out;
      if (!quoted && (ch === '#' || ch === ';')) return out;
      i++;
      if (ch === '\\') {
        // A CRLF line end is a line end here too, as git reads it.
        if (text[i] === '\r' && text[i + 1] === '\n') i++;
        const next = text[i];
        if (next === undefined) return null;
        i++;
        if (next === '\n') {
          line++;
          continue;
        }
        const escaped = next === 'n' ? '\n' : next === 't' ? '\t' : next === 'b' ? '\b' : next === '\\' || next === '"' ? next : null;
        if (escaped === null) return null;
        out += pendingBlanks + escaped;
        pendingBlanks = '';
        started = true;
      } else if (ch === '"') {
        quoted = !quoted;
        out += pendingBlanks;
        pendingBlanks = '';
        started = true;
      } else if (!quoted && isBlank(ch)) {
        if (started) pendingBlanks += ch;
      } else {
        out += pendingBlanks + ch;
        pendingBlanks = '';
        started = true;
      }
      if (out.length + pendingBlanks.length > MAX_PATH_CHARS) return null;
    }
  }
}

/**
 * A `.gitmodules` path as a folder of the tree (`vendor/lib`), or null when it is not one inside it:
 * empty, absolute, a drive, a backslash (a separator on Windows) or NUL in it, or climbing out.
 */
function submodulePath(raw: string): string | null {
  if (raw === '' || raw.includes('\0') || raw.includes('\\') || raw.startsWith('/') || /^[A-Za-z]:/.test(raw)) return null;
  let path = posix.normalize(raw);
  if (path.endsWith('/')) path = path.slice(0, -1);
  if (path === '' || path === '.' || path === '..' || path.startsWith('../')) return null;
  return path;
}

/** A `.gitmodules` (the root's, or `file` of a checked-out submodule) that could not be read at all, in one line: why, and what that leaves unsaid. */
export function unreadGitmodules(why: string, file = '.gitmodules'): string {
  return `${clipInput(file)}: ${clipInput(why)}; not read, so a submodule that is not checked out may not be named here`;
}
