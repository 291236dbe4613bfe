/** The `.gitignore` does not keep `config/secret*.py` out of commits (Python projects with a config folder). */
import type { TreeRule } from '../../tree-rule.js';
import { GitignoreChain } from '../gitignore.js';

export const rule: TreeRule = {
  info: {
    id: 'file-gitignore-secret-config',
    kind: 'file',
    severity: 'medium',
    confidence: 'medium',
    title: '.gitignore does not exclude config/secret*.py',
    help: 'Projects that keep credentials in config/secret*.py must keep that module out of git; otherwise the first `git add .` commits it. Add `config/secret*.py` to .gitignore.',
  },
  async check(tree) {
    // Only where it applies: Python code next to a config/ folder.
    const configDirs = new Set<string>();
    for (const p of tree.paths) {
      const m = /^(.*\/)?config\/[^/]+\.py$/.exec(p);
      if (m) configDirs.add(m[1] ?? '');
    }
    if (configDirs.size === 0) return [];
    const chain = await GitignoreChain.load(tree);
    const out = [];
    for (const dir of [...configDirs].sort()) {
      const probe = `${dir}config/secrets.py`;
      if (chain.ignores(probe) && chain.ignores(`${dir}config/secret.py`)) continue;
      // The .gitignore judged; without one, a module of that config/ folder (GitHub can show it).
      const file = chain.judgedFile ?? tree.paths.find((p) => p.startsWith(`${dir}config/`) && p.endsWith('.py')) ?? '.gitignore';
      out.push({
        file,
        line: null,
        column: null,
        message: `${chain.hasRootFile ? '.gitignore does not exclude' : 'There is no .gitignore to exclude'} ${dir}config/secret*.py; a secrets module created there would be committed by the first \`git add .\`.`,
        fix: `Add \`${dir ? `/${dir}` : ''}config/secret*.py\` to .gitignore.`,
      });
    }
    return out;
  },
};
