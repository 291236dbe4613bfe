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

    const blobsBefore = world.github.count(ROUTES.blob);
    await world.audit('bench/big');
    await waitFor(() => world.slack.callsTo('chat.update').length > 1, 'the second result', 60_000);
    await world.bot.service.idle();
    const secondAuditBlobFetches = world.github.count(ROUTES.blob) - blobsBefore;

    const result = { firstUpdateMs, ...figures, secondAuditBlobFetches };
    report(
      'slack /audit: 300-pkg uv.lock + real pins, 50 ms fakes',
      { 'first chat.update': fmtMs(firstUpdateMs), 'github requests': figures.github, 'osv requests': figures.osv, 'pypi requests': figures.pypi, 'blobs on 2nd audit': secondAuditBlobFetches },
      'first update under 3 s; 0 blobs on the 2nd audit',
    );
    return result;
  } finally {
    await world.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await benchSlackAudit();
}
