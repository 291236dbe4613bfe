/**
 * Where a directory audit's paths start, for SARIF (ReportOptions.sourceRoot): the git work tree
 * holding the folder, found as the nearest folder up from it with a `.git` entry (a folder, or the
 * file a linked work tree or submodule has), without running git; or the folder itself when none
 * holds it. GitHub code scanning reads relative paths from the repository root, so `svc/` audited
 * from a monorepo must say `svc/requirements.txt`, not `requirements.txt`.
 */
import { relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ReportOptions } from '../report/interface.js';
import { workTreeOf } from '../scan/work-tree.js';

export async function sourceRootOf(dir: string): Promise<NonNullable<ReportOptions['sourceRoot']>> {
  const root = (await workTreeOf(dir)) ?? dir;
  const way = relative(root, dir);
  const prefix = way === '' ? '' : `${way.split(sep).join('/')}/`;
  const uri = pathToFileURL(root).href;
  return { uri: uri.endsWith('/') ? uri : `${uri}/`, prefix };
}
