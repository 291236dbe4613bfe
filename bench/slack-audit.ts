/**
 * `/audit` as a Slack user feels it, for a repository with a 300-package uv.lock plus
 * pypi/warehouse's old requirements/main.txt (real vulnerable pins, so advisories are hydrated and
 * thread replies posted), every fake (GitHub, OSV, PyPI, Slack) answering after 50 ms:
 * - the first useful answer: from sending the signed command to the first `chat.update` of
 *   "Auditing…" (the vulnerability result; outdated and yanked releases still coming);
 * - the complete answer: to the last edit of that message (PyPI read, the reply whole);
 * then the same repository again, unchanged: what the repeat costs (no blob, no PyPI request).
 * The machine may be shared and busy: the times are the median of ROUNDS fresh worlds.
 */
import { makeUvLock } from '../test/fixtures/generate.js';
import { ROUTES } from '../test/fakes/github.js';
import { manifest, startWorld, waitFor, type World } from '../test/slack/app-world.js';
import { fmtMs, report } from './util.js';

export interface SlackAuditFigures {
  firstUpdateMs: number;
  completeMs: number;
  /** Requests each fake received during the first audit. */
  github: number;
  osv: number;
  pypi: number;
  secondAuditBlobFetches: number;
  /** Requests the repeat (same repository, unchanged, within the hour) sent to PyPI and OSV. */
  secondAuditPypi: number;
  secondAuditOsv: number;
}

const LATENCY_MS = 50;
const ROUNDS = 3;

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function bigWorld(): Promise<World> {
  const world = await startWorld({
    latencyMs: LATENCY_MS,
    repos: [{ owner: 'bench', name: 'big', files: { 'uv.lock': makeUvLock(300), 'requirements/main.txt': manifest('pypi-warehouse/requirements/main.txt') } }],
  });
  world.slack.latencyMs = LATENCY_MS;
  return world;
}

/** One /audit from the command to its last edit: when the message first and last changed. */
async function timedAudit(world: World): Promise<{ firstMs: number; completeMs: number; staged: boolean }> {
  const before = world.slack.callsTo('chat.update').length;
  const started = Date.now();
  await world.audit('bench/big');
  const first = await waitFor(() => world.slack.callsTo('chat.update')[before], 'the first result', 60_000);
  await world.bot.service.idle();
  const onMessage = world.slack.callsTo('chat.update').slice(before).filter((c) => c.params.ts === first.params.ts);
  return { firstMs: first.time - started, completeMs: onMessage.at(-1)!.time - started, staged: JSON.stringify(first.params.blocks).includes('Still coming') };
}

export async function benchSlackAudit(): Promise<SlackAuditFigures> {
  const firsts: number[] = [];
  const completes: number[] = [];
  let staged = 0;
  for (let round = 1; round < ROUNDS; round++) {
    const world = await bigWorld();
    try {
      const t = await timedAudit(world);
      firsts.push(t.firstMs);
      completes.push(t.completeMs);
      if (t.staged) staged++;
    } finally {
      await world.close();
    }
  }
  const world = await bigWorld();
  try {
    const t = await timedAudit(world);
    firsts.push(t.firstMs);
    completes.push(t.completeMs);
    if (t.staged) staged++;
    const figures = { github: world.github.totalRequests(), osv: world.osv.requests.length, pypi: world.pypi.count() };
    if (world.slack.violations.length) throw new Error(`Slack would reject a message: ${world.slack.violations[0]?.message}`);

    const pypiPaths = world.pypi.requests.map((r) => r.path);
    const pypiAskedTwice = pypiPaths.length - new Set(pypiPaths).size;

    const blobsBefore = world.github.count(ROUTES.blob);
    const pypiBefore = world.pypi.count();
    const osvBefore = world.osv.requests.length;
    const repeat = await timedAudit(world);
    const secondAuditBlobFetches = world.github.count(ROUTES.blob) - blobsBefore;
    const secondAuditPypi = world.pypi.count() - pypiBefore;
    const secondAuditOsv = world.osv.requests.length - osvBefore;

    const result = { firstUpdateMs: median(firsts), completeMs: median(completes), ...figures, secondAuditBlobFetches, secondAuditPypi, secondAuditOsv };
    report(
      `slack /audit: 300-pkg uv.lock + real pins, 50 ms fakes (median of ${ROUNDS})`,
      {
        'first useful answer (1st chat.update)': `${fmtMs(result.firstUpdateMs)} (target under 1 s)`,
        runs: firsts.map((ms) => fmtMs(ms)).join(', '),
        'first answers staged': `${staged}/${ROUNDS}`,
        'complete answer (last edit)': fmtMs(result.completeMs),
        'github requests': figures.github,
        'osv requests': figures.osv,
        'pypi requests': figures.pypi,
        'pypi asked twice': pypiAskedTwice,
        'repeat: first answer': fmtMs(repeat.firstMs),
        'blobs on 2nd audit': secondAuditBlobFetches,
        'pypi on 2nd audit': `${secondAuditPypi} (target 0)`,
        'osv on 2nd audit': secondAuditOsv,
      },
      'first useful answer under 1 s; PyPI requests on a repeat within the hour: 0 (and 0 blobs)',
    );
    return result;
  } finally {
    await world.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await benchSlackAudit();
}
