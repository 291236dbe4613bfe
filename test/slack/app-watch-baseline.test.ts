/**
 * A newly watched repository's first sweep (its baseline), through the real Slack surface: `/audit
 * watch` over signed HTTP runs no audit, so an advisory published between the watch and the first
 * sweep is as new to the channel as one a later sweep finds, and is alerted; what the repository
 * already had is said once, in one short message, rather than absorbed unsaid.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { OsvRecord } from '../../src/advisories/types.js';
import { blockText, CHANNEL, startWorld, waitFor, type World } from './app-world.js';
import { pillowAdvisoryPublishedNow } from './pillow-published-now.js';

const alertsJob = { key: `alerts:${CHANNEL}`, channel: CHANNEL, kind: 'alerts' as const, cron: '0 * * * *', timeZone: 'UTC', since: new Date(0) };
/** pillow 8.0.0 has had two dozen advisories for years: the repository's baseline. */
const WEB = { owner: 'acme', name: 'web', files: { 'requirements.txt': 'attrs==23.1.0\npillow==8.0.0\n' } };

const publishedNow = (): OsvRecord => pillowAdvisoryPublishedNow({ id: 'PYSEC-2026-9002', summary: 'Pillow reads past a crafted palette', details: 'Published during the test, after the watch.' });

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
    expect(blocks).toContain('1 advisory new since the watch was made: alerted apart');
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

const OTHER = 'C0AUDITS002';
const alertsJobOf = (channel: string) => ({ ...alertsJob, key: `alerts:${channel}`, channel });
const topLevelIn = (w: World, channel: string) => w.slack.callsTo('chat.postMessage').filter((c) => c.params.channel === channel && !c.params.thread_ts);
const textsIn = (w: World, channel: string) => topLevelIn(w, channel).map((c) => String(c.params.text));

async function watchFrom(w: World, channel: string): Promise<void> {
  const { responseId } = await w.audit('watch acme/web', { channel });
  await waitFor(() => w.slack.responses.some((r) => r.id === responseId), `the watch reply in ${channel}`);
}

/** A pillow advisory the source never rated, known for years (pillow 8.0.0 among the releases it hits). */
function unratedOld(): OsvRecord {
  const record = publishedNow();
  const { severity: _severity, database_specific: _specific, ...unrated } = record as OsvRecord & { severity?: unknown; database_specific?: unknown };
  return { ...unrated, id: 'PYSEC-2020-9001', summary: 'Pillow mishandles an old format', published: '2020-06-01T00:00:00Z', modified: '2020-06-01T00:00:00Z' } as OsvRecord;
}

describe('a channel that watches a repository another channel already watches', () => {
  it('is told once what the repository already has there, the advisory alerted in the other channel included, and alerted of what is newer than its watch', async () => {
    const w = await watchedFromSlack();
    w.osv.addRecord(publishedNow());
    await w.watch!.sweeps.runNow();
    await w.watch!.runJob(alertsJob, new Date());
    const known = w.watch!.store.findingsFor(['acme/web'], ['vulnerability']).length;
    expect(textsIn(w, CHANNEL).filter((t) => t.startsWith('New advisory'))).toHaveLength(1);

    // Watched later from another channel: no audit runs, and nothing is said there yet.
    await watchFrom(w, OTHER);
    await w.watch!.runJob(alertsJobOf(OTHER), new Date());
    expect(textsIn(w, OTHER)).toEqual([`Now watching acme/web: ${known} known vulnerabilities`]);
    expect(w.watch!.store.alertsForChannel(OTHER)).toEqual([]);
    const said = blockText(topLevelIn(w, OTHER)[0]!.params.blocks);
    expect(said).not.toContain('alerted apart');

    // Told once; an advisory published since is alerted in both channels, once each.
    await w.watch!.runJob(alertsJobOf(OTHER), new Date());
    expect(textsIn(w, OTHER)).toHaveLength(1);
    w.osv.addRecord({ ...publishedNow(), id: 'PYSEC-2026-9003', summary: 'Pillow overflows on a crafted header' });
    await w.watch!.sweeps.runNow();
    await w.watch!.runJob(alertsJob, new Date());
    await w.watch!.runJob(alertsJobOf(OTHER), new Date());
    for (const channel of [CHANNEL, OTHER]) expect(textsIn(w, channel).filter((t) => t.includes('PYSEC-2026-9003'))).toHaveLength(1);
    expect(textsIn(w, OTHER)).toHaveLength(2);
    expect(w.slack.violations).toEqual([]);
  });
});

describe('two channels that watch before the first sweep, an advisory published between their watches', () => {
  it('is alerted in the channel that watched before it, and is in the "Now watching" message of the one that watched after it', async () => {
    const w = await watchedFromSlack();
    await new Promise((resolve) => setTimeout(resolve, 5));
    w.osv.addRecord(publishedNow());
    await new Promise((resolve) => setTimeout(resolve, 5));
    await watchFrom(w, OTHER);
    await w.watch!.sweeps.runNow();
    await w.watch!.runJob(alertsJob, new Date());
    await w.watch!.runJob(alertsJobOf(OTHER), new Date());

    const known = w.watch!.store.findingsFor(['acme/web'], ['vulnerability']).length;
    expect(textsIn(w, CHANNEL)).toEqual(expect.arrayContaining([`Now watching acme/web: ${known - 1} known vulnerabilities`, expect.stringMatching(/^New advisory in pillow: PYSEC-2026-9002/)]));
    expect(textsIn(w, OTHER)).toEqual([`Now watching acme/web: ${known} known vulnerabilities`]);
    expect(w.watch!.store.alertsForChannel(OTHER)).toEqual([]);
    expect(w.slack.violations).toEqual([]);
  });
});

describe('the "Now watching" message of each channel', () => {
  it("leaves out what that channel ignores and counts unrated advisories as that channel does", async () => {
    const w = (world = await startWorld({ watch: {}, env: { DEPWATCH_CODE_SCAN: '0' }, repos: [WEB], extraAdvisories: [unratedOld()] }));
    await watchFrom(w, CHANNEL);
    await watchFrom(w, OTHER);
    for (const command of ['ignore PYSEC-2020-9001 the format is never read here', 'settings unknown-as medium']) {
      const { responseId } = await w.audit(command, { channel: OTHER });
      await waitFor(() => w.slack.responses.some((r) => r.id === responseId), command);
    }
    await w.watch!.sweeps.runNow();
    await w.watch!.runJob(alertsJob, new Date());
    await w.watch!.runJob(alertsJobOf(OTHER), new Date());

    const known = w.watch!.store.findingsFor(['acme/web'], ['vulnerability']).length;
    expect(textsIn(w, CHANNEL)).toEqual([`Now watching acme/web: ${known} known vulnerabilities`]);
    expect(textsIn(w, OTHER)).toEqual([`Now watching acme/web: ${known - 1} known vulnerabilities`]);
    const here = blockText(topLevelIn(w, CHANNEL)[0]!.params.blocks);
    const there = blockText(topLevelIn(w, OTHER)[0]!.params.blocks);
    // pillow's advisories in the fixture are all unrated: each channel counts them as it says.
    expect(here).toContain(`(${known} not rated by the source (treated as high))`);
    expect(here).toContain('*PYSEC-2020-9001*');
    expect(there).toContain(`(${known - 1} not rated by the source (treated as medium))`);
    expect(there).not.toContain('treated as high');
    expect(there).not.toContain('PYSEC-2020-9001');
    expect(w.slack.violations).toEqual([]);
  });
});

describe('a first sweep that could not reach the advisories', () => {
  it('takes no baseline: the repository waits, the sweep problems say so, and the next sweep that reads them says what it has instead of alerting it all', async () => {
    const w = await watchedFromSlack();
    w.osv.failNext(1_000, 503);
    await w.watch!.sweeps.runNow();
    await w.watch!.runJob(alertsJob, new Date()); // its sweep, the second one, is still cut off
    expect((await w.watch!.state.repoSummaries(['acme/web'])).get('acme/web')?.baselineAt).toBeNull();
    expect((await w.watch!.state.sweepProblems())?.problems).toContainEqual(expect.stringMatching(/^baseline waiting: 1 newly watched repository waits for the advisories \(not reached\)/));
    // Nothing is said of what it has, nor alerted: the channel's notice says it waits (a private repository is not named there).
    const notice = topLevel(w).map((c) => String(c.params.text));
    expect(notice).toEqual([expect.stringMatching(/^⚠️ Depwatch could not check for new advisories since .*: baseline waiting: 1 newly watched repository waits for the advisories \(not reached\): what it already has is said, and new advisories alerted, once a sweep reads them$/)]);

    w.osv.clearFaults();
    await w.watch!.sweeps.runNow();
    await w.watch!.runJob(alertsJob, new Date());
    const known = w.watch!.store.findingsFor(['acme/web'], ['vulnerability']).length;
    expect(known).toBeGreaterThan(5);
    // One message, not one alert per advisory it already had.
    expect(topLevel(w).map((c) => String(c.params.text)).slice(1)).toEqual([`Now watching acme/web: ${known} known vulnerabilities`]);
    expect(w.watch!.store.alertsForChannel(CHANNEL)).toEqual([]);
    expect(w.slack.violations).toEqual([]);
  });
});
