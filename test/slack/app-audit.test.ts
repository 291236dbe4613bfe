/**
 * `/audit` end to end over HTTP: signed slash commands into the Bolt app, a repository of real
 * manifests on the GitHub fake, the PyPA advisories on the OSV fake, and the posts read back from
 * the Slack fake (which checks every message against Block Kit's limits).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../fakes/github.js';
import { findByToken, parseFindingButtonValue } from '../../src/slack/blocks/audit-reply.js';
import { blockAction } from '../helpers/slack-requests.js';
import type { SlackCall } from '../fakes/slack-api.js';
import { blockText, buttons, CHANNEL, startWorld, waitFor, type World, latestAudit } from './app-world.js';

describe('/audit owner/repo', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(async () => {
    await world.close();
  });

  /**
   * `/audit octo/shop` in CHANNEL, once for the file, by whichever test needs its reply first (each
   * test reads the same whatever ran before it): the ack, the placeholder posted, and its edit.
   */
  let shopAudit: Promise<{ status: number; ackMs: number; placeholder: SlackCall; update: SlackCall }> | undefined;
  const auditShop = () =>
    (shopAudit ??= (async () => {
      const posts = world.slack.callsTo('chat.postMessage').length;
      const started = Date.now();
      const { response } = await world.audit('octo/shop');
      const ackMs = Date.now() - started;
      const placeholder = await waitFor(() => world.slack.callsTo('chat.postMessage')[posts], 'the placeholder');
      const update = await waitFor(() => world.slack.callsTo('chat.update').find((c) => c.params.ts === placeholder.response.ts), 'the result');
      await world.bot.service.idle();
      return { status: response.status, ackMs, placeholder, update };
    })());
  /** The reply to auditShop() in the channel. */
  const shopReply = async () => {
    const { placeholder } = await auditShop();
    return world.slack.message(CHANNEL, String(placeholder.response.ts))!;
  };

  it('acks at once, posts "Auditing…", then updates it in place with the vulnerabilities', async () => {
    const { status, ackMs, placeholder, update } = await auditShop();
    expect(status).toBe(200);
    expect(ackMs).toBeLessThan(3000);

    expect(placeholder.params.channel).toBe(CHANNEL);
    expect(placeholder.params.text).toBe('Auditing octo/shop…');

    expect(update.response.ok).toBe(true);
    const ts = String(placeholder.response.ts);
    expect(update.params.ts).toBe(ts);
    const message = world.slack.message(CHANNEL, ts);
    const text = blockText(message?.blocks);
    const sha = world.github.headSha('octo', 'shop');

    expect(text).toContain(`https://github.com/octo/shop/tree/${sha}`);
    expect(text).toContain(`octo/shop@${sha.slice(0, 7)}`);
    // The worst package first: werkzeug 0.14.1, one upgrade for its five advisories, then those
    // advisories worst first: PYSEC-2023-221 (CVSS 7.5, high) leads.
    expect(text).toContain('*24 vulnerabilities in 10 releases of 9 packages:* 🟠 1 high · ⚪ 23 not rated (count as high)');
    const werkzeug = text.indexOf('🟠 *werkzeug 0.14.1 → 2.3.8 clears 5 advisories*');
    expect(werkzeug).toBeGreaterThan(-1);
    expect(text.slice(werkzeug)).toMatch(/^[^]*?\*Fix:\* run `pipenv upgrade --dev werkzeug`[^]*?🟠 \*High\* · <https:\/\/osv\.dev\/vulnerability\/PYSEC-2023-221\|PYSEC-2023-221>/);
    // One package line for bleach's five advisories, each described by what the flaw is.
    expect(text.split('bleach 2.1.2 → 3.3.0 clears 5 advisories').length - 1).toBe(1);
    expect(text).toContain('Attributes that have URI values weren\'t properly sanitized if the values contained character entities.');
    expect(text).toMatch(new RegExp(`<https://github\\.com/octo/shop/blob/${sha}/Pipfile\\.lock#L\\d+\\|Pipfile\\.lock:\\d+>`));
    expect(text).toMatch(new RegExp(`https://github\\.com/octo/shop/blob/${sha}/requirements/main\\.txt#L\\d+`));

    const found = buttons(message?.blocks);
    expect(found.find((b) => b.action_id === 'audit_watch_repo')?.value).toMatch(/^\d+$/);
    const incident = found.filter((b) => b.action_id === 'audit_start_incident');
    // The high one, and those no source rated (they count as high): none of the medium or low ones.
    const stored = (await latestAudit(world, 'octo/shop'));
    const incidentFor = incident.map((b) => findByToken(stored.result, parseFindingButtonValue(b.value)!.token)!);
    expect(incidentFor.map((f) => f.severity).sort()).toEqual(['high', ...incidentFor.filter((f) => f.severity === 'unknown').map(() => 'unknown')]);
    expect(incidentFor.length).toBeGreaterThan(1);
    expect(incident[0]?.value).toMatch(/^\d+:[0-9a-f]{16}$/);
    expect(found.filter((b) => b.action_id === 'audit_ignore').length).toBeGreaterThan(5);
    expect(world.slack.violations).toEqual([]);
  });

  it('audits the repository of a pull request URL, and tells the requester the pull request part was ignored', async () => {
    const { responseId } = await world.audit('https://github.com/octo/shop/pull/7');
    const note = await waitFor(() => world.slack.responses.find((r) => r.id === responseId && r.body.response_type === 'ephemeral'), 'the note on the pull request');
    await world.bot.service.idle();
    expect(String(note.body.text)).toContain('The pull request part of the URL (#7) was ignored: this is an audit of the repository octo/shop (its default branch)');
    expect(String(note.body.text)).toContain('`/audit watch octo/shop`');
    const stored = await latestAudit(world, 'octo/shop');
    expect(stored.requestedBranch).toBeNull();
  });

  it('puts what does not fit into thread replies under the result', async () => {
    const parent = await shopReply();
    expect(parent.text).toMatch(/^octo\/shop@/);
    const replies = world.slack.thread(CHANNEL, parent.ts);
    expect(replies.length).toBeGreaterThan(0);
    expect(blockText(replies[0]?.blocks)).toContain('Audit of octo/shop@');
    expect(blockText(replies[0]?.blocks)).toMatch(/continued \(2\/\d\)/);
    // Every vulnerability of the audit is in the message or a reply, once.
    const all = [parent, ...replies].map((m) => blockText(m.blocks)).join('\n');
    const stored = await latestAudit(world, 'octo/shop');
    const vulns = stored.result.findings.filter((f) => f.kind === 'vulnerability');
    expect(vulns.length).toBe(24);
    for (const f of vulns) expect(all).toContain(`|${f.id}>`);
    // Outdated and hygiene summaries come after the vulnerabilities.
    expect(all).toContain('*Hygiene:*');
    expect(all).toMatch(/\*Outdated:\* \d+ releases? behind/);
    expect(all).toContain('*werkzeug* 0.14.1 → 3.0.1 (major)');
    expect(world.slack.violations).toEqual([]);
  });

  it('stores the audit with its commit, counts and whole result', async () => {
    await auditShop();
    const latest = await world.bot.service.state.latestAuditForRepo('OCTO/Shop');
    expect(latest?.sha).toBe(world.github.headSha('octo', 'shop'));
    expect(latest?.counts.high).toBe(1);
    expect(latest?.channel).toBe(CHANNEL);
    expect(latest?.requestedBy).toBe('U0ALICE0001');
  });

  it('audits an unchanged repository again without fetching a single blob', async () => {
    await auditShop();
    const blobsBefore = world.github.count(ROUTES.blob);
    expect(blobsBefore).toBeGreaterThan(0);
    const updatesBefore = world.slack.callsTo('chat.update').length;
    await world.audit('https://github.com/octo/shop');
    await waitFor(() => world.slack.callsTo('chat.update').length > updatesBefore, 'the second result');
    await world.bot.service.idle();
    expect(world.github.count(ROUTES.blob)).toBe(blobsBefore);
    const second = world.slack.callsTo('chat.update').at(-1);
    expect(blockText(second?.params.blocks)).toContain('PYSEC-2023-221');
  });

  it('reads a branch given as owner/repo@branch', async () => {
    world.github.addRepo({ owner: 'octo', name: 'branchy', files: { 'README.md': 'x' }, branches: { legacy: { 'requirements.txt': 'requests==2.19.0\n' } } });
    const before = world.slack.callsTo('chat.update').length;
    await world.audit('octo/branchy@legacy');
    await waitFor(() => world.slack.callsTo('chat.update').length > before, 'the branch result');
    await world.bot.service.idle();
    const text = blockText(world.slack.callsTo('chat.update').at(-1)?.params.blocks);
    expect(text).toContain('(legacy)');
    expect(text).toContain('*requests* 2.19.0');
  });

  it('answers /audit help and anything that is not a repository with the usage, ephemerally', async () => {
    const help = await world.audit('help');
    expect(help.response.status).toBe(200);
    expect(help.response.json).toMatchObject({ response_type: 'ephemeral' });
    expect(blockText((help.response.json as { blocks: unknown }).blocks)).toContain('/audit owner/repo@branch');
    // This bot runs without watching: its help offers no watch commands (app-unrated's bot does).
    expect(blockText((help.response.json as { blocks: unknown }).blocks)).not.toContain('/audit watch');

    const junk = await world.audit('please check my stuff');
    expect(junk.response.json).toMatchObject({ response_type: 'ephemeral' });
    const text = blockText((junk.response.json as { blocks: unknown }).blocks);
    expect(text).toContain('is not a repository');
    expect(text).toContain('/audit owner/repo');
  });

  it('starts an incident checklist from "Start incident", pre-filled from the finding', async () => {
    const parent = await shopReply();
    const start = buttons(parent.blocks).find((b) => b.action_id === 'audit_start_incident')!;
    const response = await world.send(
      blockAction({ actionId: start.action_id, value: start.value, channel: CHANNEL, message_ts: parent.ts, response_url: world.slack.responseUrl('click-incident', { channel: CHANNEL, user: 'U0ALICE0001' }) }),
    );
    expect(response.status).toBe(200);
    const root = await waitFor(() => world.channel().find((m) => blockText(m.blocks).includes('Checklist and updates in the thread')), 'the incident root message');
    expect(blockText(root.blocks)).toContain('PYSEC-2023-221');
    expect(blockText(root.blocks)).toContain('werkzeug');
    const checklist = await waitFor(() => world.slack.thread(CHANNEL, root.ts).length > 0 && world.slack.thread(CHANNEL, root.ts), 'the checklist thread');
    expect(blockText(checklist.map((m) => m.blocks))).toMatch(/Confirm the affected repos/i);
    expect(world.slack.violations).toEqual([]);
  });

  it('says watching is not running when the bot was started without it', async () => {
    const parent = await shopReply();
    const watch = buttons(parent.blocks).find((b) => b.action_id === 'audit_watch_repo')!;
    await world.send(blockAction({ actionId: watch.action_id, value: watch.value, channel: CHANNEL, message_ts: parent.ts, response_url: world.slack.responseUrl('click-watch', { channel: CHANNEL, user: 'U0ALICE0001' }) }));
    const reply = await waitFor(() => world.slack.responses.find((r) => r.id === 'click-watch'), 'the watch reply');
    expect(reply.body.response_type).toBe('ephemeral');
    expect(String(reply.body.text)).toMatch(/Watching is not running/);
  });
});

describe('/audit in a channel the bot cannot post to', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(async () => {
    await world.close();
  });

  it('falls back to response_url: "Auditing…" in the channel, then replaced by the result', async () => {
    world.slack.failNext('chat.postMessage', 'not_in_channel');
    const { responseId } = await world.audit('octo/shop', { channel: 'G0PRIVATE01' });
    await waitFor(() => world.slack.responses.filter((r) => r.id === responseId).length >= 2, 'the result through response_url');
    await world.bot.service.idle();
    const posts = world.slack.responses.filter((r) => r.id === responseId);
    expect(posts[0]?.body).toMatchObject({ response_type: 'in_channel', text: 'Auditing octo/shop…' });
    expect(posts[1]?.body).toMatchObject({ response_type: 'in_channel', replace_original: true });
    expect(blockText(posts[1]?.body.blocks)).toContain('PYSEC-2023-221');
    expect(posts.every((p) => p.status === 200)).toBe(true);
    expect(posts.length).toBeLessThanOrEqual(5);
    // What the channel shows: one message, replaced in place, plus the overflow.
    const shown = world.slack.messages('G0PRIVATE01');
    expect(blockText(shown[0]?.blocks)).toContain('Dependency audit: octo/shop');
    expect(world.slack.callsTo('chat.update')).toEqual([]);
    expect(world.slack.violations).toEqual([]);
  });
});
