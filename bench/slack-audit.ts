/**
 * `/audit` as a Slack user feels it: from sending the signed command to the first `chat.update` (the
 * result replacing "Auditing…"), for a repository with a 300-package uv.lock plus pypi/warehouse's
 * old requirements/main.txt (real vulnerable pins, so advisories are hydrated and thread replies
 * posted), every fake (GitHub, OSV, PyPI, Slack) answering after 50 ms. Then the same repository
 * again, unchanged: how many blobs the second audit fetches (should be none).
 */
import { makeUvLock } from '../test/fixtures/generate.js';
import { ROUTES } from '../test/fakes/github.js';
import { manifest, startWorld, waitFor } from '../test/slack/app-world.js';
import { fmtMs, report } from './util.js';

export interface SlackAuditFigures {
  firstUpdateMs: number;
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

export async function benchSlackAudit(): Promise<SlackAuditFigures> {
  const world = await startWorld({
    latencyMs: LATENCY_MS,
    repos: [{ owner: 'bench', name: 'big', files: { 'uv.lock': makeUvLock(300), 'requirements/main.txt': manifest('pypi-warehouse/requirements/main.txt') } }],
  });
  world.slack.latencyMs = LATENCY_MS;
  try {
    const started = Date.now();
    await world.audit('bench/big');
    const update = await waitFor(() => world.slack.callsTo('chat.update')[0], 'the first result', 60_000);
    const firstUpdateMs = update.time - started;
    await world.bot.service.idle();
    const figures = { github: world.github.totalRequests(), osv: world.osv.requests.length, pypi: world.pypi.count() };
    if (world.slack.violations.length) throw new Error(`Slack would reject a message: ${world.slack.violations[0]?.message}`);

    const pypiPaths = world.pypi.requests.map((r) => r.path);
    const pypiAskedTwice = pypiPaths.length - new Set(pypiPaths).size;

    const blobsBefore = world.github.count(ROUTES.blob);
    const pypiBefore = world.pypi.count();
    const osvBefore = world.osv.requests.length;
    await world.audit('bench/big');
    await waitFor(() => world.slack.callsTo('chat.update').length > 1, 'the second result', 60_000);
    await world.bot.service.idle();
    const secondAuditBlobFetches = world.github.count(ROUTES.blob) - blobsBefore;
    const secondAuditPypi = world.pypi.count() - pypiBefore;
    const secondAuditOsv = world.osv.requests.length - osvBefore;

    const result = { firstUpdateMs, ...figures, secondAuditBlobFetches, secondAuditPypi, secondAuditOsv };
    report(
      'slack /audit: 300-pkg uv.lock + real pins, 50 ms fakes',
      {
        'first chat.update': fmtMs(firstUpdateMs),
        'github requests': figures.github,
        'osv requests': figures.osv,
        'pypi requests': figures.pypi,
        'pypi asked twice': pypiAskedTwice,
        'blobs on 2nd audit': secondAuditBlobFetches,
        'pypi on 2nd audit': secondAuditPypi,
        'osv on 2nd audit': secondAuditOsv,
      },
      'first update under 1 s; 0 blobs and 0 PyPI requests on a repeat within the hour',
    );
    return result;
  } finally {
    await world.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await benchSlackAudit();
}
