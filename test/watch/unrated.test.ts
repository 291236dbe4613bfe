/**
 * Alerts and digests say when an advisory is not rated by its source, and count it as the channel
 * says (`/audit settings unknown-as`, default high): in the monthly counts, the chart and the order.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { OsvRecord } from '../../src/advisories/types.js';
import { findingKey, type Finding } from '../../src/audit/findings.js';
import { monthlyDigestLayout } from '../../src/slack/blocks/digest.js';
import { WatchStore } from '../../src/store/watches.js';
import { buildMonthlyDigest } from '../../src/watch/digests.js';
import { fixtureRecord } from '../fixtures/osv/load.js';
import { afterWatchStarted, openTestDb, startWorld, vulnerabilityFinding, type World } from './helpers.js';

const CHANNEL = 'C0SECURITY1';
const ADMIN = 'U0ADMIN0001';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const vuln = (id: string, pkg: string, severity: Finding['severity']): Finding => vulnerabilityFinding(id, pkg, severity, '1.0');

describe('the monthly review', () => {
  const rows = () => {
    const store = new WatchStore(openTestDb());
    store.applyFindings({ repo: 'octo/app', findings: [vuln('PYSEC-1', 'six', 'medium'), vuln('PYSEC-2', 'django', 'unknown')], keyOf: findingKey, sha: 'a', now: new Date('2025-02-20T00:00:00Z'), baseline: false });
    return store.findingsFor(['octo/app']);
  };

  it('counts an unrated advisory as high by default, before the medium ones, and labels it', () => {
    const digest = buildMonthlyDigest({ rows: rows(), ignores: [], now: new Date('2025-03-01T09:00:00Z') });
    expect(digest.open.bySeverity).toEqual({ critical: 0, high: 1, medium: 1, low: 0 });
    expect(digest.chart.at(-1)).toMatchObject({ high: 1, medium: 1 });
    const details = JSON.stringify(monthlyDigestLayout(digest, { timeZone: 'UTC' }).details.blocks);
    expect(details).toMatch(/⚪ \*octo\/app\*: django 1\.0: 1 advisory.*\|PYSEC-2> \(not rated, counts as high\).*🟡 \*octo\/app\*: six 1\.0.*\|PYSEC-1>/);
  });

  it('counts it as the channel says', () => {
    const digest = buildMonthlyDigest({ rows: rows(), ignores: [], now: new Date('2025-03-01T09:00:00Z'), unknownAs: 'low' });
    expect(digest.open.bySeverity).toEqual({ critical: 0, high: 0, medium: 1, low: 1 });
    expect(JSON.stringify(monthlyDigestLayout(digest, { timeZone: 'UTC' }).details.blocks)).toMatch(/🟡 \*octo\/app\*: six 1\.0.*\|PYSEC-1>.*⚪ \*octo\/app\*: django 1\.0.*\|PYSEC-2> \(not rated, counts as low\)/);
  });
});

describe('new-advisory alerts', () => {
  it('say that the advisory is not rated, and how it counts in the channel, in the message and in its notification text', async () => {
    const urllib3 = fixtureRecord('PYSEC-2019-132');
    const requests: OsvRecord = { ...fixtureRecord('PYSEC-2014-13'), modified: '2025-01-06T10:00:00Z' };
    expect(requests.severity ?? []).toEqual([]); // the PyPA record carries no rating
    world = await startWorld({ records: [urllib3], start: '2025-01-06T09:30:00Z' });
    world.github.addRepo({ owner: 'octo', name: 'app', files: { 'requirements.txt': 'requests==2.2.0\nurllib3==1.24.1\n' } });
    const { watch } = world.service();
    await watch.handleCommand('watch octo/app', { userId: ADMIN, channelId: CHANNEL });
    expect((await watch.handleCommand('settings unknown-as medium', { userId: ADMIN, channelId: CHANNEL }))?.ephemeral).toBe(false);
    const job = { key: `alerts:${CHANNEL}`, channel: CHANNEL, kind: 'alerts' as const, cron: '0 * * * *', timeZone: 'UTC', since: new Date(0) };
    await watch.runJob(job, world.clock.now());
    world.osv.addRecord(requests);
    world.clock.advance(3_600_000);
    expect(await watch.runJob(job, world.clock.now())).toMatchObject({ posted: 1 });
    const [alert] = afterWatchStarted(world.slack.messages(CHANNEL));
    expect(JSON.stringify(alert?.blocks)).toContain('Severity: ⚪ *not rated by the source (treated as medium)*');
    expect(alert?.text).toBe('New advisory in requests: PYSEC-2014-13 (not rated by the source (treated as medium)) hits octo/app');
  });
});
