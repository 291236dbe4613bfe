/**
 * The Ignore flow over HTTP: the Ignore… button opens the modal (views.open), the submission is
 * validated in the modal, stored in SQLite, and the reply is re-rendered from the stored audit
 * without asking GitHub or OSV again; later audits of the repository apply the ignore.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { viewMetadataSealFor } from '../../src/slack/bot.js';
import { findByToken, parseFindingButtonValue } from '../../src/slack/blocks/audit-reply.js';
import { blockAction, ignoreModalValues, viewSubmission } from '../helpers/slack-requests.js';
import { blockText, buttons, CHANNEL, SHOP, startWorld, USER, waitFor, type World, latestAudit } from './app-world.js';

const ADVISORY = 'PYSEC-2023-221'; // werkzeug 0.14.1, the one high finding of octo/shop
const REASON = 'We never parse multipart form data with werkzeug';

/**
 * The tests run in any order, so each that stores an ignore does it on a repository of its own (octo/shop's
 * files under another name); octo/shop itself is never ignored, for the tests that check nothing was stored.
 */
const STORED = 'octo/stored';
const REAUDITED = 'octo/reaudited';
const ALIASED = 'octo/aliased';
const OWN_REPOS = [STORED, REAUDITED, ALIASED].map((repo) => ({ ...SHOP, name: repo.split('/')[1]! }));

describe('Ignore…', () => {
  let world: World;
  let shopTs: string;

  /** Audits the repository in CHANNEL; resolves with the ts of the reply's first message. */
  async function auditReply(repo: string): Promise<string> {
    const before = world.slack.callsTo('chat.update').length;
    await world.audit(repo);
    const update = await waitFor(() => world.slack.callsTo('chat.update').slice(before).find((c) => String(c.params.text).startsWith(`${repo}@`)), `the audit of ${repo}`);
    await world.bot.service.idle();
    return String(update.params.ts);
  }

  /** Presses the reply's first Ignore… (werkzeug's, the worst finding); resolves with the modal opened. */
  async function openIgnoreModal(ts: string): Promise<{ callback_id: string; private_metadata: string; blocks: unknown[] }> {
    const opens = world.slack.callsTo('views.open').length;
    const ignore = buttons(world.slack.message(CHANNEL, ts)!.blocks).find((b) => b.action_id === 'audit_ignore');
    expect(ignore?.value).toMatch(/^\d+:[0-9a-f]{16}$/);
    const response = await world.send(blockAction({ actionId: 'audit_ignore', value: ignore!.value!, channel: CHANNEL, message_ts: ts, blockId: 'f:x' }));
    expect(response.status).toBe(200);
    const opened = await waitFor(() => world.slack.callsTo('views.open')[opens], 'views.open');
    expect(opened.response.ok).toBe(true);
    return opened.params.view as { callback_id: string; private_metadata: string; blocks: unknown[] };
  }

  const submit = (metadata: string, fields: Parameters<typeof ignoreModalValues>[0]) =>
    world.send(viewSubmission({ callbackId: 'ignore_submit', privateMetadata: metadata, user: USER, values: ignoreModalValues(fields) }));

  /** Audits the repository and ignores werkzeug's advisory through the modal, as a person would. */
  async function auditAndIgnore(repo: string): Promise<{ ts: string; metadata: string }> {
    const ts = await auditReply(repo);
    const { private_metadata: metadata } = await openIgnoreModal(ts);
    const response = await submit(metadata, { advisory: ADVISORY, reason: REASON, until: '2999-12-31', pkg: 'werkzeug' });
    expect(response.text).toBe('');
    await world.bot.service.idle();
    return { ts, metadata };
  }

  beforeAll(async () => {
    world = await startWorld({ repos: [SHOP, ...OWN_REPOS] });
    shopTs = await auditReply('octo/shop');
  });
  afterAll(async () => {
    await world.close();
  });

  it('opens a modal pre-filled with the advisory and package, with ids only in private_metadata', async () => {
    // The first Ignore… button belongs to the first (worst) finding: werkzeug's.
    const view = await openIgnoreModal(shopTs);
    expect(view.callback_id).toBe('ignore_submit');
    const inputs = JSON.stringify(view.blocks);
    expect(inputs).toContain(`"initial_value":"${ADVISORY}"`);
    expect(inputs).toContain('"initial_value":"werkzeug"');
    expect(inputs).toContain('"type":"datepicker"');
    // Sealed to the person who opened it and the channel of the reply (view-metadata.ts).
    expect(viewMetadataSealFor(world.config).open(view.private_metadata, USER)).toEqual({ channel: CHANNEL, data: { a: expect.any(Number) } });
    expect(world.slack.violations).toEqual([]);
  });

  it('keeps the modal open with errors when the reason is missing or the date is past', async () => {
    const { private_metadata: metadata } = await openIgnoreModal(shopTs);
    const response = await submit(metadata, { advisory: ADVISORY, reason: '   ', until: '2020-01-01', pkg: 'werkzeug' });
    expect(response.status).toBe(200);
    expect(response.json).toEqual({
      response_action: 'errors',
      errors: { ignore_reason: expect.stringContaining('reason is required'), ignore_until: expect.stringContaining('in the future') },
    });
    expect(await world.bot.service.state.ignoresForRepo('octo/shop')).toEqual([]);
  });

  it('keeps the modal open with the error id that is in the log when the store cannot be read (the database down)', async () => {
    const { private_metadata: metadata } = await openIgnoreModal(shopTs);
    const spy = vi.spyOn(world.bot.service.state, 'getAudit').mockRejectedValueOnce(new Error('connect ECONNREFUSED 127.0.0.1:5432 (postgres://depwatch:hunter2secret@db/depwatch)'));
    const response = await submit(metadata, { advisory: ADVISORY, reason: 'not exposed', until: '2999-12-31', pkg: 'werkzeug' });
    spy.mockRestore();
    expect(response.status).toBe(200);
    const logged = await waitFor(() => world.logs.find((l) => l.msg === 'storing an ignore failed'), 'the log line');
    expect(logged.errorId).toMatch(/^E-[A-Z0-9]{5}$/);
    expect(response.json).toEqual({
      response_action: 'errors',
      errors: { ignore_reason: `Something went wrong (error id ${String(logged.errorId)}): what you asked was not done (or not all of it). The details are in Depwatch's log under that id.` },
    });
    expect(JSON.stringify(response.json)).not.toContain('hunter2secret');
    expect(await world.bot.service.state.ignoresForRepo('octo/shop')).toEqual([]);
  });

  it('keeps the modal open when the advisory id is changed to words that are not one (NOT-AN-ID), storing nothing', async () => {
    const { private_metadata: metadata } = await openIgnoreModal(shopTs);
    const logsBefore = world.logs.length;
    const response = await submit(metadata, { advisory: 'NOT-AN-ID', reason: 'typed over the id', until: '2999-12-31', pkg: 'werkzeug' });
    expect(response.json).toEqual({ response_action: 'errors', errors: { ignore_advisory: expect.stringContaining('does not look like an advisory id') } });
    expect(world.logs.slice(logsBefore).some((l) => l.msg === 'ignore stored')).toBe(false);
    expect(await world.bot.service.state.ignoresForRepo('octo/shop')).toEqual([]);
  });

  it('stores the ignore and updates the reply in place without the ignored finding, with no new GitHub or OSV call', async () => {
    const parentTs = await auditReply(STORED);
    const { private_metadata: metadata } = await openIgnoreModal(parentTs);
    const githubBefore = world.github.totalRequests();
    const osvBefore = world.osv.requests.length;
    const updatesBefore = world.slack.callsTo('chat.update').length;
    const response = await submit(metadata, { advisory: ADVISORY, reason: REASON, until: '2999-12-31', pkg: 'Werkzeug' });
    expect(response.status).toBe(200);
    expect(response.text).toBe('');

    const stored = await world.bot.service.state.ignoresForRepo(STORED);
    expect(stored).toEqual([expect.objectContaining({ advisoryId: ADVISORY, package: 'werkzeug', reason: REASON, until: '2999-12-31', createdBy: USER })]);

    // The thread's continuations are brought in line first, then the message itself.
    const update = await waitFor(() => world.slack.callsTo('chat.update').slice(updatesBefore).find((c) => c.params.ts === parentTs), 'the re-rendered reply');
    await world.bot.service.idle();
    expect(update.params.ts).toBe(parentTs);
    const message = world.slack.message(CHANNEL, parentTs)!;
    const text = blockText(message.blocks);
    expect(text).not.toContain(`|${ADVISORY}>`);
    // The package stays, with one advisory fewer to clear (in the reply's continuation when the
    // first message is full: its other advisories are unrated, so they count as high and each gets
    // its own section with buttons).
    const rendered = await world.bot.service.render(await latestAudit(world, STORED));
    const whole = [rendered.first, ...rendered.replies].map((m) => blockText(m.blocks)).join('\n');
    expect(whole).toContain('*werkzeug 0.14.1 → 2.3.8 clears 4 advisories*');
    expect(text).toContain('*23 vulnerabilities in 10 releases of 9 packages:*');
    expect(text).toContain('1 ignored');
    // Werkzeug's incident button went with it; those left are for advisories no source rated (they count as high).
    const stored2 = await latestAudit(world, STORED);
    const incidentFor = buttons(message.blocks)
      .filter((b) => b.action_id === 'audit_start_incident')
      .map((b) => findByToken(stored2.result, parseFindingButtonValue(b.value)!.token));
    expect(incidentFor.every((f) => f?.severity === 'unknown' && f.package !== 'werkzeug')).toBe(true);
    expect(world.github.totalRequests()).toBe(githubBefore);
    expect(world.osv.requests.length).toBe(osvBefore);
    expect(world.slack.violations).toEqual([]);
  });

  it('applies the stored ignore to the next audit of the repository', async () => {
    await auditAndIgnore(REAUDITED);
    await auditReply(REAUDITED);
    const latest = await latestAudit(world, REAUDITED);
    const record = latest;
    expect(record.result.findings.some((f) => f.id === ADVISORY)).toBe(false);
    expect(record.result.ignored.map((f) => [f.id, f.ignoredBy?.reason, f.ignoredBy?.source])).toEqual([[ADVISORY, REASON, `Slack, by <@${USER}>`]]);
    const all = [world.slack.message(CHANNEL, latest.ts!)!, ...world.slack.thread(CHANNEL, latest.ts!)].map((m) => blockText(m.blocks)).join('\n');
    expect(all).toContain('*Ignored:* 1');
    expect(all).toContain(REASON);
    expect(latest.counts.high).toBe(0);
  });

  it('checks the id as /audit ignore does: an alias of an advisory the repository ignores stays in the modal; an id the advisory data lacks is stored, and its author warned beside the edited reply', async () => {
    // PYSEC-2023-221 is ignored for the repository; CVE-2023-46136 is its alias in the advisory data.
    const { metadata } = await auditAndIgnore(ALIASED);
    const alias = await submit(metadata, { advisory: 'CVE-2023-46136', reason: 'same thing', until: '2999-12-31', pkg: 'werkzeug' });
    expect(alias.json).toEqual({
      response_action: 'errors',
      errors: { ignore_advisory: `CVE-2023-46136 is already ignored for ${ALIASED} as PYSEC-2023-221 for werkzeug (the same advisory): nothing to add.` },
    });
    expect((await world.bot.service.state.ignoresForRepo(ALIASED)).map((i) => i.advisoryId)).toEqual([ADVISORY]);

    const unknown = await submit(metadata, { advisory: 'PYSEC-2099-4242', reason: 'typo, perhaps', until: '2999-12-31', pkg: 'werkzeug' });
    expect(unknown.text).toBe('');
    expect((await world.bot.service.state.ignoresForRepo(ALIASED)).map((i) => i.advisoryId).sort()).toEqual([ADVISORY, 'PYSEC-2099-4242']);
    const warned = await waitFor(() => world.slack.ephemerals().find((e) => e.user === USER && String(e.text).includes('PYSEC-2099-4242')), 'the warning');
    await world.bot.service.idle();
    expect(warned.text).toBe(':warning: The advisory data I read has no advisory PYSEC-2099-4242 (nor an alias of that name): check it is not a typo. It may also be too new for the data yet; once it is there, the ignore applies.');
    expect(world.slack.violations).toEqual([]);
  });

  it('says so when the audit a button names is gone', async () => {
    const id = 'stale-ignore';
    await world.send(blockAction({ actionId: 'audit_ignore', value: '999999:0123456789abcdef', channel: CHANNEL, response_url: world.slack.responseUrl(id, { channel: CHANNEL, user: USER }) }));
    const reply = await waitFor(() => world.slack.responses.find((r) => r.id === id), 'the answer');
    expect(reply.body.response_type).toBe('ephemeral');
    expect(String(reply.body.text)).toContain('no longer have that audit');
  });
});

describe('Ignore… under a reply posted through response_url', () => {
  const PRIVATE = 'G0PRIVATE01';
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(async () => {
    await world.close();
  });

  it('stores the ignore and confirms it in the modal, since only response_url could edit that reply', async () => {
    // A private channel the bot is not in: the reply is posted through the command's response_url.
    world.slack.failNext('chat.postMessage', 'not_in_channel');
    const { responseId } = await world.audit('octo/shop', { channel: PRIVATE });
    await waitFor(() => world.slack.responses.filter((r) => r.id === responseId).length >= 2, 'the reply through response_url');
    await world.bot.service.idle();
    const parent = world.slack.messages(PRIVATE)[0]!;
    const ignore = buttons(parent.blocks).find((b) => b.action_id === 'audit_ignore')!;
    await world.send(blockAction({ actionId: 'audit_ignore', value: ignore.value!, channel: PRIVATE, message_ts: parent.ts, response_url: world.slack.responseUrl('private-ignore', { channel: PRIVATE, user: USER, messageTs: parent.ts }) }));
    const opened = await waitFor(() => world.slack.callsTo('views.open')[0], 'views.open');
    const { private_metadata: sealed } = opened.params.view as { private_metadata: string };
    // What Slack answers the bot's token for a message in a channel it is not in.
    world.slack.failNext('chat.update', 'channel_not_found');

    const response = await world.send(
      viewSubmission({ callbackId: 'ignore_submit', privateMetadata: sealed, user: USER, values: ignoreModalValues({ advisory: ADVISORY, reason: 'Only behind the VPN', until: '2999-12-31', pkg: 'werkzeug' }) }),
    );
    await world.bot.service.idle();
    expect(response.json).toMatchObject({ response_action: 'update', view: { title: { text: 'Ignored' } } });
    expect(blockText((response.json as { view: { blocks: unknown } }).view.blocks)).toContain(`*${ADVISORY}* is ignored for *octo/shop*`);
    expect(await world.bot.service.state.ignoresForRepo('octo/shop')).toEqual([expect.objectContaining({ advisoryId: ADVISORY, reason: 'Only behind the VPN' })]);

    // An id the advisory data lacks: stored, and the modal's confirmation says so.
    const unknown = await world.send(
      viewSubmission({ callbackId: 'ignore_submit', privateMetadata: sealed, user: USER, values: ignoreModalValues({ advisory: 'PYSEC-2099-4242', reason: 'typo, perhaps', until: '2999-12-31', pkg: 'werkzeug' }) }),
    );
    const confirmed = blockText((unknown.json as { view: { blocks: unknown } }).view.blocks);
    expect(confirmed).toContain('*PYSEC-2099-4242* is ignored for *octo/shop*');
    expect(confirmed).toContain(':warning: The advisory data I read has no advisory PYSEC-2099-4242 (nor an alias of that name)');
    expect(world.slack.callsTo('chat.update')).toEqual([]);
    expect(world.slack.violations).toEqual([]);
  });
});

describe('Ignore… saved again for the same advisory and package', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({ env: { DEPWATCH_CODE_SCAN: '0' } });
  });
  afterAll(async () => {
    await world.close();
  });

  it('keeps one ignore when the modal is submitted twice at once, and a later shorter expiry replaces it, saying what it was', async () => {
    await world.audit('octo/shop');
    await waitFor(() => world.slack.callsTo('chat.update')[0], 'the audit');
    await world.bot.service.idle();
    const parent = world.channel()[0]!;
    const ignore = buttons(parent.blocks).find((b) => b.action_id === 'audit_ignore')!;
    await world.send(blockAction({ actionId: 'audit_ignore', value: ignore.value!, channel: CHANNEL, message_ts: parent.ts }));
    const opened = await waitFor(() => world.slack.callsTo('views.open')[0], 'views.open');
    const { private_metadata: sealed } = opened.params.view as { private_metadata: string };
    const submit = (reason: string, until: string) =>
      world.send(viewSubmission({ callbackId: 'ignore_submit', privateMetadata: sealed, user: USER, values: ignoreModalValues({ advisory: ADVISORY, reason, until, pkg: 'werkzeug' }) }));

    // A double-click (or Slack's retry): the same form twice at once.
    await Promise.all([submit('first reason', '2999-12-31'), submit('first reason', '2999-12-31')]);
    await world.bot.service.idle();
    expect((await world.bot.service.state.ignoresForRepo('octo/shop')).map((i) => [i.advisoryId, i.package, i.until])).toEqual([[ADVISORY, 'werkzeug', '2999-12-31']]);
    // Nothing changed the second time, so nothing is said beside the edited reply.
    expect(world.slack.ephemerals().filter((e) => e.user === USER)).toEqual([]);

    await submit('only until next month', '2027-01-15');
    await world.bot.service.idle();
    const stored = await world.bot.service.state.ignoresForRepo('octo/shop');
    expect(stored.map((i) => [i.advisoryId, i.reason, i.until])).toEqual([[ADVISORY, 'only until next month', '2027-01-15']]);
    expect((await world.bot.service.state.ignoreRulesForRepo('octo/shop')).map((r) => r.until)).toEqual(['2027-01-15']);
    const said = await waitFor(() => world.slack.ephemerals().find((e) => e.user === USER), 'what was replaced');
    expect(said.text).toBe(`:information_source: This replaced the earlier ignore of ${ADVISORY} for werkzeug in octo/shop (was until 2999-12-31, by <@${USER}>: “first reason”).`);
    expect(world.slack.violations).toEqual([]);
  });
});
