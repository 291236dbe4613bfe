/**
 * `python-eol` reports one finding per end-of-life constraint: a lockfile that repeats its project's
 * Python requirement names a second place of the same finding, never a second finding.
 */
import { describe, expect, it } from 'vitest';
import { auditFileSource } from '../../src/audit/run.js';
import type { Finding } from '../../src/audit/findings.js';
import { memorySource } from '../../src/python/files.js';
import { realMirror } from './helpers.js';

const now = new Date('2026-11-28T12:00:00Z');

const eol = async (files: Record<string, string>): Promise<Finding[]> =>
  (await auditFileSource(memorySource(files), { target: 'app', advisories: await realMirror(), registry: null, now })).findings.filter((f) => f.kind === 'python-eol');

const UV_PYPROJECT = '[project]\nname = "app"\nversion = "1"\nrequires-python = ">=3.8"\ndependencies = ["idna"]\n';
const uvLock = (requiresPython: string) =>
  `version = 1\nrequires-python = "${requiresPython}"\n\n[[package]]\nname = "app"\nversion = "1"\nsource = { editable = "." }\ndependencies = [{ name = "idna" }]\n\n` +
  '[[package]]\nname = "idna"\nversion = "3.7"\nsource = { registry = "https://pypi.org/simple" }\n';

const POETRY_PYPROJECT = '[tool.poetry]\nname = "app"\nversion = "1"\n\n[tool.poetry.dependencies]\npython = "^3.8"\nidna = "^3.7"\n';
const poetryLock = (pythonVersions: string) =>
  `[[package]]\nname = "idna"\nversion = "3.7"\ndescription = ""\noptional = false\npython-versions = ">=3.5"\nfiles = []\n\n[metadata]\nlock-version = "2.0"\npython-versions = "${pythonVersions}"\ncontent-hash = "x"\n`;

describe('a Python requirement a lockfile repeats', () => {
  it("uv.lock's requires-python repeating pyproject.toml's: one finding at the declaration, naming the lock too", async () => {
    const findings = await eol({ 'pyproject.toml': UV_PYPROJECT, 'uv.lock': uvLock('>=3.8') });
    expect(findings).toEqual([
      expect.objectContaining({
        file: 'pyproject.toml',
        line: null,
        version: '3.8',
        severity: 'medium',
        locations: [
          { file: 'pyproject.toml', line: null, role: 'declaration', specifier: '>=3.8' },
          { file: 'uv.lock', line: null, role: 'lock' },
        ],
      }),
    ]);
  });

  it('is the same constraint however uv spaces and orders its clauses', async () => {
    const pyproject = UV_PYPROJECT.replace('">=3.8"', '"<4,>=3.8"');
    expect(await eol({ 'pyproject.toml': pyproject, 'uv.lock': uvLock('>=3.8, <4') })).toHaveLength(1);
  });

  it("poetry.lock's python-versions repeating [tool.poetry.dependencies] python: one finding", async () => {
    const findings = await eol({ 'pyproject.toml': POETRY_PYPROJECT, 'poetry.lock': poetryLock('^3.8') });
    expect(findings.map((f) => [f.file, f.line, f.locations?.map((l) => `${l.file}:${l.role}`)])).toEqual([['pyproject.toml', null, ['pyproject.toml:declaration', 'poetry.lock:lock']]]);
  });

  it("Pipfile.lock's python_version repeating the Pipfile's [requires]: one finding at the Pipfile, naming the lock too", async () => {
    const pipfile = (key: string, version: string) => `[packages]\nidna = "*"\n\n[requires]\n${key} = "${version}"\n`;
    const lock = (key: string, version: string) => JSON.stringify({ _meta: { hash: { sha256: 'x' }, 'pipfile-spec': 6, requires: { [key]: version }, sources: [] }, default: { idna: { version: '==3.7' } }, develop: {} });
    for (const [key, version, specifier] of [['python_version', '3.8', '==3.8.*'], ['python_full_version', '3.8.10', '==3.8.10']] as const) {
      const findings = await eol({ Pipfile: pipfile(key, version), 'Pipfile.lock': lock(key, version) });
      expect(findings.map((f) => [f.file, f.locations])).toEqual([
        [
          'Pipfile',
          [
            { file: 'Pipfile', line: null, role: 'declaration', specifier },
            { file: 'Pipfile.lock', line: null, role: 'lock' },
          ],
        ],
      ]);
    }
    // A lock that says another branch stays its own finding.
    expect(await eol({ Pipfile: pipfile('python_version', '3.8'), 'Pipfile.lock': lock('python_version', '3.7') })).toHaveLength(2);
  });

  it('keeps different constraints apart: a lock that says something else is its own finding', async () => {
    const findings = await eol({ 'pyproject.toml': UV_PYPROJECT, 'uv.lock': uvLock('>=3.9') });
    expect(findings.map((f) => [f.file, f.version, f.locations])).toEqual([
      ['pyproject.toml', '3.8', undefined],
      ['uv.lock', '3.9', undefined],
    ]);
  });

  it('keeps two projects apart even when they write the same constraint', async () => {
    const findings = await eol({ 'a/pyproject.toml': UV_PYPROJECT, 'a/uv.lock': uvLock('>=3.8'), 'b/pyproject.toml': UV_PYPROJECT, 'b/uv.lock': uvLock('>=3.8') });
    expect(findings.map((f) => [f.file, f.locations?.map((l) => l.file)])).toEqual([
      ['a/pyproject.toml', ['a/pyproject.toml', 'a/uv.lock']],
      ['b/pyproject.toml', ['b/pyproject.toml', 'b/uv.lock']],
    ]);
  });

  it('keeps an interpreter pin of the same branch apart: it says which Python runs, not which is allowed', async () => {
    const findings = await eol({ 'pyproject.toml': UV_PYPROJECT, 'uv.lock': uvLock('>=3.8'), '.python-version': '3.8\n' });
    expect(findings.map((f) => [f.file, f.severity])).toEqual(expect.arrayContaining([['.python-version', 'high'], ['pyproject.toml', 'medium']]));
    expect(findings).toHaveLength(2);
  });
});

describe('a conda environment that installs an end-of-life Python', () => {
  const environment = (python: string) => ['name: legacy', 'channels:', '  - conda-forge', 'dependencies:', '  - numpy=1.21', `  - ${python}`, '  - pip:', '    - idna==3.7', ''].join('\n');

  it('is a finding at the python line of environment.yml, with the move said in conda words', async () => {
    const findings = await eol({ 'environment.yml': environment('python=3.7') });
    expect(findings).toEqual([
      expect.objectContaining({
        file: 'environment.yml',
        line: 6,
        version: '3.7',
        severity: 'high',
        details: expect.objectContaining({ branch: '3.7', via: 'conda' }),
        fix: {
          version: null,
          text: 'Python 3.7 reached end of life on 2023-06-27 and gets no security fixes: change `python=3.7` in its `dependencies` to `python=3.12` or newer, then update the environment with `conda env update --file environment.yml --prune`.',
        },
      }),
    ]);
  });

  it('reads the match-spec forms conda users write, in a nested folder too', async () => {
    for (const spec of ['python==3.7.*', 'python 3.7', 'python>=3.6,<3.8', 'conda-forge::python=3.7']) {
      const findings = await eol({ 'envs/ml/environment.yaml': environment(spec) });
      expect(findings.map((f) => [f.file, f.line, f.details?.branch]), spec).toEqual([['envs/ml/environment.yaml', 6, '3.7']]);
    }
  });

  it('says nothing when the environment takes a supported Python or the newest one', async () => {
    expect(await eol({ 'environment.yml': environment('python=3.12') })).toEqual([]);
    expect(await eol({ 'environment.yml': environment('python>=3.6') })).toEqual([]);
  });
});
