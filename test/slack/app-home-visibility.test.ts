/**
 * App Home shows a person only what they may see: audits and watches of public repositories, their
 * own audits, and private repositories' audits and watches only to the person who asked (or linked)
 * and to admins (DEPWATCH_ADMINS). Two people open it after audits of a public and a private
 * repository (the private one asked for before admins were set).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeRepoInit } from '../fakes/github.js';
import { eventCallback } from '../helpers/slack-requests.js';
import { blockText, CHANNEL, SHOP, startWorld, USER, waitFor, type World } from './app-world.js';

const ALICE = USER;
const BOB = 'U0BOB000001';
const ADMIN = 'U0ADMIN0001';
const VAULT: FakeRepoInit = { ...SHOP, name: 'vault', private: true };

const homeOpened = (user: string) => ({ type: 'app_home_opened', user, channel: 'D0HOME00001', tab: 'home', event_ts: `${Math.floor(Date.now() / 1000)}.000100` });

describe('App Home, per person', () => {
  let world: World;

  async function auditAs(user: string, repo: string): Promise<void> {
    const before = world.slack.callsTo('chat.update').length;
    await world.audit(repo, { user });
    await waitFor(() => world.slack.callsTo('chat.update').length > before, `the audit of ${repo}`);
    await world.bot.service.idle();
  }

  async function homeOf(user: string): Promise<string> {
    const before = world.slack.callsTo('views.publish').length;
    await world.send(eventCallback(homeOpened(user)));
    await waitFor(() => world.slack.callsTo('views.publish').length > before, `the home of ${user}`);
    return blockText(world.slack.homeView(user)!.view.blocks);
  }

  beforeAll(async () => {
    world = await startWorld({ repos: [SHOP, VAULT], watch: { admins: [ADMIN] } });
    // Alice's audit of the private repository is from before DEPWATCH_ADMINS was set: now only an
    // admin may audit one in Slack (app-audit-private.test.ts), so it is stored as it was then.
    await world.bot.service.auditRepository({ owner: 'octo', repo: 'vault' }, ALICE);
    await auditAs(BOB, 'octo/shop');
    const now = new Date();
    world.watch!.store.addWatch({ repo: 'octo/shop', channel: CHANNEL, userId: ADMIN, private: false, adminLinked: true, now });
    world.watch!.store.addWatch({ repo: 'octo/vault', channel: CHANNEL, userId: ADMIN, private: true, adminLinked: true, now });
  }, 60_000);
  afterAll(async () => {
    await world.close();
  });

  it('shows someone else public repositories only', async () => {
    const home = await homeOf(BOB);
    expect(home).toContain('|octo/shop>*');
    expect(home).toContain('*octo/shop* in');
    expect(home).not.toContain('vault');
  });

  it('shows the requester their own audit of a private repository, but not a private watch someone else linked', async () => {
    const home = await homeOf(ALICE);
    expect(home).toContain('|octo/vault>*');
    expect(home).toContain('|octo/shop>*');
    expect(home).toContain('*octo/shop* in');
    expect(home).not.toContain('*octo/vault* in');
  });

  it('shows an admin everything', async () => {
    const home = await homeOf(ADMIN);
    expect(home).toContain('|octo/vault>*');
    expect(home).toContain('|octo/shop>*');
    expect(home).toContain('*octo/vault* in');
    expect(home).toContain('*octo/shop* in');
  });
});
