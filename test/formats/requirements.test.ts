import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { stripUrlCredentials } from '../../src/python/urls.js';
import { describe, expect, it } from 'vitest';
import {
  extractRequirements,
  requirementsFormat,
  shlexSplit,
} from '../../src/python/formats/requirements.js';
import type { Dependency, ExtractResult } from '../../src/python/types.js';

const MANIFESTS = fileURLToPath(new URL('../fixtures/manifests/', import.meta.url));

function fixture(path: string): string {
  return readFileSync(MANIFESTS + path, 'utf8');
}

function extract(text: string, kind?: 'requirement' | 'constraint'): ExtractResult {
  return extractRequirements(text, kind ? { file: 'req.txt', kind } : { file: 'req.txt' });
}

function only(text: string): Dependency {
  const result = extract(text);
  expect(result.errors).toEqual([]);
  expect(result.dependencies).toHaveLength(1);
  return result.dependencies[0] as Dependency;
}

function errorFor(text: string): string {
  const result = extract(text);
  expect(result.dependencies).toEqual([]);
  expect(result.errors).toHaveLength(1);
  return result.errors[0]?.message ?? '';
}

describe('requirementsFormat.matches', () => {
  it.each([
    'requirements.txt',
    'requirements-dev.txt',
    'requirements_test.txt',
    'dev-requirements.txt',
    'docs/requirements.txt',
    'requirements/base.txt',
    'src/app/requirements/prod/extra.txt',
    'constraints.txt',
    'constraints-py311.txt',
    'requirements.in',
    'requirements/dev.in',
    'dev-requirements.in',
    'constraints.in',
    'reqs.in',
    'requirements.d/test.in',
    // A name that says requirements wins over a template's first word (`config…`).
    'config-requirements.in',
    'setup_requirements.in',
  ])('reads %s', (path) => {
    expect(requirementsFormat.matches(path)).toBe(true);
  });

  // A `.in` whose name does not say requirements (`dev.in`, ansible's `template.in`) is not one by its
  // path: discovery reads it when the `.txt` beside it was compiled from it (test/load.test.ts).
  it.each(['README.txt', 'setup.cfg', 'pyproject.toml', 'MANIFEST.in', 'Makefile.in', 'config.h.in', 'setup.cfg.in', 'requirements/Makefile.in', 'dev.in', 'template.in', 'docs/notes.txt', 'LICENSE.txt'])(
    'ignores %s',
    (path) => {
      expect(requirementsFormat.matches(path)).toBe(false);
    },
  );

  it('declares its format', () => {
    expect(requirementsFormat.format).toBe('requirements');
  });
});

describe('line grammar', () => {
  it('reads a plain pin with everything the contract asks for', () => {
    expect(only('Django==2.1.5')).toEqual({
      name: 'django',
      writtenName: 'Django',
      version: '2.1.5',
      specifier: '==2.1.5',
      extras: [],
      marker: null,
      source: 'registry',
      editable: false,
      kind: 'requirement',
      group: 'main',
      direct: true,
      file: 'req.txt',
      line: 1,
    });
  });

  it('skips comments and blank lines and strips inline comments only after whitespace', () => {
    const result = extract('# heading\n\n   # indented comment\nrequests==2.31.0  # pinned for py3.7\nfoo==1.0#nope\n');
    expect(result.dependencies.map((d) => [d.name, d.line])).toEqual([['requests', 4]]);
    expect(result.errors).toEqual([{ file: 'req.txt', line: 5, message: expect.stringContaining("Invalid requirement: 'foo==1.0#nope'") }]);
  });

  it('joins backslash continuations and reports the line where the entry starts', () => {
    const result = extract('alpha==1 \\\n    --hash=sha256:aaaa \\\n    --hash=sha256:bbbb\nbeta\\\n-gamma==2\n');
    expect(result.dependencies.map((d) => [d.name, d.line, d.hashes])).toEqual([
      ['alpha', 1, ['sha256:aaaa', 'sha256:bbbb']],
      ['beta-gamma', 4, undefined],
    ]);
  });

  it('ends a continuation at a comment line', () => {
    const result = extract('first \\\n# a comment\nsecond==1\n');
    expect(result.dependencies.map((d) => [d.name, d.line])).toEqual([
      ['first', 1],
      ['second', 3],
    ]);
  });

  it('handles CRLF files and a byte-order mark', () => {
    const result = extract('\ufeffsix==1.16.0\r\nidna==3.4\r\n');
    expect(result.dependencies.map((d) => [d.name, d.version, d.line])).toEqual([
      ['six', '1.16.0', 1],
      ['idna', '3.4', 2],
    ]);
  });

  it('normalises specifiers, extras and markers', () => {
    const dep = only('Flask [Async, dotenv] >= 2.0 , < 3 ; python_version>="3.8" and os.name == \'posix\'');
    expect(dep.name).toBe('flask');
    expect(dep.extras).toEqual(['async', 'dotenv']);
    expect(dep.specifier).toBe('<3,>=2.0');
    expect(dep.version).toBeNull();
    expect(dep.marker).toBe('python_version >= "3.8" and os_name == "posix"');
  });

  it('pins exact versions, including ===, local labels, but not wildcards', () => {
    const result = extract('a==1.0+cu118\nb===2021.1-custom\nc==1.24.*\nd~=1.4\n');
    expect(result.dependencies.map((d) => [d.name, d.version, d.specifier])).toEqual([
      ['a', '1.0+cu118', '==1.0+cu118'],
      ['b', '2021.1-custom', '===2021.1-custom'],
      ['c', null, '==1.24.*'],
      ['d', null, '~=1.4'],
    ]);
  });

  it('splits the marker at the first semicolon, like pip (no space needed)', () => {
    expect(only('six;python_version<"3"').marker).toBe('python_version < "3"');
    expect(only('mylib @ https://example.com/mylib-1.0.tar.gz;python_version<"3"').marker).toBe('python_version < "3"');
  });
});

describe('includes and options', () => {
  it('returns -r and -c references as written, in every spelling', () => {
    const result = extract('-r base.txt\n--requirement=dev.txt\n-rother.txt\n-c constraints.txt\n--constraint ../c2.txt\n');
    expect(result.includes).toEqual([
      { path: 'base.txt', kind: 'requirement', line: 1 },
      { path: 'dev.txt', kind: 'requirement', line: 2 },
      { path: 'other.txt', kind: 'requirement', line: 3 },
      { path: 'constraints.txt', kind: 'constraint', line: 4 },
      { path: '../c2.txt', kind: 'constraint', line: 5 },
    ]);
    expect(result.dependencies).toEqual([]);
  });

  it('records index and install options by their long name, without credentials', () => {
    const result = extract(
      [
        '-i https://user:secret@pypi.example.com/simple',
        '--extra-index-url https://ghp_token@private.example.com/simple',
        '--extra-index https://abbrev.example.com/simple',
        '-f ./wheels',
        '--trusted-host private.example.com',
        '--no-binary :all:',
        '--only-binary=numpy',
        '--prefer-binary',
        '--pre',
        '--no-index',
        '--require-hashes',
        '--use-feature=fast-deps',
      ].join('\n'),
    );
    expect(result.errors).toEqual([]);
    expect(result.options).toEqual([
      { name: 'index-url', value: 'https://pypi.example.com/simple', line: 1, credentials: true },
      { name: 'extra-index-url', value: 'https://private.example.com/simple', line: 2, credentials: true },
      { name: 'extra-index-url', value: 'https://abbrev.example.com/simple', line: 3 },
      { name: 'find-links', value: './wheels', line: 4 },
      { name: 'trusted-host', value: 'private.example.com', line: 5 },
      { name: 'no-binary', value: ':all:', line: 6 },
      { name: 'only-binary', value: 'numpy', line: 7 },
      { name: 'prefer-binary', value: '', line: 8 },
      { name: 'pre', value: '', line: 9 },
      { name: 'no-index', value: '', line: 10 },
      { name: 'require-hashes', value: '', line: 11 },
      { name: 'use-feature', value: 'fast-deps', line: 12 },
    ]);
  });

  it('accepts per-requirement options and keeps the hashes', () => {
    const result = extract(
      'a==1 --hash=sha256:aa --hash sha512:bb\nb==1 --config-settings=key=value\nc==1 --global-option="--no-user-cfg"\nd==1 -C k=v\n',
    );
    expect(result.errors).toEqual([]);
    expect(result.dependencies.map((d) => [d.name, d.hashes])).toEqual([
      ['a', ['sha256:aa', 'sha512:bb']],
      ['b', undefined],
      ['c', undefined],
      ['d', undefined],
    ]);
    expect(result.options).toEqual([]);
  });

  it('keeps ${VAR} references as written (and still hides credentials)', () => {
    const result = extract('--extra-index-url https://${USER}:${PASS}@pypi.internal/simple\n-e git+https://${TOKEN}@github.com/o/r.git#egg=r\n');
    expect(result.options?.[0]?.value).toBe('https://pypi.internal/simple');
    expect(result.dependencies[0]?.url).toBe('git+https://github.com/o/r.git#egg=r');
  });

  it('marks every entry of a constraints file as a constraint', () => {
    expect(extract('urllib3<2\n', 'constraint').dependencies[0]?.kind).toBe('constraint');
  });
});

describe('URLs, VCS, editables and paths', () => {
  it('reads editable VCS requirements named by #egg=', () => {
    const dep = only('-e git+https://github.com/org/repo.git@v1.0#egg=my_pkg');
    expect(dep).toMatchObject({ name: 'my-pkg', source: 'vcs', editable: true, version: null, url: 'git+https://github.com/org/repo.git@v1.0#egg=my_pkg' });
    expect(only('--editable=hg+https://hg.example.com/repo#egg=hgpkg')).toMatchObject({ name: 'hgpkg', source: 'vcs', editable: true });
    // pip rewrites a bare `git:` URL to `git+git:`.
    expect(only('-e git://github.com/org/legacy.git#egg=legacy').url).toBe('git+git://github.com/org/legacy.git#egg=legacy');
  });

  it('reads editable local projects with extras', () => {
    expect(only('-e ./pkg[dev,Test_X]')).toMatchObject({ name: 'pkg', source: 'path', editable: true, extras: ['dev', 'test-x'], url: './pkg' });
    // `-e .` names nothing pip can read without building it.
    expect(only('-e .')).toMatchObject({ name: '', source: 'path', editable: true, url: '.' });
  });

  it('reads non-editable VCS and direct URL requirements', () => {
    expect(only('git+https://github.com/org/tool.git@abc123#egg=tool')).toMatchObject({ name: 'tool', source: 'vcs', editable: false });
    expect(only('mylib @ git+https://github.com/org/mylib.git@v1.2.3')).toMatchObject({
      name: 'mylib',
      source: 'vcs',
      url: 'git+https://github.com/org/mylib.git@v1.2.3',
      specifier: '',
    });
    expect(only('otherlib[extra1] @ https://example.com/otherlib-1.0.tar.gz')).toMatchObject({ name: 'otherlib', source: 'url', extras: ['extra1'] });
  });

  it('names wheels from their file name and pins their version', () => {
    expect(only('https://example.com/p/Other_Pkg-3.0-cp311-cp311-manylinux_2_17_x86_64.whl ; python_version == "3.11"')).toMatchObject({
      name: 'other-pkg',
      version: '3.0',
      specifier: '==3.0',
      source: 'url',
      marker: 'python_version == "3.11"',
    });
    expect(only('file:///opt/wheels/local_pkg-0.1-py3-none-any.whl')).toMatchObject({ name: 'local-pkg', version: '0.1', source: 'path' });
  });

  it('pins `name @` a wheel or sdist URL to the version its file name states, as the same link alone is', () => {
    expect(only('urllib3 @ https://files.example/x/urllib3-1.24.1-py2.py3-none-any.whl')).toMatchObject({ name: 'urllib3', version: '1.24.1', specifier: '==1.24.1', source: 'url' });
    expect(only('python-dateutil @ https://files.example/python-dateutil-2.8.0.tar.gz')).toMatchObject({ version: '2.8.0', specifier: '==2.8.0' });
    expect(only('zope.interface @ file:///opt/zope.interface-5.0.zip')).toMatchObject({ name: 'zope-interface', version: '5.0', source: 'path' });
    // A file of another project, a name that states no version, a VCS link: nothing is pinned.
    expect(only('urllib3 @ https://files.example/x/requests-2.19.0-py2.py3-none-any.whl')).toMatchObject({ version: null, specifier: '' });
    expect(only('tool @ https://github.com/org/tool/archive/main.zip')).toMatchObject({ version: null });
    expect(only('mylib @ git+https://github.com/org/mylib-1.0.tar.gz')).toMatchObject({ version: null, source: 'vcs' });
  });

  it('keeps unnamed URL and path requirements with a derived name', () => {
    // An sdist's file name states its version, as a wheel's does.
    expect(only('https://example.com/packages/some_pkg-2.0.tar.gz')).toMatchObject({ name: 'some-pkg', version: '2.0', specifier: '==2.0', source: 'url' });
    expect(only('https://example.com/archive.zip#egg=zippkg')).toMatchObject({ name: 'zippkg', source: 'url' });
    expect(only('git+https://github.com/org/NoEgg.git@v2')).toMatchObject({ name: 'noegg', source: 'vcs' });
    expect(only('./libs/foo_lib[extra]')).toMatchObject({ name: 'foo-lib', source: 'path', extras: ['extra'], url: './libs/foo_lib' });
    expect(only('./downloads/thing-1.0.tar.gz')).toMatchObject({ name: 'thing', version: '1.0', source: 'path' });
    expect(only('./libs/thing-1.0')).toMatchObject({ name: 'thing-1-0', version: null, source: 'path' });
    expect(only('.')).toMatchObject({ name: '', source: 'path' });
  });

  it('removes credentials from recorded URLs but keeps an ssh user', () => {
    expect(only('git+https://x-access-token:abc@github.com/org/secret.git#egg=secret').url).toBe(
      'git+https://github.com/org/secret.git#egg=secret',
    );
    expect(stripUrlCredentials('git+ssh://git@github.com/org/private.git')).toBe('git+ssh://git@github.com/org/private.git');
    expect(stripUrlCredentials('git+ssh://git:pw@github.com/org/private.git')).toBe('git+ssh://github.com/org/private.git');
    expect(stripUrlCredentials('https://pypi.org/simple')).toBe('https://pypi.org/simple');
  });
});

describe('lines pip rejects', () => {
  it.each([
    ['--unknown-option', /no such option: --unknown-option/],
    ['-r', /-r option requires 1 argument/],
    ['--pre=yes', /--pre option does not take a value/],
    ['--no', /ambiguous option: --no \(--no-binary, --no-index\?\)/],
    ['badhash==1.0 --hash=md5:abc', /Allowed hash algorithms for --hash are sha256, sha384, sha512/],
    ['badhash==1.0 --hash=abc', /must be a hash name followed by a value/],
    ['cfg==1.0 --config-settings novalue', /KEY=VAL/],
    ['foo=1.0', /Did you mean == \?/],
    ['foo 1.0', /Invalid requirement: 'foo 1.0'/],
    ['foo>=1.0.*', /\.\* suffix can only be used/],
    ['extras_after>=1.0[foo]', /Invalid requirement/],
    ['pkg1 ; python_version < "3" and', /Invalid marker/],
    ['-e https://github.com/org/notvcs.git#egg=notvcs', /not a valid editable requirement/],
    ['-e git+https://github.com/org/noeggedit.git', /Could not detect requirement name/],
    ['https://example.com/not_a_wheel.whl', /not a valid wheel filename/],
    ["pkg --global-option 'unterminated", /Could not split options/],
    ['envpkg==${VERSION}', /environment variable/],
  ])('%s', (line, message) => {
    expect(errorFor(line)).toMatch(message);
  });

  it('reports the bad line and still reads every other line', () => {
    const result = extract('good==1\nbad=1\n--bogus\nalso-good>=2\n');
    expect(result.dependencies.map((d) => d.name)).toEqual(['good', 'also-good']);
    expect(result.errors.map((e) => e.line)).toEqual([2, 3]);
  });

  it('keeps an #egg= that is a whole requirement, as pip before 25.3 did, and says so', () => {
    const result = extract('-e git+https://github.com/edx/codejail.git@3.1.3#egg=codejail==3.1.3\n');
    expect(result.dependencies[0]).toMatchObject({ name: 'codejail', version: '3.1.3', specifier: '==3.1.3', editable: true });
    expect(result.errors).toEqual([{ file: 'req.txt', line: 1, message: expect.stringMatching(/non-PEP 508 name 'codejail==3.1.3'/) }]);
  });

  // Corpus regression (zulip requirements/common.in): pip 23.2.1 reads this line as talon-core
  // pinned to a legacy version; we used to drop the whole URL requirement.
  it('keeps an #egg= pin to a version PEP 440 cannot read, with the pin as written, and says so', () => {
    const line =
      'https://github.com/zulip/talon/archive/137ea31ca506069f9a8bbddde0d0174f395a6893.zip#egg=talon-core==1.6.0.zulip1&subdirectory=talon-core';
    const result = extract(`${line}\n`);
    expect(result.dependencies).toHaveLength(1);
    expect(result.dependencies[0]).toMatchObject({
      name: 'talon-core',
      version: '1.6.0.zulip1',
      specifier: '==1.6.0.zulip1',
      source: 'url',
      editable: false,
      line: 1,
    });
    expect(result.errors).toEqual([{ file: 'req.txt', line: 1, message: expect.stringMatching(/not a PEP 440 version; pip 24.1 and later reject/) }]);
    // Only a pin to a single version is kept this way; anything else in the fragment is still refused.
    expect(extract('https://example.com/a.zip#egg=pkg>=1.0.zulip\n').dependencies).toEqual([]);
    // Outside an egg fragment the same pin is refused, as pip 24.1 and later refuse it.
    expect(errorFor('talon-core==1.6.0.zulip1')).toMatch(/Invalid requirement/);
  });
});

describe('shlexSplit', () => {
  it('splits like Python shlex.split', () => {
    expect(shlexSplit(`--global-option="--a b" --x='c d' e\\ f`)).toEqual(['--global-option=--a b', '--x=c d', 'e f']);
    expect(shlexSplit('')).toEqual([]);
    expect(() => shlexSplit('"open')).toThrow(/No closing quotation/);
  });
});

describe('real files from well-known projects', () => {
  it('django tests/requirements/py3.txt: markers with single quotes and spaced specifiers', () => {
    const result = extractRequirements(fixture('django/tests/requirements/py3.txt'), { file: 'tests/requirements/py3.txt' });
    expect(result.errors).toEqual([]);
    expect(result.dependencies).toHaveLength(20);
    const pillow = result.dependencies.find((d) => d.name === 'pillow');
    expect(pillow).toMatchObject({
      specifier: '>=6.2.1',
      marker: 'sys_platform != "win32" or python_version < "3.13"',
      line: 10,
      file: 'tests/requirements/py3.txt',
      source: 'registry',
    });
    expect(result.dependencies.find((d) => d.name === 'pylibmc')?.line).toBe(12);
    expect(result.dependencies.find((d) => d.name === 'asgiref')?.specifier).toBe('>=3.7.0');
  });

  it('django postgres.txt: extras', () => {
    const result = extractRequirements(fixture('django/tests/requirements/postgres.txt'), { file: 'postgres.txt' });
    expect(result.dependencies[0]).toMatchObject({ name: 'psycopg', extras: ['binary'], specifier: '>=3.1' });
  });

  it('sentry requirements-base.txt: an --index-url and a range specifier', () => {
    const result = extractRequirements(fixture('sentry/requirements-base.txt'), { file: 'requirements-base.txt' });
    expect(result.errors).toEqual([]);
    expect(result.options).toEqual([{ name: 'index-url', value: 'https://pypi.devinfra.sentry.io/simple', line: 1 }]);
    expect(result.dependencies.find((d) => d.name === 'sqlparse')).toMatchObject({ specifier: '<=0.3.0,>=0.2.4', version: null });
    expect(result.dependencies.find((d) => d.name === 'urllib3')).toMatchObject({ extras: ['brotli'], specifier: '>=1.26.9' });
    expect(result.dependencies.find((d) => d.name === 'pyuwsgi')).toMatchObject({ version: '2.0.20.0' });
  });

  it('home-assistant requirements_test.txt: -c and -r includes', () => {
    const result = extractRequirements(fixture('home-assistant/requirements_test.txt'), { file: 'requirements_test.txt' });
    expect(result.errors).toEqual([]);
    expect(result.includes).toEqual([
      { path: 'homeassistant/package_constraints.txt', kind: 'constraint', line: 8 },
      { path: 'requirements_test_pre_commit.txt', kind: 'requirement', line: 9 },
    ]);
    expect(result.dependencies.find((d) => d.name === 'types-pyyaml')).toMatchObject({ version: '6.0.12.20260408', line: 54 });
  });

  it('pypi/warehouse requirements/main.txt: hash-pinned continuations', () => {
    const result = extractRequirements(fixture('pypi-warehouse/requirements/main.txt'), { file: 'requirements/main.txt' });
    expect(result.errors).toEqual([]);
    const argon = result.dependencies.find((d) => d.name === 'argon2-cffi');
    expect(argon).toMatchObject({ version: '18.1.0', line: 6 });
    expect(argon?.hashes).toHaveLength(23);
    expect(argon?.hashes?.[0]).toBe('sha256:93f631fa567dbf948f26874476c9e9afb51e0a835372bf1a319df0c5aa071bfb');
    expect(result.dependencies.every((d) => (d.hashes?.length ?? 0) > 0)).toBe(true);
    expect(result.dependencies.find((d) => d.name === 'markupsafe')).toMatchObject({ version: '1.0', hashes: ['sha256:a6be69091dac236ea9c6bc7d012beab42010fa914c459791d627dad4910eb665'] });
  });

  it('openedx github.in: -e git+…#egg= lines, including the ones newer pip rejects', () => {
    const result = extractRequirements(fixture('edx-platform/requirements/edx/github.in'), { file: 'github.in' });
    expect(result.dependencies.find((d) => d.name === 'django-wiki')).toMatchObject({
      editable: true,
      source: 'vcs',
      url: 'git+https://github.com/edx/django-wiki.git@1.0.2#egg=django-wiki',
      line: 57,
    });
    expect(result.dependencies.find((d) => d.name === 'mongodbproxy')).toMatchObject({ editable: false, specifier: '==0.1.0+edx.2', version: '0.1.0+edx.2' });
    // `#edx-enterprise==3.30` has no egg= at all: pip cannot name it either.
    expect(result.errors.find((e) => e.line === 71)?.message).toMatch(/Could not detect requirement name/);
    expect(result.dependencies).toHaveLength(10);
  });

  it('text-generation-webui: wheel URLs with markers', () => {
    const result = extractRequirements(fixture('text-generation-webui/requirements/full/requirements.txt'), { file: 'requirements.txt' });
    expect(result.errors).toEqual([]);
    const llama = result.dependencies.filter((d) => d.name === 'llama-cpp-binaries');
    expect(llama.map((d) => [d.version, d.marker, d.source])).toEqual([
      ['0.106.0+cu124', 'platform_system == "Windows"', 'url'],
      ['0.106.0+cu124', 'platform_system == "Linux" and platform_machine == "x86_64"', 'url'],
    ]);
    expect(result.dependencies.find((d) => d.name === 'accelerate')).toMatchObject({ specifier: '==1.13.*', version: null });
    expect(result.dependencies.find((d) => d.name === 'gradio-client')).toMatchObject({ version: '1.0.2+custom.17' });
  });

  it('Stability-AI generative-models: name @ git URL and an --extra-index-url', () => {
    const result = extractRequirements(fixture('generative-models/requirements/pt13.txt'), { file: 'pt13.txt' });
    expect(result.errors).toEqual([]);
    expect(result.options).toEqual([{ name: 'extra-index-url', value: 'https://download.pytorch.org/whl/cu117', line: 26 }]);
    expect(result.dependencies.find((d) => d.name === 'clip')).toMatchObject({ source: 'vcs', url: 'git+https://github.com/openai/CLIP.git', line: 2 });
    expect(result.dependencies.find((d) => d.name === 'torch')).toMatchObject({ version: '1.13.1+cu117', line: 27 });
  });

  it('flask: pip-compile inline comments and name @ archive URLs', () => {
    const dev = extractRequirements(fixture('flask/requirements/dev.txt'), { file: 'dev.txt' });
    expect(dev.errors).toEqual([]);
    expect(dev.dependencies).toHaveLength(49);
    expect(dev.dependencies.find((d) => d.name === 'packaging')).toMatchObject({ version: '20.4', line: 28 });
    const pallets = extractRequirements(fixture('flask/requirements/tests-pallets-dev.txt'), { file: 'tests-pallets-dev.txt' });
    expect(pallets.dependencies.map((d) => [d.name, d.source])).toEqual([
      ['click', 'url'],
      ['itsdangerous', 'url'],
      ['jinja2', 'url'],
      ['markupsafe', 'url'],
      ['werkzeug', 'url'],
    ]);
  });

  it('pypa/pip tests/requirements.txt and sqlalchemy docs: spaced markers, inline comments, VCS', () => {
    const pip = extractRequirements(fixture('pip/tests/requirements.txt'), { file: 'tests/requirements.txt' });
    expect(pip.dependencies.find((d) => d.name === 'cffi')).toMatchObject({ specifier: '>=1.17.0rc1', marker: 'python_version > "3.12"' });
    expect(pip.dependencies.filter((d) => d.name === 'virtualenv').map((d) => d.marker)).toEqual([
      'python_version < "3.10"',
      'python_version >= "3.10"',
    ]);
    const sqla = extractRequirements(fixture('sqlalchemy/doc/build/requirements.txt'), { file: 'requirements.txt' });
    expect(sqla.dependencies[2]).toMatchObject({ name: 'zzzeeksphinx', source: 'vcs', line: 3 });
  });
});

interface PipRecord {
  line: number;
  error?: string;
  include?: [string, string];
  option?: boolean;
  name?: string | null;
  specifier?: string;
  extras?: string[];
  marker?: string | null;
  editable?: boolean;
  hashes?: string[];
}

describe('agreement with pip on the real files', () => {
  const expected = JSON.parse(fixture('requirements-pip-expected.json')) as { files: Record<string, PipRecord[]> };

  it.each(Object.entries(expected.files))('%s', (path, records) => {
    const result = extractRequirements(fixture(path), { file: path });
    for (const record of records) {
      const dependency = result.dependencies.find((d) => d.line === record.line);
      if (record.include) {
        expect(result.includes).toContainEqual({ kind: record.include[0], path: record.include[1], line: record.line });
      } else if (record.option) {
        expect(dependency).toBeUndefined();
      } else if (record.error) {
        expect(result.errors.some((e) => e.line === record.line)).toBe(true);
      } else {
        expect(dependency, `line ${record.line}`).toBeDefined();
        if (record.name !== null) expect(dependency?.name).toBe(record.name);
        expect(dependency?.specifier).toBe(record.specifier);
        expect(dependency?.extras).toEqual(record.extras);
        expect(dependency?.marker).toBe(record.marker);
        expect(dependency?.editable).toBe(record.editable);
        expect([...(dependency?.hashes ?? [])].sort()).toEqual(record.hashes);
      }
    }
    expect(records.length).toBeGreaterThan(0);
  });
});

describe('speed', () => {
  it('extracts a 10,000-line file well under 100 ms', () => {
    // A pip-compile-like mix: pins, `# via` comments, markers, hash continuations, VCS and ranges.
    const lines: string[] = [];
    for (let i = 0; lines.length < 10_000; i++) {
      lines.push(`package-${i}==1.${i}.0`, `    # via some-parent-${i}`);
      lines.push(`pkg_${i}[extra] >= 2.0, < 3 ; python_version >= "3.8" and sys_platform != 'win32'  # why`);
      lines.push(`hashed-${i}==2.${i} \\`, `    --hash=sha256:${'a'.repeat(64)}`);
      lines.push(`lib${i} @ git+https://github.com/org/lib${i}.git@v1`, `name${i}~=4.${i}`, `# comment ${i}`);
      lines.push(`other-${i}==0.${i}`, `more-${i}>=1`);
    }
    const text = lines.slice(0, 10_000).join('\n');
    // CPU time, best of several runs after warm-up: the CI machine is shared, wall time is not ours.
    for (let i = 0; i < 3; i++) extract(text);
    let best = Infinity;
    let result: ExtractResult | undefined;
    for (let i = 0; i < 5; i++) {
      const before = process.cpuUsage();
      result = extract(text);
      const used = process.cpuUsage(before);
      best = Math.min(best, (used.user + used.system) / 1000);
    }
    expect(result?.dependencies).toHaveLength(7_000);
    expect(result?.errors).toEqual([]);
    expect(best).toBeLessThan(100);
  });
});
