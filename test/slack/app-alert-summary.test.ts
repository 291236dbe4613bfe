/**
 * A commit that pins many releases with known advisories: the next alerts job posts one message
 * for the repository (counts by severity, the worst named, `/audit owner/repo` for all) instead of
 * a message per dependency and per advisory; each advisory is recorded as alerted, announced by it,
 * and the next run says nothing again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { fixtureRecords } from '../fixtures/osv/load.js';
import { blockText, CHANNEL, startWorld, USER, type World } from './app-world.js';

const alertsJob = { key: `alerts:${CHANNEL}`, channel: CHANNEL, kind: 'alerts' as const, cron: '0 * * * *', timeZone: 'UTC', since: new Date(0) };

/** `count` packages the fixture has advisories for, pinned at an affected release. */
function vulnerablePins(count: number): string {
  const pins = new Map<string, string>();
  for (const r of fixtureRecords().values()) {
    for (const a of r.affected ?? []) {
      const name = a.package?.name;
      const version = a.versions?.[0];
      if (name && version && !pins.has(name.toLowerCase()) && /^[A-Za-z0-9._-]+$/.test(name) && /^[0-9][0-9a-z.]*$/.test(version)) pins.set(name.toLowerCase(), version);
    }
  }
  return [...pins].slice(0, count).map(([name, version]) => `${name}==${version}\n`).join('');
}

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const topLevel = (w: World) => w.slack.callsTo('chat.postMessage').filter((c) => c.params.channel === CHANNEL && !c.params.thread_ts);

describe('a commit pinning many vulnerable releases', () => {
  it('is said in one message for the repository, each advisory recorded as alerted by it', async () => {
    const w = (world = await startWorld({ watch: {}, env: { DEPWATCH_CODE_SCAN: '0' }, repos: [{ owner: 'octo', name: 'shop', files: { 'requirements.txt': 'attrs==23.1.0\n' } }] }));
    await w.watch!.state.addWatch({ repo: 'octo/shop', channel: CHANNEL, userId: USER, private: false, adminLinked: false, now: new Date() });
    await w.watch!.runJob(alertsJob, new Date());
    expect(topLevel(w)).toHaveLength(0);
    w.github.pushCommit('octo', 'shop', { 'requirements.txt': vulnerablePins(60) });
    await w.watch!.runJob(alertsJob, new Date());

    const alerts = w.watch!.store.alertsForChannel(CHANNEL);
    expect(alerts.length).toBeGreaterThan(60);
    const posts = topLevel(w);
    expect(posts).toHaveLength(1);
    expect(String(posts[0]!.params.text)).toMatch(new RegExp(`^octo/shop: ${alerts.length} advisories new to this channel, in \\d+ packages \\(.*\\)\\. See them all: /audit octo/shop$`));
    const blocks = blockText(posts[0]!.params.blocks);
    expect(blocks).toContain(`…and ${alerts.length - 5} more`);
    expect(blocks).toContain('`/audit octo/shop` lists them all');
    expect(posts[0]!.response?.ok).toBe(true);
    const ts = String(posts[0]!.response?.ts);
    expect(alerts.every((a) => a.state === 'posted' && a.messageTs === ts)).toBe(true);
    expect(w.slack.violations).toEqual([]);

    // The next run says nothing again.
    await w.watch!.runJob(alertsJob, new Date());
    expect(topLevel(w)).toHaveLength(1);
  });
});
