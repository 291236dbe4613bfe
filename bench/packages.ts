/**
 * Package health cards and the typosquat check:
 *  - the card for one package against loopback PyPI, GitHub and OSV answering after 50 ms each
 *    (target under 1 s, at most 8 HTTP requests), then the same card again (target: 0 requests);
 *  - the typosquat check over 10,000 names (target under 1 s), against the shipped list extended
 *    with the 664 package names of the PyPA advisory fixture, as the local mirror would extend it.
 */
import { buildCard, parsePackageArg } from '../src/packages/card.js';
import { TyposquatChecker } from '../src/packages/typosquat/check.js';
import { PopularityIndex } from '../src/packages/typosquat/popularity.js';
import { WAREHOUSE_TOP_PROJECTS } from '../src/packages/typosquat/warehouse-top-projects.js';
import { fixtureRecords } from '../test/fixtures/osv/load.js';
import { NOW, startPackageWorld } from '../test/packages/world.js';
import { fmtMs, report, timed } from './util.js';

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

/** A small deterministic PRNG (mulberry32), so every run checks the same names. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 10,000 names: a third typos of popular names, a third real package names, a third made up. */
function names(count: number, known: string[]): string[] {
  const rand = random(9);
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

export async function benchPackages(): Promise<void> {
  await benchCard();
  benchTyposquat();
}
