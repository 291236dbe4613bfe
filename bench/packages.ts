/**
 * Package health cards and the typosquat check:
 *  - the card for one package against loopback PyPI, GitHub and OSV answering after 50 ms each
 *    (target under 1 s, at most 8 HTTP requests), then the same card again (target: 0 requests);
 *  - the typosquat check over 10,000 names (target under 1 s), against the shipped list extended
 *    with the 664 package names of the PyPA advisory fixture, as the local mirror would extend it;
 *  - the pull-request part of a sweep over 1,000 watched repositories with 20 open pull requests,
 *    3 of which change requirements (target under 60 GitHub requests), then the same again with
 *    nothing changed.
 */
import { SqlitePullReviewState } from '../src/store/pull-review-state/sqlite.js';
import { buildCard, parsePackageArg } from '../src/packages/card.js';
import { TyposquatChecker } from '../src/packages/typosquat/check.js';
import { PopularityIndex } from '../src/packages/typosquat/popularity.js';
import { WAREHOUSE_TOP_PROJECTS } from '../src/packages/typosquat/warehouse-top-projects.js';
import { fixtureRecords } from '../test/fixtures/osv/load.js';
import { NOW, startPackageWorld } from '../test/packages/world.js';
import { fmtMs, report, timed } from './util.js';
import { createGitHubClient } from '../src/github/client.js';
import { AdvisoryMirror } from '../src/advisories/mirror.js';
import { serviceCardSources } from '../src/packages/service-sources.js';
import { watchedNamesEvery } from '../src/packages/sources/known-names.js';
import { openDb } from '../src/store/db.js';
import { WatchStore } from '../src/store/watches.js';
import { SqliteWatchState } from '../src/store/watch-state/sqlite.js';
import { reviewPullRequests } from '../src/watch/pr-review/sweep-part.js';
import { startFakeGitHub } from '../test/fakes/github.js';
import { startFakePypi } from '../test/fakes/pypi.js';
import { GOODLIB, GOODLIB_REPO, REQUIREMENTS, TOKEN } from '../test/packages/world.js';
import { seededRandom } from '../test/helpers/seeded-random.js';

async function benchCard(): Promise<void> {
  const world = await startPackageWorld({ latencyMs: 50, records: [] });
  try {
    const first = await timed(async () => buildCard(parsePackageArg('goodlib'), await world.sources({ advisories: 'api' })));
    report('package card, cold, 50 ms latency', { time: fmtMs(first.ms), requests: world.requests(), verdict: first.value.verdict }, 'under 1 s, at most 8 requests');
    world.resetCounts();
    const again = await timed(async () => buildCard(parsePackageArg('goodlib'), await world.sources({ advisories: 'api', now: new Date(NOW.getTime() + 30 * 60_000) })));
    report('package card, repeated within the hour', { time: fmtMs(again.ms), requests: world.requests(), verdict: again.value.verdict }, '0 requests');
  } finally {
    await world.close();
  }
}

/** 10,000 names: a third typos of popular names, a third real package names, a third made up. */
function names(count: number, known: string[]): string[] {
  const rand = seededRandom(9);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const letters = [...'abcdefghijklmnopqrstuvwxyz0123456789-'];
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const kind = i % 3;
    if (kind === 0) {
      const base = pick(WAREHOUSE_TOP_PROJECTS);
      const at = Math.floor(rand() * base.length);
      out.push(rand() < 0.5 ? base.slice(0, at) + base.slice(at + 1) : base.slice(0, at) + pick(letters) + base.slice(at));
    } else if (kind === 1) out.push(pick(known));
    else out.push(Array.from({ length: 4 + Math.floor(rand() * 14) }, () => pick(letters.slice(0, 26))).join(''));
  }
  return out;
}

function benchTyposquat(): void {
  const mirrorNames = [...new Set([...fixtureRecords().values()].flatMap((r) => (r.affected ?? []).map((a) => a.package?.name ?? '')).filter(Boolean))];
  const index = PopularityIndex.shipped().extend(mirrorNames.map((name) => ({ name, popularity: 1, source: 'local advisory mirror' })));
  const checker = new TyposquatChecker(index);
  const list = names(10_000, [...WAREHOUSE_TOP_PROJECTS, ...mirrorNames]);
  const start = performance.now();
  checker.check('warm-up');
  const build = performance.now() - start;
  const t0 = performance.now();
  const flagged = checker.checkAll(list).filter((r) => r.suspect).length;
  const ms = performance.now() - t0;
  report('typosquat check, 10,000 names', { time: fmtMs(ms), flagged, popularNames: index.size, lookupsBuilt: fmtMs(build) }, 'under 1 s');
}

async function benchPullRequests(): Promise<void> {
  const github = await startFakeGitHub({ repos: [GOODLIB_REPO], tokens: [TOKEN] });
  const pypi = await startFakePypi({ projects: [GOODLIB, ...REQUIREMENTS] });
  const db = openDb(':memory:');
  try {
    const store = new WatchStore(db);
    const now = () => NOW;
    for (let i = 0; i < 1000; i++) {
      github.addRepo({ owner: 'org', name: `svc-${i}`, files: { 'requirements.txt': 'idna==3.0\n', 'app.py': 'print(1)\n' } });
      store.addWatch({ repo: `org/svc-${i}`, channel: 'C0BENCH0001', userId: 'U1', private: false, adminLinked: true, now: NOW });
      if (i >= 20) continue;
      const deps = i < 3;
      github.pushCommit('org', `svc-${i}`, { 'requirements.txt': deps ? 'idna==3.0\ngoodlib==1.2.0\n' : 'idna==3.0\n', 'app.py': deps ? 'print(1)\n' : 'print(2)\n' }, { branch: 'pr' });
      github.openPullRequest('org', `svc-${i}`, { number: 1, title: deps ? 'Add goodlib' : 'Refactor', head: 'pr' });
    }
    const octokit = await createGitHubClient({ apiUrl: github.url, token: TOKEN }, { retries: 0, retryUnitMs: 1 });
    const mirror = new AdvisoryMirror(db);
    mirror.markSynced(NOW, 'bench');
    const cards = serviceCardSources({ db, watchedNames: watchedNamesEvery(async () => store.packageUsage()), pypiUrl: pypi.url, osvApiUrl: 'http://127.0.0.1:9', githubApiUrl: github.url, octokit, authenticated: true, advisories: () => mirror, now });
    // Cards are written to the outbox (delivered by the loop in src/slack/outbox/, not measured here).
    let posts = 0;
    // The cards each review writes to the outbox, counted as they are stored.
    const reviews = new (class extends SqlitePullReviewState {
      override async save(...args: Parameters<SqlitePullReviewState['save']>) {
        posts += args[1].filter((m) => m.op === 'post').length;
        return super.save(...args);
      }
    })(db);
    for (const label of ['cold', 'repeat, nothing changed']) {
      github.resetCounts();
      const run = await timed(() => reviewPullRequests({ reviews, state: new SqliteWatchState(store), octokit, cards, now }));
      report(`pull-request reviews, 1,000 repos, 20 open PRs, 3 change deps (${label})`, { time: fmtMs(run.ms), githubRequests: github.totalRequests(), listingAndTexts: run.value.githubRequests, reviewed: run.value.reviewed.length, posts, errors: run.value.errors.length }, 'under 60 GitHub requests');
    }
  } finally {
    db.close();
    await Promise.all([github.close(), pypi.close()]);
  }
}

export async function benchPackages(): Promise<void> {
  await benchCard();
  benchTyposquat();
  await benchPullRequests();
}
