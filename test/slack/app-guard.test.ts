/**
 * Requests that are signed but wrong, through the real Bolt app on loopback: JSON null and other
 * non-objects, wrong types, missing fields, ids that are not Slack ids, unknown action and callback
 * ids, modal metadata the app did not seal, and timestamps outside five minutes either way. Each is
 * refused (400 or 401, at once) and the app keeps answering; nothing reaches a listener.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IGNORE_BLOCKS, IGNORE_MODAL_CALLBACK } from '../../src/slack/blocks/ignore-modal.js';
import { INCIDENT_VIEWS, INPUTS } from '../../src/slack/blocks/incident-modals.js';
import { getIncident, listOpenIncidents } from '../../src/store/incidents.js';
import { blockAction, eventCallback, postToBolt, signedRequest, slashCommand, urlVerification, viewSubmission, type SlackRequestBody } from '../helpers/slack-requests.js';
import { buttons, CHANNEL, startWorld, USER, waitFor, type World } from './app-world.js';

const form = (fields: Record<string, string>): SlackRequestBody => ({ body: new URLSearchParams(fields).toString(), contentType: 'application/x-www-form-urlencoded' });
const json = (body: string): SlackRequestBody => ({ body, contentType: 'application/json' });
/** An interactive payload with one field replaced (or removed, with undefined). */
function tamper(request: SlackRequestBody, edit: (payload: Record<string, unknown>) => void): SlackRequestBody {
  const params = new URLSearchParams(request.body);
  const payload = JSON.parse(params.get('payload') ?? '{}') as Record<string, unknown>;
  edit(payload);
  params.set('payload', JSON.stringify(payload));
  return { ...request, body: params.toString() };
}
function tamperForm(request: SlackRequestBody, edit: (fields: URLSearchParams) => void): SlackRequestBody {
  const params = new URLSearchParams(request.body);
  edit(params);
  return { ...request, body: params.toString() };
}

describe('requests that are signed but malformed', () => {
  let world: World;
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => void rejections.push(reason);
  beforeAll(async () => {
    process.on('unhandledRejection', onRejection);
    world = await startWorld({ watch: {} });
  });
  afterAll(async () => {
    process.off('unhandledRejection', onRejection);
    await world.close();
  });

  const cases: [string, () => SlackRequestBody][] = [
    ['payload=null', () => form({ payload: 'null' })],
    ['payload=[]', () => form({ payload: '[]' })],
    ['payload="text"', () => form({ payload: '"text"' })],
    ['payload=42', () => form({ payload: '42' })],
    ['payload that is not JSON', () => form({ payload: '{nope' })],
    ['a JSON body of null', () => json('null')],
    ['a JSON body that is not JSON', () => json('{"type":')],
    ['a form without command or payload', () => form({ text: 'octo/shop' })],
    ['a user id of the wrong type', () => tamper(blockAction({ actionId: 'audit_ignore', value: '1:0123456789abcdef' }), (p) => ((p.user as Record<string, unknown>).id = 42))],
    ['a user id that is not a Slack id', () => tamper(blockAction({ actionId: 'audit_ignore', value: '1:0123456789abcdef' }), (p) => ((p.user as Record<string, unknown>).id = 'U1><!channel'))],
    ['actions that are not a list', () => tamper(blockAction({ actionId: 'audit_ignore' }), (p) => (p.actions = 'audit_ignore'))],
    ['no actions at all', () => tamper(blockAction({ actionId: 'audit_ignore' }), (p) => (p.actions = []))],
    ['an action without action_id', () => tamper(blockAction({ actionId: 'audit_ignore' }), (p) => delete (p.actions as Record<string, unknown>[])[0]!.action_id)],
    ['a button value that is not a string', () => tamper(blockAction({ actionId: 'incident_step_done' }), (p) => ((p.actions as Record<string, unknown>[])[0]!.value = { incident: 1 }))],
    ['a selected user that is not a Slack id', () => tamper(blockAction({ actionId: 'incident_commander', actionType: 'users_select' }), (p) => ((p.actions as Record<string, unknown>[])[0]!.selected_user = '<!here>'))],
    ['a channel id that is not a Slack id', () => tamper(blockAction({ actionId: 'audit_watch_repo', value: '1' }), (p) => ((p.container as Record<string, unknown>).channel_id = '<!channel>'))],
    ['a view without private_metadata', () => tamper(viewSubmission({ callbackId: IGNORE_MODAL_CALLBACK }), (p) => delete (p.view as Record<string, unknown>).private_metadata)],
    ['private_metadata that is a number', () => tamper(viewSubmission({ callbackId: IGNORE_MODAL_CALLBACK }), (p) => ((p.view as Record<string, unknown>).private_metadata = 7))],
    ['a view that is null', () => tamper(viewSubmission({ callbackId: IGNORE_MODAL_CALLBACK }), (p) => (p.view = null))],
    ['state values of the wrong shape', () => tamper(viewSubmission({ callbackId: IGNORE_MODAL_CALLBACK }), (p) => (((p.view as Record<string, unknown>).state as Record<string, unknown>).values = { a: 'b' }))],
    ['a slash command without user_id', () => tamperForm(slashCommand({ text: 'octo/shop' }), (f) => f.delete('user_id'))],
    ['a slash command from a channel that is not a channel id', () => slashCommand({ text: 'octo/shop', channel_id: '<!here>' })],
    ['a reaction without a user', () => json(JSON.parse(JSON.stringify(eventCallback({ type: 'reaction_added', reaction: 'pushpin', item: { type: 'message', channel: CHANNEL, ts: '1.2' } }))).body)],
    ['a request type nothing handles', () => form({ payload: JSON.stringify({ type: 'shortcut', callback_id: 'x', user: { id: USER }, trigger_id: 't' }) })],
    ['a request with no type', () => form({ payload: JSON.stringify({ user: { id: USER } }) })],
  ];

  it.each(cases)('refuses %s with 400 at once', async (_name, build) => {
    const started = Date.now();
    const response = await world.send(build());
    expect(response.status).toBe(400);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  // Text over 4,000 characters is what a person typed (or pasted): bad input, answered in one line.
  it('answers a signed slash command whose text is too long with one ephemeral line, reaching no listener', async () => {
    const before = world.slack.responses.length;
    const response = await world.send(slashCommand({ text: `ignore PYSEC-2019-13 ${'x'.repeat(4_980)}`, user_id: USER, channel_id: CHANNEL }));
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ response_type: 'ephemeral', text: 'That command is 5,001 characters long; the most /audit reads is 4,000.' });
    expect(world.watch!.store.ignoresForChannel(CHANNEL)).toEqual([]);
    expect(world.slack.responses.length).toBe(before);
  });

  it('still refuses a too long command that is wrong in another way too, or not signed by Slack', async () => {
    const long = 'x'.repeat(4_001);
    expect((await world.send(slashCommand({ text: long, channel_id: '<!here>' }))).status).toBe(400);
    const forged = signedRequest('not-the-signing-secret', slashCommand({ text: long, user_id: USER, channel_id: CHANNEL }));
    const response = await postToBolt(world.eventsUrl, forged);
    expect(response.status).toBe(401);
    expect(response.text).not.toContain('characters long');
  });

  it.each([
    ['an unknown action id', () => blockAction({ actionId: 'no_such_action', value: 'x' })],
    ['an unknown modal callback id', () => viewSubmission({ callbackId: 'no_such_modal' })],
    ['an unknown slash command', () => slashCommand({ command: '/nosuch', text: 'x' })],
  ])('refuses %s with 400 instead of timing out', async (_name, build) => {
    const started = Date.now();
    const response = await world.send(build());
    expect(response.status).toBe(400);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('keeps answering after all of them: no request ended in an unhandled rejection', async () => {
    // Sent here again, so that this test reads the same whichever of the others ran before it.
    for (const [, build] of cases) await world.send(build());
    await world.send(blockAction({ actionId: 'no_such_action', value: 'x' }));
    const help = await world.send(slashCommand({ text: 'help' }));
    expect(help.status).toBe(200);
    expect(JSON.stringify(help.json)).toContain('Audit a repository');
    expect((await world.send(urlVerification('challenge-123'))).json).toEqual({ challenge: 'challenge-123' });
    expect((await world.send(form({ ssl_check: '1' }))).status).toBe(200);
    expect(rejections).toEqual([]);
    // Each refusal is one warning line saying what was wrong (pino: 40 is warn).
    const warnings = world.logs.filter((l) => l.level === 40).map((l) => String(l.msg));
    expect(warnings).toContain('request refused: the body is null, not an object');
    expect(warnings).toContain('refused request: nothing handles no_such_action');
    expect(warnings.some((w) => w.startsWith('refused request: user.id:'))).toBe(true);
  });
});

describe('request timestamps', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(async () => {
    await world.close();
  });

  const now = () => Math.floor(Date.now() / 1000);
  it.each([
    ['one hour ahead', 3600],
    ['one year ahead', 365 * 86400],
    ['six minutes ahead', 360],
    ['one hour old', -3600],
    ['six minutes old', -360],
  ])('refuses a request signed %s with 401', async (_name, offset) => {
    const response = await world.send(slashCommand({ text: 'help' }), { timestamp: now() + offset });
    expect(response.status).toBe(401);
  });

  it.each([
    ['four minutes ahead', 240],
    ['four minutes old', -240],
  ])('accepts a request signed %s (clocks drift)', async (_name, offset) => {
    const response = await world.send(slashCommand({ text: 'help' }), { timestamp: now() + offset });
    expect(response.status).toBe(200);
  });
});

describe('modal metadata and button values that name what they should not', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({ watch: { admins: ['U0ADMIN0001'] } });
  });
  afterAll(async () => {
    await world.close();
  });

  it('refuses the Ignore modal of an /audit reply submitted with metadata the app did not seal (the reported bypass)', async () => {
    await world.audit('octo/shop', { user: 'U0ADMIN0001' });
    const update = await waitFor(() => world.slack.callsTo('chat.update')[0], 'the audit');
    await world.bot.service.idle();
    const reply = world.slack.message(CHANNEL, String(update.params.ts))!;
    const auditId = Number(buttons(reply.blocks).find((b) => b.action_id === 'audit_ignore')!.value!.split(':')[0]);
    // What the modal carried before: plain JSON any signed request could write.
    for (const user of [USER, 'U0ADMIN0001']) {
      const response = await world.send(
        viewSubmission({
          callbackId: IGNORE_MODAL_CALLBACK,
          user,
          privateMetadata: JSON.stringify({ a: auditId, c: CHANNEL, t: reply.ts }),
          values: {
            [IGNORE_BLOCKS.advisory]: { value: { type: 'plain_text_input', value: 'PYSEC-2023-221' } },
            [IGNORE_BLOCKS.reason]: { value: { type: 'plain_text_input', value: 'trust me' } },
          },
        }),
      );
      expect(response.json).toEqual({ response_action: 'errors', errors: { ignore_reason: expect.stringContaining('not valid any more') } });
    }
    expect(await world.bot.service.state.ignoresForRepo('octo/shop')).toEqual([]);
  });

  it('refuses incident modals whose metadata names an incident by plain id, and buttons naming another channel\'s incident', async () => {
    await world.send(slashCommand({ command: '/incident', text: 'start high Elsewhere', channel_id: 'C0ELSEWHERE', user_id: USER, response_url: world.slack.responseUrl('start-elsewhere', { channel: 'C0ELSEWHERE', user: USER }) }));
    const incident = await waitFor(() => listOpenIncidents(world.db, { channel: 'C0ELSEWHERE' }).find((i) => i.rootTs), 'the incident');
    const close = await world.send(viewSubmission({ callbackId: INCIDENT_VIEWS.close, user: USER, privateMetadata: String(incident.id), values: { [INPUTS.summary]: { [INPUTS.summary]: { type: 'plain_text_input', value: 'closed from nowhere' } } } }));
    expect(close.json).toEqual({ response_action: 'errors', errors: { [INPUTS.summary]: expect.stringContaining('not valid any more') } });
    const done = await world.send(blockAction({ actionId: 'incident_step_done', value: `${incident.id}:1:0`, channel: CHANNEL, user: USER }));
    expect(done.status).toBe(200);
    await waitFor(() => world.slack.ephemerals(CHANNEL).find((e) => e.user === USER && e.text.includes('belongs to another channel')), 'the refusal');
    expect(getIncident(world.db, incident.id)).toMatchObject({ status: 'open' });
    expect(world.slack.violations).toEqual([]);
  });
});
