/**
 * A checkout's git submodules that are not checked out: the folders its root `.gitmodules` names
 * that the walk found nothing in (an uninitialised submodule is an empty folder, or none at all).
 * A checked-out one holds files (its `.git` file at least), which the walk lists and the audit reads
 * as the tree's own. Read without git: `.gitmodules` through the checkout (a link out of it is not
 * followed), parsed by submodules.ts.
 */
import { isSkippedDir } from './discover.js';
import type { DirectoryWalk } from './directory-walk.js';
import { CheckoutRoot, LinkNotFollowedError, NotRegularFileError, UnreadableFileError } from './inside-root.js';
import { MAX_GITMODULES_BYTES, parseGitmodules, unreadGitmodules, type Submodule } from './submodules.js';

export interface CheckoutSubmodules {
  /** Not checked out, in the order `.gitmodules` names them. */
  unread: Submodule[];
  byPath: Map<string, Submodule>;
  /** One line when `.gitmodules` could not be read whole; null otherwise (and when there is none). */
  problem: string | null;
}

const NONE: CheckoutSubmodules = { unread: [], byPath: new Map(), problem: null };

export async function checkoutSubmodules(checkout: CheckoutRoot, walk: DirectoryWalk): Promise<CheckoutSubmodules> {
  const read = await readGitmodules(checkout);
  if ('problem' in read) return { ...NONE, problem: read.problem };
  if (read.text === null) return NONE;
  const { paths, problem } = parseGitmodules(read.text);
  // One under a folder the walk skips (node_modules, .venv) is not the project's, as its files are not.
  const candidates = new Set(paths.filter((path) => !path.split('/').some(isSkippedDir)));
  if (candidates.size === 0) return { ...NONE, problem };
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
  // One pass over the walk, each entry's folders looked up once: linear in the listing.
  const settled = new Set<string>();
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
  }
  const unread = [...candidates].filter((path) => !settled.has(path)).map((path) => ({ path }));
  return { unread, byPath: new Map(unread.map((s) => [s.path, s])), problem };
}

/** `.gitmodules` at the root: its text, null when there is none, or why it was not read. */
async function readGitmodules(checkout: CheckoutRoot): Promise<{ text: string | null } | { problem: string }> {
  try {
    const size = await checkout.size('.gitmodules');
    if (size !== null && size > MAX_GITMODULES_BYTES) return { problem: tooLarge(size) };
    const bytes = await checkout.read('.gitmodules');
    if (bytes === null) return { text: null };
    if (bytes.length > MAX_GITMODULES_BYTES) return { problem: tooLarge(bytes.length) };
    if (bytes.includes(0)) return { problem: unreadGitmodules('not a text file') };
    return { text: bytes.toString('utf8') };
  } catch (err) {
    if (err instanceof LinkNotFollowedError || err instanceof NotRegularFileError || err instanceof UnreadableFileError) return { problem: unreadGitmodules(err.message) };
    return { problem: unreadGitmodules('could not be read') };
  }
}

const tooLarge = (bytes: number) => unreadGitmodules(`file is ${(bytes / 1024 / 1024).toFixed(1)} MB, over the ${MAX_GITMODULES_BYTES / 1024 / 1024} MB limit for it`);
