/**
 * One API-mode audit measurement, from compiled code with plain `node` (no tsx): the checkout at
 * argv[2] (its dist/), the fake OSV at argv[3], the tree at argv[4]. Audits the tree with a fresh
 * SQLite cache (the first audit), then again with a new client on the same cache (a restarted bot,
 * the next CLI run) and once more with the first client (a long-running bot). Prints one JSON line:
 * wall and CPU time of each, and the requests each made, in total and by kind: querybatch, /v1/query
 * (a package's whole list), /v1/vulns/{id} (a record by id), and how many of those OSV answered 404
 * (alias ids looked up for a rating that OSV does not hold, remembered in osv_unknown_ids).
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
const unknownIds = (db) => db.prepare('SELECT COUNT(*) AS n FROM osv_unknown_ids').get().n;

const dir = mkdtempSync(join(tmpdir(), 'depwatch-bench-api-'));
const db = openDb(join(dir, 'cache.db'));
try {
  const audit = async (api) => {
    const before = { wall: performance.now(), cpu: cpuMs(), requests: requests(api), stats: { ...api.stats }, unknown: unknownIds(db) };
    const result = await auditFileSource(directorySource(tree), { target: tree, advisories: api, registry: null, now: new Date() });
    if (result.warnings.length > 0) throw new Error(result.warnings.join('; '));
    const ms = performance.now() - before.wall;
    const byKind = Object.fromEntries(Object.entries(api.stats).map(([kind, n]) => [kind, n - before.stats[kind]]));
    return { ms, cpuMs: cpuMs() - before.cpu, requests: requests(api) - before.requests, byKind, unknown: unknownIds(db) - before.unknown, findings: result.findings.length };
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
