/**
 * `/audit package …` through Bolt with signed requests: acked at once, then a placeholder the bot
 * posts, edited into one health card per package (as /audit owner/repo's reply is), every signal with its value and source, the
 * verdict with its reasons; unknown names, typosquat suspects and quarantined projects answered in
 * plain words; everything a package wrote escaped; bad arguments one line each.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdvisoryMirror } from '../../src/advisories/mirror.js';
import { GOODLIB, GOODLIB_REPO, REQUIREMENTS, osvRecord } from '../packages/world.js';
import { blockText, SHOP, startWorld, waitFor, type World } from './app-world.js';

let world: World;
beforeAll(async () => {
  world = await startWorld({
    repos: [SHOP, GOODLIB_REPO],
    cards: {
      projects: [
        GOODLIB,
        ...REQUIREMENTS,
        { name: 'reqeusts', releases: [{ version: '0.0.1', uploadTime: '2026-11-01T00:00:00Z' }] },
        { name: 'evilpkg', releases: [{ version: '1.0', uploadTime: '2026-10-01T00:00:00Z' }], status: 'quarantined', statusReason: 'malware report' },
        { name: 'shadylib', releases: [{ version: '1.0', uploadTime: '2026-10-01T00:00:00Z', yanked: true, yankedReason: '<!channel> broken, see <https://evil.example|docs>' }] },
      ],
    },
  });
});
afterAll(async () => {
  await world.close();
});

/** Where the bot's posts stood when each command was sent: its placeholder is the next one. */
const postsBefore = new Map<string, number>();
async function audit(text: string) {
  const before = world.slack.callsTo('chat.postMessage').length;
  const sent = await world.audit(text);
  postsBefore.set(sent.responseId, before);
  return sent;
}

/** The placeholder the bot posted for one command and what it was edited into, once the background work is done. */
async function answers(responseId: string) {
  const before = postsBefore.get(responseId)!;
  const placeholder = await waitFor(() => world.slack.callsTo('chat.postMessage')[before], 'the placeholder');
  await waitFor(() => world.slack.callsTo('chat.update').some((c) => c.params.ts === placeholder.response.ts), 'the placeholder edited');
  await world.bot.service.idle();
  const edit = world.slack.callsTo('chat.update').filter((c) => c.params.ts === placeholder.response.ts).at(-1)!;
  return [{ body: placeholder.params }, { body: edit.params }];
}

describe('/audit package', () => {
  it('acks at once with no body, then posts a placeholder and replaces it with the card', async () => {
    const { response, responseId } = await audit('package goodlib');
    expect(response.status).toBe(200);
    expect(response.json).toBeUndefined();
    const [placeholder, card] = await answers(responseId);
    expect(blockText(placeholder!.body.blocks)).toContain('checking PyPI, GitHub and the advisories');
    // Edited in place through the Web API: nothing went through response_url.
    expect(world.slack.responses.filter((r) => r.id === responseId)).toEqual([]);
    const text = blockText(card!.body.blocks);
    expect(text).toContain('goodlib 1.2.0');
    expect(text).toContain(':white_check_mark: *ok*');
    // Every family, every signal with its source; the publisher's repository is the verified link.
    for (const family of ['*Releases*', '*People*', '*Supply chain*', '*Weight*', '*Security*', '*Not published anywhere*']) expect(text).toContain(family);
    expect(text).toMatch(/\*Last release:\*.*_\(PyPI Simple API\)_/);
    expect(text).toContain('*Repository archived:* no _(GitHub (repository verified by PEP 740 attestations))_');
    expect(text).toMatch(/\*Test coverage:\* unknown/);
    expect(world.slack.violations).toEqual([]);
  });

  it('answers through response_url where the bot cannot post (a private channel it is not in)', async () => {
    world.slack.failNext('chat.postMessage', 'not_in_channel');
    const { responseId } = await world.audit('package goodlib');
    await waitFor(() => world.slack.responses.filter((r) => r.id === responseId).length >= 2, 'the placeholder and the card');
    await world.bot.service.idle();
    const [placeholder, card] = world.slack.responses.filter((r) => r.id === responseId);
    expect(blockText(placeholder!.body.blocks)).toContain('checking PyPI, GitHub and the advisories');
    expect(card!.body).toMatchObject({ response_type: 'in_channel', replace_original: true, text: 'goodlib 1.2.0: ok' });
  });

  it('answers an unknown name plainly, naming the popular project it resembles', async () => {
    const { responseId } = await audit('package requestss');
    const [, card] = await answers(responseId);
    const text = blockText(card!.body.blocks);
    expect(text).toContain(':no_entry: *avoid*');
    expect(text).toContain('*requestss* is not on the index, and its name looks like *requests*');
    expect(text).not.toContain('*Releases*');
  });

  it('flags a name that exists only as a look-alike of a popular one', async () => {
    const { responseId } = await audit('package reqeusts');
    const [, card] = await answers(responseId);
    const text = blockText(card!.body.blocks);
    expect(text).toContain(':warning: *caution*');
    expect(text).toContain('*reqeusts* exists, but its name looks like the more popular *requests*');
    expect(text).toContain('Name check: looks like requests (swap, warehouse top projects)');
  });

  it('says a quarantined project cannot be installed', async () => {
    const { responseId } = await audit('package evilpkg');
    const [, card] = await answers(responseId);
    const text = blockText(card!.body.blocks);
    expect(text).toContain(':no_entry: *avoid*');
    expect(text).toContain('*evilpkg* is quarantined by the index (suspected malware)');
  });

  it('escapes what a package wrote (a yank reason with a broadcast and a link)', async () => {
    const { responseId } = await audit('package shadylib==1.0');
    const [, card] = await answers(responseId);
    const text = blockText(card!.body.blocks);
    expect(text).toContain('&lt;!channel&gt; broken, see &lt;https://evil.example|docs&gt;');
    expect(text).not.toContain('<!channel>');
    expect(text).toContain(':no_entry: *avoid*');
  });

  // idna 3.0 carries PYSEC-2024-60 in the OSV fixture.
  it('checks several packages in one reply, one card each', async () => {
    const { responseId } = await audit('package goodlib, evilpkg idna==3.0');
    const [, card] = await answers(responseId);
    expect(String(card!.body.text)).toBe('goodlib 1.2.0: ok, evilpkg 1.0: avoid, idna 3.0: avoid');
    // idna names its repository only in its project URLs: shown, and said to be unverified.
    expect(blockText(card!.body.blocks)).toMatch(/\*Claimed repository:\* github\.com\/example\/idna .*_\(PyPI JSON API · unverified\)_/);
  });

  it('refuses a bad argument in one line on the ack, and checks the good ones', async () => {
    const only = await audit('package ../etc/passwd');
    expect(only.response.status).toBe(200);
    const ack = only.response.json as { response_type: string; blocks: unknown };
    expect(ack.response_type).toBe('ephemeral');
    expect(blockText(ack.blocks)).toContain('"../etc/passwd" is not a valid project name');
    expect(blockText(ack.blocks)).toContain('/audit package requests');

    const mixed = await audit('package idna bad==<1');
    const [, card] = await answers(mixed.responseId);
    const text = blockText(card!.body.blocks);
    expect(text).toContain('expected name or name==version');
    expect(text).toContain('idna 3.0');
  });

  it('refuses name and version the wrong way round in one ephemeral line, saying what was meant: no card about a project called 2.1.5', async () => {
    const before = world.slack.responses.length;
    const reversed = await audit('package 2.1.5==django');
    const ack = reversed.response.json as { response_type: string; text: string; blocks: unknown };
    expect(ack.response_type).toBe('ephemeral');
    expect(blockText(ack.blocks)).toContain('"2.1.5==django" is not name==version: "django" is not a version and "2.1.5" is one; did you mean django==2.1.5?');
    await world.bot.service.idle();
    expect(world.slack.responses.length).toBe(before);
  });

  it('reads name == version typed with spaces as one argument, never as a card about the version', async () => {
    for (const typed of ['package idna == 3.0', 'package idna ==3.0', 'package idna== 3.0']) {
      const { responseId } = await audit(typed);
      const [placeholder, card] = await answers(responseId);
      expect(String(placeholder!.body.text), typed).toContain('idna');
      expect(String(card!.body.text), typed).toBe('idna 3.0: avoid');
    }
    const spacedReversed = await audit('package 2.1.5 == django');
    expect(blockText((spacedReversed.response.json as { blocks: unknown }).blocks)).toContain('did you mean django==2.1.5?');
  });

  it('PyPI failing for one package makes its card partial (never ok), and the other card is whole', async () => {
    world.pypi.fail({ match: '/simple/certifi', times: 5, status: 503 });
    world.pypi.fail({ match: '/pypi/certifi', times: 5, status: 503 });
    const { responseId } = await audit('package certifi goodlib');
    const [, card] = await answers(responseId);
    const text = blockText(card!.body.blocks);
    expect(text).toMatch(/certifi[\s\S]*:warning: \*caution\* · _partial: not everything could be read_/);
    expect(text).toContain('PyPI answered 503');
    expect(text).toContain('goodlib 1.2.0');
    expect(text).not.toMatch(/at .*\.ts:\d+/);
  });
});

describe('/audit package when the cards cannot be built', () => {
  let broken: World;
  beforeAll(async () => {
    broken = await startWorld({ repos: [SHOP], cards: { projects: [GOODLIB] } });
    // The local advisory mirror the name check reads is unreadable: building the sources fails.
    broken.db.exec('ALTER TABLE advisory_packages RENAME TO advisory_packages_gone');
  });
  afterAll(async () => {
    await broken.close();
  });

  it('replaces "checking…" in the channel with one line and the error id, and tells the asker privately', async () => {
    const posts = broken.slack.callsTo('chat.postMessage').length;
    const { responseId } = await broken.audit('package goodlib');
    const placeholder = await waitFor(() => broken.slack.callsTo('chat.postMessage')[posts], 'the placeholder');
    const replaced = await waitFor(() => broken.slack.callsTo('chat.update').find((c) => c.params.ts === placeholder.response.ts), 'the placeholder edited');
    await broken.bot.service.idle();
    expect(blockText(placeholder.params.blocks)).toContain('checking PyPI, GitHub and the advisories');
    const told = broken.slack.responses.find((r) => r.id === responseId && r.body.response_type === 'ephemeral')!;
    const errorId = /error id (E-[A-Z0-9]{5})/.exec(String(told.body.text))?.[1];
    expect(errorId).toBeDefined();
    expect(replaced.params.text).toBe(`Could not check goodlib (error id ${errorId})`);
    expect(blockText(replaced.params.blocks)).toContain(':warning: Could not check *goodlib*;');
    expect(blockText(replaced.params.blocks)).not.toContain('checking');
    expect(broken.slack.violations).toEqual([]);
  });
});

describe('/audit package when OSV is down: the local mirror answers for it, as for /audit owner/repo', () => {
  let down: World;
  beforeAll(async () => {
    down = await startWorld({ repos: [SHOP, GOODLIB_REPO], cards: { projects: [GOODLIB, ...REQUIREMENTS] } });
    // Synced two days ago: too old to answer in OSV's place, so OSV is asked first.
    const synced = new Date(Date.now() - 48 * 3_600_000);
    const mirror = new AdvisoryMirror(down.db);
    await mirror.importRecords([{ ...osvRecord('PYSEC-2025-7', 'goodlib', { fixed: '1.1.0' }), modified: synced.toISOString() }]);
    mirror.markSynced(synced, 'test');
  });
  afterAll(async () => {
    await down.close();
  });

  async function card(text: string) {
    const posts = down.slack.callsTo('chat.postMessage').length;
    await down.audit(text);
    const placeholder = await waitFor(() => down.slack.callsTo('chat.postMessage')[posts], 'the placeholder');
    await waitFor(() => down.slack.callsTo('chat.update').some((c) => c.params.ts === placeholder.response.ts), 'the placeholder edited');
    await down.bot.service.idle();
    return blockText(down.slack.callsTo('chat.update').filter((c) => c.params.ts === placeholder.response.ts).at(-1)!.params.blocks);
  }

  it('a stale mirror makes the card partial, saying OSV did not answer and what the mirror could not vouch for; once OSV is back it answers', async () => {
    down.osv.failNext(2, 503);
    const text = await card('package goodlib==1.2.0');
    expect(text).toContain('_partial: not everything could be read_');
    expect(text).toContain('the local advisory mirror answered for OSV, but it was last synced');
    expect(text).toMatch(/OSV did not answer \(OSV answered 503 .*\); used the local advisory mirror instead/);
    expect(text).toContain('1 advisory in all releases');

    down.osv.resetCounts();
    const again = await card('package goodlib==1.2.0');
    expect(down.osv.requests.length).toBeGreaterThan(0);
    expect(again).not.toContain('partial');
    expect(again).not.toContain('OSV did not answer');
    expect(down.slack.violations).toEqual([]);
  });
});
