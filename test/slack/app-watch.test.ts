/**
 * Watching through the real Slack surface: `/audit watch|list|unwatch`, the "Watch this repo" button
 * under an audit reply, and "Ignore…" on a new-advisory alert, all over signed HTTP.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ALERT_ACTIONS } from '../../src/slack/blocks/alert.js';
import { IGNORE_BLOCKS } from '../../src/slack/blocks/ignore-modal.js';
import { ALERT_IGNORE_CALLBACK } from '../../src/slack/listeners/actions/alert-ignore.js';
import { blockAction, viewSubmission } from '../helpers/slack-requests.js';
import { buttons, CHANNEL, startWorld, USER, waitFor, type World } from './app-world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const responsesTo = (w: World, id: string) => w.slack.responses.filter((r) => r.id === id);
const responseText = (w: World, id: string) => responsesTo(w, id).map((r) => String((r.body as { text?: unknown }).text ?? '')).join('\n');

describe('watching from Slack', () => {
  it('watches, lists and unwatches a repository with /audit, keeping who did it', async () => {
    world = await startWorld({ watch: {} });
    const w = world;
    const watched = await w.audit('watch octo/shop');
    expect(watched.response.status).toBe(200);
    const said = await waitFor(() => responseText(w, watched.responseId), 'the watch reply');
    expect(said).toContain(`<@${USER}> set this channel to watch *octo/shop*`);
    expect(w.watch!.store.watchesForChannel(CHANNEL).map((r) => r.repo)).toEqual(['octo/shop']);
    expect(w.watch!.store.changes(CHANNEL)[0]).toMatchObject({ userId: USER });

    const list = await w.audit('list');
    expect(await waitFor(() => responseText(w, list.responseId), 'the list')).toContain('octo/shop');

    const missing = await w.audit('watch nobody/nothing');
    expect(await waitFor(() => responseText(w, missing.responseId), 'the refusal')).toMatch(/I can't see nobody\/nothing with the configured GitHub credentials/);

    const unwatched = await w.audit('unwatch octo/shop');
    expect(await waitFor(() => responseText(w, unwatched.responseId), 'the unwatch reply')).toContain('stopped watching *octo/shop*');
    expect(w.watch!.store.watchesForChannel(CHANNEL)).toEqual([]);
    expect(w.slack.violations).toEqual([]);
  });

  it('refuses changes from people who are not admins when DEPWATCH_ADMINS is set', async () => {
    world = await startWorld({ watch: { admins: ['U0ADMIN0001'] } });
    const w = world;
    const { responseId } = await w.audit('watch octo/shop');
    expect(await waitFor(() => responseText(w, responseId), 'the refusal')).toBe('Only Depwatch admins (DEPWATCH_ADMINS) can change what a channel watches.');
    expect(w.watch!.store.watchesForChannel(CHANNEL)).toEqual([]);
  });

  it('watches from the button under an audit reply', async () => {
    world = await startWorld({ watch: {} });
    const w = world;
    await w.audit('octo/shop');
    const reply = await waitFor(() => w.channel().find((m) => buttons(m.blocks).some((b) => b.action_id.includes('watch'))), 'the audit reply');
    const watchButton = buttons(reply.blocks).find((b) => b.action_id.includes('watch'))!;
    const responseUrl = w.slack.responseUrl('watch-click', { channel: CHANNEL, user: USER });
    const res = await w.send(blockAction({ actionId: watchButton.action_id, value: watchButton.value!, channel: CHANNEL, user: USER, message_ts: reply.ts, response_url: responseUrl }));
    expect(res.status).toBe(200);
    expect(await waitFor(() => responseText(w, 'watch-click'), 'the watch reply')).toContain('to watch *octo/shop*');
    expect(w.watch!.store.watchesForChannel(CHANNEL).map((r) => r.repo)).toEqual(['octo/shop']);
  });

  /** octo/branchy: a default branch, a release branch and a tag, each pinning a different requests. */
  const BRANCHY = {
    watch: {},
    repos: [{
      owner: 'octo',
      name: 'branchy',
      files: { 'requirements.txt': 'requests==2.31.0\n' },
      branches: { 'release-2.x': { 'requirements.txt': 'requests==2.19.0\n' } },
      tags: { 'v2.0': { 'requirements.txt': 'requests==2.20.0\n' } },
    }],
  };

  // The button watches a branch the audit named other than the default one; a tag, a commit or the
  // default branch named follows the default branch (a watch of refs/heads/<tag> would find nothing,
  // and a branch watch of the default branch would get no pull request reviews).
  it.each([
    { named: 'release-2.x', watches: 'octo/branchy@release-2.x' },
    { named: 'v2.0', watches: 'octo/branchy' },
    { named: 'main', watches: 'octo/branchy' },
    { named: 'refs/heads/main', watches: 'octo/branchy' },
  ])('after /audit octo/branchy@$named, the button under its reply watches $watches', async ({ named, watches }) => {
    world = await startWorld(BRANCHY);
    const w = world;
    await w.audit(`octo/branchy@${named}`);
    const reply = await waitFor(() => w.channel().find((m) => m.text.startsWith('octo/branchy@') && buttons(m.blocks).some((b) => b.action_id === 'audit_watch_repo')), 'the audit reply');
    await w.bot.service.idle();
    const watchButton = buttons(reply.blocks).find((b) => b.action_id === 'audit_watch_repo')!;
    await w.send(blockAction({ actionId: watchButton.action_id, value: watchButton.value!, channel: CHANNEL, user: USER, message_ts: reply.ts, response_url: w.slack.responseUrl('watch-branch', { channel: CHANNEL, user: USER }) }));
    expect(await waitFor(() => responseText(w, 'watch-branch'), 'the watch reply')).toContain(`to watch *${watches}*`);
    expect(w.watch!.store.watchesForChannel(CHANNEL).map((r) => r.repo)).toEqual([watches]);
  });

  // Audits stored before the snapshot said which branch it read (d68760f) kept whatever ref /audit
  // named as requestedBranch: a tag, a commit, the default branch. Their button watches the default
  // branch instead (saying so in one line when the ref is not a branch), a branch still the branch.
  it.each([
    { stored: 'v2.0', watches: 'octo/branchy', note: '`v2.0` is not a branch of octo/branchy' },
    { stored: 'refs/tags/v2.0', watches: 'octo/branchy', note: '`refs/tags/v2.0` is not a branch of octo/branchy' },
    { stored: 'SHA', watches: 'octo/branchy', note: 'is not a branch of octo/branchy' },
    { stored: 'gone-branch', watches: 'octo/branchy', note: '`gone-branch` is not a branch of octo/branchy' },
    { stored: 'main', watches: 'octo/branchy', note: null },
    { stored: 'refs/heads/main', watches: 'octo/branchy', note: null },
    { stored: 'release-2.x', watches: 'octo/branchy@release-2.x', note: null },
  ])('an audit stored before, naming $stored: the button watches $watches', async ({ stored, watches, note }) => {
    world = await startWorld(BRANCHY);
    const w = world;
    await w.audit('octo/branchy');
    const reply = await waitFor(() => w.channel().find((m) => m.text.startsWith('octo/branchy') && buttons(m.blocks).some((b) => b.action_id === 'audit_watch_repo')), 'the audit reply');
    await w.bot.service.idle();
    const watchButton = buttons(reply.blocks).find((b) => b.action_id === 'audit_watch_repo')!;
    // The record as it was stored then: the ref as typed after `@`.
    const sha = (w.db.prepare('SELECT sha FROM audits WHERE id = ?').get(Number(watchButton.value)) as { sha: string }).sha;
    w.db.prepare('UPDATE audits SET requested_branch = ? WHERE id = ?').run(stored === 'SHA' ? sha : stored, Number(watchButton.value));

    await w.send(blockAction({ actionId: watchButton.action_id, value: watchButton.value!, channel: CHANNEL, user: USER, message_ts: reply.ts, response_url: w.slack.responseUrl('watch-old', { channel: CHANNEL, user: USER }) }));
    const said = await waitFor(() => responseText(w, 'watch-old'), 'the watch reply');
    expect(said).toContain(`to watch *${watches}*`);
    if (note) {
      expect(said).toContain(note);
      expect(said).toContain('so this watches its default branch');
    } else {
      expect(said).not.toContain('is not a branch');
    }
    expect(said.split('\n').length).toBeLessThanOrEqual(note ? 2 : 1);
    expect(w.watch!.store.watchesForChannel(CHANNEL).map((r) => r.repo)).toEqual([watches]);
  });

  it('ignores an alerted advisory for the channel from the alert\'s Ignore… modal', async () => {
    world = await startWorld({ watch: {} });
    const w = world;
    const alert = w.watch!.store.recordAlert({ channel: CHANNEL, advisoryId: 'PYSEC-2023-221', affected: [], now: new Date() });
    const trigger = 'trigger-alert-1';
    await w.send(blockAction({ actionId: ALERT_ACTIONS.ignore, value: String(alert.id), channel: CHANNEL, user: USER, trigger_id: trigger, response_url: w.slack.responseUrl('alert-click', { channel: CHANNEL, user: USER }) }));
    const opened = await waitFor(() => w.slack.callsTo('views.open')[0], 'views.open');
    const raw = opened.params.view;
    const view = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { callback_id: string; private_metadata: string };
    expect(view.callback_id).toBe(ALERT_IGNORE_CALLBACK);

    const missingReason = await w.send(viewSubmission({ callbackId: ALERT_IGNORE_CALLBACK, privateMetadata: view.private_metadata, user: USER, values: { [IGNORE_BLOCKS.advisory]: { value: { type: 'plain_text_input', value: 'PYSEC-2023-221' } } } }));
    expect(missingReason.json).toMatchObject({ response_action: 'errors', errors: { [IGNORE_BLOCKS.reason]: expect.stringMatching(/reason is required/) } });

    const ok = await w.send(
      viewSubmission({
        callbackId: ALERT_IGNORE_CALLBACK,
        privateMetadata: view.private_metadata,
        user: USER,
        values: {
          [IGNORE_BLOCKS.advisory]: { value: { type: 'plain_text_input', value: 'PYSEC-2023-221' } },
          [IGNORE_BLOCKS.reason]: { value: { type: 'plain_text_input', value: 'debug server is never exposed' } },
          [IGNORE_BLOCKS.until]: { value: { type: 'datepicker', selected_date: '2099-01-01' } },
        },
      }),
    );
    expect(ok.status).toBe(200);
    expect(w.watch!.store.ignoresForChannel(CHANNEL)).toEqual([expect.objectContaining({ advisory: 'PYSEC-2023-221', reason: 'debug server is never exposed', until: '2099-01-01', createdBy: USER })]);
    const said = await waitFor(() => w.slack.messages(CHANNEL).find((m) => String(m.text).includes('ignored PYSEC-2023-221')), 'the announcement');
    expect(said.text).toContain('until 2099-01-01');
    expect(w.slack.violations).toEqual([]);
  });

  it('checks the alert\'s Ignore… modal as /audit ignore: an alias of an advisory the channel ignores stays in the modal on the id field; an id the advisory data lacks is stored with the warning in the announcement', async () => {
    world = await startWorld({ watch: {} });
    const w = world;
    const alert = w.watch!.store.recordAlert({ channel: CHANNEL, advisoryId: 'PYSEC-2023-221', affected: [], now: new Date() });
    await w.send(blockAction({ actionId: ALERT_ACTIONS.ignore, value: String(alert.id), channel: CHANNEL, user: USER, response_url: w.slack.responseUrl('alert-click', { channel: CHANNEL, user: USER }) }));
    const opened = await waitFor(() => w.slack.callsTo('views.open')[0], 'views.open');
    const raw = opened.params.view;
    const { private_metadata: sealed } = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { private_metadata: string };
    const submit = (id: string) =>
      w.send(
        viewSubmission({
          callbackId: ALERT_IGNORE_CALLBACK,
          privateMetadata: sealed,
          user: USER,
          values: {
            [IGNORE_BLOCKS.advisory]: { value: { type: 'plain_text_input', value: id } },
            [IGNORE_BLOCKS.reason]: { value: { type: 'plain_text_input', value: 'debug server is never exposed' } },
          },
        }),
      );

    expect((await submit('PYSEC-2023-221')).json).toBeUndefined();
    await waitFor(() => w.slack.messages(CHANNEL).find((m) => String(m.text).includes('ignored PYSEC-2023-221')), 'the first announcement');

    // CVE-2023-46136 is PYSEC-2023-221's alias in the advisory data.
    const alias = await submit('CVE-2023-46136');
    expect(alias.json).toEqual({
      response_action: 'errors',
      errors: { [IGNORE_BLOCKS.advisory]: 'CVE-2023-46136 is already ignored in this channel as PYSEC-2023-221 (the same advisory): nothing to add.' },
    });
    expect(w.watch!.store.ignoresForChannel(CHANNEL).map((i) => i.advisory)).toEqual(['PYSEC-2023-221']);

    expect((await submit('PYSEC-2099-4242')).json).toBeUndefined();
    expect(w.watch!.store.ignoresForChannel(CHANNEL).map((i) => i.advisory).sort()).toEqual(['PYSEC-2023-221', 'PYSEC-2099-4242']);
    const said = await waitFor(() => w.slack.messages(CHANNEL).find((m) => String(m.text).includes('ignored PYSEC-2099-4242')), 'the announcement');
    expect(said.text).toContain(':warning: The advisory data I read has no advisory PYSEC-2099-4242 (nor an alias of that name): check it is not a typo.');
    expect(w.slack.violations).toEqual([]);
  });

  it('keeps the alert\'s Ignore modal open with the error id when the ignore cannot be stored, and logs why under that id', async () => {
    world = await startWorld({ watch: {} });
    const w = world;
    const alert = w.watch!.store.recordAlert({ channel: CHANNEL, advisoryId: 'PYSEC-2023-221', affected: [], now: new Date() });
    await w.send(blockAction({ actionId: ALERT_ACTIONS.ignore, value: String(alert.id), channel: CHANNEL, user: USER, response_url: w.slack.responseUrl('alert-click', { channel: CHANNEL, user: USER }) }));
    const opened = await waitFor(() => w.slack.callsTo('views.open')[0], 'views.open');
    const { private_metadata: sealed } = opened.params.view as { private_metadata: string };
    const values = {
      [IGNORE_BLOCKS.advisory]: { value: { type: 'plain_text_input', value: 'PYSEC-2023-221' } },
      [IGNORE_BLOCKS.reason]: { value: { type: 'plain_text_input', value: 'debug server is never exposed' } },
    };
    const submit = () => w.send(viewSubmission({ callbackId: ALERT_IGNORE_CALLBACK, privateMetadata: sealed, user: USER, values }));

    for (const failing of ['addIgnore', 'alert'] as const) {
      const spy = vi.spyOn(w.watch!.state, failing).mockRejectedValueOnce(new Error('SQLITE_BUSY: database is locked'));
      const response = await submit();
      spy.mockRestore();
      expect(response.status).toBe(200);
      const logged = w.logs.find((l) => l.msg === 'storing an alert ignore failed' && JSON.stringify(l.err).includes('database is locked'));
      expect(logged?.errorId).toMatch(/^E-[A-Z0-9]{5}$/);
      expect(response.json).toEqual({
        response_action: 'errors',
        errors: { [IGNORE_BLOCKS.reason]: `Something went wrong (error id ${String(logged?.errorId)}): what you asked was not done (or not all of it). The details are in Depwatch's log under that id.` },
      });
      w.logs.length = 0;
    }
    expect(w.watch!.store.ignoresForChannel(CHANNEL)).toEqual([]);
  });
});
