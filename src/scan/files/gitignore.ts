/**
 * Would git ignore this path? Every `.gitignore` from the root down to the path's folder applies,
 * deeper files overriding shallower ones, with git's own pattern rules (negation with `!`, patterns
 * anchored by a `/`, `dir/` matching folders, `**`), which the `ignore` package implements.
 */
import ignore, { type Ignore } from 'ignore';
import type { TreeView } from '../tree-rule.js';

/** The chain of each tree, for the tree rules that share one. */
const loaded = new WeakMap<TreeView, Promise<GitignoreChain>>();

export class GitignoreChain {
  private readonly files = new Map<string, Ignore>();

  /** The folder prefixes holding a .gitignore ('' for the root, 'app/' …), shallow to deep. */
  private readonly dirs: readonly string[];

  private constructor(dirs: readonly string[]) {
    this.dirs = [...dirs].sort((a, b) => a.length - b.length);
  }

  /**
   * Every .gitignore in the tree (each is small: a few hundred lines at most), read and parsed once
   * per tree: several tree rules ask, and each would otherwise parse them all again.
   */
  static load(tree: TreeView): Promise<GitignoreChain> {
    let chain = loaded.get(tree);
    if (!chain) loaded.set(tree, (chain = GitignoreChain.read(tree)));
    return chain;
  }

  private static async read(tree: TreeView): Promise<GitignoreChain> {
    const found = tree.paths.filter((p) => p === '.gitignore' || p.endsWith('/.gitignore'));
    const chain = new GitignoreChain(found.map((p) => p.slice(0, -'.gitignore'.length)));
    for (const path of found) {
      const text = await tree.readText(path);
      if (text !== null) chain.files.set(path.slice(0, -'.gitignore'.length), ignore({ allowRelativePaths: true }).add(text));
    }
    return chain;
  }

  get hasRootFile(): boolean {
    return this.files.has('');
  }

  /** Whether `git add` would leave this path out. */
  ignores(path: string): boolean {
    let ignored = false;
    // Shallow to deep, so a deeper file overrides a shallower one.
    for (const dir of this.dirs) {
      if (!path.startsWith(dir)) continue;
      const rules = this.files.get(dir);
      if (!rules) continue;
      const result = rules.test(path.slice(dir.length));
      if (result.ignored) ignored = true;
      else if (result.unignored) ignored = false;
    }
    return ignored;
  }
}
