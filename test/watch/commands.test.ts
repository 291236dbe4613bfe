import { SqliteWatchState } from '../../src/store/watch-state/sqlite.js';
import { describe, expect, it } from 'vitest';
import { WatchStore } from '../../src/store/watches.js';
import { watchReplyMessage } from '../../src/slack/blocks/watch-reply.js';
import { handleWatchCommand, parseWatchCommand, type WatchCommandContext } from '../../src/watch/commands.js';
import { createAccessGate } from '../../src/authz/gate.js';
import { openTestDb } from './helpers.js';
import { findingKey, type Finding } from '../../src/audit/findings.js';

const everyone = createAccessGate({ admins: [] });
const onlyAdmin = createAccessGate({ admins: ['U0ADMIN0001'] });

describe('parseWatchCommand', () => {
  it('leaves anything that is not a watch command to the /audit handler', () => {
    expect(parseWatchCommand('octo/app')).toBeNull();
    expect(parseWatchCommand('')).toBeNull();
    expect(parseWatchCommand('help')).toBeNull();
  });

  it('reads repositories and Slack channel mentions', () => {
    expect(parseWatchCommand('watch octo/app')).toEqual({ kind: 'watch', repo: { owner: 'octo', repo: 'app' }, channel: null });
    expect(parseWatchCommand('watch https://github.com/Octo/App <#C0123ABCD|security>')).toEqual({ kind: 'watch', repo: { owner: 'Octo', repo: 'App' }, channel: 'C0123ABCD' });
    expect(parseWatchCommand('unwatch octo/app@release/2.x <#G0123ABCD>')).toEqual({ kind: 'unwatch', repo: { owner: 'octo', repo: 'app', branch: 'release/2.x' }, channel: 'G0123ABCD' });
    expect(parseWatchCommand('watch octo/app #security')).toMatchObject({ kind: 'invalid', message: expect.stringContaining('autocomplete') });
    expect(parseWatchCommand('watch not-a-repo')).toMatchObject({ kind: 'invalid' });
    expect(parseWatchCommand('list')).toEqual({ kind: 'list' });
  });

  it('reads schedules: phrases, cron, time zones and off', () => {
    expect(parseWatchCommand('schedule weekly mon 09:00')).toEqual({ kind: 'schedule', schedule: 'weekly', cron: '0 9 * * 1', timeZone: null });
    expect(parseWatchCommand('schedule monthly 1st 10:00 Europe/Berlin')).toEqual({ kind: 'schedule', schedule: 'monthly', cron: '0 10 1 * *', timeZone: 'Europe/Berlin' });
    expect(parseWatchCommand('schedule quarterly "1st 10:00"')).toEqual({ kind: 'schedule', schedule: 'quarterly', cron: '0 10 1 1,4,7,10 *', timeZone: null });
    expect(parseWatchCommand('schedule alerts */30 * * * *')).toEqual({ kind: 'schedule', schedule: 'alerts', cron: '*/30 * * * *', timeZone: null });
    expect(parseWatchCommand('schedule alerts off')).toEqual({ kind: 'schedule', schedule: 'alerts', cron: null, timeZone: null });
    expect(parseWatchCommand('schedule timezone America/New_York')).toEqual({ kind: 'time-zone', timeZone: 'America/New_York' });
    expect(parseWatchCommand('schedule weekly mon 09:00 Mars/Olympus')).toMatchObject({ kind: 'invalid', message: expect.stringContaining('IANA') });
    expect(parseWatchCommand('schedule daily 09:00')).toMatchObject({ kind: 'invalid', message: expect.stringContaining('weekly, monthly, quarterly or alerts') });
    expect(parseWatchCommand('schedule')).toEqual({ kind: 'schedule-show' });
  });

  it('reads ignores with a reason, a package and an expiry', () => {
    expect(parseWatchCommand('ignore GHSA-j8r2-6x86-q33q not reachable: we never follow redirects until 2025-06-30')).toEqual({
      kind: 'ignore',
      id: 'GHSA-j8r2-6x86-q33q',
      package: null,
      reason: 'not reachable: we never follow redirects',
      until: '2025-06-30',
    });
    expect(parseWatchCommand('ignore outdated package:Django_Rest pinned for the LTS')).toMatchObject({ kind: 'ignore', id: 'outdated', package: 'django-rest' });
    expect(parseWatchCommand('ignore PYSEC-2024-1')).toMatchObject({ kind: 'invalid', message: expect.stringContaining('reason is required') });
    expect(parseWatchCommand('ignore PYSEC-2024-1 fine until 2025-02-30')).toMatchObject({ kind: 'invalid', message: expect.stringContaining('not a date') });
    expect(parseWatchCommand('ignore outdated we like old things')).toMatchObject({ kind: 'invalid', message: expect.stringContaining('package:<name>') });
    expect(parseWatchCommand('ignore <script> nope')).toMatchObject({ kind: 'invalid' });
  });

  it('refuses to ignore a kind of advisory, even for one package: advisories are ignored by id', () => {
    expect(parseWatchCommand('ignore vulnerability package:django we upgrade next quarter')).toEqual({
      kind: 'invalid',
      message: '"vulnerability" would ignore every advisory of the package, later ones too; name the advisory ids (GHSA-…, PYSEC-…, CVE-…)',
    });
    expect(parseWatchCommand('ignore malicious package:evilpkg internal mirror')).toMatchObject({ kind: 'invalid', message: expect.stringContaining('name the advisory ids') });
  });
});

describe('handleWatchCommand', () => {
  const setUp = (overrides: Partial<WatchCommandContext> = {}) => {
    const store = new WatchStore(openTestDb());
    let reloads = 0;
    const ctx: WatchCommandContext = {
      userId: 'U0ALICE0001',
      channelId: 'C0SEC000001',
      state: new SqliteWatchState(store),
      scheduler: { reload: () => void reloads++ },
      via: 'command',
      gate: everyone,
      now: new Date('2025-01-06T10:00:00Z'),
      defaultTimeZone: 'UTC',
      ...overrides,
    };
    return { store, ctx, reloads: () => reloads };
  };
  /** The command handled, and its reply as Slack shows it. */
  const run = async (text: string, ctx: WatchCommandContext) => watchReplyMessage(await handleWatchCommand(parseWatchCommand(text)!, ctx));

  it('watches, lists and unwatches, logging who did what and rebuilding the schedules', async () => {
    const { store, ctx, reloads } = setUp();
    const reply = await run('watch Octo/App', ctx);
    expect(reply).toMatchObject({ ephemeral: false, text: expect.stringContaining('watch *octo/app*') });
    expect((await run('watch octo/app', ctx)).text).toContain('already watches');
    expect(store.watchesForChannel('C0SEC000001').map((w) => w.repo)).toEqual(['octo/app']);
    expect(store.schedulesForChannel('C0SEC000001').map((s) => [s.kind, s.cron])).toEqual([
      ['alerts', '0 * * * *'],
      ['monthly', '0 9 1 * *'],
      ['quarterly', '0 9 1 1,4,7,10 *'],
      ['weekly', '0 9 * * 1'],
    ]);
    const list = await run('list', ctx);
    expect(list.ephemeral).toBe(true);
    expect(JSON.stringify(list.blocks)).toContain('Mondays at 09:00 (next Mon, 13 Jan 2025');
    expect((await run('unwatch octo/app', ctx)).text).toContain('stopped watching *octo/app*');
    expect(store.changes('C0SEC000001').map((c) => `${c.action} ${c.detail} by ${c.userId} at ${c.at}`)).toEqual([
      'unwatch octo/app by U0ALICE0001 at 2025-01-06T10:00:00.000Z',
      'rewatch octo/app by U0ALICE0001 at 2025-01-06T10:00:00.000Z',
      'watch octo/app by U0ALICE0001 at 2025-01-06T10:00:00.000Z',
    ]);
    expect(reloads()).toBe(3);
  });

  it("lists each swept repository's open vulnerabilities and malicious packages, not its other findings", async () => {
    const { ctx } = setUp();
    await run('watch octo/app', ctx);
    await run('watch octo/lib', ctx);
    const finding = (kind: Finding['kind'], id: string, pkg: string): Finding => ({ kind, severity: 'high', package: pkg, version: '1.0', file: 'requirements.txt', line: 1, id, fix: { version: null, text: '' } });
    const sweep = (repo: string, findings: Finding[]) =>
      ctx.state.recordAudit(
        { repo, display: repo, htmlUrl: `https://github.com/${repo}`, private: false, sha: 'sha1', packages: [], ignores: [], dependencies: 3, now: ctx.now },
        { repo, findings, keyOf: findingKey, sha: 'sha1', now: ctx.now, baseline: true },
      );
    await sweep('octo/app', [finding('vulnerability', 'PYSEC-1', 'requests'), finding('vulnerability', 'PYSEC-2', 'urllib3'), finding('malicious', 'MAL-1', 'reqeusts'), finding('unpinned', 'x', 'flask')]);
    await sweep('octo/lib', [finding('outdated', 'y', 'six')]);
    const text = JSON.stringify((await run('list', ctx)).blocks);
    expect(text).toContain('*octo/app*: 3 open vulnerabilities');
    expect(text).toContain('*octo/lib*: 0 open vulnerabilities');
  });

  it("lists the channel's ignores from one read, each expired once its last day has passed, as the counts beside them judge it", async () => {
    const { ctx } = setUp();
    const newYear = { ...ctx, now: new Date('2025-01-01T10:00:00Z') };
    await run('watch octo/app', newYear);
    await run('ignore PYSEC-1 patched in our fork until 2025-01-05', newYear);
    await run('ignore PYSEC-2 not reachable until 2025-01-06', newYear);
    const finding = (id: string): Finding => ({ kind: 'vulnerability', severity: 'high', package: 'requests', version: '1.0', file: 'requirements.txt', line: 1, id, fix: { version: null, text: '' } });
    await ctx.state.recordAudit(
      { repo: 'octo/app', display: 'octo/app', htmlUrl: 'https://github.com/octo/app', private: false, sha: 'sha1', packages: [], ignores: [], dependencies: 1, now: ctx.now },
      { repo: 'octo/app', findings: [finding('PYSEC-1'), finding('PYSEC-2')], keyOf: findingKey, sha: 'sha1', now: ctx.now, baseline: true },
    );
    let reads = 0;
    const counted = new Proxy(ctx.state, {
      get: (target, name, receiver) => {
        if (name === 'ignoresForChannel' || name === 'ignoreRulesForChannel') reads++;
        const value: unknown = Reflect.get(target, name, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    // 2025-01-06: PYSEC-1's last day was yesterday, PYSEC-2's is today.
    const list = await handleWatchCommand({ kind: 'list' }, { ...ctx, state: counted });
    expect(reads).toBe(1);
    if (list.kind !== 'list') throw new Error(`expected the list, got ${list.kind}`);
    expect(list.ignores.map((i) => [i.advisory, i.until, i.expired])).toEqual([
      ['PYSEC-1', '2025-01-05', true],
      ['PYSEC-2', '2025-01-06', false],
    ]);
    expect(list.watches[0]?.status).toMatchObject({ state: 'ok', open: 1, ignored: 1 });
  });

  it('tells the change as done when it is stored, even if this replica could not rebuild its timers (its refresh will)', async () => {
    const { store, ctx } = setUp({ scheduler: { reload: () => Promise.reject(new Error('connection terminated')) } });
    expect((await run('schedule weekly fri 16:00', ctx)).text).toContain('weekly');
    expect(store.schedulesForChannel('C0SEC000001').map((s) => [s.kind, s.cron, s.enabled])).toEqual([['weekly', '0 16 * * 5', true]]);
    expect((await run('watch octo/app', ctx)).text).toContain('watch *octo/app*');
    expect(store.watchesForChannel('C0SEC000001').map((w) => w.repo)).toEqual(['octo/app']);
  });

  it('refuses changes from non-admins when admins are configured, but lets them list', async () => {
    const { store, ctx } = setUp({ gate: onlyAdmin });
    for (const text of ['watch octo/app', 'unwatch octo/app', 'schedule weekly fri 16:00', 'ignore PYSEC-2024-1 fine', 'unignore PYSEC-2024-1', 'settings unknown-as low']) {
      expect((await run(text, ctx)).text).toMatch(/Only Depwatch admins/);
    }
    expect((await run('list', ctx)).text).toContain('watches 0 repositories');
    expect(store.changes('C0SEC000001')).toEqual([]);
  });

  it('refuses a repository GitHub cannot show, and a private one to a non-admin', async () => {
    const lookups: string[] = [];
    const { store, ctx } = setUp({
      lookupRepo: async (ref) => {
        lookups.push(`${ref.owner}/${ref.repo}`);
        return ref.repo === 'gone' ? { found: false, private: false, message: "I can't see octo/gone" } : { found: true, private: true };
      },
    });
    expect((await run('watch octo/gone', ctx)).text).toBe("I can't see octo/gone");
    expect((await run('watch octo/vault', { ...ctx, gate: onlyAdmin })).text).toMatch(/Only Depwatch admins/);
    expect((await run('watch octo/vault', ctx)).text).toContain('(private)');
    expect(store.watchesForChannel('C0SEC000001')).toEqual([expect.objectContaining({ repo: 'octo/vault', private: true, adminLinked: true })]);
    expect(lookups).toEqual(['octo/gone', 'octo/vault']);
  });

  it('watches the default branch instead of a ref from an audit that is no branch, asking GitHub only past the gate', async () => {
    const lookups: string[] = [];
    const { store, ctx } = setUp({
      lookupRepo: async (ref) => {
        lookups.push(`${ref.owner}/${ref.repo}${ref.branch ? `@${ref.branch}` : ''}`);
        if (!ref.branch) return { found: true, private: false };
        if (ref.branch === 'release-2.x' || ref.branch === 'main') return { found: true, private: false, defaultBranch: 'main' };
        return { found: false, private: false, noBranch: true, message: `octo/app has no branch named "${ref.branch}"` };
      },
    });
    const fromAudit = async (ref: string, context = ctx) => {
      const command = parseWatchCommand(`watch ${ref}`)!;
      return watchReplyMessage(await handleWatchCommand(command.kind === 'watch' ? { ...command, auditBranch: true } : command, context));
    };
    expect((await fromAudit('octo/app@v2.0', { ...ctx, gate: onlyAdmin })).text).toMatch(/Only Depwatch admins/);
    expect(lookups).toEqual([]);
    expect((await fromAudit('octo/app@v2.0')).text).toBe(
      '<@U0ALICE0001> set this channel to watch *octo/app*: new advisories are alerted hourly, with weekly, monthly and quarterly digests. `/audit list` shows the schedules.\n' +
        '`v2.0` is not a branch of octo/app (a tag, a commit, or a branch deleted since the audit), so this watches its default branch.',
    );
    // Other refs/… and full shas are no branch without asking GitHub.
    expect((await fromAudit('octo/app@refs/tags/v2.0')).text).toBe('this channel already watches *octo/app*.\n`refs/tags/v2.0` is not a branch of octo/app (a tag, a commit, or a branch deleted since the audit), so this watches its default branch.');
    expect((await fromAudit(`octo/app@${'a'.repeat(40)}`)).text).toContain(`\`${'a'.repeat(40)}\` is not a branch of octo/app`);
    // The default branch by name is followed as the default; another branch is watched.
    expect((await fromAudit('octo/app@refs/heads/main')).text).toBe('this channel already watches *octo/app*.');
    expect((await fromAudit('octo/app@release-2.x')).text).toContain('to watch *octo/app@release-2.x*');
    expect(lookups).toEqual(['octo/app@v2.0', 'octo/app', 'octo/app', 'octo/app', 'octo/app@main', 'octo/app@release-2.x']);
    // Typed, a tag is refused as before: only the button follows the default branch instead.
    expect((await run('watch octo/app@v2.0', ctx)).text).toBe('octo/app has no branch named "v2.0"');
    expect(store.watchesForChannel('C0SEC000001').map((w) => w.repo)).toEqual(['octo/app', 'octo/app@release-2.x']);
  });

  it('takes the repository from the lookup that found no branch, without asking GitHub again', async () => {
    const lookups: string[] = [];
    const { store, ctx } = setUp({
      lookupRepo: async (ref) => {
        lookups.push(`${ref.owner}/${ref.repo}${ref.branch ? `@${ref.branch}` : ''}`);
        return { found: false, private: false, noBranch: true, message: `octo/vault has no branch named "${ref.branch}"`, repository: { found: true, private: true } };
      },
    });
    const command = parseWatchCommand('watch octo/vault@v2.0')!;
    const reply = watchReplyMessage(await handleWatchCommand(command.kind === 'watch' ? { ...command, auditBranch: true } : command, ctx));
    expect(reply.text).toContain('`v2.0` is not a branch of octo/vault');
    expect(lookups).toEqual(['octo/vault@v2.0']);
    expect(store.watchesForChannel('C0SEC000001')).toEqual([expect.objectContaining({ repo: 'octo/vault', private: true })]);
  });

  it('sets schedules and zones, and keeps channel ignores like the repository file', async () => {
    const { store, ctx } = setUp();
    await run('watch octo/app', ctx);
    expect((await run('schedule weekly fri 16:30 Europe/Berlin', ctx)).text).toContain('Fridays at 16:30 (Europe/Berlin); next: Fri, 10 Jan 2025, 16:30');
    expect(store.channelTimeZone('C0SEC000001')).toBe('Europe/Berlin');
    // 29 February: the reply names the day it comes, however far off, not nothing.
    const winter = { ...ctx, now: new Date('2026-12-07T06:00:00Z') };
    expect((await run('schedule alerts 0 9 29 2 *', winter)).text).toContain('next: Tue, 29 Feb 2028, 09:00');
    expect(JSON.stringify(await run('list', winter))).toContain('(next Tue, 29 Feb 2028, 09:00');
    expect((await run('schedule monthly off', ctx)).text).toContain('turned off the monthly digest');
    expect(store.schedulesForChannel('C0SEC000001').find((s) => s.kind === 'monthly')).toMatchObject({ enabled: false, cron: '0 9 1 * *' });
    // Watching another repository does not turn a schedule back on.
    await run('watch octo/api', ctx);
    expect(store.schedulesForChannel('C0SEC000001').find((s) => s.kind === 'monthly')?.enabled).toBe(false);

    await run('ignore PYSEC-2014-13 only in test fixtures until 2025-03-01', ctx);
    await run('ignore PYSEC-2014-13 still only in test fixtures until 2025-04-01', ctx);
    expect(store.ignoreRulesForChannel('C0SEC000001')).toEqual([
      { id: 'PYSEC-2014-13', reason: 'still only in test fixtures', until: '2025-04-01', package: null, source: 'channel C0SEC000001' },
    ]);
    expect((await run('unignore pysec-2014-13', ctx)).text).toContain('removed the ignore');
    expect(store.ignoresForChannel('C0SEC000001')).toEqual([]);
  });

  it('keeps how the channel counts advisories no source rated, high until told otherwise', async () => {
    expect(parseWatchCommand('settings unknown-as Moderate')).toEqual({ kind: 'unknown-as', level: 'medium' });
    expect(parseWatchCommand('settings')).toEqual({ kind: 'settings-show' });
    expect(parseWatchCommand('settings unknown-as unknown')).toMatchObject({ kind: 'invalid', message: expect.stringContaining('critical|high|medium|low') });
    expect(parseWatchCommand('settings colour blue')).toMatchObject({ kind: 'invalid' });
    const { store, ctx } = setUp();
    expect((await run('settings', ctx)).text).toContain('count as *high* in this channel (the default)');
    expect(store.channelUnknownAs('C0SEC000001')).toBeNull();
    expect((await run('settings unknown-as low', ctx)).text).toContain('to count as *low* in this channel');
    expect(store.channelUnknownAs('C0SEC000001')).toBe('low');
    expect(JSON.stringify((await run('list', ctx)).blocks)).toContain('*Advisories not rated by the source* count as *low* here');
    expect(store.channelUnknownAs('C0OTHER0001')).toBeNull();
    expect(store.changes('C0SEC000001')[0]).toMatchObject({ action: 'unknown-as', detail: 'low', userId: 'U0ALICE0001' });
  });

  it('answers bad input with the reason and the usage, never a crash', async () => {
    const { ctx } = setUp();
    const reply = await run('schedule weekly at teatime', ctx);
    expect(reply.ephemeral).toBe(true);
    expect(reply.text).toContain('/audit schedule');
  });
});
