/**
 * The code scan of a watched repository as the bot does it: the same generated repository of 2,000
 * Python files (300,000 lines), served as a commit archive by the fake GitHub at 50 ms a request,
 * downloaded once, unpacked and scanned in a worker thread (scanCommit over runInWorkers). Then a
 * repeat of the same commit, which the cache answers without a request. The fake builds the archive
 * in this process, so the peak RSS includes the fake's copy of the tree.
 */
import { createGitHubClient } from '../src/github/client.js';
import { scanCommit } from '../src/github/commit-scan.js';
import { CodeScanStore } from '../src/store/code-scans.js';
import { openDb } from '../src/store/db.js';
import { createAuditWorkerPool, runInWorkers } from '../src/workers/audit-runner.js';
import { makePythonModule } from '../test/fixtures/generate.js';
import { ROUTES, startFakeGitHub } from '../test/fakes/github.js';
import { fmtMs, report } from './util.js';

const FILES = 2000;
const LINES = 150;
const TOKEN = 'bench-github-token';

export async function benchScanTarball(): Promise<void> {
  const files: Record<string, string> = { '.gitignore': '.env\n*.env\n__pycache__/\n' };
  for (let i = 0; i < FILES; i++) files[`src/pkg${i % 40}/${i % 3 === 0 ? 'handlers' : 'core'}/module_${i}.py`] = makePythonModule(i, LINES);
  const github = await startFakeGitHub({ repos: [{ owner: 'octo', name: 'big', files }], tokens: [TOKEN], latencyMs: 50 });
  const pool = createAuditWorkerPool({ size: 1 });
  try {
    const octokit = await createGitHubClient({ apiUrl: github.url, token: TOKEN });
    const deps = { github: octokit, store: new CodeScanStore(openDb(':memory:')), runner: runInWorkers(pool), fingerprintKey: 'k'.repeat(64) };
    const commit = { owner: 'octo', repo: 'big', sha: github.headSha('octo', 'big') };
    // The fake builds (and keeps) its archive on the first request; build it before timing.
    await fetch(`${github.url}/repos/octo/big/tarball/${commit.sha}`, { headers: { authorization: `token ${TOKEN}` } }).then((r) => r.arrayBuffer());
    github.resetCounts();

    const started = performance.now();
    const first = await scanCommit(deps, commit, [], new Date());
    const firstMs = performance.now() - started;
    const archiveRequests = github.count(ROUTES.tarball);
    const again = performance.now();
    const repeat = await scanCommit(deps, commit, [], new Date());
    const repeatMs = performance.now() - again;
    report(
      'scan: the same 2,000 files as a GitHub archive, fakes at 50 ms, worker thread',
      {
        'archive requests': archiveRequests,
        files: first.result.stats.pythonFiles,
        findings: first.result.findings.length,
        partial: String(first.result.partial),
        'first scan': fmtMs(firstMs),
        'repeat (cached)': fmtMs(repeatMs),
        'repeat requests': github.count(ROUTES.tarball) - archiveRequests,
        cached: String(repeat.cached),
        'peak RSS (fake included)': `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
      },
      'one archive request; 0 on a repeat',
    );
  } finally {
    await pool.close();
    await github.close();
  }
}
