/**
 * One API-mode audit measurement, from compiled code with plain `node` (no tsx): the checkout at
 * argv[2] (its dist/), the fake OSV at argv[3], the tree at argv[4]. Audits the tree with a fresh
 * SQLite cache (the first audit), then again with a new client on the same cache (a restarted bot,
 * the next CLI run) and once more with the first client (a long-running bot). Prints one JSON line:
 * wall and CPU time of each, and the requests each made.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [root, osvUrl, tree] = process.argv.slice(2);
const load = (path) => import(pathToFileURL(join(root, 'dist', path)).href);
const [{ OsvApi }, { auditFileSource }, { directorySource }, { openDb }] = await Promise.all([
  load('advisories/osv-api.js'),
  load('audit/run.js'),
  load('python/files.js'),
  load('store/db.js'),
]);

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const requests = (api) => api.stats.querybatch + api.stats.query + api.stats.vulns;

const dir = mkdtempSync(join(tmpdir(), 'depwatch-bench-api-'));
const db = openDb(join(dir, 'cache.db'));
try {
  const audit = async (api) => {
    const before = { wall: performance.now(), cpu: cpuMs(), requests: requests(api) };
    const result = await auditFileSource(directorySource(tree), { target: tree, advisories: api, registry: null, now: new Date() });
    if (result.warnings.length > 0) throw new Error(result.warnings.join('; '));
    return { ms: performance.now() - before.wall, cpuMs: cpuMs() - before.cpu, requests: requests(api) - before.requests, findings: result.findings.length };
  };
  const first = new OsvApi({ baseUrl: osvUrl, db });
  const cold = await audit(first);
  const restarted = await audit(new OsvApi({ baseUrl: osvUrl, db }));
  const sameClient = await audit(first);
  process.stdout.write(JSON.stringify({ first: cold, repeat: restarted, repeatSameClient: sameClient }) + '\n');
} finally {
  db.close();
  rmSync(dir, { recursive: true, force: true });
}
