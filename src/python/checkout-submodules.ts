/**
 * A checkout's git submodules that are not checked out: the folders a `.gitmodules` names that the
 * walk found nothing in (an uninitialised submodule is an empty folder, or none at all). A
 * checked-out one holds files (its `.git` file at least), which the walk lists and the audit reads
 * as the tree's own; and its own `.gitmodules` names submodules of its own (`git submodule update
 * --init` without `--recursive` leaves those out), read the same way, level by level, their paths
 * taken from the root. Read without git: each `.gitmodules` through the checkout (a link out of it
 * is not followed), parsed by submodules.ts.
 *
 * Nesting cannot loop: a nested path is its submodule's path and more (parseGitmodules never returns
 * `..` or `.`), and the walk does not enter linked folders. It is bounded all the same: at most
 * MAX_SUBMODULE_DEPTH levels, MAX_SUBMODULES submodules in all, and MAX_NESTED_GITMODULES_BYTES of
 * nested `.gitmodules` read; past any of them, one line says what was not looked at.
 */
import { isSkippedDir } from './discover.js';
import type { DirectoryWalk } from './directory-walk.js';
import { CheckoutRoot, LinkNotFollowedError, NotRegularFileError, UnreadableFileError } from './inside-root.js';
import { MAX_GITMODULES_BYTES, MAX_SUBMODULES, parseGitmodules, unreadGitmodules, type Submodule } from './submodules.js';
import { clipInput } from '../quoted-input.js';

export interface CheckoutSubmodules {
  /** Not checked out: the root's in the order `.gitmodules` names them, then each level's below. */
  unread: Submodule[];
  byPath: Map<string, Submodule>;
  /** One line when a `.gitmodules` could not be read whole, or nesting was not followed to its end; null otherwise. */
  problem: string | null;
}

/** Levels of submodules inside checked-out submodules followed: real projects nest two or three. */
export const MAX_SUBMODULE_DEPTH = 8;
/** The nested `.gitmodules` files read in all, together (the root's has its own limit). */
const MAX_NESTED_GITMODULES_BYTES = 8 * MAX_GITMODULES_BYTES;
/** How many problem lines are said before saying how many more there were. */
const PROBLEMS_NAMED = 3;

const NONE: CheckoutSubmodules = { unread: [], byPath: new Map(), problem: null };
const GITMODULES = '.gitmodules';

export async function checkoutSubmodules(checkout: CheckoutRoot, walk: DirectoryWalk): Promise<CheckoutSubmodules> {
  const unread: Submodule[] = [];
  const problems: string[] = [];
  /** Every submodule path named so far, at any level: each is looked at once. */
  const named = new Set<string>();
  let nestedBytes = 0;
  let tooMany = false;
  /** The folders whose `.gitmodules` this level reads: the root, then the checked-out submodules that have one. */
  let level: string[] = [''];
  for (let depth = 0; level.length > 0; depth++) {
    // This level reads the `.gitmodules` of submodules `depth` deep, naming those one deeper.
    if (depth >= MAX_SUBMODULE_DEPTH) {
      problems.push(`submodules nested more than ${MAX_SUBMODULE_DEPTH} deep (below ${clipInput(level[0]!)}${level.length > 1 ? ` and ${level.length - 1} more` : ''}) were not looked at: one not checked out there may not be named here`);
      break;
    }
    const candidates = new Set<string>();
    for (const folder of level) {
      const file = folder === '' ? GITMODULES : `${folder}/${GITMODULES}`;
      const read = await readGitmodules(checkout, file, folder === '' ? MAX_GITMODULES_BYTES : Math.min(MAX_GITMODULES_BYTES, MAX_NESTED_GITMODULES_BYTES - nestedBytes));
      if ('problem' in read) {
        problems.push(read.problem);
        continue;
      }
      if (read.text === null) continue;
      if (folder !== '') nestedBytes += read.text.length;
      const { paths, problem } = parseGitmodules(read.text, file);
      if (problem !== null) problems.push(problem);
      for (const path of paths) {
        const full = folder === '' ? path : `${folder}/${path}`;
        // One under a folder the walk skips (node_modules, .venv) is not the project's, as its files are not.
        if (named.has(full) || full.split('/').some(isSkippedDir)) continue;
        if (named.size >= MAX_SUBMODULES) {
          tooMany = true;
          break;
        }
        named.add(full);
        candidates.add(full);
      }
    }
    if (candidates.size === 0) break;
    const { settled, withGitmodules } = checkedOut(candidates, walk);
    for (const path of candidates) if (!settled.has(path)) unread.push({ path });
    level = [...withGitmodules];
  }
  if (tooMany) problems.push(`more than ${MAX_SUBMODULES} submodules in all; the rest were not looked at, and one not checked out there may not be named here`);
  if (unread.length === 0 && problems.length === 0) return NONE;
  const more = problems.length > PROBLEMS_NAMED ? ` (and ${problems.length - PROBLEMS_NAMED} more .gitmodules problems)` : '';
  return { unread, byPath: new Map(unread.map((s) => [s.path, s])), problem: problems.length === 0 ? null : problems.slice(0, PROBLEMS_NAMED).join('; ') + more };
}

/**
 * Of `candidates`, those the walk lists something in or at (`settled`: checked out, or not a
 * submodule folder of this checkout), and those whose own `.gitmodules` the walk lists as a file
 * or link (read next, a link refused by the read). One pass over the walk, each entry's folders
 * looked up once: linear in the listing.
 */
function checkedOut(candidates: ReadonlySet<string>, walk: DirectoryWalk): { settled: Set<string>; withGitmodules: string[] } {
  /** Each folder on the way to a candidate, with the candidates below it. */
  const below = new Map<string, string[]>();
  for (const path of candidates) {
    for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) {
      const folder = path.slice(0, i);
      const list = below.get(folder);
      if (list === undefined) below.set(folder, [path]);
      else list.push(path);
    }
  }
  const settled = new Set<string>();
  const withGitmodules: string[] = [];
  for (const entry of walk()) {
    // Something listed inside it: checked out (its files are read). Something at its path or on its
    // way that is no folder the walk entered (a file, a link, a folder it could not list): not a
    // submodule folder of this checkout, or one whose state is already said as a listing problem.
    if (candidates.has(entry.path)) settled.add(entry.path);
    for (const path of below.get(entry.path) ?? []) settled.add(path);
    for (let i = entry.path.indexOf('/'); i >= 0; i = entry.path.indexOf('/', i + 1)) {
      const folder = entry.path.slice(0, i);
      if (candidates.has(folder)) settled.add(folder);
    }
    if ((entry.type === 'file' || entry.type === 'symlink') && entry.path.endsWith(`/${GITMODULES}`)) {
      const folder = entry.path.slice(0, -GITMODULES.length - 1);
      if (candidates.has(folder)) withGitmodules.push(folder);
    }
  }
  return { settled, withGitmodules };
}

/** A `.gitmodules`: its text, null when there is none, or why it was not read (at most `limit` bytes are). */
async function readGitmodules(checkout: CheckoutRoot, file: string, limit: number): Promise<{ text: string | null } | { problem: string }> {
  try {
    const size = await checkout.size(file);
    if (size !== null && size > limit) return { problem: tooLarge(size, limit, file) };
    const bytes = await checkout.read(file);
    if (bytes === null) return { text: null };
    if (bytes.length > limit) return { problem: tooLarge(bytes.length, limit, file) };
    if (bytes.includes(0)) return { problem: unreadGitmodules('not a text file', file) };
    return { text: bytes.toString('utf8') };
  } catch (err) {
    if (err instanceof LinkNotFollowedError || err instanceof NotRegularFileError || err instanceof UnreadableFileError) return { problem: unreadGitmodules(err.message, file) };
    return { problem: unreadGitmodules('could not be read', file) };
  }
}

const tooLarge = (bytes: number, limit: number, file: string) =>
  unreadGitmodules(
    limit === MAX_GITMODULES_BYTES
      ? `file is ${(bytes / 1024 / 1024).toFixed(1)} MB, over the ${MAX_GITMODULES_BYTES / 1024 / 1024} MB limit for it`
      : `file is ${(bytes / 1024 / 1024).toFixed(1)} MB, past the ${MAX_NESTED_GITMODULES_BYTES / 1024 / 1024} MB read of nested .gitmodules files in all`,
    file,
  );
