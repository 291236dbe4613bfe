/**
 * /audit replies that could not read everything: a lockfile that could not be read, an included file
 * GitHub would not hand over, and a tree too large to list, are partial results, marked at the top with what was not read and why, and never
 * the green "No known vulnerabilities" nor "no Python manifests".
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_TREE_REQUESTS } from '../../src/github/snapshot.js';
import { gitBlobShaOf, ROUTES, submoduleAt } from '../fakes/github.js';
import { blockText, startWorld, waitFor, type World, latestAudit } from './app-world.js';

describe('a lockfile that could not be read', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({
      repos: [{ owner: 'octo', name: 'locked', files: { 'pyproject.toml': '[project]\nname = "app"\ndependencies = ["urllib3"]\n', 'poetry.lock': '[[package]]\nname = "urllib3"\nversion = "1.24.1"\n<<<<<<< HEAD\n' } }],
    });
  });
  afterAll(async () => {
    await world.close();
  });

  it('marks the reply partial, naming the file that was not read', async () => {
    await world.audit('octo/locked');
    const update = await waitFor(() => world.slack.callsTo('chat.update')[0], 'the audit reply');
    await world.bot.service.idle();
    const text = blockText(update.params.blocks);
    expect(text).toMatch(/⚠️ \*Partial result:\* poetry\.lock:\d+ not read completely: poetry\.lock is not valid TOML/);
    expect(text).toContain(':warning: *No known vulnerabilities in what could be read* (see above)');
    expect(text).not.toContain(':white_check_mark:');
    expect(String(update.params.text)).toMatch(/^octo\/locked@[0-9a-f]{7} \(partial result.*\): no known vulnerabilities in what could be read, /);
    const stored = (await latestAudit(world, 'octo/locked'));
    expect(stored.result.partialReasons).toEqual([expect.objectContaining({ kind: 'unread', file: 'poetry.lock' })]);
    expect(world.slack.violations).toEqual([]);
  });
});

describe('an included file GitHub fails to hand over', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({ repos: [{ owner: 'octo', name: 'incl', files: { 'requirements.txt': 'urllib3==1.24.1\n-r ci/base.txt\n', 'ci/base.txt': 'idna==3.0\n' } }] });
    world.github.failRequests({ route: ROUTES.blob, status: 502, times: 100, pathContains: gitBlobShaOf('idna==3.0\n') });
  });
  afterAll(async () => {
    await world.close();
  });

  it('says once that it could not be downloaded, never "file not found", and audits the rest as a partial result', async () => {
    await world.audit('octo/incl');
    const update = await waitFor(() => world.slack.callsTo('chat.update')[0], 'the audit reply');
    await world.bot.service.idle();
    const text = blockText(update.params.blocks);
    expect(text).toContain('⚠️ *Partial result:* ci/base.txt not read completely: could not be downloaded from GitHub: HTTP 502 (Server Error)');
    // One line among the problems: the snapshot's and the loader's are the same line, said once.
    expect(text.split('\n').filter((l) => l.startsWith(':x:'))).toEqual([':x: ci/base.txt: could not be downloaded from GitHub: HTTP 502 (Server Error) (included by requirements.txt:2)']);
    expect(text).not.toContain('file not found');
    const stored = await latestAudit(world, 'octo/incl');
    expect(stored.result.partialReasons).toEqual([expect.objectContaining({ kind: 'unread', file: 'ci/base.txt', message: 'could not be downloaded from GitHub: HTTP 502 (Server Error) (included by requirements.txt:2)' })]);
    expect(stored.result.dependencies).toBe(1);
    expect(world.slack.violations).toEqual([]);
  });
});

describe('a tree too large to list completely', () => {
  // More directories than a snapshot lists once GitHub truncates the recursive tree; the only
  // manifest sits in the last one, which is never reached.
  const directories = Object.fromEntries(Array.from({ length: DEFAULT_MAX_TREE_REQUESTS + 20 }, (_, i) => [`d${String(i).padStart(4, '0')}/notes.md`, 'x\n']));
  let world: World;
  beforeAll(async () => {
    world = await startWorld({
      truncateTreesOver: 10,
      repos: [{ owner: 'octo', name: 'huge', files: { ...directories, 'zz-service/requirements.txt': 'urllib3==1.24.1\n' } }],
    });
  });
  afterAll(async () => {
    await world.close();
  });

  it('audits what was listed as a partial result, instead of saying the repository has no manifests', async () => {
    const { responseId } = await world.audit('octo/huge');
    const update = await waitFor(() => world.slack.callsTo('chat.update')[0], 'the audit reply');
    await world.bot.service.idle();
    const text = blockText(update.params.blocks);
    expect(text).toContain('Dependency audit: octo/huge');
    expect(text).toMatch(/⚠️ \*Partial result:\* \(tree\) not read completely: the repository is too large to list completely: \d+ directories were not read/);
    expect(text).toContain(':warning: *No known vulnerabilities in what could be read* (see above)');
    // Not the error that says every directory was searched.
    expect(text).not.toContain('No Python manifests or lockfiles');
    expect(world.slack.responses.filter((r) => r.id === responseId)).toEqual([]);
    expect((await latestAudit(world, 'octo/huge')).result.partial).toBe(true);
    expect(world.slack.violations).toEqual([]);
  });
});

describe('a repository whose only content beyond docs is git submodules', () => {
  // A superproject: its Python lives in submodules, other repositories a snapshot never has.
  const LIB = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
  let world: World;
  beforeAll(async () => {
    world = await startWorld({ repos: [{ owner: 'octo', name: 'meta', files: { 'README.md': 'see the submodules\n', 'services/api': submoduleAt(LIB) } }] });
  });
  afterAll(async () => {
    await world.close();
  });

  it('is a partial result naming the submodule it did not read, not "no Python manifests" as if the repository were clean', async () => {
    const { responseId } = await world.audit('octo/meta');
    const update = await waitFor(() => world.slack.callsTo('chat.update')[0], 'the audit reply');
    await world.bot.service.idle();
    const text = blockText(update.params.blocks);
    expect(text).toContain('⚠️ *Partial result:* no Python manifest or lockfile was found to audit: nothing was checked');
    expect(text).toContain('services/api (at a1b2c3d): a git submodule, another repository whose files were not audited');
    expect(text).not.toContain('No Python manifests or lockfiles in');
    expect(world.slack.responses.filter((r) => r.id === responseId)).toEqual([]);
    const stored = await latestAudit(world, 'octo/meta');
    expect(stored.result.partial).toBe(true);
    expect(stored.result.partialReasons).toEqual([expect.objectContaining({ kind: 'no-manifests' })]);
    expect(stored.result.notices).toContainEqual(expect.stringMatching(/^services\/api \(at a1b2c3d\): a git submodule/));
    expect(world.slack.violations).toEqual([]);
  });
});

describe('an /audit reply when OSV could not be reached', () => {
  let world: World | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  it('says in its notification text that vulnerabilities were not checked, partial first', async () => {
    world = await startWorld({ osvRetries: 0 });
    const w = world;
    w.osv.failNext(1000, 503);
    await w.audit('octo/shop');
    await waitFor(() => w.slack.callsTo('chat.update').at(-1), 'the audit reply');
    await w.bot.service.idle();
    const last = w.slack.callsTo('chat.update').at(-1)!;
    expect(blockText(last.params.blocks)).toContain('*Vulnerabilities were not checked*');
    expect(String(last.params.text)).toMatch(/^octo\/shop@[0-9a-f]{7} \(partial result\): vulnerabilities NOT checked, \d+ other findings/);
    expect(String(last.params.text)).not.toContain('no known vulnerabilities');
  });
});
