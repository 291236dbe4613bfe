/** The `.gitignore` does not keep `.env` / `*.env` files out of commits. */
import type { TreeRule } from '../../tree-rule.js';
import { isCommittedEnvFile } from '../env-files.js';
import { GitignoreChain } from '../gitignore.js';

export const rule: TreeRule = {
  info: {
    id: 'file-gitignore-env',
    kind: 'file',
    severity: 'medium',
    confidence: 'high',
    title: '.gitignore does not exclude .env',
    help: 'Without .env in .gitignore, the first `git add .` after someone creates one commits their credentials. Add `.env` and `*.env` (and `!.env.example` if you keep a template).',
  },
  async check(tree) {
    const chain = await GitignoreChain.load(tree);
    const missing = ['.env', 'production.env'].filter((p) => !chain.ignores(p));
    if (missing.length === 0) return [];
    // Where the report points: the .gitignore judged; without one, the .env it is about (what
    // would be committed), else the .gitignore to create at the tree's root.
    const envFile = tree.paths.includes('.env') ? '.env' : tree.paths.find(isCommittedEnvFile);
    const file = chain.judgedFile ?? envFile ?? '.gitignore';
    const what = missing.length === 2 ? '.env and *.env files' : missing[0] === '.env' ? '.env' : '*.env files (such as production.env)';
    return [
      {
        file,
        line: null,
        column: null,
        severity: missing[0] === '.env' ? undefined : 'low',
        message: chain.rootUnread
          ? `.gitignore is over Depwatch's limits and was not read, so whether it excludes ${what} could not be checked; reported as if it did not.`
          : chain.hasRootFile
            ? `${file === '.gitignore' ? '.gitignore' : `${file} (above the scanned folder)`} does not exclude ${what}; the first \`git add .\` after one is created commits the credentials in it.`
            : `There is no .gitignore, so ${what} would be committed by the first \`git add .\`.`,
        fix: 'Add these lines to .gitignore: `.env`, `*.env`, `.env.*` and `!.env.example` (to keep a template with placeholders).',
      },
    ];
  },
};
