/**
 * `/audit` answers in stages: "Auditing…" is replaced by the vulnerability result as soon as it is
 * known, without waiting for PyPI (here PyPI hangs until the test lets it answer), and saying what
 * is still coming; the outdated and yanked details are added to the same message in a second
 * update, and the stored audit is then complete. A PyPI that fails in the second stage makes the
 * reply say it is partial, and why.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runHere } from '../../src/workers/audit-runner.js';
import { blockText, CHANNEL, startWorld, waitFor, type World, latestAudit } from './app-world.js';

describe('a staged /audit reply', () => {
  let world: World | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  /** Sends /audit octo/shop with PyPI hanging; resolves once the first stage is in the channel. */
  async function firstStageWithPypiHanging(w: World) {
    const release = w.pypi.hold();
    await w.audit('octo/shop');
    const first = await waitFor(() => w.slack.callsTo('chat.update')[0], 'the first stage');
    return { release, first, parentTs: String(first.params.ts) };
  }

  const updatesOf = (w: World, ts: string) => w.slack.callsTo('chat.update').filter((c) => c.params.ts === ts);

  it('shows the vulnerabilities while PyPI has not answered, then adds outdated and yanked releases in place', async () => {
    world = await startWorld();
    const { release, first, parentTs } = await firstStageWithPypiHanging(world);

    // PyPI was asked, and has not answered a single request yet.
    expect(world.pypi.held).toBeGreaterThan(0);
    expect(world.pypi.requests).toEqual([]);
    const firstText = blockText(first.params.blocks);
    expect(firstText).toContain('*24 vulnerabilities in 10 releases of 9 packages:*');
    expect(firstText).toContain('PYSEC-2023-221');
    expect(firstText).toContain('*Still coming:* outdated and yanked releases and packages not on the index (reading PyPI); the code and configuration scan');
    expect(firstText).not.toContain('*Outdated:*');
    expect(String(first.params.text)).toContain('still coming');
    const during = (await latestAudit(world, 'octo/shop'));
    expect(during.result.pending).toEqual(['outdated and yanked releases and packages not on the index (reading PyPI)', 'the code and configuration scan']);
    expect(during.result.partial).toBe(true); // fail closed: whoever reads it meanwhile sees it is not whole

    release();
    await world.bot.service.idle();
    const updates = updatesOf(world, parentTs);
    expect(updates.length).toBeGreaterThanOrEqual(2);
    expect(updates[0]).toBe(first);
    const message = world.slack.message(CHANNEL, parentTs)!;
    const thread = world.slack.thread(CHANNEL, parentTs);
    const whole = [message, ...thread].map((m) => blockText(m.blocks)).join('\n');
    expect(whole).toContain('*werkzeug* 0.14.1 → 3.0.1 (major)');
    expect(whole).not.toContain('Still coming');
    expect(message.text).not.toContain('still coming');
    expect(message.text).not.toContain('partial');

    const stored = (await latestAudit(world, 'octo/shop'));
    expect(stored.result.pending).toBeUndefined();
    expect(stored.result.partial).toBe(false);
    expect(stored.result.findings.filter((f) => f.kind === 'outdated').map((f) => f.package).sort()).toEqual(['requests', 'werkzeug']);
    expect(stored.id).toBe(during.id); // completed in place: the first stage's buttons name it
    expect(world.slack.violations).toEqual([]);
  });

  it('says the reply is partial, and why, when PyPI fails in the second stage', async () => {
    world = await startWorld();
    const { release, parentTs } = await firstStageWithPypiHanging(world);
    world.pypi.fail({ status: 503, times: 10_000 });
    release();
    await world.bot.service.idle();

    const message = world.slack.message(CHANNEL, parentTs)!;
    const text = blockText(message.blocks);
    expect(text).toContain('*Partial result:* package registry unavailable');
    expect(text).toContain('outdated and yanked releases and packages not on the index were not checked');
    expect(text).not.toContain('Still coming');
    expect(message.text).toContain('(partial result)');
    const stored = (await latestAudit(world, 'octo/shop'));
    expect(stored.result.partial).toBe(true);
    expect(stored.result.partialReasons?.map((r) => r.message)).toEqual([expect.stringMatching(/^package registry unavailable .*: outdated and yanked releases and packages not on the index were not checked$/)]);
    expect(stored.result.findings.filter((f) => f.kind === 'outdated')).toEqual([]);
  });

  it('ends as the failure, never "Still coming…", when the audit fails while its first stage is being posted', async () => {
    world = await startWorld();
    const w = world;
    const release = w.pypi.hold();
    // A worker killed right after handing over the first stage: the failure races the first stage's insert and edit.
    w.services.runner = {
      ...runHere,
      auditTree: (request, sources, stages) =>
        runHere.auditTree(request, sources, {
          onFirstStage: async (first) => {
            await stages?.onFirstStage?.(first);
            throw new Error('audit worker stopped: over its time budget');
          },
        }),
    };
    await w.audit('octo/shop');
    await waitFor(() => w.slack.callsTo('chat.update').some((c) => String(c.params.text).startsWith('Could not audit')), 'the failure');
    release();
    await w.bot.service.idle();

    const [message] = w.slack.messages(CHANNEL);
    const errorId = /error id (E-[A-Z0-9]{5})/.exec(String(message!.text))?.[1];
    expect(message!.text).toBe(`Could not audit octo/shop: something went wrong (error id ${errorId})`);
    expect(blockText(message!.blocks)).not.toContain('Still coming');
    expect(w.slack.thread(CHANNEL, message!.ts)).toEqual([]);
    // The stored first stage no longer says checks are coming: what was pending is why it is partial.
    const stored = await latestAudit(w, 'octo/shop');
    expect(stored.result.pending).toBeUndefined();
    expect(stored.result.partial).toBe(true);
    expect(stored.result.partialReasons?.at(-1)?.message).toBe(`the audit failed before these were checked (error id ${errorId}): outdated and yanked releases and packages not on the index (reading PyPI); the code and configuration scan`);
    expect(stored.completeness).toMatchObject({ partial: true, pending: [] });
  });

  it('stages through response_url too, within its five posts, when the bot cannot post in the channel', async () => {
    world = await startWorld();
    const release = world.pypi.hold();
    world.slack.failNext('chat.postMessage', 'not_in_channel');
    const { responseId } = await world.audit('octo/shop', { channel: 'G0PRIVATE01' });
    const posts = () => world!.slack.responses.filter((r) => r.id === responseId);
    await waitFor(() => posts().length >= 2, 'the first stage through response_url');
    expect(posts()[1]?.body).toMatchObject({ response_type: 'in_channel', replace_original: true });
    expect(blockText(posts()[1]?.body.blocks)).toContain('*Still coming:*');
    release();
    await world.bot.service.idle();
    expect(posts().length).toBeLessThanOrEqual(5);
    expect(posts().every((p) => p.status === 200)).toBe(true);
    expect(posts()[2]?.body).toMatchObject({ replace_original: true });
    const shown = world.slack.messages('G0PRIVATE01');
    expect(blockText(shown[0]?.blocks)).toContain('Dependency audit: octo/shop');
    expect(shown.map((m) => blockText(m.blocks)).join('\n')).not.toContain('Still coming');
  });

  it('answers in one update when the registry is already faster than the advisories (a repeat)', async () => {
    world = await startWorld();
    await world.audit('octo/shop');
    await waitFor(() => world!.slack.callsTo('chat.update')[0], 'the first audit');
    await world.bot.service.idle();
    const before = world.slack.callsTo('chat.update').length;
    await world.audit('octo/shop');
    const first = await waitFor(() => world!.slack.callsTo('chat.update')[before], 'the repeat');
    await world.bot.service.idle();
    // PyPI answered from its cache before the advisories were in: no "still coming" to take back.
    expect(blockText(first.params.blocks)).not.toContain('Still coming');
    expect(updatesOf(world, String(first.params.ts))).toHaveLength(1);
  });
});
