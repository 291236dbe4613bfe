/**
 * Which files the project's own requirements files include at a commit (src/watch/pr-review/includes.ts),
 * over the fake GitHub: at any depth, never from an excluded file, and "cannot tell" when GitHub
 * does not answer (another sweep may tell) or lists only part of the tree (none will).
 */
import { afterEach, expect, it } from 'vitest';
import { excluder } from '../../src/audit/exclude.js';
import { includedAt, mayBeRequirements, rootsReaching } from '../../src/watch/pr-review/includes.js';
import { ROUTES } from '../fakes/github.js';
import { startWorld, type World } from '../github/helpers.js';

const EXCLUDE_CI = excluder([{ path: 'ci/', reason: 'CI helpers', source: '.depwatch.yml' }]);
const FILES = {
  'requirements.txt': 'goodlib==1.1.0\n-r ci/requirements-base.txt\n',
  'ci/requirements-base.txt': 'idna==3.0\n-r requirements-pins.txt\n',
  'ci/requirements-pins.txt': 'certifi==2024.2.2\n',
  // Excluded, so nothing it includes is the project's (unless something else includes it).
  'ci/requirements-lint.txt': '-r requirements-tools.txt\n',
  'ci/requirements-tools.txt': 'ruff==0.1.0\n',
};

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

it('follows the includes of the requirements files that are not excluded, at any depth, and only theirs', async () => {
  world = await startWorld({ repos: [{ owner: 'octo', name: 'layered', files: FILES }] });
  const at = { owner: 'octo', repo: 'layered', oid: world.fake.headSha('octo', 'layered') };
  const reach = await includedAt(world.octokit, at, EXCLUDE_CI);
  expect('included' in reach && [...reach.included].sort()).toEqual(['ci/requirements-base.txt', 'ci/requirements-pins.txt', 'requirements.txt']);
  // The listing, then one query a level.
  expect(reach.requests).toBe(4);
  // What a review reads a changed included file through: the manifests that lead to it, at any depth.
  expect('roots' in reach && rootsReaching(reach, ['ci/requirements-pins.txt'])).toEqual(['requirements.txt']);
  expect('roots' in reach && rootsReaching(reach, ['ci/requirements-tools.txt'])).toEqual([]);
});

it('cannot tell when GitHub does not list the tree (another sweep may), nor when it lists only part of it (none will)', async () => {
  world = await startWorld({ repos: [{ owner: 'octo', name: 'layered', files: FILES }] });
  const at = { owner: 'octo', repo: 'layered', oid: world.fake.headSha('octo', 'layered') };
  world.fake.failRequests({ route: ROUTES.tree, status: 502, times: 5 });
  expect(await includedAt(world.octokit, at, EXCLUDE_CI)).toMatchObject({ recoverable: true, unknown: expect.stringContaining('could not list the files') });
  await world.close();

  world = await startWorld({ repos: [{ owner: 'octo', name: 'layered', files: FILES }], truncateTreesOver: 2 });
  expect(await includedAt(world.octokit, { ...at, oid: world.fake.headSha('octo', 'layered') }, EXCLUDE_CI)).toEqual({ unknown: 'GitHub listed only part of the repository', recoverable: false, requests: 1 });
});

it('follows the includes of every manifest that can name other files: a pyproject.toml\'s and a setup.cfg\'s dynamic dependencies files, and on from those', async () => {
  const files = {
    'pyproject.toml': '[project]\nname = "x"\nversion = "1"\ndynamic = ["dependencies"]\n[tool.setuptools.dynamic]\ndependencies = {file = ["reqs/base.txt"]}\n',
    'reqs/base.txt': '-r more.txt\n',
    'reqs/more.txt': 'idna==3.0\n',
    'lib/setup.cfg': '[options]\ninstall_requires = file: deps.txt\n',
    'lib/deps.txt': 'six==1.16.0\n',
    'uv.lock': 'version = 1\n',
    'notes.txt': 'not included\n',
  };
  world = await startWorld({ repos: [{ owner: 'octo', name: 'dynamic', files }] });
  const at = { owner: 'octo', repo: 'dynamic', oid: world.fake.headSha('octo', 'dynamic') };
  const reach = await includedAt(world.octokit, at, excluder([]));
  expect('included' in reach && [...reach.included].sort()).toEqual(['lib/deps.txt', 'lib/setup.cfg', 'pyproject.toml', 'reqs/base.txt', 'reqs/more.txt']);
  // The lockfile names no other file: never read.
  expect(world.fake.textsRead.some((t) => t.endsWith(':uv.lock'))).toBe(false);
  // What was read on the way is handed back, for the review to reuse.
  expect('texts' in reach && reach.texts.get(`octo/dynamic@${at.oid}:reqs/more.txt`)).toBe('idna==3.0\n');
});

it('gives up past the snapshot limits (10 levels of includes), rather than asking GitHub once a level without end', async () => {
  const files: Record<string, string> = { 'requirements.txt': 'goodlib==1.1.0\n-r ci/1.txt\n' };
  for (let i = 1; i <= 60; i += 1) files[`ci/${i}.txt`] = i < 60 ? `-r ${i + 1}.txt\n` : 'idna==3.0\n';
  world = await startWorld({ repos: [{ owner: 'octo', name: 'deep', files }] });
  const at = { owner: 'octo', repo: 'deep', oid: world.fake.headSha('octo', 'deep') };
  const reach = await includedAt(world.octokit, at, excluder([]));
  expect(reach).toMatchObject({ unknown: 'includes go deeper than 10 levels', recoverable: false });
  expect(reach.requests).toBeLessThanOrEqual(12);
});

it('counts a .in named like anything (dev.in) and its .txt as the project\'s when that .txt says pip-compile compiled it from the .in, as the audit reads them, and follows what the input includes', async () => {
  const compiled = '#\n# This file is autogenerated by pip-compile with Python 3.12\n# by the following command:\n#\n#    pip-compile dev.in\n#\ndjango==2.1.5\n    # via -r dev.in\n';
  const files = {
    'dev.in': 'django>=2\n-r shared.txt\n',
    'dev.txt': compiled,
    'shared.txt': 'six==1.16.0\n',
    // A template beside a hand-written page, and a pair `exclude:` keeps out: not the project's.
    'docs/page.in': 'Hello {{ name }}\n',
    'docs/page.txt': 'Hello\n',
    'ci/tools.in': 'ruff\n',
    'ci/tools.txt': compiled.replaceAll('dev.in', 'tools.in'),
  };
  world = await startWorld({ repos: [{ owner: 'octo', name: 'pairs', files }] });
  const at = { owner: 'octo', repo: 'pairs', oid: world.fake.headSha('octo', 'pairs') };
  const reach = await includedAt(world.octokit, at, EXCLUDE_CI);
  expect('included' in reach && [...reach.included].sort()).toEqual(['dev.in', 'dev.txt', 'shared.txt']);
});

it('takes a file of any name pip could be told to read for a possible requirements file, but not code, docs or other tools\' files', () => {
  for (const path of ['docs/notes.txt', 'dev.in', 'deps/base.pip', 'reqs/common.req', 'deps/prod.lock', 'ci/deps', '.deps', 'Dockerfile', 'ci/requirements.unknownext']) expect(mayBeRequirements(path), path).toBe(true);
  for (const path of ['src/app.py', 'README.md', 'docs/index.RST', 'web/app.tsx', 'package.json', '.github/workflows/ci.yml', 'notebooks/a.ipynb', 'tox.ini', 'ci.v2/logo.png']) expect(mayBeRequirements(path), path).toBe(false);
});

it('tells the includes of a repository with more pip-tools pairs than the include limit (250 `X.in`/`X.txt`): pairs are roots, as discovery reads them, and only what is reached through an include counts toward the limit', async () => {
  const compiledFrom = (input: string) => `#\n# This file is autogenerated by pip-compile with Python 3.12\n# by the following command:\n#\n#    pip-compile ${input}\n#\nidna==3.0\n    # via -r ${input}\n`;
  const files: Record<string, string> = { 'requirements.txt': 'goodlib==1.1.0\n', 'common-pins.txt': 'six==1.16.0\n' };
  for (let i = 0; i < 250; i += 1) {
    files[`envs/env-${i}.in`] = 'idna\n-r ../common-pins.txt\n';
    files[`envs/env-${i}.txt`] = compiledFrom(`env-${i}.in`);
  }
  world = await startWorld({ repos: [{ owner: 'octo', name: 'many', files }] });
  const at = { owner: 'octo', repo: 'many', oid: world.fake.headSha('octo', 'many') };
  const reach = await includedAt(world.octokit, at, excluder([]));
  expect('unknown' in reach ? reach.unknown : null).toBeNull();
  expect('included' in reach && reach.included.has('envs/env-249.in') && reach.included.has('envs/env-249.txt') && reach.included.has('common-pins.txt')).toBe(true);
  // The listing; the roots (251 manifests, 50 a query); the 250 inputs; then shared.txt.
  expect(reach.requests).toBe(1 + 6 + 5 + 1);
});
