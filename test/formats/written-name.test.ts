/**
 * Dependency.writtenName: every format keeps a name as its file writes it (`Zope.Interface`) beside
 * the PEP 503 `name` the audit goes by, so that a BOM can show the spelling the project uses. An
 * entry written in the normalised form carries nothing more, and a name taken from a URL or a file
 * name is not one the file wrote.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadFormatModule } from '../../src/python/formats/lazy.js';
import type { Dependency, ManifestFormat } from '../../src/python/types.js';

/** Each format's file with `Zope.Interface` (written so) and `requests` (already normalised). */
const FILES: Record<ManifestFormat, { file: string; text: string }> = {
  requirements: { file: 'requirements.txt', text: 'Zope.Interface==5.0\nrequests==2.31.0\n' },
  pyproject: { file: 'pyproject.toml', text: '[project]\nname = "app"\nversion = "1"\ndependencies = ["Zope.Interface==5.0", "requests==2.31.0"]\n' },
  'poetry-lock': {
    file: 'poetry.lock',
    text: '[[package]]\nname = "Zope.Interface"\nversion = "5.0"\nfiles = []\n\n[[package]]\nname = "requests"\nversion = "2.31.0"\nfiles = []\n\n[metadata]\nlock-version = "2.0"\n',
  },
  pipfile: { file: 'Pipfile', text: '[packages]\n"Zope.Interface" = "==5.0"\nrequests = "==2.31.0"\n' },
  'pipfile-lock': { file: 'Pipfile.lock', text: JSON.stringify({ _meta: {}, default: { 'Zope.Interface': { version: '==5.0' }, requests: { version: '==2.31.0' } } }) },
  'uv-lock': {
    file: 'uv.lock',
    text: 'version = 1\n\n[[package]]\nname = "Zope.Interface"\nversion = "5.0"\nsource = { registry = "https://pypi.org/simple" }\n\n[[package]]\nname = "requests"\nversion = "2.31.0"\nsource = { registry = "https://pypi.org/simple" }\n',
  },
  'pdm-lock': {
    file: 'pdm.lock',
    text: '[metadata]\nlock_version = "4.5.0"\n\n[[package]]\nname = "Zope.Interface"\nversion = "5.0"\ngroups = ["default"]\n\n[[package]]\nname = "requests"\nversion = "2.31.0"\ngroups = ["default"]\n',
  },
  pylock: {
    file: 'pylock.toml',
    text: 'lock-version = "1.0"\ncreated-by = "test"\n\n[[packages]]\nname = "Zope.Interface"\nversion = "5.0"\nsdist = { url = "https://example.org/z.tar.gz", hashes = { sha256 = "00" } }\n\n[[packages]]\nname = "requests"\nversion = "2.31.0"\nsdist = { url = "https://example.org/r.tar.gz", hashes = { sha256 = "00" } }\n',
  },
  'setup-cfg': { file: 'setup.cfg', text: '[options]\ninstall_requires =\n    Zope.Interface==5.0\n    requests==2.31.0\n' },
  'setup-py': { file: 'setup.py', text: 'from setuptools import setup\nsetup(name="app", install_requires=["Zope.Interface==5.0", "requests==2.31.0"])\n' },
  'conda-env': { file: 'environment.yml', text: 'dependencies:\n  - python=3.11\n  - pip:\n    - Zope.Interface==5.0\n    - requests==2.31.0\n' },
  dockerfile: { file: 'Dockerfile', text: 'FROM python:3.12\nRUN pip install Zope.Interface==5.0 requests==2.31.0\n' },
};

/** The entries read; `said`: the errors expected (a line pip reads with a warning is said on it). */
const read = async (format: ManifestFormat, text = FILES[format].text, said: number[] = []): Promise<Dependency[]> => {
  const module = await loadFormatModule(format);
  const result = module.extract(text, { file: FILES[format].file });
  expect(result.errors.filter((e) => e.note !== true).map((e) => e.line)).toEqual(said);
  return result.dependencies;
};

describe('the name as written', () => {
  beforeAll(async () => {
    await loadFormatModule('setup-py');
  });

  it.each(Object.keys(FILES) as ManifestFormat[])('%s keeps it beside the PEP 503 name, and adds nothing to a name written normalised', async (format) => {
    const dependencies = await read(format);
    const zope = dependencies.find((d) => d.name === 'zope-interface');
    expect(zope?.writtenName).toBe('Zope.Interface');
    const requests = dependencies.find((d) => d.name === 'requests');
    expect(requests).toBeDefined();
    expect(requests).not.toHaveProperty('writtenName');
  });

  it('keeps the spelling of each way a file can name a package: extras, markers, an egg fragment, a Poetry table, a legacy egg pin', async () => {
    const names = (deps: Dependency[]) => deps.map((d) => [d.name, d.writtenName]);
    expect(names(await read('requirements', 'Flask[Async]==2.0 ; python_version >= "3.8"\n-e git+https://github.com/org/My_Lib.git#egg=My_Lib\ngit+https://github.com/org/x.git#egg=Talon_Core==1.6.0.zulip1\n', [3]))).toEqual([
      ['flask', 'Flask'],
      ['my-lib', 'My_Lib'],
      ['talon-core', 'Talon_Core'],
    ]);
    expect(names(await read('pyproject', '[tool.poetry.dependencies]\npython = "^3.9"\nPyYAML = "^6.0"\nSQLAlchemy = { version = "^2.0", extras = ["asyncio"] }\n'))).toEqual([
      ['pyyaml', 'PyYAML'],
      ['sqlalchemy', 'SQLAlchemy'],
    ]);
  });

  it('is not taken from a URL or a file name, which name the project only by how they are built', async () => {
    const dependencies = await read('requirements', 'https://example.org/dist/Zope.Interface-5.0.tar.gz\nhttps://example.org/dist/Zope_Interface-5.0-py3-none-any.whl\n');
    expect(dependencies.map((d) => [d.name, d.version])).toEqual([
      ['zope-interface', '5.0'],
      ['zope-interface', '5.0'],
    ]);
    for (const d of dependencies) expect(d).not.toHaveProperty('writtenName');
  });
});
