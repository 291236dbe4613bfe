/**
 * Who may audit a private repository in Slack. An /audit reply shows a repository's dependencies,
 * vulnerabilities, code findings and file paths to the whole channel, so with DEPWATCH_ADMINS set
 * a private repository is audited in Slack only by an admin, as only an admin may link one to a
 * channel: anyone else is told why, privately, before anything reaches the channel, and the
 * refusal is kept (access_refusals). The same holds for App Home's "Audit a repository…". Without
 * DEPWATCH_ADMINS everyone counts as an admin.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessLog } from '../../src/store/access-log.js';
import { ROUTES, type FakeRepoInit } from '../fakes/github.js';
import { viewSubmission } from '../helpers/slack-requests.js';
import { blockText, CHANNEL, SHOP, startWorld, waitFor, type World } from './app-world.js';

const ADMIN = 'U0ADMIN0001';
const MEMBER = 'U0MEMBER001';
const VAULT: FakeRepoInit = { ...SHOP, name: 'vault', private: true };
/** Another private repository, which only the admin's test audits: octo/vault is never audited in the first describe. */
const LEDGER: FakeRepoInit = { ...SHOP, name: 'ledger', private: true };

const homeAudit = (repo: string, user: string) =>
  viewSubmission({ callbackId: 'home_audit_submit', user, values: { home_audit_repo: { value: { type: 'plain_text_input', value: repo } } } });

/** Everything posted where the channel can see it: messages, and in_channel answers through response_url. */
function seenInChannel(w: World, channel: string, responseId: string): string {
  const posted = w.channel(channel).map((m) => `${m.text}\n${blockText(m.blocks)}`);
  const inChannel = w.slack.responses.filter((r) => r.id === responseId && r.body.response_type === 'in_channel').map((r) => JSON.stringify(r.body));
  return [...posted, ...inChannel].join('\n');
}

// Each test asks in a channel of its own (the tests run in any order): what one posts is never in another's.
describe('/audit of a private repository with DEPWATCH_ADMINS set', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({ repos: [SHOP, VAULT, LEDGER], env: { DEPWATCH_ADMINS: ADMIN } });
  });
  afterAll(async () => {
    await world.close();
  });

  it('refuses someone who is not an admin privately, posts nothing in the channel, stores nothing and keeps the refusal', async () => {
    const channel = 'C0REFUSED01';
    const posts = world.slack.callsTo('chat.postMessage').length;
    const { response, responseId } = await world.audit('octo/vault', { user: MEMBER, channel });
    expect(response.status).toBe(200);
    const refusal = await waitFor(() => world.slack.responses.find((r) => r.id === responseId), 'the refusal');
    await world.bot.service.idle();
    expect(refusal.body).toMatchObject({ response_type: 'ephemeral', text: 'Only Depwatch admins (DEPWATCH_ADMINS) can audit a private repository.' });
    expect(world.slack.responses.filter((r) => r.id === responseId)).toHaveLength(1);
    expect(seenInChannel(world, channel, responseId)).toBe('');
    expect(world.slack.callsTo('chat.postMessage').slice(posts)).toEqual([]);
    expect(await world.bot.service.state.latestAuditForRepo('octo/vault')).toBeUndefined();
    expect(new AccessLog(world.db).refusals(1)).toEqual([
      expect.objectContaining({ userId: MEMBER, channel, via: 'command', action: 'audit octo/vault (private)', targetChannel: channel, rule: 'private-repository' }),
    ]);
  });

  it('refuses a ref that does not exist the same way, before any branch is looked up: what the repository holds is not hinted at', async () => {
    const before = world.github.totalRequests();
    const branchLookups = world.github.count(ROUTES.commit) + world.github.count(ROUTES.branch);
    const channel = 'C0NOBRANCH1';
    const { responseId } = await world.audit('octo/vault@no-such-branch', { user: MEMBER, channel });
    const refusal = await waitFor(() => world.slack.responses.find((r) => r.id === responseId), 'the refusal');
    await world.bot.service.idle();
    expect(refusal.body).toMatchObject({ response_type: 'ephemeral', text: 'Only Depwatch admins (DEPWATCH_ADMINS) can audit a private repository.' });
    expect(JSON.stringify(world.slack.responses.filter((r) => r.id === responseId))).not.toContain('no-such-branch');
    expect(seenInChannel(world, channel, responseId)).toBe('');
    // One request (what the repository is), as for its default branch: nothing about its branches.
    expect(world.github.totalRequests() - before).toBe(1);
    expect(world.github.count(ROUTES.commit) + world.github.count(ROUTES.branch)).toBe(branchLookups);
    expect(new AccessLog(world.db).refusals(1)).toEqual([
      expect.objectContaining({ userId: MEMBER, channel, via: 'command', action: 'audit octo/vault (private)', rule: 'private-repository' }),
    ]);
  });

  it('still audits a public repository for anyone', async () => {
    const channel = 'C0PUBLIC001';
    const before = world.slack.callsTo('chat.update').length;
    await world.audit('octo/shop', { user: MEMBER, channel });
    const update = await waitFor(() => world.slack.callsTo('chat.update')[before], 'the audit of octo/shop');
    await world.bot.service.idle();
    expect(blockText(update.params.blocks)).toContain('Dependency audit: octo/shop');
    expect(world.channel(channel)[0]?.text).toMatch(/^octo\/shop@/);
  });

  it('audits the private repository for an admin, in the channel', async () => {
    const refusals = new AccessLog(world.db).refusals(100).length;
    const before = world.slack.callsTo('chat.update').length;
    await world.audit('octo/ledger', { user: ADMIN });
    const update = await waitFor(() => world.slack.callsTo('chat.update').slice(before).find((c) => String(c.params.text).startsWith('octo/ledger@')), 'the audit of octo/ledger');
    await world.bot.service.idle();
    expect(update.params.channel).toBe(CHANNEL);
    expect(blockText(update.params.blocks)).toContain('PYSEC-2023-221');
    expect(new AccessLog(world.db).refusals(100)).toHaveLength(refusals);
  });

  it('refuses the App Home audit the same way: told in their DM with the bot, nothing audited', async () => {
    const ok = await world.send(homeAudit('octo/vault', MEMBER));
    expect(ok.status).toBe(200);
    const dm = await waitFor(() => world.slack.callsTo('conversations.open').find((c) => c.params.users === MEMBER)?.response.channel as { id: string } | undefined, 'the DM');
    const told = await waitFor(() => world.slack.messages(dm.id)[0], 'the refusal in the DM');
    await world.bot.service.idle();
    expect(told.text).toBe('Only Depwatch admins (DEPWATCH_ADMINS) can audit a private repository.');
    expect(world.slack.messages(dm.id)).toHaveLength(1);
    expect(await world.bot.service.state.latestAuditForRepo('octo/vault')).toBeUndefined();
    expect(new AccessLog(world.db).refusals(1)).toEqual([
      expect.objectContaining({ userId: MEMBER, channel: null, via: 'home', action: 'audit octo/vault (private)', targetChannel: dm.id, rule: 'private-repository' }),
    ]);
  });
});

describe('/audit of a private repository asked by an admin and someone else at once', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({ repos: [SHOP, VAULT], env: { DEPWATCH_ADMINS: ADMIN }, latencyMs: 20 });
  });
  afterAll(async () => {
    await world.close();
  });

  it('audits it for the admin, and refuses the other by their own rights, never merged into the admin’s audit', async () => {
    const [admin, member] = await Promise.all([world.audit('octo/vault@main', { user: ADMIN }), world.audit('octo/vault@main', { user: MEMBER })]);
    await world.bot.service.idle();
    // The admin's ref is resolved once (the audit reads from that resolution); the refused request resolved nothing.
    expect(world.github.count(ROUTES.commit)).toBe(1);
    expect(world.slack.responses.filter((r) => r.id === member.responseId).map((r) => r.body.text)).toEqual(['Only Depwatch admins (DEPWATCH_ADMINS) can audit a private repository.']);
    expect(world.slack.responses.filter((r) => r.id === admin.responseId && r.body.response_type === 'ephemeral')).toEqual([]);
    expect(world.channel().map((m) => m.text)).toEqual([expect.stringMatching(/^octo\/vault@/)]);
    expect(world.logs.filter((l) => l.msg === 'audit posted').map((l) => l.user)).toEqual([ADMIN]);
    expect(new AccessLog(world.db).refusals(100)).toEqual([expect.objectContaining({ userId: MEMBER, rule: 'private-repository' })]);
  });
});

describe('/audit of a private repository without DEPWATCH_ADMINS', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({ repos: [SHOP, VAULT] });
  });
  afterAll(async () => {
    await world.close();
  });

  it('audits it for anyone: everyone counts as an admin', async () => {
    await world.audit('octo/vault', { user: MEMBER });
    const update = await waitFor(() => world.slack.callsTo('chat.update')[0], 'the audit of octo/vault');
    await world.bot.service.idle();
    expect(update.params.channel).toBe(CHANNEL);
    expect(String(update.params.text)).toMatch(/^octo\/vault@/);
    expect(new AccessLog(world.db).refusals(100)).toEqual([]);
  });
});
