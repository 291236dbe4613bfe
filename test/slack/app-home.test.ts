/**
 * App Home over HTTP: app_home_opened → views.publish with recent audits; Slack's event retries are
 * handled once; the quick action opens a modal whose submission audits into a DM.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { blockAction, eventCallback, slashCommand, viewSubmission } from '../helpers/slack-requests.js';
import { blockText, startWorld, USER, waitFor, type World } from './app-world.js';

const LOCKED = { owner: 'octo', name: 'locked', files: { 'pyproject.toml': '[project]\nname = "app"\ndependencies = ["urllib3"]\n', 'poetry.lock': '[[package]]\nname = "urllib3"\nversion = "1.24.1"\n<<<<<<< HEAD\n' } };
const homeOpened = (user = USER) => ({ type: 'app_home_opened', user, channel: 'D0HOME00001', tab: 'home', event_ts: `${Math.floor(Date.now() / 1000)}.000100` });

describe('App Home of a workspace with no audits yet', () => {
  // A world of its own: in the one below, another test's audit would already be listed.
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(async () => {
    await world.close();
  });

  it('publishes an empty state that explains /audit, watching and incidents', async () => {
    const response = await world.send(eventCallback(homeOpened('U0NEWBIE001')));
    expect(response.status).toBe(200);
    const view = await waitFor(() => world.slack.homeView('U0NEWBIE001'), 'views.publish');
    const text = blockText(view.view.blocks);
    expect(text).toContain('No audits yet');
    expect(text).toContain('Watch this repo');
    expect(text).toContain('/incident start');
    expect(text).toContain('home_audit_open');
  });
});

describe('App Home', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(async () => {
    await world.close();
  });

  it('lists recent audits with their open counts by severity', async () => {
    const updates = world.slack.callsTo('chat.update').length;
    await world.audit('octo/shop');
    await waitFor(() => world.slack.callsTo('chat.update')[updates], 'the audit');
    await world.bot.service.idle();
    const publishes = world.slack.callsTo('views.publish').length;
    await world.send(eventCallback(homeOpened()));
    const published = await waitFor(() => world.slack.callsTo('views.publish').slice(publishes).find((c) => c.params.user_id === USER), 'views.publish');
    const text = blockText((published.params.view as { blocks: unknown }).blocks);
    const sha = world.github.headSha('octo', 'shop');
    expect(text).toContain(`|octo/shop>* @ \`${sha.slice(0, 7)}\` (main)`);
    // Unrated ones count as high, right after it; the world's PyPI has none of octo/shop's packages, pinned or only ranged, each a not-on-index (medium),
    // and a range of a package PyPI does not have is an unpinned range that was not resolved (medium, not low).
    expect(text).toMatch(/Open: 1 high · 23 not rated · 45 medium · 1 low · 2 info/);
    expect(world.slack.violations).toEqual([]);
  });

  it('handles an event Slack retries (same event_id) once', async () => {
    const before = world.slack.callsTo('views.publish').length;
    const event = eventCallback(homeOpened(), { event_id: 'Ev0DUPLICATE1' });
    const first = await world.send(event);
    const retry = await world.send(event, { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } });
    expect([first.status, retry.status]).toEqual([200, 200]);
    await waitFor(() => world.slack.callsTo('views.publish').length > before, 'the publish');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(world.slack.callsTo('views.publish').length).toBe(before + 1);
  });

  it('audits a repository typed into the quick-action modal and sends the result as a DM', async () => {
    await world.send(blockAction({ actionId: 'home_audit_open', blockId: 'home_quick_actions' }));
    const opened = await waitFor(() => world.slack.callsTo('views.open').at(-1), 'views.open');
    expect((opened.params.view as { callback_id: string }).callback_id).toBe('home_audit_submit');

    const invalid = await world.send(viewSubmission({ callbackId: 'home_audit_submit', values: { home_audit_repo: { value: { type: 'plain_text_input', value: 'not a repo' } } } }));
    expect(invalid.json).toMatchObject({ response_action: 'errors', errors: { home_audit_repo: expect.stringContaining('not a repository') } });

    const ok = await world.send(viewSubmission({ callbackId: 'home_audit_submit', values: { home_audit_repo: { value: { type: 'plain_text_input', value: 'octo/shop' } } } }));
    expect(ok.status).toBe(200);
    expect(ok.text).toBe('');
    const dm = await waitFor(() => world.slack.callsTo('conversations.open')[0]?.response.channel as { id: string } | undefined, 'conversations.open');
    await waitFor(() => world.slack.callsTo('chat.update').some((c) => c.params.channel === dm.id), 'the DM result');
    await world.bot.service.idle();
    const [message] = world.slack.messages(dm.id);
    expect(blockText(message?.blocks)).toContain('Dependency audit: octo/shop');
    expect(world.slack.violations).toEqual([]);
  });
});

describe('App Home with watching and incidents running', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({ watch: {} });
  });
  afterAll(async () => {
    await world.close();
  });

  it('lists the watched repositories with their channels and the open incidents', async () => {
    const watched = await world.audit('watch octo/shop');
    await waitFor(() => world.slack.responses.find((r) => r.id === watched.responseId), 'the watch reply');
    const started = await world.send(slashCommand({ command: '/incident', text: 'start critical werkzeug debugger exposed', channel_id: 'C0AUDITS001', user_id: USER }));
    expect(started.status).toBe(200);
    await waitFor(() => world.channel().find((m) => blockText(m.blocks).includes('werkzeug debugger exposed')), 'the incident message');

    await world.send(eventCallback(homeOpened('U0HOMEVIEW1')));
    const view = await waitFor(() => world.slack.homeView('U0HOMEVIEW1'), 'views.publish');
    const text = blockText(view.view.blocks);
    expect(text).toContain('*octo/shop* in <#C0AUDITS001>');
    expect(text).toContain('werkzeug debugger exposed');
    expect(world.slack.violations).toEqual([]);
  });
});

describe('App Home recent audits that are partial', () => {
  let world: World | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  const homeText = async (w: World): Promise<string> => {
    await w.send(eventCallback(homeOpened()));
    const view = await waitFor(() => w.slack.homeView(USER), 'views.publish');
    return blockText(view.view.blocks);
  };

  it('names the lockfile it could not read rather than showing the counts alone', async () => {
    world = await startWorld({ repos: [LOCKED] });
    const w = world;
    await w.audit('octo/locked');
    await waitFor(() => w.slack.callsTo('chat.update')[0], 'the audit reply');
    await w.bot.service.idle();
    const text = await homeText(w);
    expect(text).toMatch(/octo\/locked>\* @ `[0-9a-f]{7}` \(main\), [^\n]+\n⚠️ partial: poetry\.lock:\d+ not read completely: [^\n]+\nOpen: /);
  });

  it('says vulnerabilities were not checked when OSV could not be reached', async () => {
    world = await startWorld({ osvRetries: 0 });
    const w = world;
    w.osv.failNext(1000, 503);
    await w.audit('octo/shop');
    await waitFor(() => w.slack.callsTo('chat.update').at(-1), 'the audit reply');
    await w.bot.service.idle();
    expect(blockText(w.slack.callsTo('chat.update').at(-1)!.params.blocks)).toContain('Vulnerabilities were not checked');
    const text = await homeText(w);
    expect(text).toMatch(/octo\/shop>\* @ [^\n]+\n⚠️ partial: vulnerabilities not checked( \(and \d+ more\))?\nOpen: /);
    expect(w.slack.violations).toEqual([]);
  });
});
