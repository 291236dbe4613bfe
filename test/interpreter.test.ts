import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  condaPythonVersion,
  detectPythonVersions,
  eolStatus,
  INTERPRETER_FILES,
  isInterpreterFile,
  lowestAllowedPython,
  PYTHON_BRANCHES,
  pythonBranch,
} from '../src/python/interpreter.js';

const detect = (path: string, text: string) => detectPythonVersions([{ path, text }]);
const versions = (path: string, text: string) => detect(path, text).map((d) => d.version);

describe('end-of-life table', () => {
  it('knows the devguide dates for the recent branches', () => {
    const eol = Object.fromEntries(PYTHON_BRANCHES.map((b) => [b.branch, b.eol]));
    expect(eol).toMatchObject({
      '2.7': '2020-01-01',
      '3.7': '2023-06-27',
      '3.8': '2024-10-07',
      '3.9': '2025-10-31',
      '3.10': '2026-10-31',
      '3.11': '2027-10-31',
      '3.12': '2028-10-31',
      '3.13': '2029-10-31',
      '3.14': '2030-10-31',
    });
    expect(eol['3.15']).toBeDefined();
  });

  it('is end of life from the EOL date itself, counting whole UTC days', () => {
    expect(eolStatus('3.8.18', new Date('2024-10-06T23:59:59Z'))).toEqual({ branch: '3.8', released: '2019-10-14', eol: '2024-10-07', isEol: false, daysLeft: 1 });
    expect(eolStatus('3.8', new Date('2024-10-07T00:00:00Z'))).toMatchObject({ isEol: true, daysLeft: 0 });
    expect(eolStatus('3.8', new Date('2025-10-07T12:00:00Z'))).toMatchObject({ isEol: true, daysLeft: -365 });
    expect(eolStatus('3.9', new Date('2025-10-30T18:00:00Z'))).toMatchObject({ isEol: false, daysLeft: 1 });
    expect(eolStatus('3.9', new Date('2025-10-31T00:00:00Z'))).toMatchObject({ isEol: true, daysLeft: 0 });
    expect(eolStatus('3.12.0rc1', new Date('2026-01-01T00:00:00Z'))).toMatchObject({ branch: '3.12', isEol: false, daysLeft: 1034 });
    expect(eolStatus('2.7.18', new Date('2026-01-01T00:00:00Z'))).toMatchObject({ isEol: true });
  });

  it('has no answer for unknown branches or versions without a minor', () => {
    const today = new Date('2026-01-01T00:00:00Z');
    expect(eolStatus('3', today)).toBeNull();
    expect(eolStatus('4.0', today)).toBeNull();
    expect(eolStatus('3.99', today)).toBeNull();
    expect(eolStatus('pypy3.9', today)).toBeNull();
    expect(pythonBranch('3.10.4')).toBe('3.10');
    expect(pythonBranch('3.1')).toBe('3.1');
  });
});

describe('which files to read', () => {
  it('selects interpreter files anywhere in the tree, and workflows only under .github/workflows', () => {
    for (const p of ['.python-version', 'svc/.python-version', 'runtime.txt', 'Dockerfile', 'docker/Dockerfile.prod', 'api.Dockerfile', '.github/workflows/ci.yml', '.github/workflows/test.yaml', 'pyproject.toml', 'Pipfile', 'setup.cfg', '.tool-versions']) {
      expect(isInterpreterFile(p), p).toBe(true);
    }
    for (const p of ['README.md', 'docs/ci.yml', '.github/dependabot.yml', '.github/workflows/sub/x.yml', 'requirements.txt', 'Dockerfile/README']) {
      expect(isInterpreterFile(p), p).toBe(false);
    }
    expect(INTERPRETER_FILES.map((f) => f.glob)).toContain('**/.python-version');
  });
});

describe('detectPythonVersions', () => {
  it('reads .python-version, skipping system, PyPy and virtualenv names', () => {
    expect(detect('.python-version', '3.11.4\n')).toEqual([{ version: '3.11.4', file: '.python-version', line: 1, via: '.python-version' }]);
    expect(versions('.python-version', '3.12\n')).toEqual(['3.12']);
    expect(versions('.python-version', 'pypy3.9-7.3.11\n')).toEqual([]);
    expect(versions('.python-version', 'system\n')).toEqual([]);
    expect(versions('.python-version', 'my-venv\n')).toEqual([]);
    // pyenv accepts several versions, one per line.
    expect(detect('.python-version', '3.12.1\n\n3.8.18\n').map((d) => [d.version, d.line])).toEqual([['3.12.1', 1], ['3.8.18', 3]]);
  });

  it('reads asdf .tool-versions', () => {
    expect(detect('.tool-versions', 'nodejs 20.11.0\npython 3.10.13 3.9.18\n').map((d) => [d.version, d.line])).toEqual([['3.10.13', 2], ['3.9.18', 2]]);
  });

  it('reads runtime.txt (Heroku)', () => {
    expect(detect('runtime.txt', 'python-3.9.16\n')).toEqual([{ version: '3.9.16', file: 'runtime.txt', line: 1, via: 'runtime.txt' }]);
    expect(versions('runtime.txt', 'pypy3.6-7.3.1\n')).toEqual([]);
  });

  it('reads python base images from Dockerfiles, skipping ARG-built, untagged and non-python images', () => {
    const dockerfile = [
      'ARG PY=3.12',
      'FROM python:${PY}-slim AS deps',
      'FROM python:3.8-slim',
      'from --platform=linux/amd64 docker.io/library/python:3.7 AS builder',
      'FROM python:3.11.4-alpine3.18@sha256:0123456789abcdef',
      'FROM node:20 AS web',
      'FROM python AS untagged',
      'FROM python:slim',
      'FROM cimg/python:3.10',
      'FROM pypy:3.9',
      'FROM ghcr.io/acme/python-base:3.6',
    ].join('\n');
    expect(detect('docker/Dockerfile', dockerfile)).toEqual([
      { version: '3.8', file: 'docker/Dockerfile', line: 3, via: 'dockerfile' },
      { version: '3.7', file: 'docker/Dockerfile', line: 4, via: 'dockerfile' },
      { version: '3.11.4', file: 'docker/Dockerfile', line: 5, via: 'dockerfile' },
      { version: '3.10', file: 'docker/Dockerfile', line: 9, via: 'dockerfile' },
    ]);
  });

  it('reads a real workflow matrix (psf/requests), skipping PyPy and keeping 3.10 as written', () => {
    const text = readFileSync(new URL('./fixtures/manifests/requests/.github/workflows/run-tests.yml', import.meta.url), 'utf8');
    const found = detect('.github/workflows/run-tests.yml', text);
    expect(found.map((d) => d.version)).toEqual(['2.7', '3.6', '3.7', '3.8', '3.9', '3.10', '3.11-dev']);
    expect(found.every((d) => d.via === 'setup-python')).toBe(true);
    expect(found[0]!.line).toBe(12);
    expect(found.at(-1)!.line).toBe(23);
  });

  it('reads scalar, unquoted-number and multi-line setup-python versions', () => {
    const workflow = [
      'jobs:',
      '  lint:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - uses: actions/setup-python@v5',
      '        with:',
      '          python-version: 3.10',
      '  test:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - uses: actions/setup-python@v5',
      '        with:',
      '          python-version: |',
      '            3.9',
      '            3.13',
      '      - uses: actions/setup-python@v5',
      '        with:',
      '          python-version: "3.x"',
      '      - uses: actions/setup-python@v5',
      '        with:',
      '          python-version-file: .python-version',
      '      - uses: actions/setup-python@v5',
      '        with:',
      '          python-version: ${{ inputs.python }}',
    ].join('\n');
    expect(detect('.github/workflows/ci.yaml', workflow).map((d) => [d.version, d.line])).toEqual([
      ['3.10', 7],
      ['3.9', 13],
      ['3.13', 13],
    ]);
  });

  it('expands matrix lists under any key, including include entries, once each', () => {
    const workflow = [
      'jobs:',
      '  test:',
      '    strategy:',
      '      matrix:',
      '        py: ["3.8", "3.12"]',
      '        include:',
      '          - py: "3.13"',
      '    steps:',
      '      - uses: actions/setup-python@v5',
      '        with: { python-version: "${{ matrix.py }}" }',
      '      - uses: actions/setup-python@v5',
      '        with:',
      '          python-version: ${{matrix.py}}',
      '  other:',
      '    steps:',
      '      - uses: actions/checkout@v4',
      '      - run: \'echo "python-version: 3.6"\'',
    ].join('\n');
    expect(detect('.github/workflows/matrix.yml', workflow).map((d) => [d.version, d.line])).toEqual([
      ['3.8', 5],
      ['3.12', 5],
      ['3.13', 7],
    ]);
  });

  it('reports the lowest Python that requires-python allows, and the requirement as written', () => {
    const pyproject = ['[build-system]', 'requires = ["hatchling"]', '', '[project]', 'name = "x"', 'requires-python = ">=3.8, <4"', ''].join('\n');
    expect(detect('pyproject.toml', pyproject)).toEqual([{ version: '3.8', file: 'pyproject.toml', line: 6, via: 'requires-python', constraint: '>=3.8, <4' }]);

    const poetry = ['[tool.poetry]', 'name = "x"', '', '[tool.poetry.dependencies]', 'python = "^3.10"', 'requests = "^2.31"'].join('\n');
    expect(detect('pyproject.toml', poetry)).toEqual([{ version: '3.10', file: 'pyproject.toml', line: 5, via: 'poetry', constraint: '^3.10' }]);

    expect(detect('setup.cfg', '[options]\npackages = find:\npython_requires = >=3.7\n')).toEqual([{ version: '3.7', file: 'setup.cfg', line: 3, via: 'python_requires', constraint: '>=3.7' }]);
    expect(detect('Pipfile', '[packages]\nrequests = "*"\n\n[requires]\npython_version = "3.9"\n')).toEqual([{ version: '3.9', file: 'Pipfile', line: 5, via: 'pipfile', constraint: '3.9' }]);
  });

  it('reads the python package of a conda environment file, on its line, as the Python the environment installs', () => {
    const env = ['name: legacy', 'channels:', '  - conda-forge', 'dependencies:', '  - numpy=1.21', '  - python=3.7', '  - pip', '  - pip:', '    - requests==2.19.0', ''].join('\n');
    expect(detect('environment.yml', env)).toEqual([{ version: '3.7', file: 'environment.yml', line: 6, via: 'conda', constraint: 'python=3.7' }]);
    expect(detect('envs/gpu/environment.yaml', 'dependencies:\n  - conda-forge::python 3.8.*\n')).toEqual([expect.objectContaining({ version: '3.8', line: 2, constraint: 'conda-forge::python 3.8.*' })]);
    // Not a conda environment, or YAML that does not parse: nothing, and no throw.
    expect(detect('environment.yml', 'dependencies: [python=3.7\n')).toEqual([]);
    expect(isInterpreterFile('environment.yml') && isInterpreterFile('a/environment.yaml') && !isInterpreterFile('my-environment.yml')).toBe(true);
  });

  it('takes from a conda match spec the Python conda installs: the newest it allows, nothing when that is the newest Python', () => {
    const cases: [string, string | null][] = [
      ['python=3.7', '3.7'],
      ['python=3.7=h3b4b9b1_0', '3.7'],
      ['python==3.7.*', '3.7'],
      ['python==3.7.3', '3.7.3'],
      ['python 3.7', '3.7'],
      ['python 3.7.* h12345_0', '3.7'],
      ['python 3.7*', '3.7'],
      ['python>=3.6,<3.8', '3.7'],
      ['python >=3.6,<3.8', '3.7'],
      ['python<3.8.2', '3.8'],
      ['python<=3.8', '3.8'],
      ['python~=3.8.1', '3.8'],
      ['python=3.6|3.7', '3.7'],
      ["python[version='>=3.6,<3.8']", '3.7'],
      ['defaults::python=2.7', '2.7'],
      ['Python=3.7', '3.7'],
      // conda takes the newest Python these allow:
      ['python', null],
      ['python>=3.6', null],
      ['python~=3.7', null],
      ['python=3', null],
      ['python>=3.6,!=3.7.*', null],
      ['python=3.7|>=3.10', null],
      // Other packages, and versions not read with confidence:
      ['python-dateutil=2.8', null],
      ['python_abi=3.7', null],
      ['ipython=7.0', null],
      ['python=3.x', null],
    ];
    for (const [spec, version] of cases) expect(condaPythonVersion(spec), spec).toBe(version);
  });

  it('lowestAllowedPython handles the usual specifier shapes', () => {
    expect(lowestAllowedPython('>=3.8')).toBe('3.8');
    expect(lowestAllowedPython('>=3.8.1,<4.0')).toBe('3.8');
    expect(lowestAllowedPython('~=3.9')).toBe('3.9');
    expect(lowestAllowedPython('>=3.7, !=3.7.*')).toBe('3.8');
    expect(lowestAllowedPython('>=2.7, !=3.0.*, !=3.1.*, !=3.2.*')).toBe('2.7');
    expect(lowestAllowedPython('==3.11.*')).toBe('3.11');
    expect(lowestAllowedPython('^2.7 || ^3.6')).toBe('2.7');
    expect(lowestAllowedPython('>=3.6 <3.12')).toBe('3.6');
    expect(lowestAllowedPython('<3.12')).toBeNull();
    expect(lowestAllowedPython('*')).toBeNull();
  });

  it('never throws on broken files and keeps what the others say', () => {
    const found = detectPythonVersions([
      { path: 'pyproject.toml', text: '[project\nrequires-python = ">=3.8"' },
      { path: '.github/workflows/ci.yml', text: 'jobs: [unclosed' },
      { path: 'Pipfile', text: '= = =' },
      { path: 'runtime.txt', text: 'python-3.12.1' },
      { path: 'README.md', text: 'python-3.6' },
    ]);
    expect(found).toEqual([{ version: '3.12.1', file: 'runtime.txt', line: 1, via: 'runtime.txt' }]);
  });
});
