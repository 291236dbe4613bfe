/**
 * Hostile text end to end, through the real Bolt app and every Slack surface it feeds: a branch
 * named `<!channel>` (valid for git), a manifest path and an unparsable line with mentions and
 * links, an OSV advisory whose summary and details ping everyone, and people typing the same into
 * incident titles, ignore reasons, status updates, skip reasons, action items and summaries.
 * Nothing the fake Slack receives as mrkdwn may carry them unescaped: no ping, no mention, no link.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OsvRecord } from '../../src/advisories/types.js';
import { AUDIT_ACTIONS } from '../../src/slack/blocks/audit-reply.js';
import { IGNORE_BLOCKS, IGNORE_MODAL_CALLBACK } from '../../src/slack/blocks/ignore-modal.js';
import { INCIDENT_ACTIONS } from '../../src/slack/blocks/incident.js';
import { INCIDENT_VIEWS, INPUTS } from '../../src/slack/blocks/incident-modals.js';
import { getIncident, listOpenIncidents } from '../../src/store/incidents.js';
import type { FakeRepoInit } from '../fakes/github.js';
import { HOSTILE, mrkdwnOf, mrkdwnSentTo, unescapedHostile } from '../helpers/mrkdwn-scan.js';
import { blockAction, slashCommand, viewSubmission, type BoltResponse } from '../helpers/slack-requests.js';
import { buttons, CHANNEL, manifest, startWorld, waitFor, type World } from './app-world.js';

const ADMIN = 'U0ADMIN0001';
const BRANCH = '<!channel>';
const PATH = 'requirements/<!here> <@U0EVIL666>.txt';
const FILES = {
  'README.md': '# evil\n',
  Pipfile: manifest('pipenv/Pipfile'),
  'Pipfile.lock': manifest('pipenv/Pipfile.lock'),
  [PATH]: `werkzeug==0.14.1\n<https://evil.example/x|click> <!channel>==1.0 ;; ((\n`,
};
const REPO: FakeRepoInit = { owner: 'octo', name: 'evil', files: FILES, branches: { [BRANCH]: FILES } };
const ADVISORY: OsvRecord = {
  id: 'PYSEC-9999-1',
  modified: '2025-01-01T00:00:00Z',
  published: '2025-01-01T00:00:00Z',
  aliases: ['CVE-9999-0001'],
  summary: `werkzeug summary ${HOSTILE}`,
  details: `Details ${HOSTILE}`,
  affected: [{ package: { ecosystem: 'PyPI', name: 'werkzeug' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '9.9' }] }] }],
  database_specific: { severity: 'CRITICAL' },
};

describe('hostile text through every Slack surface', () => {
  let world: World;
  const acks: BoltResponse[] = [];
  const send = async (...args: Parameters<World['send']>) => {
    const response = await world.send(...args);
    acks.push(response);
    return response;
  };
  const command = (name: string, text: string, id: string) =>
    send(slashCommand({ command: name, text, user_id: ADMIN, channel_id: CHANNEL, response_url: world.slack.responseUrl(id, { channel: CHANNEL, user: ADMIN }) }));

  beforeAll(async () => {
    world = await startWorld({ repos: [REPO], watch: { admins: [ADMIN] }, extraAdvisories: [ADVISORY] });
  });
  afterAll(async () => {
    await world.close();
  });

  it('confirms `/audit watch owner/repo@<!channel>` without pinging the channel', async () => {
    await command('/audit', `watch octo/evil@${BRANCH}`, 'watch');
    const said = await waitFor(() => world.slack.responses.find((r) => r.id === 'watch'), 'the confirmation');
    expect(said.body.response_type).toBe('in_channel');
    expect(String(said.body.text)).toContain('to watch *octo/evil@&lt;!channel&gt;*');
    expect(unescapedHostile(mrkdwnOf(said.body))).toEqual([]);
  });

  it('starts `/incident start high <!channel> …` without pinging the channel', async () => {
    await command('/incident', `start high ${HOSTILE}`, 'incident');
    const incident = await waitFor(() => listOpenIncidents(world.db, { channel: CHANNEL }).find((i) => i.rootTs), 'the incident');
    const root = world.slack.message(CHANNEL, incident.rootTs!)!;
    expect(root.text).toContain('&lt;!channel&gt;');
    expect(unescapedHostile(mrkdwnOf(root))).toEqual([]);
  });

  it('audits the branch, ignores with a hostile reason, runs an incident from the finding, and never lets the text through', async () => {
    await command('/audit', `octo/evil@${BRANCH}`, 'audit');
    const update = await waitFor(() => world.slack.callsTo('chat.update')[0], 'the audit reply');
    await world.bot.service.idle();
    const reply = world.slack.message(CHANNEL, String(update.params.ts))!;
    const replyText = mrkdwnOf(reply).join('\n');
    expect(replyText).toContain('werkzeug summary &lt;!channel&gt;');
    expect(replyText).toContain('&lt;!here&gt;');

    // Ignore… with a hostile reason: the reply is re-rendered with it.
    const ignore = buttons(reply.blocks).find((b) => b.action_id === AUDIT_ACTIONS.ignore)!;
    await send(blockAction({ actionId: ignore.action_id, value: ignore.value!, user: ADMIN, channel: CHANNEL, message_ts: reply.ts }));
    const opened = await waitFor(() => world.slack.callsTo('views.open').find((c) => (c.params.view as { callback_id: string }).callback_id === IGNORE_MODAL_CALLBACK), 'the Ignore modal');
    const updates = world.slack.callsTo('chat.update').length;
    await send(
      viewSubmission({
        callbackId: IGNORE_MODAL_CALLBACK,
        user: ADMIN,
        privateMetadata: (opened.params.view as { private_metadata: string }).private_metadata,
        values: {
          [IGNORE_BLOCKS.advisory]: { value: { type: 'plain_text_input', value: 'PYSEC-2023-221' } },
          [IGNORE_BLOCKS.reason]: { value: { type: 'plain_text_input', value: `reason ${HOSTILE}` } },
        },
      }),
    );
    await waitFor(() => world.slack.callsTo('chat.update').length > updates, 'the re-rendered reply');
    await world.bot.service.idle();

    // Start incident on the hostile advisory, then work it with hostile text everywhere.
    const fresh = world.slack.message(CHANNEL, reply.ts)!;
    const start = buttons(fresh.blocks).find((b) => b.action_id === AUDIT_ACTIONS.incident)!;
    await send(blockAction({ actionId: start.action_id, value: start.value!, user: ADMIN, channel: CHANNEL, message_ts: reply.ts }));
    const incident = await waitFor(() => listOpenIncidents(world.db, { channel: CHANNEL }).find((i) => i.source === start.value && i.rootTs), 'the incident from the finding');
    await command('/incident', `status #${incident.id} conditions: ${HOSTILE} needs: ${HOSTILE}`, 'status');
    // A mention in `/incident action` names the item's owner (that is the command's syntax), so the
    // hostile text here is everything else.
    await command('/incident', `action #${incident.id} rotate ${HOSTILE.replace('<@U0EVIL666> ', '')}`, 'action');
    await send(blockAction({ actionId: INCIDENT_ACTIONS.stepSkip, value: `${incident.id}:2:0`, user: ADMIN, channel: CHANNEL }));
    const skip = await waitFor(() => world.slack.callsTo('views.open').find((c) => (c.params.view as { callback_id: string }).callback_id === INCIDENT_VIEWS.skip), 'the skip modal');
    await send(viewSubmission({ callbackId: INCIDENT_VIEWS.skip, user: ADMIN, privateMetadata: (skip.params.view as { private_metadata: string }).private_metadata, values: { [INPUTS.reason]: { [INPUTS.reason]: { type: 'plain_text_input', value: `skip ${HOSTILE}` } } } }));
    await command('/incident', `close #${incident.id} summary ${HOSTILE}`, 'close');
    await waitFor(() => getIncident(world.db, incident.id)?.status === 'closed' && world.slack.files().some((f) => f.completed), 'the report');
    await world.bot.service.idle();

    const sent = mrkdwnSentTo(world.slack);
    expect(sent.length).toBeGreaterThan(20);
    expect(unescapedHostile(sent)).toEqual([]);
    expect(unescapedHostile(acks.flatMap((a) => mrkdwnOf(a.json)))).toEqual([]);
    // Still readable: the text is there, escaped.
    const all = sent.map((s) => s.text).join('\n');
    for (const typed of ['reason &lt;!channel&gt;', 'skip &lt;!channel&gt;', 'summary &lt;!channel&gt;', 'rotate &lt;!channel&gt;']) expect(all).toContain(typed);
    expect(world.slack.violations).toEqual([]);
  });
});
