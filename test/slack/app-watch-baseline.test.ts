/**
 * A newly watched repository's first sweep (its baseline), through the real Slack surface: `/audit
 * watch` over signed HTTP runs no audit, so an advisory published between the watch and the first
 * sweep is as new to the channel as one a later sweep finds, and is alerted; what the repository
 * already had is said once, in one short message, rather than absorbed unsaid.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { OsvRecord } from '../../src/advisories/types.js';
import { fixtureRecords } from '../fixtures/osv/load.js';
import { blockText, CHANNEL, startWorld, waitFor, type World } from './app-world.js';

const alertsJob = { key: `alerts:${CHANNEL}`, channel: CHANNEL, kind: 'alerts' as const, cron: '0 * * * *', timeZone: 'UTC', since: new Date(0) };
/** pillow 8.0.0 has had two dozen advisories for years: the repository's baseline. */
const WEB = { owner: 'acme', name: 'web', files: { 'requirements.txt': 'attrs==23.1.0\npillow==8.0.0\n' } };

/** A pillow advisory published now, for every release before 99 (pillow 8.0.0 among them). */
function publishedNow(): OsvRecord {
  const pillow = [...fixtureRecords().values()].find((r) => r.affected?.some((a) => a.package?.name.toLowerCase() === 'pillow'))!;
  const now = new Date().toISOString();
  return {
    ...pillow,
    id: 'PYSEC-2026-9002',
    aliases: [],
    summary: 'Pillow reads past a crafted palette',
    details: 'Published during the test, after the watch.',
    published: now,
    modified: now,
    affected: [{ package: { ecosystem: 'PyPI', name: 'pillow' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '99.0.0' }] }] }],
  } as OsvRecord;
}

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const topLevel = (w: World) => w.slack.callsTo('chat.postMessage').filter((c) => c.params.channel === CHANNEL && !c.params.thread_ts);

async function watchedFromSlack(): Promise<World> {
  const w = (world = await startWorld({ watch: {}, env: { DEPWATCH_CODE_SCAN: '0' }, repos: [WEB] }));
  const { responseId } = await w.audit('watch acme/web');
  await waitFor(() => w.slack.responses.some((r) => r.id === responseId), 'the watch reply');
  expect(topLevel(w)).toHaveLength(0); // the watch ran no audit
  return w;
}

describe('the first sweep of a newly watched repository', () => {
  it('alerts an advisory published between the watch and that sweep, as any new advisory', async () => {
    const w = await watchedFromSlack();
    w.osv.addRecord(publishedNow());
    await w.watch!.sweeps.runNow();
    await w.watch!.runJob(alertsJob, new Date());

    const alerts = w.watch!.store.alertsForChannel(CHANNEL);
    expect(alerts.map((a) => a.advisoryId)).toEqual(['PYSEC-2026-9002']);
    const alert = await waitFor(() => topLevel(w).find((c) => String(c.params.text).startsWith('New advisory')), 'the alert');
    expect(String(alert.params.text)).toMatch(/^New advisory in pillow: PYSEC-2026-9002 \(.+\) hits acme\/web$/);
    expect(w.slack.violations).toEqual([]);
  });

  it('says once what the repository already had: counts by severity, the worst few, and /audit for the rest', async () => {
    const w = await watchedFromSlack();
    w.osv.addRecord(publishedNow());
    await w.watch!.sweeps.runNow();
    await w.watch!.runJob(alertsJob, new Date());

    const known = w.watch!.store.findingsFor(['acme/web'], ['vulnerability']).filter((r) => r.advisoryId !== 'PYSEC-2026-9002');
    expect(known.length).toBeGreaterThan(5);
    const said = await waitFor(() => topLevel(w).find((c) => String(c.params.text).startsWith('Now watching')), 'the watch-started message');
    expect(String(said.params.text)).toBe(`Now watching acme/web: ${known.length} known vulnerabilities`);
    const blocks = blockText(said.params.blocks);
    expect(blocks).toMatch(new RegExp(`It already has ${known.length} known vulnerabilities \\(\\d+ (critical|high|not rated)`));
    expect(blocks).toContain(`…and ${known.length - 5} more`);
    expect(blocks).toContain('`/audit acme/web` lists them all');
    expect(blocks).toContain('1 advisory published since the watch was made: alerted apart');
    expect(blocks).not.toContain('PYSEC-2026-9002');
    // The old advisories are not alerted one by one, and nothing is said twice.
    expect(topLevel(w)).toHaveLength(2);
    await w.watch!.sweeps.runNow();
    await w.watch!.runJob(alertsJob, new Date());
    expect(topLevel(w)).toHaveLength(2);
    expect(w.slack.violations).toEqual([]);
  });

  it('says nothing of the kind for a repository with no known vulnerability', async () => {
    const w = (world = await startWorld({ watch: {}, env: { DEPWATCH_CODE_SCAN: '0' }, repos: [{ owner: 'acme', name: 'web', files: { 'requirements.txt': 'attrs==23.1.0\n' } }] }));
    const { responseId } = await w.audit('watch acme/web');
    await waitFor(() => w.slack.responses.some((r) => r.id === responseId), 'the watch reply');
    await w.watch!.sweeps.runNow();
    await w.watch!.runJob(alertsJob, new Date());
    expect(topLevel(w)).toHaveLength(0);
  });
});
