/**
 * What users see when things go wrong, over HTTP: each failure is an ephemeral answer with an error
 * id that is logged with the full error; never a stack trace or a token. Requests that are not from
 * Slack (bad signature, stale timestamp) are refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postToBolt, signedRequest, slashCommand } from '../helpers/slack-requests.js';
import { blockText, CHANNEL, GITHUB_TOKEN, SIGNING_SECRET, startWorld, waitFor, type World } from './app-world.js';

const ERROR_ID = /E-[A-Z0-9]{5}/;

describe('/audit when things go wrong', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({ osvRetries: 0 });
  });
  afterAll(async () => {
    await world.close();
  });

  /** Runs `/audit text` and returns the ephemeral answer it got through response_url. */
  async function failingAudit(text: string, level = 50) {
    const { responseId } = await world.audit(text);
    const reply = await waitFor(() => world.slack.responses.find((r) => r.id === responseId && r.body.response_type === 'ephemeral'), `the answer to /audit ${text}`);
    await world.bot.service.idle();
    const shown = `${String(reply.body.text)}\n${blockText(reply.body.blocks)}`;
    expect(shown).not.toMatch(/\bat .+:\d+:\d+\)?$/m); // no stack trace
    expect(shown).not.toContain(GITHUB_TOKEN);
    const errorId = ERROR_ID.exec(shown)?.[0];
    expect(errorId).toBeDefined();
    // Error level pages operators: kept for our failures, never a typo (user mistakes are info or warn).
    expect(world.logs.filter((l) => l.errorId === errorId).map((l) => l.level)).toEqual([level]);
    return { shown, errorId: errorId! };
  }

  it('unknown repository: "I can\'t see owner/repo with the configured GitHub credentials"', async () => {
    const { shown, errorId } = await failingAudit('nobody/nothing', 40);
    expect(shown).toContain("I can't see nobody/nothing with the configured GitHub credentials");
    // A typo is the requester's alone: the "Auditing…" the channel saw (an admin's is posted at once) is deleted.
    expect(world.channel().filter((m) => m.text.includes('nobody/nothing') || m.text.includes(errorId))).toEqual([]);
    expect(world.slack.callsTo('chat.delete').at(-1)?.response.ok).toBe(true);
  });

  it('a ref GitHub does not have: answered to the requester once, and the channel keeps nothing of the typo', async () => {
    const posts = world.slack.callsTo('chat.postMessage').length;
    const { responseId } = await world.audit('octo/shop@<!channel>');
    await waitFor(() => world.slack.responses.find((r) => r.id === responseId), 'the answer');
    await world.bot.service.idle();
    const answers = world.slack.responses.filter((r) => r.id === responseId);
    expect(answers.map((r) => [r.body.response_type, r.body.text])).toEqual([['ephemeral', expect.stringMatching(/^octo\/shop has no branch, tag or commit named "&lt;!channel&gt;" \(error id E-[A-Z0-9]{5}\)$/)]]);
    // The placeholder was posted (an admin's is, at once), then deleted rather than edited into a failure.
    const placeholder = world.slack.callsTo('chat.postMessage')[posts];
    expect(String(placeholder?.params.text)).toContain('octo/shop@&lt;!channel&gt;');
    expect(world.slack.callsTo('chat.delete').at(-1)?.params).toMatchObject({ channel: CHANNEL, ts: placeholder?.response.ts });
    expect(world.channel().filter((m) => m.text.includes('channel&gt;'))).toEqual([]);
    expect(world.slack.violations).toEqual([]);
  });

  it('a placeholder that cannot be deleted is edited to a neutral line that does not repeat the typo', async () => {
    world.slack.failNext('chat.delete', 'cant_delete_message');
    const { responseId } = await world.audit('octo/shop@no-such-branch');
    await waitFor(() => world.slack.responses.find((r) => r.id === responseId), 'the answer');
    await world.bot.service.idle();
    expect(world.slack.responses.filter((r) => r.id === responseId)).toHaveLength(1);
    const left = world.channel().filter((m) => m.text.startsWith('No audit was run'));
    expect(left.map((m) => m.text)).toEqual(['No audit was run; <@U0ALICE0001> was told why.']);
    expect(world.channel().filter((m) => m.text.includes('no-such-branch'))).toEqual([]);
  });

  it('no Python manifests: says what was searched and at which commit', async () => {
    const { shown } = await failingAudit('octo/docs', 30);
    const sha = world.github.headSha('octo', 'docs');
    expect(shown).toContain('No Python manifests or lockfiles in *octo/docs*');
    expect(shown).toContain(`|${sha.slice(0, 7)}>`);
    expect(shown).toContain('`requirements*.txt`');
    expect(shown).toContain('`pyproject.toml`');
    expect(shown).toContain('`poetry.lock`');
  });

  it('a branch that does not exist: said to the user, logged as a warning, not an error', async () => {
    const { shown } = await failingAudit('octo/shop@does-not-exist', 40);
    expect(shown).toContain('does-not-exist');
  });

  it('GitHub rate limit: says when it resets, as a time and in minutes', async () => {
    const resetAt = new Date(Date.now() + 17 * 60_000 + 20_000);
    world.github.setRateLimited({ status: 403, resetAt });
    try {
      const { shown } = await failingAudit('octo/shop');
      expect(shown).toMatch(/in 1[78] minutes/);
      expect(shown).toContain(`<!date^${Math.floor(resetAt.getTime() / 1000)}^{time}|`);
      expect(shown).toContain(new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', hour: '2-digit', minute: '2-digit' }).format(resetAt));
    } finally {
      world.github.setRateLimited(null);
    }
  });

  it('anything unexpected: one answer, "Could not audit … something went wrong (error id …)" in the reply\'s place, the details only in the log', async () => {
    const original = world.services.advisories;
    world.services.advisories = () => {
      throw new TypeError(`boom at /srv/secret/path with xoxb-1234-5678-abcdefghijkl`);
    };
    try {
      // One answer: the "Auditing…" the channel saw becomes the failure; no private line repeats its id.
      const { responseId } = await world.audit('octo/shop');
      const failed = await waitFor(() => world.channel().find((m) => m.text.startsWith('Could not audit octo/shop: something went wrong')), 'the failure in the channel');
      await world.bot.service.idle();
      const shown = `${failed.text}\n${blockText(failed.blocks)}`;
      const errorId = ERROR_ID.exec(shown)?.[0] ?? '';
      expect(failed.text).toBe(`Could not audit octo/shop: something went wrong (error id ${errorId})`);
      expect(blockText(failed.blocks)).toContain("The details are in Depwatch's log under its error id.");
      expect(world.slack.responses.filter((r) => r.id === responseId)).toEqual([]);
      expect(world.channel().filter((m) => m.text.includes(errorId))).toHaveLength(1);
      expect(world.logs.filter((l) => l.errorId === errorId).map((l) => l.level)).toEqual([50]);
      expect(shown).not.toMatch(/\bat .+:\d+:\d+\)?$/m);
      expect(shown).not.toContain('boom');
      expect(shown).not.toContain('xoxb-');
      const logged = world.logs.find((l) => l.errorId === errorId);
      expect(JSON.stringify(logged)).toContain('boom');
      expect(JSON.stringify(logged)).not.toContain('abcdefghijkl');
    } finally {
      world.services.advisories = original;
    }
  });

  it('OSV down: a partial result, clearly marked, not an error', async () => {
    // With no retries the audit makes exactly one OSV request (the batch), and it fails.
    world.osv.failNext(1, 503);
    const before = world.slack.callsTo('chat.update').length;
    const { responseId } = await world.audit('octo/shop');
    // On a busy machine the vulnerabilities can be ready before PyPI's refusals are in: then a first
    // stage ("Still coming: …") is posted before the result this test reads, the complete one.
    const update = await waitFor(
      () => world.slack.callsTo('chat.update').slice(before).find((c) => !blockText(c.params.blocks).includes('*Still coming:*')),
      'the partial result',
    );
    await world.bot.service.idle();
    const text = blockText(update.params.blocks);
    expect(text).toContain('⚠️ *Partial result:* advisories unavailable');
    expect(text).toContain('vulnerabilities were NOT checked');
    expect(text).toContain('*Vulnerabilities were not checked*');
    expect(text.indexOf('Partial result')).toBeLessThan(text.indexOf(' packages'));
    expect(world.slack.responses.filter((r) => r.id === responseId && r.body.response_type === 'ephemeral')).toEqual([]);
    expect(world.osv.requests.filter((r) => r.status === 503).length).toBe(1);
  });

  it('PyPI down: a partial result that still lists the vulnerabilities', async () => {
    // A repository whose packages PyPI has never been asked about (answers are cached for an hour).
    world.github.addRepo({ owner: 'octo', name: 'blog', files: { 'requirements.txt': 'django==2.1.5\n' } });
    world.pypi.fail({ match: 'django', times: 100, status: 503 });
    const before = world.slack.callsTo('chat.update').length;
    await world.audit('octo/blog');
    // On a busy machine the vulnerabilities can be ready before PyPI's refusals are in: then a first
    // stage ("Still coming: …") is posted before the result this test reads, the complete one.
    const update = await waitFor(
      () => world.slack.callsTo('chat.update').slice(before).find((c) => !blockText(c.params.blocks).includes('*Still coming:*')),
      'the partial result',
    );
    await world.bot.service.idle();
    const text = blockText(update.params.blocks);
    expect(text).toContain('⚠️ *Partial result:* package registry unavailable');
    expect(text).toMatch(/\*django 2\.1\.5 → [\d.]+ clears \d+ advisories\*/);
    expect(text).toMatch(/ \*(?:Critical|High|Medium|Low|Not rated by the source)\*(?: \(counts as high\))? · <https:\/\/osv\.dev\/vulnerability\/PYSEC-/);
    expect(world.slack.violations).toEqual([]);
  });
});

describe('requests that are not from Slack', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(async () => {
    await world.close();
  });

  it('rejects a forged signature with 401 and does nothing', async () => {
    const signed = signedRequest('not-the-signing-secret', slashCommand({ text: 'octo/shop' }));
    const response = await postToBolt(world.eventsUrl, signed);
    expect(response.status).toBe(401);
    expect(world.slack.calls.filter((c) => c.method !== 'auth.test')).toEqual([]);
  });

  it('rejects a stale timestamp (a replay) with 401', async () => {
    const tenMinutesAgo = Math.floor(Date.now() / 1000) - 600;
    const response = await postToBolt(world.eventsUrl, signedRequest(SIGNING_SECRET, slashCommand({ text: 'octo/shop' }), { timestamp: tenMinutesAgo }));
    expect(response.status).toBe(401);
    expect(world.slack.callsTo('chat.postMessage')).toEqual([]);
  });

  it('accepts the same request correctly signed', async () => {
    const response = await postToBolt(world.eventsUrl, signedRequest(SIGNING_SECRET, slashCommand({ text: 'help', channel_id: CHANNEL })));
    expect(response.status).toBe(200);
  });
});
