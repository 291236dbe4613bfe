/**
 * "Open fix PR" over HTTP (signed Bolt requests): absent unless DEPWATCH_FIX_PRS is on; a click
 * pushes one branch from the audited commit and opens one pull request on the fake GitHub, the
 * reply then shows it; a second click links it; a read-only token gets the missing permission in one
 * line; admins only when DEPWATCH_ADMINS is set; the sweep's hook shows a merge.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { refreshFixPullStates } from '../../src/slack/fix-pr-flow.js';
import { ROUTES } from '../fakes/github.js';
import { blockAction } from '../helpers/slack-requests.js';
import { blockText, buttons, CHANNEL, GITHUB_TOKEN, startFixWorld, USER, waitFor, type World, type WorldOptions } from './app-world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function audited(options: WorldOptions) {
  world = await startFixWorld(options);
  await world.audit('octo/shop');
  await waitFor(() => world!.slack.callsTo('chat.update')[0], 'the audit');
  await world.bot.service.idle();
  const parent = world.channel()[0]!;
  return { w: world, parent };
}

let clicks = 0;
async function click(w: World, parentTs: string, value: string, user = USER) {
  const id = `fix-${++clicks}`;
  const response = await w.send(blockAction({ actionId: 'audit_open_fix_pr', value, user, channel: CHANNEL, message_ts: parentTs, response_url: w.slack.responseUrl(id, { channel: CHANNEL, user }) }));
  expect(response.status).toBe(200);
  await w.bot.service.idle();
  return w.slack.responses.filter((r) => r.id === id).map((r) => JSON.stringify(r.body));
}

const PRIVATE = 'G0PRIVATE01';

const fixButton = (w: World, ts: string) => buttons(w.slack.message(CHANNEL, ts)!.blocks).find((b) => b.action_id === 'audit_open_fix_pr');

describe('Open fix PR', () => {
  it('is not offered while DEPWATCH_FIX_PRS is off (the default)', async () => {
    const { w, parent } = await audited({ githubWrite: true });
    expect(fixButton(w, parent.ts)).toBeUndefined();
    expect(buttons(w.slack.message(CHANNEL, parent.ts)!.blocks).some((b) => b.action_id === 'audit_watch_repo')).toBe(true);
  });

  it('opens one pull request from the audited commit, shows it under the reply, and links it on a second click', async () => {
    const { w, parent } = await audited({ githubWrite: true, env: { DEPWATCH_FIX_PRS: '1' } });
    const button = fixButton(w, parent.ts);
    expect(button?.value).toMatch(/^\d+:[0-9a-f]{16}$/);

    const first = await click(w, parent.ts, button!.value!);
    expect(first.join('\n')).toContain('Opened');
    const pulls = w.github.pulls('octo', 'shop');
    expect(pulls).toHaveLength(1);
    expect(pulls[0]!.head).toMatch(/^depwatch\/fix-/);
    expect(pulls[0]!.body).toContain('Depwatch never edits lockfiles');
    const files = w.github.branchFiles('octo', 'shop', pulls[0]!.head)!;
    expect(files['requirements/main.txt']).not.toBe(w.github.branchFiles('octo', 'shop', 'main')!['requirements/main.txt']);
    expect(files['Pipfile.lock']).toBe(w.github.branchFiles('octo', 'shop', 'main')!['Pipfile.lock']);
    expect(w.github.commitParent(w.github.headSha('octo', 'shop', pulls[0]!.head))).toBe(w.github.headSha('octo', 'shop'));

    const reply = w.slack.message(CHANNEL, parent.ts)!;
    expect(blockText(reply.blocks)).toContain('Fix pull request');
    expect(blockText(reply.blocks)).toContain('open');
    expect(fixButton(w, parent.ts)).toBeUndefined();

    const second = await click(w, parent.ts, button!.value!);
    expect(second.join('\n')).toContain('already has a fix pull request');
    expect(w.github.pulls('octo', 'shop')).toHaveLength(1);

    // The sweep's hook: merged on GitHub → the reply says so.
    w.github.setPullState('octo', 'shop', 1, 'merged');
    expect(await refreshFixPullStates(w.bot.service.fixPrContext(), w.bot.app.client)).toBe(1);
    expect(blockText(w.slack.message(CHANNEL, parent.ts)!.blocks)).toContain('merged');
    expect(w.slack.violations).toEqual([]);
  });

  it('commits the real file: URL credentials and the BOM kept byte for byte, only the pinned version moved', async () => {
    const requirements =
      '\uFEFF--extra-index-url https://${PIP_USER}:${PIP_TOKEN}@pypi.corp/simple\r\n' +
      'private-lib @ git+https://deploy:s3cr3t-d3ploy-t0ken@git.corp/lib.git@v1.0\r\n' +
      'django==2.1.5\r\n';
    world = await startFixWorld({ githubWrite: true, env: { DEPWATCH_FIX_PRS: '1' }, repos: [{ owner: 'octo', name: 'shop', files: { 'requirements.txt': requirements } }] });
    const w = world;
    await w.audit('octo/shop');
    await waitFor(() => w.slack.callsTo('chat.update')[0], 'the audit');
    await w.bot.service.idle();
    const parent = w.channel()[0]!;

    expect((await click(w, parent.ts, fixButton(w, parent.ts)!.value!)).join('\n')).toContain('Opened');
    const [pull] = w.github.pulls('octo', 'shop');
    const committed = w.github.branchFiles('octo', 'shop', pull!.head)!['requirements.txt']!;
    const to = /^django==(\S+)\r$/m.exec(committed)?.[1];
    expect(to).toBeDefined();
    expect(to).not.toBe('2.1.5');
    expect(committed).toBe(requirements.replace('django==2.1.5', `django==${to}`));
    // The real text was read for the commit only: the blob cache still holds none of its secrets.
    const cached = JSON.stringify(w.db.prepare('SELECT text FROM github_blob_cache').all());
    expect(cached).not.toContain('PIP_TOKEN');
    expect(cached).not.toContain('s3cr3t-d3ploy-t0ken');
  });

  it('does not write a fix version PyPI could not vouch for when the audit ran: PyPI failing for django leaves its pin alone, as depwatch fix does', async () => {
    world = await startFixWorld({ githubWrite: true, env: { DEPWATCH_FIX_PRS: '1' }, repos: [{ owner: 'octo', name: 'shop', files: { 'requirements.txt': 'django==2.1.5\n' } }] });
    const w = world;
    w.pypi.fail({ match: 'django', times: 1000, status: 503 });
    await w.audit('octo/shop');
    await waitFor(() => w.slack.callsTo('chat.update')[0], 'the audit');
    await w.bot.service.idle();
    const parent = w.channel()[0]!;
    const button = fixButton(w, parent.ts);
    expect(button).toBeDefined();

    const answers = (await click(w, parent.ts, button!.value!)).join('\n');
    expect(w.github.pulls('octo', 'shop')).toEqual([]);
    expect(answers).toContain('Nothing to rewrite');
    expect(answers).toContain("PyPI's releases of django could not be read");
  });

  it('names the missing GitHub permission in one line when the token may only read', async () => {
    const { w, parent } = await audited({ githubWrite: false, env: { DEPWATCH_FIX_PRS: '1' } });
    const answers = await click(w, parent.ts, fixButton(w, parent.ts)!.value!);
    expect(answers).toHaveLength(1);
    expect(answers[0]).toContain('Contents: Read and write');
    expect(answers[0]).not.toContain('Error');
    expect(w.github.pulls('octo', 'shop')).toEqual([]);
    const everything = JSON.stringify([w.logs, w.slack.responses]);
    expect(everything).not.toContain(GITHUB_TOKEN);
    expect(everything).not.toMatch(/at .*\.ts:\d+/);
  });

  it('shows the pull request on a reply posted through response_url by answering through the click, never chat.update', async () => {
    const w = (world = await startFixWorld({ githubWrite: true, env: { DEPWATCH_FIX_PRS: '1' } }));
    // A private channel the bot is not in: the reply can only be posted, and edited, through response_url.
    w.slack.failNext('chat.postMessage', 'not_in_channel');
    const { responseId } = await w.audit('octo/shop', { channel: PRIVATE });
    await waitFor(() => w.slack.responses.filter((r) => r.id === responseId).length >= 2, 'the reply through response_url');
    await w.bot.service.idle();
    const parent = w.slack.messages(PRIVATE)[0]!;
    const button = buttons(parent.blocks).find((b) => b.action_id === 'audit_open_fix_pr')!;
    // What Slack answers the bot's token for a message in a channel it is not in.
    w.slack.failNext('chat.update', 'channel_not_found');

    const id = 'fix-through-response-url';
    await w.send(blockAction({ actionId: 'audit_open_fix_pr', value: button.value!, user: USER, channel: PRIVATE, message_ts: parent.ts, response_url: w.slack.responseUrl(id, { channel: PRIVATE, user: USER, messageTs: parent.ts }) }));
    await w.bot.service.idle();
    const answers = w.slack.responses.filter((r) => r.id === id).map((r) => r.body);
    expect(w.github.pulls('octo', 'shop')).toHaveLength(1);
    expect(answers).toContainEqual(expect.objectContaining({ response_type: 'ephemeral', text: expect.stringContaining('Opened <') }));
    expect(JSON.stringify(answers)).not.toMatch(/Something went wrong|E-[A-Z0-9]{5}/);
    expect(w.slack.callsTo('chat.update')).toEqual([]);
    const reply = w.slack.message(PRIVATE, parent.ts)!;
    expect(blockText(reply.blocks)).toContain('Fix pull request');
    expect(buttons(reply.blocks).some((b) => b.action_id === 'audit_open_fix_pr')).toBe(false);
    expect(w.slack.violations).toEqual([]);
  });

  it('sends the edit of the reply again when Slack made it but the answer was lost, and shows the pull request', async () => {
    const { w, parent } = await audited({ githubWrite: true, env: { DEPWATCH_FIX_PRS: '1' } });
    const edits = w.slack.callsTo('chat.update').length;
    w.slack.dropNext('chat.update', { handled: true });
    const answers = await click(w, parent.ts, fixButton(w, parent.ts)!.value!);
    expect(answers.join('\n')).toContain('Opened <');
    expect(w.slack.callsTo('chat.update').slice(edits).map((c) => c.status)).toEqual([0, 200]);
    expect(blockText(w.slack.message(CHANNEL, parent.ts)!.blocks)).toContain('Fix pull request');
    expect(w.logs.find((l) => l.msg === 'the edit of an audit reply (fix pull request) got no clear answer from Slack; sending it again')).toMatchObject({ attempt: 1 });
  });

  it('still says the pull request was opened when the reply can no longer be edited', async () => {
    const { w, parent } = await audited({ githubWrite: true, env: { DEPWATCH_FIX_PRS: '1' } });
    // Someone deleted the reply between the audit and the click.
    w.slack.failNext('chat.update', 'message_not_found');
    const answers = await click(w, parent.ts, fixButton(w, parent.ts)!.value!);
    expect(w.github.pulls('octo', 'shop')).toHaveLength(1);
    expect(answers.join('\n')).toContain('Opened <');
    expect(answers.join('\n')).not.toMatch(/Something went wrong|E-[A-Z0-9]{5}/);
  });

  it('links the open pull request from a second audit of the same commit, never opening a second one', async () => {
    const { w, parent } = await audited({ githubWrite: true, env: { DEPWATCH_FIX_PRS: '1' } });
    await w.audit('octo/shop');
    await waitFor(() => w.slack.callsTo('chat.update')[1], 'the second audit');
    await w.bot.service.idle();
    const second = w.channel().at(-1)!;
    expect(second.ts).not.toBe(parent.ts);

    expect((await click(w, parent.ts, fixButton(w, parent.ts)!.value!)).join('\n')).toContain('Opened <');
    const answers = await click(w, second.ts, fixButton(w, second.ts)!.value!);
    expect(w.github.pulls('octo', 'shop')).toHaveLength(1);
    expect(answers.join('\n')).toContain('There already is <https://github.com/octo/shop/pull/1|fix pull request #1>');
    expect(answers.join('\n')).toContain(`, with the same edits, built from this audited commit ${w.github.headSha('octo', 'shop').slice(0, 7)}.`);
    // The second reply shows the pull request too.
    expect(blockText(w.slack.message(CHANNEL, second.ts)!.blocks)).toContain('Fix pull request');
  });

  it('opens a second pull request when a later commit pins the same release in one more file, never linking the first as its fix', async () => {
    world = await startFixWorld({ githubWrite: true, env: { DEPWATCH_FIX_PRS: '1' }, repos: [{ owner: 'octo', name: 'shop', files: { 'requirements.txt': 'requests==2.18.4\n' } }] });
    const w = world;
    await w.audit('octo/shop');
    await waitFor(() => w.slack.callsTo('chat.update')[0], 'the first audit');
    await w.bot.service.idle();
    const first = w.channel()[0]!;
    expect((await click(w, first.ts, fixButton(w, first.ts)!.value!)).join('\n')).toContain('Opened <https://github.com/octo/shop/pull/1|');

    const later = w.github.pushCommit('octo', 'shop', { 'api/requirements.txt': 'requests==2.18.4\n' });
    await w.audit('octo/shop');
    await waitFor(() => w.slack.callsTo('chat.update')[1], 'the second audit');
    await w.bot.service.idle();
    const second = w.channel().at(-1)!;
    const said = (await click(w, second.ts, fixButton(w, second.ts)!.value!)).join('\n');

    expect(said).toContain(`Opened <https://github.com/octo/shop/pull/2|fix pull request #2>`);
    expect(said).toContain(`from the audited commit ${later.slice(0, 7)}`);
    const pulls = w.github.pulls('octo', 'shop');
    expect(pulls.map((p) => p.head)).toEqual([expect.stringMatching(/^depwatch\/fix-requests-[\w.]+-[0-9a-f]{8}-on-main$/), expect.stringMatching(/^depwatch\/fix-requests-[\w.]+-[0-9a-f]{8}-on-main$/)]);
    expect(pulls[1]!.head).not.toBe(pulls[0]!.head);
    expect(w.github.branchFiles('octo', 'shop', pulls[1]!.head)!['api/requirements.txt']).not.toBe('requests==2.18.4\n');
  });

  it('links the open pull request of the same edits from a later commit, saying the earlier commit it was built from', async () => {
    const { w, parent } = await audited({ githubWrite: true, env: { DEPWATCH_FIX_PRS: '1' } });
    const earlier = w.github.headSha('octo', 'shop');
    expect((await click(w, parent.ts, fixButton(w, parent.ts)!.value!)).join('\n')).toContain('Opened <');
    const later = w.github.pushCommit('octo', 'shop', { 'README.md': 'shop\n' });
    await w.audit('octo/shop');
    await waitFor(() => w.slack.callsTo('chat.update')[1], 'the second audit');
    await w.bot.service.idle();
    const second = w.channel().at(-1)!;
    const said = (await click(w, second.ts, fixButton(w, second.ts)!.value!)).join('\n');
    expect(said).toContain('There already is <https://github.com/octo/shop/pull/1|fix pull request #1>');
    expect(said).toContain(`with the same edits, built from commit ${earlier.slice(0, 7)} (this audit read ${later.slice(0, 7)}).`);
    expect(said).not.toContain('from the audited commit');
    expect(w.github.pulls('octo', 'shop')).toHaveLength(1);
  });

  it('links a fix pull request pushed to since by its head, not claiming which commit it was built from', async () => {
    const { w, parent } = await audited({ githubWrite: true, env: { DEPWATCH_FIX_PRS: '1' } });
    const audited1 = w.github.headSha('octo', 'shop');
    expect((await click(w, parent.ts, fixButton(w, parent.ts)!.value!)).join('\n')).toContain('Opened <');
    const branch = w.github.pulls('octo', 'shop')[0]!.head;
    const pushed = w.github.pushCommit('octo', 'shop', { 'NOTES.md': 'reviewed\n' }, { branch, message: 'Note from a reviewer' });
    await w.audit('octo/shop');
    await waitFor(() => w.slack.callsTo('chat.update')[1], 'the second audit');
    await w.bot.service.idle();
    const second = w.channel().at(-1)!;
    const said = (await click(w, second.ts, fixButton(w, second.ts)!.value!)).join('\n');
    expect(said).toContain(`There already is <https://github.com/octo/shop/pull/1|fix pull request #1>`);
    expect(said).toContain(`with the same edits (at head ${pushed.slice(0, 7)}; which commit it was built from could not be told).`);
    expect(said).not.toContain('built from commit');
    expect(said).not.toContain(audited1.slice(0, 7));
  });

  it('opens one pull request on a double click and links it for the second click', async () => {
    const { w, parent } = await audited({ githubWrite: true, env: { DEPWATCH_FIX_PRS: '1' } });
    const value = fixButton(w, parent.ts)!.value!;
    const [first, second] = await Promise.all([click(w, parent.ts, value), click(w, parent.ts, value)]);
    expect(w.github.pulls('octo', 'shop')).toHaveLength(1);
    const said = [first.join('\n'), second.join('\n')];
    expect(said.filter((s) => s.includes('Opened <https://github.com/octo/shop/pull/1|'))).toHaveLength(1);
    expect(said.filter((s) => s.includes('There already is <https://github.com/octo/shop/pull/1|'))).toHaveLength(1);
    expect(said.join('\n')).not.toMatch(/already exists|delete it/);
    // The second click waited for the first in this process: it pushed nothing.
    expect(w.github.count(ROUTES.createRef)).toBe(1);
  });

  it('refuses in one line when main moved since the audit and changed the file the fix rewrites', async () => {
    const { w, parent } = await audited({ githubWrite: true, env: { DEPWATCH_FIX_PRS: '1' } });
    w.github.pushCommit('octo', 'shop', { 'requirements/main.txt': 'flask==3.0.0\n' });
    const answers = await click(w, parent.ts, fixButton(w, parent.ts)!.value!);
    expect(answers).toHaveLength(1);
    expect(JSON.parse(answers[0]!).text).toBe('main moved since this audit and requirements/main.txt changed: run /audit again.');
    expect(w.github.pulls('octo', 'shop')).toEqual([]);
  });

  it('says GitHub rejected the credentials when the token was revoked (401), without "try again"', async () => {
    const { w, parent } = await audited({ githubWrite: true, env: { DEPWATCH_FIX_PRS: '1' } });
    w.github.failRequests({ route: ROUTES.listPulls, status: 401, times: 10, body: { message: 'Bad credentials' } });
    const said = (await click(w, parent.ts, fixButton(w, parent.ts)!.value!)).join('\n');
    expect(said).toContain('GitHub rejected the configured credentials (401 Bad credentials): check GITHUB_TOKEN or the GitHub App settings');
    expect(said).not.toMatch(/did not answer|[Tt]ry again|Something went wrong/);
    expect(JSON.stringify([w.logs, w.slack.responses])).not.toContain(GITHUB_TOKEN);
  });

  it('says GitHub failed, and that trying again may work, when a write step answers 5xx', async () => {
    const { w, parent } = await audited({ githubWrite: true, env: { DEPWATCH_FIX_PRS: '1' } });
    w.github.failRequests({ route: ROUTES.createRef, status: 502, times: 10 });
    const said = (await click(w, parent.ts, fixButton(w, parent.ts)!.value!)).join('\n');
    expect(said).toContain('GitHub answered with an error: GitHub failed the branch creation for octo/shop (HTTP 502');
    expect(said).toContain('Trying again in a few minutes may work.');
    expect(said).not.toContain('Something went wrong');
    expect(w.logs.find((l) => l.msg === 'opening a fix pull request failed')).toMatchObject({ problem: 'service' });
  });

  it('says something went wrong, with an error id and nothing of its insides, when GitHub answers in a shape the flow does not expect', async () => {
    const { w, parent } = await audited({ githubWrite: true, env: { DEPWATCH_FIX_PRS: '1' } });
    // A 200 whose body is not the list of pull requests asked for.
    w.github.failRequests({ route: ROUTES.listPulls, status: 200, times: 10, body: {} });
    const said = (await click(w, parent.ts, fixButton(w, parent.ts)!.value!)).join('\n');
    expect(said).toMatch(/Something went wrong.*E-[A-Z0-9]{5}/);
    expect(said).not.toMatch(/GitHub did not answer|could not be reached|[Tt]ry again|is not a function|undefined/);
    expect(w.logs.find((l) => l.msg === 'opening a fix pull request failed')).toMatchObject({ problem: 'unexpected' });
    expect(w.github.pulls('octo', 'shop')).toEqual([]);
  });

  it('refuses people who are not Depwatch admins, and buttons whose value does not match the audit', async () => {
    const { w, parent } = await audited({ githubWrite: true, env: { DEPWATCH_FIX_PRS: '1', DEPWATCH_ADMINS: 'U0ADMIN0001' } });
    const value = fixButton(w, parent.ts)!.value!;
    expect((await click(w, parent.ts, value)).join('\n')).toContain('Only Depwatch admins (DEPWATCH_ADMINS) can open pull requests');
    const forged = value.replace(/:.*/, ':0123456789abcdef');
    expect((await click(w, parent.ts, forged, 'U0ADMIN0001')).join('\n')).toContain('I no longer have that audit');
    expect(w.github.pulls('octo', 'shop')).toEqual([]);
  });
});
