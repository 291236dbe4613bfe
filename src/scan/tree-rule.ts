/** Rules that judge the tree as a whole (which files exist, what .gitignore says), not one file's text. */
import type { Report, RuleInfo } from './rule.js';

export interface TreeView {
  /** Every file path listed under the root, `/` separators. */
  paths: readonly string[];
  /** A file's text (UTF-8, or Latin-1 when it is not), or null when it is missing, binary or too large. */
  readText(path: string): Promise<string | null>;
  /**
   * A checkout on disk (`depwatch scan DIR`), not an archive of commits: a file here may be one git
   * does not track, and `.gitignore` says which would be committed. False for archives.
   */
  workingTree: boolean;
  /**
   * A checkout's subfolder (`depwatch scan svc/` inside a repository): the `.gitignore` files of the
   * folders above it, up to its git work tree, which git applies to its files too. Absent otherwise.
   */
  enclosingIgnores?: EnclosingIgnores;
}

export interface EnclosingIgnores {
  /** The scanned folder's path from the work tree's root, with a trailing `/` (`svc/`). */
  prefix: string;
  /**
   * Each `.gitignore` above it (regular files only, as git reads them), by its folder's path from the
   * work tree's root (`''` for the root, `a/`), shallow first; `text` null when it was not read (`why`:
   * too large, binary), so what it excludes is unknown.
   */
  files: readonly { dir: string; text: string | null; why?: string }[];
}

export interface TreeRule {
  info: RuleInfo;
  check(tree: TreeView): Promise<(Report & { file: string })[]>;
}
