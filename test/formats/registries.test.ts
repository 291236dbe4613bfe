import { describe, expect, it } from 'vitest';
import { formatModule, readyFormatReaders } from '../../src/python/formats/index.js';
import { loadFormatModule } from '../../src/python/formats/lazy.js';
import { FORMAT_PATHS } from '../../src/python/formats/paths.js';
import { formatForPath } from '../../src/python/discover.js';

const SAMPLES = [
  'requirements.txt',
  'requirements/dev.in',
  'constraints.txt',
  'setup.in',
  'pyproject.toml',
  'svc/pyproject.toml',
  'poetry.lock',
  'Pipfile',
  'api/Pipfile.lock',
  'uv.lock',
  'pdm.lock',
  'pylock.toml',
  'deploy/pylock.gpu.toml',
  'pylock.a.b.toml',
  'setup.cfg',
  'pkg/setup.py',
  'README.md',
  'NotAPipfile',
  'environment.yml',
  'envs/environment.yaml',
  'my-environment.yml',
  'Dockerfile',
  'deploy/api.Dockerfile',
  'Dockerfile.md',
];

describe('the three ways to a format (paths, the lazy loader, every parser at once)', () => {
  it('discovery tells each format by its paths, in the order it always asked them', () => {
    // Every format once (the table is a Record over ManifestFormat, so none can be left out).
    expect(new Set(FORMAT_PATHS.map((f) => f.format)).size).toBe(FORMAT_PATHS.length);
    expect(FORMAT_PATHS.map((f) => f.format)).toEqual(['requirements', 'pyproject', 'poetry-lock', 'pipfile', 'pipfile-lock', 'uv-lock', 'pdm-lock', 'pylock', 'setup-cfg', 'setup-py', 'conda-env', 'dockerfile']);
    expect(SAMPLES.map(formatForPath)).toEqual([
      'requirements',
      'requirements',
      'requirements',
      null,
      'pyproject',
      'pyproject',
      'poetry-lock',
      'pipfile',
      'pipfile-lock',
      'uv-lock',
      'pdm-lock',
      'pylock',
      'pylock',
      null,
      'setup-cfg',
      'setup-py',
      null,
      null,
      'conda-env',
      'conda-env',
      null,
      'dockerfile',
      'dockerfile',
      null,
    ]);
  });

  it('load the same parser for every format, with credentials redacted alike', async () => {
    const texts: Record<string, string> = {
      requirements: 'django==2.1.5\n--extra-index-url https://user:s3cret@pypi.example/simple\n',
      pyproject: '[project]\nname = "x"\ndependencies = ["pkg @ https://user:s3cret@example.com/pkg.whl"]\n',
      'setup-py': 'setup(install_requires=["pkg @ https://user:s3cret@example.com/pkg.whl"])\n',
      'conda-env': 'dependencies:\n  - pip:\n    - --extra-index-url https://user:s3cret@pypi.example/simple\n    - pkg @ https://user:s3cret@example.com/pkg.whl\n',
      dockerfile: 'FROM python:3.12\nRUN pip install --extra-index-url https://user:s3cret@pypi.example/simple "pkg @ https://user:s3cret@example.com/pkg.whl"\n',
    };
    await readyFormatReaders(FORMAT_PATHS.map((f) => f.format));
    for (const { format } of FORMAT_PATHS) {
      const lazy = await loadFormatModule(format);
      expect(lazy.format).toBe(format);
      expect(await loadFormatModule(format)).toBe(lazy); // loaded once
      const text = texts[format] ?? '';
      const context = { file: 'f' };
      expect(lazy.extract(text, context)).toEqual(formatModule(format).extract(text, context));
    }
    expect(JSON.stringify((await loadFormatModule('requirements')).extract(texts['requirements']!, { file: 'r.txt' }))).not.toContain('s3cret');
    expect(JSON.stringify((await loadFormatModule('pyproject')).extract(texts['pyproject']!, { file: 'pyproject.toml' }))).not.toContain('s3cret');
    const conda = (await loadFormatModule('conda-env')).extract(texts['conda-env']!, { file: 'environment.yml' });
    expect(conda.dependencies.map((d) => d.name)).toEqual(['pkg']);
    expect(JSON.stringify(conda)).not.toContain('s3cret');
    const dockerfile = (await loadFormatModule('dockerfile')).extract(texts['dockerfile']!, { file: 'Dockerfile' });
    expect(dockerfile.dependencies.map((d) => d.name)).toEqual(['pkg']);
    expect(JSON.stringify(dockerfile)).not.toContain('s3cret');
    const setupPy = formatModule('setup-py').extract(texts['setup-py']!, { file: 'setup.py' });
    expect(setupPy.dependencies.map((d) => d.name)).toEqual(['pkg']);
    expect(JSON.stringify(setupPy)).not.toContain('s3cret');
  });
});
