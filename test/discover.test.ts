import { describe, expect, it } from 'vitest';
import { formatForPath, isManifestPath, isProjectContextPath } from '../src/python/discover.js';

describe('manifest discovery by path', () => {
  it.each([
    ['requirements.txt', 'requirements'],
    ['requirements-dev.txt', 'requirements'],
    ['dev-requirements.txt', 'requirements'],
    ['test_requirements.txt', 'requirements'],
    ['requirements/base.txt', 'requirements'],
    ['src/requirements/prod.txt', 'requirements'],
    ['constraints.txt', 'requirements'],
    ['requirements.in', 'requirements'],
    ['requirements/dev.in', 'requirements'],
    ['pyproject.toml', 'pyproject'],
    ['libs/core/pyproject.toml', 'pyproject'],
    ['poetry.lock', 'poetry-lock'],
    ['Pipfile', 'pipfile'],
    ['Pipfile.lock', 'pipfile-lock'],
    ['uv.lock', 'uv-lock'],
    ['pdm.lock', 'pdm-lock'],
    ['pylock.toml', 'pylock'],
    ['pylock.dev.toml', 'pylock'],
    ['services/api/pylock.prod.toml', 'pylock'],
    ['setup.cfg', 'setup-cfg'],
  ])('%s is read as %s', (path, format) => {
    expect(formatForPath(path)).toBe(format);
    expect(isManifestPath(path)).toBe(true);
  });

  it.each(['README.txt', 'docs/notes.txt', 'MANIFEST.in', 'Makefile.in', 'config.h.in', 'setup.py.in', 'package.json', 'tox.ini', 'pylock.a.b.toml', 'mypylock.toml', 'pylock.toml.orig', 'deploy/pylock..toml'])(
    '%s is not a manifest',
    (path) => {
      expect(isManifestPath(path)).toBe(false);
    },
  );

  it.each(['node_modules/x/requirements.txt', '.venv/lib/pyproject.toml', 'venv/requirements.txt', 'a/site-packages/b/setup.cfg', '.git/requirements.txt', '.tox/py3/pyproject.toml'])(
    'skips %s inside directories that are never ours',
    (path) => {
      expect(isManifestPath(path)).toBe(false);
    },
  );

  it('recognises files that say which Python runs the project', () => {
    expect(isProjectContextPath('.python-version')).toBe(true);
    expect(isProjectContextPath('runtime.txt')).toBe(true);
    expect(isProjectContextPath('docker/Dockerfile')).toBe(true);
    expect(isProjectContextPath('Dockerfile.prod')).toBe(true);
    // The Dockerfiles the code scan reads are the ones whose base image says which Python runs.
    for (const path of ['Dockerfile-prod', 'Dockerfile_ci', 'docker/dockerfile', 'Containerfile', 'api.Dockerfile']) expect(isProjectContextPath(path)).toBe(true);
    for (const path of ['Dockerfile.md', 'docs/dockerfile_parser.rs']) expect(isProjectContextPath(path)).toBe(false);
    expect(isProjectContextPath('.github/workflows/ci.yml')).toBe(true);
    expect(isProjectContextPath('.depwatch.yml')).toBe(true);
    expect(isProjectContextPath('.github/ISSUE_TEMPLATE/bug.yml')).toBe(false);
  });
});
