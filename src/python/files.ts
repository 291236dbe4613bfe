/**
 * Where manifest text comes from: a local directory or a repository snapshot. The loader reads
 * through this interface so discovery, include following and limits behave the same for both.
 */
import { lstatSync, realpathSync, statSync } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';
import { isSkippedDir } from './discover.js';
import { directoryWalk, isFolderAt, unlistedFolderMessage, type DirectoryWalk } from './directory-walk.js';
import { CheckoutRoot, LinkNotFollowedError, NotRegularFileError, UnreadableFileError, type OpenFile } from './inside-root.js';
import { checkoutSubmodules } from './checkout-submodules.js';
import { InSubmoduleError, inSubmoduleMessage, submoduleHolding, type Submodule, type UnreadSubmodules } from './submodules.js';
import type { ExtractError } from './types.js';

export { InSubmoduleError, LinkNotFollowedError, NotRegularFileError, UnreadableFileError };

export interface FileSource {
  /** Every path under the root that is not a folder (pipes, sockets and devices too), relative, `/` separators (skipped directories need not be listed). */
  list(): Promise<string[]>;
  /**
   * What `list()` could not look into, one problem each: a folder that could not be listed, a linked
   * folder leading out of the root. Whatever they hold is missing from the list, so each makes a
   * result partial. Absent when the source's listing is complete by construction (memory).
   */
  listingErrors?(): Promise<ExtractError[]>;
  /**
   * The file's bytes, or null when it does not exist. Throws LinkNotFollowedError, naming the link,
   * when the path leads through a symbolic link that may not be followed (nothing of its target is
   * read), NotRegularFileError when it names a pipe, socket, device or folder,
   * UnreadableFileError when it is there but could not be read (no permission, an I/O error), and
   * InSubmoduleError when it would be inside a git submodule whose files the source does not have.
   */
  read(path: string): Promise<Buffer | null>;
  /** Size in bytes without reading, when cheap; null when unknown or missing. */
  size?(path: string): Promise<number | null>;
  /**
   * Whether the path names a folder, one `list()` shows nothing of when it holds no file (an empty
   * `.depwatch.yml/`), or whose files a snapshot did not download (MemorySourceOptions.folders).
   * Absent where a folder is only ever the place of its listed files.
   */
  isFolder?(path: string): Promise<boolean>;
  /**
   * Whether the path is itself a symbolic link (wherever it leads). Asked of the settings file,
   * which is never read through a link, as `depwatch scan` follows none (readTreeSettings).
   * Absent where no path is a link that read() would follow.
   */
  isLink?(path: string): Promise<boolean>;
  /**
   * The file a listed path is, relative to the root with every symbolic link resolved (the path
   * itself when it is no link), or null when that cannot be said (a link leading out or nowhere:
   * the read says why). One file reached by two paths is read once by the audit (loadManifests)
   * and planned once by `depwatch fix`. Absent where no path is a link that read() would follow.
   */
  realPath?(path: string): Promise<string | null>;
  /**
   * Whether the bytes read() gives for the path are the UTF-8 of text already decoded (a snapshot's
   * files: TreeFile, treeFileBytes), not the file's own: a requirements file's coding line
   * (pipDeclaredDecode) is then not applied to them again. Absent: every file's bytes are its own.
   */
  reencoded?(path: string): boolean;
  /**
   * The git submodules whose files the source does not have (a checkout's that are not checked
   * out, every one of a GitHub snapshot's), for discovery's notice (submodules.ts). Absent where
   * the tree has none that could be known (a pull request's files).
   */
  submodules?(): Promise<UnreadSubmodules>;
  /**
   * The folders named like manifests (`requirements.txt/`), when `list()` is not the whole tree (a
   * snapshot lists only what it downloaded); absent where the listing shows them (load.ts
   * foldersNamedAsManifests).
   */
  manifestFolders?(): Promise<string[]>;
  /**
   * The name of the folder the paths are relative to, when it is one the user gave (a local
   * directory): discovery matches paths as if under it (discover.ts formatForPath), so that the
   * files of a `requirements/` folder are manifests whether it or its parent is audited.
   */
  folder?: string;
}

/**
 * A local directory. A file is read only where its real path (every symbolic link resolved) lies
 * inside the directory, so a link inside the checkout is followed and a link out of it is refused
 * (src/python/inside-root.ts). The listing is the directory's walk (directory-walk.ts, never
 * entering a linked folder), which an audit shares with its code scan. Linked files are listed, so
 * that a manifest that is a link out of the folder is reported rather than silently skipped; a
 * linked folder leading out, and a folder the walk could not list, are listing errors.
 */
export function directorySource(root: string, walk: DirectoryWalk = directoryWalk(root), openFile?: OpenFile): FileSource {
  const checkout = new CheckoutRoot(root, openFile);
  // Asked by both list() and listingErrors(), which every load calls: one stat per link.
  const folders = new Map<string, boolean>();
  const linkedFolder = (path: string): boolean => {
    let folder = folders.get(path);
    if (folder === undefined) folders.set(path, (folder = leadsToFolder(join(root, path))));
    return folder;
  };
  const folderName = basename(resolve(root));
  // The listed links: the walk never enters a linked folder, so a listed path is a link only as itself.
  let links: Set<string> | undefined;
  const linked = (path: string) => (links ??= new Set(walk().flatMap((e) => (e.type === 'symlink' ? [e.path] : [])))).has(path);
  let realRoot: string | undefined;
  // Read once, and only when asked: discovery asks, and a read that finds nothing asks why.
  let submodules: ReturnType<typeof checkoutSubmodules> | undefined;
  const submodulesOf = () => (submodules ??= checkoutSubmodules(checkout, walk));
  return {
    ...(folderName === '' ? {} : { folder: folderName }),
    async list() {
      const out: string[] = [];
      for (const entry of walk()) {
        if (entry.type === 'unlisted') continue;
        // Where a link leads decides only whether it is a folder (never listed); reading decides the rest.
        // A pipe, socket or device is listed, so one named like a manifest is said to be no file
        // (the read refuses it) rather than the tree seeming to hold no manifest at all.
        if (entry.type !== 'symlink' || !linkedFolder(entry.path)) out.push(entry.path);
      }
      return out;
    },
    async listingErrors() {
      const errors: ExtractError[] = [];
      for (const entry of walk()) {
        if (entry.type === 'unlisted') {
          errors.push({ file: entry.path, line: null, message: unlistedFolderMessage(entry.reason, 'read'), unlistedBecause: entry.reason });
        } else if (entry.type === 'symlink' && !isSkippedDir(basename(entry.path)) && linkedFolder(entry.path)) {
          // A linked folder inside the root holds files listed under their real path; one leading out
          // holds files nobody read, as a linked file leading out does (the same words).
          try {
            await checkout.resolve(entry.path);
          } catch (err) {
            if (!(err instanceof LinkNotFollowedError || err instanceof UnreadableFileError)) throw err;
            errors.push({ file: entry.path, line: null, message: err.message });
          }
        }
      }
      return errors;
    },
    async read(path) {
      const bytes = await checkout.read(path);
      if (bytes !== null) return bytes;
      // Not there: inside a submodule not checked out, it is said so rather than "file not found".
      const holder = submoduleHolding(path, (await submodulesOf()).byPath);
      if (holder !== undefined) throw new InSubmoduleError(inSubmoduleMessage(holder, 'checkout'));
      return null;
    },
    async submodules() {
      const { unread, problem } = await submodulesOf();
      return { from: 'checkout', unread, problem };
    },
    size: (path) => checkout.size(path),
    isFolder: async (path) => isFolderAt(root, path),
    isLink: async (path) => isLinkAt(join(root, path)),
    async realPath(path) {
      if (!linked(path)) return path;
      const real = await checkout.resolve(path).catch(() => null);
      if (real === null) return null;
      return relative((realRoot ??= realpathSync(root)), real).split(sep).join('/');
    },
  };
}

/** Whether the path is a symbolic link itself (false when it is not there or cannot be looked at). */
function isLinkAt(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Whether a symbolic link leads to a folder (false when it leads nowhere, in a loop, or is unreadable). */
function leadsToFolder(link: string): boolean {
  try {
    return statSync(link).isDirectory();
  } catch {
    return false;
  }
}

export interface MemorySourceOptions {
  /**
   * Paths that are symbolic links in the tree and were not resolved into files (a GitHub snapshot's
   * mode 120000 entries). Reading one of them, or anything below one, is refused naming the link.
   */
  links?: Iterable<string>;
  /**
   * Files of the tree whose content was never downloaded (a GitHub snapshot's files that `exclude:`
   * keeps out): listed, so that what an exclusion left out is counted as for a checkout. Nothing
   * reads them (the snapshot downloads every one a manifest includes); a read is refused with one
   * line (NotDownloadedError), never taken for a file that is not there.
   */
  notDownloaded?: Iterable<string>;
  /**
   * Files of the tree that a manifest includes and a snapshot did not download, past its bounds on
   * included files (RepoSnapshot.unfollowed, which it says in one problem line): not listed; a read
   * is refused with one line, never taken for a file that is not there.
   */
  pastLimit?: Iterable<string>;
  /**
   * Files of the tree that discovery does not read by name and a snapshot did not download
   * (RepoSnapshot.passedOver, `.in` files): listed, so the loader names them in its notice as for a
   * checkout; a read is refused with one line, never taken for a file that is not there.
   */
  passedOver?: Iterable<string>;
  /**
   * Files a snapshot could not get (GitHub failed the download, the blob is over the size limit, the
   * folder was listed only in part), each with the snapshot's own words: not listed; a read (an
   * include) is refused with those words, never taken for a file that is not there.
   */
  unreadable?: Iterable<{ path: string; message: string }>;
  /**
   * Files at the root named nearly as the settings file that a snapshot did not download
   * (RepoSnapshot.misnamedSettings): listed, so the audit's note on them is said as for a checkout;
   * a read is refused with one line.
   */
  misnamedSettings?: Iterable<string>;
  /**
   * Folders of the tree whose files are not listed (RepoSnapshot.settingsFolders, a `.depwatch.yml/`
   * never downloaded): `isFolder` says so, so the audit's note on them is said as for a checkout.
   */
  folders?: Iterable<string>;
  /**
   * The git submodules of the tree (RepoSnapshot.submodules: a GitHub tree's `commit` entries),
   * whose files a snapshot never has: said in discovery's notice, and a read of a file inside one
   * is refused saying so, never taken for a file that is not there.
   */
  submodules?: Iterable<Submodule>;
  /** Folders named like manifests (RepoSnapshot.manifestFolders): given, the loader's notice names them. */
  manifestFolders?: Iterable<string>;
}

/** A file of the tree whose content was not downloaded (MemorySourceOptions.notDownloaded). */
export class NotDownloadedError extends Error {
  override name = 'NotDownloadedError';
}

/** An in-memory tree (a GitHub snapshot, or a test). */
/**
 * A tree handed over as data (a GitHub snapshot's files and listing, as a worker job is given them):
 * its files, and what the listing says of the others, as one file source.
 */
export function treeSource(tree: { files: readonly TreeFile[] } & MemorySourceOptions): FileSource {
  const { files, links = [], notDownloaded = [], pastLimit = [], passedOver = [], unreadable = [], misnamedSettings = [], folders = [], submodules = [], manifestFolders } = tree;
  const source = memorySource(Object.fromEntries(files.map((f) => [f.path, treeFileBytes(f)])), { links, notDownloaded, pastLimit, passedOver, unreadable, misnamedSettings, folders, submodules, ...(manifestFolders ? { manifestFolders } : {}) });
  const ownBytes = new Set(files.filter((f) => f.ownBytes === true).map((f) => f.path));
  source.reencoded = (path) => !ownBytes.has(path);
  return source;
}

/**
 * A file handed over as text (a GitHub snapshot's). `invalidUtf8`: when its bytes were not all
 * UTF-8, the offsets in `text` of the U+FFFD that stand for invalid sequences (src/scan/text.ts
 * decodeLines), which text alone cannot tell from a genuine U+FFFD.
 */
export interface TreeFile {
  path: string;
  text: string;
  invalidUtf8?: readonly number[];
  /**
   * `text` is the file's own bytes, one character each (Latin-1), not decoded text: a file whose
   * coding line declares a codec other than UTF-8 (declaresOtherCodec). Whether pip's reading
   * applies depends on the format (a requirements file is decoded with that codec, a pyproject.toml
   * is UTF-8 whatever it says), so the loader decides, from the same bytes as in a checkout.
   */
  ownBytes?: true;
}

/**
 * The bytes the loader reads for a file handed over as text: its UTF-8, each listed offset written
 * as the invalid byte 0xFF, which any decoder reads as one U+FFFD again. Not the blob's own bytes
 * (a Latin-1 `é` was 0xE9), but the same lines are text and the same are not, so the audit of a
 * snapshot reads and refuses what the audit of the checkout does. A file with `ownBytes`: its own bytes.
 */
export function treeFileBytes(file: TreeFile): Buffer {
  if (file.ownBytes === true) return Buffer.from(file.text, 'latin1');
  const offsets = file.invalidUtf8;
  if (offsets === undefined || offsets.length === 0) return Buffer.from(file.text);
  const parts: Buffer[] = [];
  const invalid = Buffer.from([0xff]);
  let from = 0;
  for (const offset of offsets) {
    parts.push(Buffer.from(file.text.slice(from, offset)), invalid);
    from = offset + 1;
  }
  parts.push(Buffer.from(file.text.slice(from)));
  return Buffer.concat(parts);
}

export function memorySource(files: Record<string, string | Buffer>, options: MemorySourceOptions = {}): FileSource {
  const map = new Map(Object.entries(files).map(([k, v]) => [k, typeof v === 'string' ? Buffer.from(v) : v]));
  const links = new Set(options.links ?? []);
  const notDownloaded = new Set([...(options.notDownloaded ?? [])].filter((path) => !map.has(path)));
  const pastLimit = new Set(options.pastLimit ?? []);
  const passedOver = new Set([...(options.passedOver ?? [])].filter((path) => !map.has(path) && !notDownloaded.has(path)));
  const unreadable = new Map([...(options.unreadable ?? [])].map((u) => [u.path, u.message]));
  const listedOnly = new Set([...(options.misnamedSettings ?? [])].filter((path) => !map.has(path) && !notDownloaded.has(path) && !passedOver.has(path)));
  const folders = new Set(options.folders ?? []);
  const submodules = new Map([...(options.submodules ?? [])].map((s) => [s.path, s]));
  const linkOnPath = (path: string): string | undefined => {
    if (links.size === 0) return undefined;
    for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) if (links.has(path.slice(0, i))) return path.slice(0, i);
    return links.has(path) ? path : undefined;
  };
  return {
    async list() {
      return [...map.keys(), ...notDownloaded, ...passedOver, ...listedOnly].sort();
    },
    async read(path) {
      const bytes = map.get(path);
      if (bytes !== undefined) return bytes;
      if (pastLimit.has(path)) throw new NotDownloadedError(`is included past the snapshot's limit on included files and was not downloaded; not read`);
      if (notDownloaded.has(path)) throw new NotDownloadedError(`is excluded (exclude: in the settings) and was not downloaded; not read`);
      if (passedOver.has(path)) throw new NotDownloadedError(`is not a manifest by its name and was not downloaded; not read`);
      if (listedOnly.has(path)) throw new NotDownloadedError(`is not the settings file by its name and was not downloaded; not read`);
      const why = unreadable.get(path);
      if (why !== undefined) throw new NotDownloadedError(why);
      const link = linkOnPath(path);
      if (link !== undefined) throw new LinkNotFollowedError(`${link} is a symbolic link in the repository; links are not followed there`);
      const holder = submoduleHolding(path, submodules);
      if (holder !== undefined) throw new InSubmoduleError(inSubmoduleMessage(holder, 'github'));
      return null;
    },
    async size(path) {
      return map.get(path)?.length ?? null;
    },
    ...(folders.size > 0 ? { isFolder: async (path: string) => folders.has(path) } : {}),
    ...(options.manifestFolders !== undefined ? { manifestFolders: async () => [...options.manifestFolders!] } : {}),
    ...(submodules.size > 0 ? { submodules: async (): Promise<UnreadSubmodules> => ({ from: 'github', unread: [...submodules.values()], problem: null }) } : {}),
  };
}
