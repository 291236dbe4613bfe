/**
 * A watched repository's settings problems, said by its sweeps: `.depwatch.yaml` beside
 * `.depwatch.yml` (only `.yml` applies), a settings file that does not parse. Each watching channel
 * is told once per set of problems, through the outbox, whatever the number of sweeps after.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SETTINGS_NOTICE } from '../../src/watch/messages.js';
import { fixtureRecord } from '../fixtures/osv/load.js';
import { startWorld, type World } from './helpers.js';

const CHANNEL = 'C0SECURITY1';
const OTHER = 'C0PLATFORM1';
const ADMIN = 'U0ADMIN0001';
const alertsJob = (channel: string) => ({ key: `alerts:${channel}`, channel, kind: 'alerts' as const, cron: '0 * * * *', timeZone: 'UTC', since: new Date(0) });

const BOTH = {
  'requirements.txt': 'urllib3==1.24.1\n',
  '.depwatch.yml': 'ignore:\n  - id: PYSEC-2019-132\n    reason: not reachable from our code\n',
  '.depwatch.yaml': 'exclude:\n  - path: tests/\n    reason: fixtures\n',
};
const BOTH_NOTE = '.depwatch.yaml: not read, because .depwatch.yml is the settings file; merge its entries into .depwatch.yml';

let world: World;
afterEach(async () => {
  await world?.close();
});

/** What the fake Slack was asked to post in `channel`, as the text of each message's blocks. */
const postsIn = (channel: string) => world.slack.messages(channel).map((m) => JSON.stringify(m.blocks ?? []));

describe('settings problems found by a sweep', () => {
  it('tells each watching channel once that .depwatch.yaml is not read beside .depwatch.yml, and not again on later sweeps', async () => {
    world = await startWorld({ records: [fixtureRecord('PYSEC-2019-132')], start: '2025-01-06T09:30:00Z' });
    world.github.addRepo({ owner: 'octo', name: 'app', files: BOTH });
    const { watch } = world.service();
    await watch.handleCommand('watch octo/app', { userId: ADMIN, channelId: CHANNEL });
    await watch.handleCommand('watch octo/app', { userId: ADMIN, channelId: OTHER });

    // The repository's first sweep tells: watching it need not follow an /audit reply.
    await watch.runJob(alertsJob(CHANNEL), world.clock.now());
    const rows = (await watch.outbox.rows({})).filter((r) => r.kind === SETTINGS_NOTICE);
    expect(rows.map((r) => r.channel).sort()).toEqual([OTHER, CHANNEL].sort());
    expect(rows[0]!.data).toMatchObject({ repo: 'octo/app', sha: world.github.headSha('octo', 'app'), private: false, problems: [BOTH_NOTE] });
    await watch.runJob(alertsJob(OTHER), world.clock.now());
    for (const channel of [CHANNEL, OTHER]) {
      const posts = postsIn(channel).filter((p) => p.includes('Settings not applied as written'));
      expect(posts).toHaveLength(1);
      expect(posts[0]).toContain('.depwatch.yaml: not read, because .depwatch.yml is the settings file');
    }

    // New commits with the same settings: audited again, said no more.
    world.github.pushCommit('octo', 'app', { 'requirements.txt': 'urllib3==1.24.2\n' });
    world.clock.advance(3_600_000);
    await watch.runJob(alertsJob(CHANNEL), world.clock.now());
    world.github.pushCommit('octo', 'app', { 'requirements.txt': 'urllib3==1.24.1\n' });
    world.clock.advance(3_600_000);
    await watch.runJob(alertsJob(CHANNEL), world.clock.now());
    expect((await watch.outbox.rows({})).filter((r) => r.kind === SETTINGS_NOTICE)).toHaveLength(2);
    expect(postsIn(CHANNEL).filter((p) => p.includes('Settings not applied as written'))).toHaveLength(1);

    // Another problem as well: the new set is said, whole; fixing both says nothing more.
    world.github.pushCommit('octo', 'app', { '.depwatch.yml': 'ignore: [\n' });
    world.clock.advance(3_600_000);
    await watch.runJob(alertsJob(CHANNEL), world.clock.now());
    const notices = postsIn(CHANNEL).filter((p) => p.includes('Settings not applied as written'));
    expect(notices).toHaveLength(2);
    expect(notices[1]).toContain('.depwatch.yml: not valid YAML');
    expect(notices[1]).toContain('.depwatch.yaml: not read');

    world.github.pushCommit('octo', 'app', { '.depwatch.yaml': null, '.depwatch.yml': BOTH['.depwatch.yml'] });
    world.clock.advance(3_600_000);
    await watch.runJob(alertsJob(CHANNEL), world.clock.now());
    expect(postsIn(CHANNEL).filter((p) => p.includes('Settings not applied as written'))).toHaveLength(2);
    expect(world.slack.violations).toEqual([]);
  });

  it('says a set of problems once however the lines around it move, and a new problem of the same kind again', async () => {
    world = await startWorld({ records: [fixtureRecord('PYSEC-2019-132')], start: '2025-01-06T09:30:00Z' });
    const tagged = '  - !custom {id: PYSEC-2019-132, reason: r}\n';
    const valid = '  - id: PYSEC-2019-1\n    reason: not used\n';
    world.github.addRepo({ owner: 'octo', name: 'app', files: { 'requirements.txt': BOTH['requirements.txt'], '.depwatch.yml': `ignore:\n${tagged}` } });
    const { watch } = world.service();
    await watch.handleCommand('watch octo/app', { userId: ADMIN, channelId: CHANNEL });
    const sweep = async (settings: string) => {
      world.github.pushCommit('octo', 'app', { '.depwatch.yml': settings });
      world.clock.advance(3_600_000);
      await watch.runJob(alertsJob(CHANNEL), world.clock.now());
    };
    const notices = () => postsIn(CHANNEL).filter((p) => p.includes('Settings not applied as written'));
    await watch.runJob(alertsJob(CHANNEL), world.clock.now());
    expect(notices()).toHaveLength(1);
    expect(notices()[0]).toContain('ignore entry 1: unknown YAML tag \\"!custom\\" on line 2');

    // A comment on top and a valid entry above: the same problem on line 5 of entry 2, said no more.
    await sweep(`# who to ask: the platform team\nignore:\n${valid}${tagged}`);
    await sweep(`# who to ask: the platform team\n\nignore:\n${valid}${tagged}`);
    expect(notices()).toHaveLength(1);

    // A second entry with the same problem is a new problem: the set is said again, with its places.
    await sweep(`# who to ask: the platform team\nignore:\n${valid}${tagged}${tagged}`);
    expect(notices()).toHaveLength(2);
    expect(notices()[1]).toContain('ignore entry 2: unknown YAML tag \\"!custom\\" on line 5');
    expect(notices()[1]).toContain('ignore entry 3: unknown YAML tag \\"!custom\\" on line 6');
    expect(world.slack.violations).toEqual([]);
  });

  it('keeps a long list of bad entries to its first few and a count, within Slack\'s limits', async () => {
    world = await startWorld({ records: [fixtureRecord('PYSEC-2019-132')], start: '2025-01-06T09:30:00Z' });
    const bad = `ignore:\n${Array.from({ length: 300 }, (_, i) => `  - id: PYSEC-2019-${i}\n`).join('')}`;
    world.github.addRepo({ owner: 'octo', name: 'app', files: { 'requirements.txt': BOTH['requirements.txt'], '.depwatch.yml': bad } });
    const { watch } = world.service();
    await watch.handleCommand('watch octo/app', { userId: ADMIN, channelId: CHANNEL });
    await watch.runJob(alertsJob(CHANNEL), world.clock.now());
    const [row, ...others] = (await watch.outbox.rows({})).filter((r) => r.kind === SETTINGS_NOTICE);
    expect(others).toEqual([]);
    expect(row!.data).toMatchObject({ total: 300, problems: expect.arrayContaining(['.depwatch.yml: ignore entry 1 (id: PYSEC-2019-0): `reason` is missing: say why it is ignored; not applied']) });
    expect((row!.data as { problems: string[] }).problems).toHaveLength(50);
    const [post] = postsIn(CHANNEL).filter((p) => p.includes('Settings not applied as written'));
    expect(post).toContain('have 300 problems');
    expect(post).toMatch(/…and \d+ more \(`\/audit octo\/app` lists them all\)/);
    expect(world.slack.violations).toEqual([]);
  });

  it('tells a watching channel that a depwatch.yml without the dot is not read, and that a .depwatch.yaml folder is no settings file', async () => {
    world = await startWorld({ records: [fixtureRecord('PYSEC-2019-132')], start: '2025-01-06T09:30:00Z' });
    world.github.addRepo({ owner: 'octo', name: 'app', files: { 'requirements.txt': BOTH['requirements.txt'], 'depwatch.yml': BOTH['.depwatch.yml'], '.depwatch.yaml/ignores.yml': BOTH['.depwatch.yml'] } });
    const { watch } = world.service();
    await watch.handleCommand('watch octo/app', { userId: ADMIN, channelId: CHANNEL });
    await watch.runJob(alertsJob(CHANNEL), world.clock.now());
    const [row, ...others] = (await watch.outbox.rows({})).filter((r) => r.kind === SETTINGS_NOTICE);
    expect(others).toEqual([]);
    expect(row!.data).toMatchObject({
      repo: 'octo/app',
      problems: [
        '.depwatch.yaml: a folder, not a settings file; nothing in it is read as settings (write the settings in a file of that name)',
        'depwatch.yml: not read as settings; the settings file is named .depwatch.yml or .depwatch.yaml (a leading dot, lower case)',
      ],
    });
    expect(postsIn(CHANNEL).filter((p) => p.includes('Settings not applied as written'))).toHaveLength(1);
    expect(world.slack.violations).toEqual([]);
  });

  it('says nothing of a repository whose settings apply as written', async () => {
    world = await startWorld({ records: [fixtureRecord('PYSEC-2019-132')], start: '2025-01-06T09:30:00Z' });
    world.github.addRepo({ owner: 'octo', name: 'app', files: { 'requirements.txt': BOTH['requirements.txt'], '.depwatch.yml': BOTH['.depwatch.yml'] } });
    const { watch } = world.service();
    await watch.handleCommand('watch octo/app', { userId: ADMIN, channelId: CHANNEL });
    await watch.runJob(alertsJob(CHANNEL), world.clock.now());
    expect((await watch.outbox.rows({})).filter((r) => r.kind === SETTINGS_NOTICE)).toEqual([]);
  });
});
