/**
 * App Home shows a person only what they may see: audits, watches and open incidents of public
 * repositories, their own audits and incidents, and private repositories' audits, watches and
 * incidents only to the person who asked (or linked, or started) and to admins (DEPWATCH_ADMINS).
 * Two people open it after audits of a public and a private repository (the private one asked for
 * before admins were set), each with an incident started from one of its findings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALERT_ACTIONS } from '../../src/slack/blocks/alert.js';
import { AUDIT_ACTIONS } from '../../src/slack/blocks/audit-reply.js';
import type { FakeRepoInit } from '../fakes/github.js';
import { blockAction, eventCallback } from '../helpers/slack-requests.js';
import { blockText, buttons, CHANNEL, SHOP, startWorld, USER, waitFor, type World } from './app-world.js';

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

  /** "Start incident" on the first finding of the repository's audit reply; its title names the repository. */
  async function startIncidentAs(user: string, repo: string): Promise<void> {
    const reply = world.channel().find((m) => m.text.startsWith(`${repo}@`))!;
    const start = buttons(reply.blocks).find((b) => b.action_id === AUDIT_ACTIONS.incident)!;
    await world.send(blockAction({ actionId: start.action_id, value: start.value, user, channel: CHANNEL, message_ts: reply.ts }));
    await waitFor(() => world.channel().find((m) => m.text.startsWith('🚨 Incident #') && m.text.includes(`(${repo})`)), `the incident on ${repo}`);
  }

  beforeAll(async () => {
    world = await startWorld({ repos: [SHOP, VAULT], watch: { admins: [ADMIN] } });
    // Alice's audit of the private repository is from before DEPWATCH_ADMINS was set: now only an
    // admin may audit one in Slack (app-audit-private.test.ts), so it is stored as it was then.
    await world.bot.service.auditRepository({ owner: 'octo', repo: 'vault' }, ALICE);
    // The reply Alice starts an incident from: the private repository audited in the channel by an admin.
    await auditAs(ADMIN, 'octo/vault');
    await auditAs(BOB, 'octo/shop');
    const now = new Date();
    world.watch!.store.addWatch({ repo: 'octo/shop', channel: CHANNEL, userId: ADMIN, private: false, adminLinked: true, now });
    world.watch!.store.addWatch({ repo: 'octo/vault', channel: CHANNEL, userId: ADMIN, private: true, adminLinked: true, now });
    await startIncidentAs(ALICE, 'octo/vault');
    await startIncidentAs(BOB, 'octo/shop');
    // An alert's incident names no repository in its title, but its checklist does: an admin starts one on the private watch.
    const alert = await world.watch!.state.recordAlert(
      {
        channel: CHANNEL,
        advisoryId: 'PYSEC-2023-221',
        affected: [{ repo: 'octo/vault', repoUrl: null, version: '0.14.1', file: 'Pipfile.lock', line: 1, url: null, fix: 'Upgrade werkzeug to 2.3.8', fixVersion: '2.3.8', fixedBySha: null, fixedAt: null }],
        now,
      },
      () => [],
    );
    await world.send(blockAction({ actionId: ALERT_ACTIONS.startIncident, value: String(alert!.id), user: ADMIN, channel: CHANNEL }));
    await waitFor(() => world.channel().find((m) => m.text.startsWith('🚨 Incident #3: PYSEC-2023-221 in 1 watched repository')), 'the incident on the alert');
  }, 60_000);
  afterAll(async () => {
    await world.close();
  });

  it('shows someone else public repositories only, incidents included', async () => {
    const home = await homeOf(BOB);
    expect(home).toContain('|octo/shop>*');
    expect(home).toContain('*octo/shop* in');
    expect(home).toMatch(/Incident #2: .*\(octo\/shop\)/);
    expect(home).not.toContain('vault');
    expect(home).not.toContain('Incident #1');
    expect(home).not.toContain('Incident #3');
  });

  it('shows the requester their own audit of a private repository and the incident they started from it, but not a private watch someone else linked', async () => {
    const home = await homeOf(ALICE);
    expect(home).toContain('|octo/vault>*');
    expect(home).toContain('|octo/shop>*');
    expect(home).toContain('*octo/shop* in');
    expect(home).not.toContain('*octo/vault* in');
    expect(home).toMatch(/Incident #1: .*\(octo\/vault\)/);
    expect(home).toMatch(/Incident #2: .*\(octo\/shop\)/);
    expect(home).not.toContain('Incident #3');
  });

  it('shows an admin everything', async () => {
    const home = await homeOf(ADMIN);
    expect(home).toContain('|octo/vault>*');
    expect(home).toContain('|octo/shop>*');
    expect(home).toContain('*octo/vault* in');
    expect(home).toContain('*octo/shop* in');
    expect(home).toMatch(/Incident #1: .*\(octo\/vault\)/);
    expect(home).toMatch(/Incident #2: .*\(octo\/shop\)/);
    expect(home).toContain('Incident #3: PYSEC-2023-221 in 1 watched repository');
  });
});
