import { describe, expect, it } from 'vitest';
import { memorySource } from '../src/python/files.js';
import { MAX_SETUP_PY_CHARS } from '../src/python/formats/setup-py.js';
import { loadManifests, MAX_EXTRAS_PER_INCLUDED_FILE, MAX_MANIFEST_BYTES, resolveInclude } from '../src/python/load.js';
import type { Dependency } from '../src/python/types.js';

const names = (deps: { name: string }[]) => deps.map((d) => d.name);

describe('loading a tree of manifests', () => {
  it('follows -r and -c relative to the including file and lists each reached file once', async () => {
    const result = await loadManifests(
      memorySource({
        'requirements/dev.txt': '-r base.txt\n-c ../constraints/pins.txt\npytest==8.0.0\n',
        'requirements/base.txt': 'Django==4.2.1\n-r common.txt\n',
        'requirements/common.txt': 'requests>=2\n',
        'constraints/pins.txt': 'requests==2.31.0\n',
      }),
    );
    expect(result.errors).toEqual([]);
    expect(result.manifests.map((m) => m.path)).toEqual(['requirements/base.txt', 'requirements/common.txt', 'requirements/dev.txt', 'constraints/pins.txt']);
    const dev = result.manifests.find((m) => m.path === 'requirements/dev.txt')!;
    expect(dev.includes).toEqual(['requirements/base.txt', 'constraints/pins.txt']);
    const pins = result.manifests.find((m) => m.path === 'constraints/pins.txt')!;
    expect(pins.dependencies).toEqual([expect.objectContaining({ name: 'requests', version: '2.31.0', kind: 'constraint', file: 'constraints/pins.txt', line: 1 })]);
    expect(result.manifests.find((m) => m.path === 'requirements/base.txt')!.dependencies[0]).toMatchObject({ name: 'django', kind: 'requirement' });
  });

  it("reads a conda environment.yml's pip: list beside another manifest, follows its -r from the file's folder, and says its conda packages in a notice", async () => {
    const result = await loadManifests(
      memorySource({
        'requirements.txt': 'flask==0.12\n',
        'env/environment.yml': 'name: demo\ndependencies:\n  - python=3.11\n  - pip\n  - pip:\n    - requests==2.19.0\n    - -r extra.txt\n',
        'env/extra.txt': 'urllib3==1.24.1\n',
      }),
    );
    expect(result.errors).toEqual([]);
    const conda = result.manifests.find((m) => m.path === 'env/environment.yml')!;
    expect(conda).toMatchObject({ format: 'conda-env', includes: ['env/extra.txt'] });
    expect(conda.dependencies).toEqual([expect.objectContaining({ name: 'requests', version: '2.19.0', file: 'env/environment.yml', line: 6 })]);
    expect(result.manifests.flatMap((m) => names(m.dependencies)).sort()).toEqual(['flask', 'requests', 'urllib3']);
    expect(result.notices).toEqual(['env/environment.yml:3: 2 conda packages (python=3.11, pip) come from conda channels, not PyPI, and were not audited (only its `pip:` list is)']);
  });

  it('detects an include cycle once, with the line that closes it, and still reads every file', async () => {
    const result = await loadManifests(memorySource({ 'requirements.txt': 'a==1\n-r other.txt\n', 'other.txt': 'b==2\n-r requirements.txt\n' }), { paths: ['requirements.txt'] });
    expect(result.manifests.flatMap((m) => names(m.dependencies))).toEqual(['a', 'b']);
    expect(result.errors).toEqual([{ file: 'other.txt', line: 2, message: 'include cycle: requirements.txt → other.txt → requirements.txt (each file is read once)', note: true }]);
  });

  it('refuses includes that leave the scanned root, and URLs, without losing the rest of the file', async () => {
    const result = await loadManifests(memorySource({ 'requirements.txt': '-r ../../etc/passwd\n-r /etc/shadow\n-r https://example.com/r.txt\nflask==3.0.0\n' }));
    expect(names(result.manifests[0]!.dependencies)).toEqual(['flask']);
    expect(result.errors.map((e) => [e.line, e.message])).toEqual([
      [1, '../../etc/passwd: leaves the scanned root, not followed'],
      [2, '/etc/shadow: leaves the scanned root, not followed'],
      [3, 'https://example.com/r.txt: leaves the scanned root, not followed'],
    ]);
  });

  it('names a missing include, and the file and line that include it', async () => {
    const result = await loadManifests(memorySource({ 'requirements.txt': 'six==1.16.0\n\n-r missing.txt\n' }));
    expect(result.errors).toEqual([
      { file: 'missing.txt', line: null, message: 'file not found (included by requirements.txt:3)', includedBy: { file: 'requirements.txt', line: 3 } },
    ]);
  });

  it('names the first include of a file that cannot be read, once however many include it, and never a file found by discovery', async () => {
    const result = await loadManifests(
      memorySource({
        'requirements.txt': '-r deep/a.txt\n-r gone.txt\n',
        'deep/a.txt': '-r ../gone.txt\n-r ../requirements-x.txt\n',
        'requirements-x.txt': Buffer.from([0, 1, 2, 10, 0, 1, 2, 10, 0, 1, 2]).toString('latin1'),
      }),
    );
    expect(result.errors).toEqual([
      { file: 'requirements-x.txt', line: null, message: 'binary file (contains NUL bytes), not a manifest; not read' },
      { file: 'gone.txt', line: null, message: 'file not found (included by requirements.txt:2)', includedBy: { file: 'requirements.txt', line: 2 } },
    ]);
  });

  it('refuses files over 5 MB and binary files, one clear message each; a line that is not UTF-8 costs that line', async () => {
    const result = await loadManifests(
      memorySource({
        'requirements.txt': 'x==1\n'.repeat(MAX_MANIFEST_BYTES / 5 + 1),
        // A zip archive's first bytes: a NUL in every line.
        'requirements-bin.txt': Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x08, 0x00, 0x0a, 0x00]),
        'requirements-latin1.txt': Buffer.from('caf\xe9==1.0\n', 'latin1'),
        'requirements-ok.txt': 'ok==1.0\n',
      }),
    );
    expect(result.manifests.map((m) => m.path)).toEqual(['requirements-latin1.txt', 'requirements-ok.txt']);
    expect(result.errors.map((e) => `${e.file}: ${e.message}`)).toEqual([
      'requirements-bin.txt: binary file (contains NUL bytes), not a manifest; not read',
      'requirements-latin1.txt: not valid UTF-8; not read',
      'requirements.txt: file is 5.0 MB, over the 5 MB limit for manifests; not read',
    ]);
  });

  it('reads a requirements file in UTF-16 with a byte order mark, as pip does (Windows tools write it)', async () => {
    const text = 'Django==2.1.5\r\nrequests==2.19.1\r\n';
    const be = Buffer.from(text, 'utf16le').swap16();
    const result = await loadManifests(
      memorySource({
        'requirements.txt': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]),
        'requirements-be.txt': Buffer.concat([Buffer.from([0xfe, 0xff]), be]),
        'requirements-utf8-bom.txt': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]),
        // The two bytes of a mark before binary content are still binary.
        'requirements-bin.txt': Buffer.from([0xff, 0xfe, 0x00, 0x00, 0x00, 0x00]),
      }),
    );
    expect(result.manifests.map((m) => [m.path, names(m.dependencies)])).toEqual([
      ['requirements-be.txt', ['django', 'requests']],
      ['requirements-utf8-bom.txt', ['django', 'requests']],
      ['requirements.txt', ['django', 'requests']],
    ]);
    expect(result.manifests[0]!.dependencies[1]).toMatchObject({ name: 'requests', version: '2.19.1', line: 2 });
    expect(result.errors.map((e) => `${e.file}: ${e.message}`)).toEqual([
      'requirements-bin.txt: starts with a UTF-16 byte order mark but is not UTF-16 text (an odd number of bytes, a lone surrogate or NUL characters): binary, not a manifest; not read',
    ]);
  });

  it('reads every format it discovers, and a hostile TOML costs one error, not the rest of the tree', async () => {
    const result = await loadManifests(
      memorySource({
        'pyproject.toml': '[project]\nname = "x"\ndependencies = ["attrs>=22"\n', // unterminated array
        'Pipfile': '[packages]\nrequests = "==2.31.0"\n',
        'node_modules/pkg/requirements.txt': 'evil==1\n',
      }),
    );
    expect(result.manifests.map((m) => m.path)).toEqual(['Pipfile', 'pyproject.toml']);
    expect(names(result.manifests[0]!.dependencies)).toEqual(['requests']);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({ file: 'pyproject.toml' });
  });

  describe('requirements files a pyproject.toml or setup.cfg names for its dependencies', () => {
    const pyproject = [
      '[project]',
      'name = "app"',
      'dynamic = ["dependencies", "optional-dependencies"]',
      '[tool.setuptools.dynamic]',
      'dependencies = {file = ["reqs/base.txt"]}',
      '[tool.setuptools.dynamic.optional-dependencies]',
      'test = {file = ["reqs/test.txt"]}',
      'dev = {file = ["reqs/base.txt"]}',
    ].join('\n');

    it('reads them as requirements files, relative to the naming file, an extra file as that extra', async () => {
      const result = await loadManifests(
        memorySource({
          'svc/pyproject.toml': pyproject,
          'svc/reqs/base.txt': 'requests==2.19.0\n',
          'svc/reqs/test.txt': '-r common.txt\npytest==8.0.0  # pinned\n',
          'svc/reqs/common.txt': 'six==1.16.0\n',
        }),
      );
      expect(result.errors).toEqual([]);
      const byPath = new Map(result.manifests.map((m) => [m.path, m]));
      expect(byPath.get('svc/pyproject.toml')!.includes).toEqual(['svc/reqs/base.txt', 'svc/reqs/test.txt', 'svc/reqs/base.txt']);
      expect(byPath.get('svc/reqs/base.txt')!.format).toBe('requirements');
      // base.txt is both the main dependencies and the dev extra: it keeps its own group.
      expect(byPath.get('svc/reqs/base.txt')!.dependencies).toEqual([expect.objectContaining({ name: 'requests', version: '2.19.0', group: 'main', file: 'svc/reqs/base.txt', line: 1 })]);
      expect(byPath.get('svc/reqs/test.txt')!.dependencies).toEqual([expect.objectContaining({ name: 'pytest', group: 'test', line: 2 })]);
      // What the extra's file includes in turn is installed only with it: the extra's too.
      expect(byPath.get('svc/reqs/common.txt')!.dependencies).toEqual([expect.objectContaining({ name: 'six', group: 'test' })]);
    });

    it('names a missing file, refuses one outside the root, and reads each file once through a cycle', async () => {
      const result = await loadManifests(
        memorySource({
          'pyproject.toml': '[project]\nname = "app"\ndynamic = ["dependencies"]\n[tool.setuptools.dynamic]\ndependencies = {file = ["missing.txt", "../outside.txt", "deps.txt"]}\n',
          'deps.txt': 'django==2.1.5\n-r deps.txt\n',
          'setup.cfg': '[options]\ninstall_requires = file: deps.txt, gone.txt\n',
        }),
      );
      expect(result.manifests.map((m) => [m.path, names(m.dependencies)])).toEqual([
        ['pyproject.toml', []],
        ['setup.cfg', []],
        ['deps.txt', ['django']],
      ]);
      expect(result.errors).toEqual([
        { file: 'pyproject.toml', line: 5, message: '../outside.txt: leaves the scanned root, not followed' },
        { file: 'missing.txt', line: null, message: 'file not found (included by pyproject.toml:5)', includedBy: { file: 'pyproject.toml', line: 5 } },
        { file: 'gone.txt', line: null, message: 'file not found (included by setup.cfg:2)', includedBy: { file: 'setup.cfg', line: 2 } },
        { file: 'deps.txt', line: 2, message: 'include cycle: deps.txt → deps.txt (each file is read once)', note: true },
      ]);
    });
  });

  describe("a setuptools pyproject.toml whose dynamic dependencies are setup.py's", () => {
    const pyproject = '[project]\nname = "app"\nversion = "1"\ndynamic = ["dependencies"]\n';
    const notRead = { file: 'pkg/pyproject.toml', line: 4, message: expect.stringContaining("from setup.py's install_requires; they were not read") };
    const load = (files: Record<string, string>) => loadManifests(memorySource({ 'pkg/pyproject.toml': pyproject, ...files }));

    it('says they were not read when no setup.py is beside it, or one in another folder; a shim says it itself', async () => {
      expect((await load({})).errors).toEqual([notRead]);
      // A shim that calls setup() through a helper: its own line, on setup.py, says it was not read.
      expect((await load({ 'pkg/setup.py': 'from build_helpers import run\nrun()\n' })).errors.map((e) => `${e.file}: ${e.message}`)).toEqual([
        'pkg/setup.py: no setup() call Depwatch can see (setup.py reaches it through code it would have to run, such as exec() or a helper it imports): its dependencies were not read',
      ]);
      expect((await load({ 'setup.py': 'from setuptools import setup\nsetup(install_requires=["django==2.1.5"])\n' })).errors).toEqual([notRead]);
    });

    it('drops that line once the setup.py beside it is read: its requirements, or the requirements file it reads, are the dependencies', async () => {
      const literal = await load({ 'pkg/setup.py': 'from setuptools import setup\nsetup(install_requires=["django==2.1.5"])\n' });
      expect(literal.errors).toEqual([]);
      expect(literal.manifests.flatMap((m) => names(m.dependencies))).toEqual(['django']);

      const fromFile = await load({ 'pkg/setup.py': 'from setuptools import setup\nsetup(install_requires=open("requirements.txt").read().splitlines())\n', 'pkg/requirements.txt': 'six==1.16.0\n' });
      expect(fromFile.errors).toEqual([]);
      expect(fromFile.manifests.find((m) => m.path === 'pkg/setup.py')!.includes).toEqual(['pkg/requirements.txt']);
    });

    it("gives a setup.py's extra read from a file that extra, and its install_requires' file main", async () => {
      const setupPy = 'from setuptools import setup\nsetup(install_requires=open("requirements.txt").read().split(), extras_require={"dev": open("requirements-dev.txt").read().split()})\n';
      const result = await load({ 'pkg/setup.py': setupPy, 'pkg/requirements.txt': 'six==1.16.0\n', 'pkg/requirements-dev.txt': 'pytest==8.0.0\n' });
      expect(result.errors).toEqual([]);
      expect(result.manifests.flatMap((m) => m.dependencies.map((d) => `${d.name} [${d.group}]`)).sort()).toEqual(['pytest [dev]', 'six [main]']);
    });

    it("replaces it with setup.py's own line when setup.py computes them: partial still, at the line that computes them", async () => {
      const result = await load({ 'pkg/setup.py': 'from setuptools import setup\nfrom pkg import deps\nsetup(install_requires=deps())\n' });
      expect(result.errors).toEqual([{ file: 'pkg/setup.py', line: 3, message: expect.stringMatching(/^install_requires is computed when setup\.py runs/) }]);
    });

    it("replaces it with setup.py's own line when the setup.py reader refuses the file (over its size limit): partial still", async () => {
      const huge = await load({ 'pkg/setup.py': `from setuptools import setup\nsetup(install_requires=["six"])\n#${'x'.repeat(MAX_SETUP_PY_CHARS)}\n` });
      expect(huge.errors).toEqual([{ file: 'pkg/setup.py', line: null, message: expect.stringMatching(/^setup\.py is too large .*; not read$/) }]);
    });

    it('drops it when exclude: keeps that setup.py out (the user said why; the result says so), not when it keeps out another', async () => {
      const tree = memorySource({ 'pkg/pyproject.toml': pyproject, 'pkg/setup.py': 'from setuptools import setup\nsetup(install_requires=reqs())\n', 'other/setup.py': 'setup()\n' });
      expect((await loadManifests(tree, { exclude: (p) => p === 'pkg/setup.py' })).errors).toEqual([]);
      expect((await loadManifests(tree, { exclude: (p) => p === 'other/setup.py' })).errors).toEqual([
        expect.objectContaining({ file: 'pkg/setup.py', line: 2 }), // read: its own line replaces the pyproject.toml's
      ]);
    });

    it('keeps it when the setup.py beside it could not be read, or another backend builds the project', async () => {
      const binary = await load({ 'pkg/setup.py': 'setup(\u0000)\n' });
      expect(binary.errors).toEqual([notRead, expect.objectContaining({ file: 'pkg/setup.py', message: expect.stringContaining('binary file') })]);
      const flit = await loadManifests(
        memorySource({ 'pyproject.toml': `[build-system]\nbuild-backend = "flit_core.buildapi"\n${pyproject}`, 'setup.py': 'from setuptools import setup\nsetup(install_requires=["six"])\n' }),
      );
      expect(flit.errors).toEqual([{ file: 'pyproject.toml', line: 6, message: expect.stringContaining('the build backend (flit_core.buildapi) computes them when it builds; they were not read') }]);
    });
  });

  describe("a requirements file named for an extra is that extra's, as if its lines were written in the extra", () => {
    /** What a reader of `depwatch deps --json` tells an entry by, without where it is written. */
    const entries = (manifests: { dependencies: Dependency[] }[]) =>
      manifests.flatMap((m) => m.dependencies.map((d) => `${d.name}${d.specifier} [${d.group}] ${d.marker ?? '-'} ${d.kind} ${d.direct ? 'direct' : 'indirect'}`)).sort();
    const dev = 'django==2.1.5\n';
    const main = 'six==1.16.0\n';

    /** The same project with the extra's requirements inline and in dev.txt: listed alike, errors none. */
    async function sameAsInline(inline: Record<string, string>, fromFiles: Record<string, string>) {
      const written = await loadManifests(memorySource(inline));
      const included = await loadManifests(memorySource({ ...fromFiles, 'requirements.txt': main, 'dev.txt': dev }));
      expect(written.errors).toEqual([]);
      expect(included.errors).toEqual([]);
      expect(entries(included.manifests)).toEqual(entries(written.manifests));
      expect(entries(included.manifests)).toEqual(['django==2.1.5 [dev] - requirement direct', 'six==1.16.0 [main] - requirement direct']);
      return included;
    }

    it('setup.py: extras_require={"dev": read_requirements("dev.txt")}, whatever the file is called', async () => {
      const helper = 'from setuptools import setup\ndef read_requirements(path):\n    with open(path) as f:\n        return f.read().splitlines()\n';
      const included = await sameAsInline(
        { 'setup.py': 'from setuptools import setup\nsetup(install_requires=["six==1.16.0"], extras_require={"dev": ["django==2.1.5"]})\n' },
        { 'setup.py': `${helper}setup(install_requires=read_requirements("requirements.txt"), extras_require={"dev": read_requirements("dev.txt")})\n` },
      );
      expect(included.manifests.find((m) => m.path === 'dev.txt')!.dependencies).toEqual([expect.objectContaining({ file: 'dev.txt', line: 1, group: 'dev' })]);
    });

    it('pyproject.toml: [tool.setuptools.dynamic] optional-dependencies.dev = {file = ["dev.txt"]}', async () => {
      const project = '[project]\nname = "app"\nversion = "1"\n';
      await sameAsInline(
        { 'pyproject.toml': `${project}dependencies = ["six==1.16.0"]\n[project.optional-dependencies]\ndev = ["django==2.1.5"]\n` },
        { 'pyproject.toml': `${project}dynamic = ["dependencies", "optional-dependencies"]\n[tool.setuptools.dynamic]\ndependencies = {file = ["requirements.txt"]}\noptional-dependencies.dev = {file = ["dev.txt"]}\n` },
      );
    });

    it('setup.cfg: [options.extras_require] dev = file: dev.txt', async () => {
      await sameAsInline(
        { 'setup.cfg': '[options]\ninstall_requires = six==1.16.0\n[options.extras_require]\ndev = django==2.1.5\n' },
        { 'setup.cfg': '[options]\ninstall_requires = file: requirements.txt\n[options.extras_require]\ndev = file: dev.txt\n' },
      );
    });

    it('hatch-requirements-txt: [tool.hatch.metadata.hooks.requirements_txt.optional-dependencies] dev = ["dev.txt"]', async () => {
      const hatch = '[build-system]\nrequires = ["hatchling", "hatch-requirements-txt"]\nbuild-backend = "hatchling.build"\n[project]\nname = "app"\nversion = "1"\n';
      await sameAsInline(
        { 'pyproject.toml': `${hatch}dependencies = ["six==1.16.0"]\n[project.optional-dependencies]\ndev = ["django==2.1.5"]\n` },
        {
          'pyproject.toml': `${hatch}dynamic = ["dependencies", "optional-dependencies"]\n[tool.hatch.metadata.hooks.requirements_txt]\nfiles = ["requirements.txt"]\n[tool.hatch.metadata.hooks.requirements_txt.optional-dependencies]\ndev = ["dev.txt"]\n`,
        },
      );
    });

    it('a setup.py "extra:marker" key adds its marker to the file\'s entries, joined with their own as inline', async () => {
      const key = `"test:python_version < '3.12'"`;
      const requirement = 'pytest==8.0.0 ; sys_platform == "linux" or sys_platform == "darwin"';
      const written = await loadManifests(memorySource({ 'setup.py': `from setuptools import setup\nsetup(extras_require={${key}: ['${requirement}']})\n` }));
      const included = await loadManifests(memorySource({ 'setup.py': `from setuptools import setup\nsetup(extras_require={${key}: open("test.txt").read().split("\\n")})\n`, 'test.txt': `${requirement}\n` }));
      expect(included.errors).toEqual([]);
      expect(entries(included.manifests)).toEqual(entries(written.manifests));
      expect(entries(included.manifests)).toEqual(['pytest==8.0.0 [test] (sys_platform == "linux" or sys_platform == "darwin") and python_version < "3.12" requirement direct']);
    });

    it('a file named for the main dependencies and for an extra stays main (it is installed anyway), as a file any -r line includes', async () => {
      const setupPy = 'from setuptools import setup\nsetup(install_requires=open("requirements.txt").read().split(), extras_require={"dev": open("dev.txt").read().split()})\n';
      const both = await loadManifests(memorySource({ 'setup.py': setupPy, 'requirements.txt': '-r dev.txt\n', 'dev.txt': dev }));
      expect(entries(both.manifests)).toEqual(['django==2.1.5 [main] - requirement direct']);
      const cfg = await loadManifests(memorySource({ 'setup.cfg': '[options]\ninstall_requires = file: dev.txt\n[options.extras_require]\ndev = file: dev.txt\n', 'dev.txt': dev }));
      expect(entries(cfg.manifests)).toEqual(['django==2.1.5 [main] - requirement direct']);
    });

    it('a file named by several extras only is listed once for each, as a list several extras share is', async () => {
      const setupPy = 'from setuptools import setup\nDEV = open("dev.txt").read().split()\nsetup(extras_require={"dev": DEV, "all": DEV})\n';
      const result = await loadManifests(memorySource({ 'setup.py': setupPy, 'dev.txt': dev }));
      expect(result.errors).toEqual([]);
      expect(result.manifests.find((m) => m.path === 'dev.txt')!.dependencies.map((d) => `${d.name} [${d.group}] ${d.line}`)).toEqual(['django [dev] 1', 'django [all] 1']);
      const inline = await loadManifests(memorySource({ 'setup.py': 'from setuptools import setup\nDEV = ["django==2.1.5"]\nsetup(extras_require={"dev": DEV, "all": DEV})\n' }));
      expect(entries(result.manifests)).toEqual(entries(inline.manifests));
    });

    describe("what an extra's file includes (-r more-dev.txt in dev.txt) is that extra's too, with its marker: pip installs it only with the extra", () => {
      const chain = { 'dev.txt': '-r more-dev.txt\n', 'more-dev.txt': '-r tools/lint.txt\ndjango==2.1.5\n', 'tools/lint.txt': 'flake8==7.0.0\n' };
      const expected = ['django==2.1.5 [dev] python_version < "3.12" requirement direct', 'flake8==7.0.0 [dev] python_version < "3.12" requirement direct'];

      it('setup.py, with an "extra:marker" key', async () => {
        const result = await loadManifests(memorySource({ 'setup.py': `from setuptools import setup\nsetup(extras_require={"dev:python_version < '3.12'": open("dev.txt").read().splitlines()})\n`, ...chain }));
        expect(result.errors).toEqual([]);
        expect(entries(result.manifests)).toEqual(expected);
      });

      it('setuptools dynamic optional-dependencies and hatch-requirements-txt', async () => {
        const setuptools = '[project]\nname = "app"\nversion = "1"\ndynamic = ["optional-dependencies"]\n[tool.setuptools.dynamic]\noptional-dependencies.dev = {file = ["dev.txt"]}\n';
        const hatch = '[build-system]\nbuild-backend = "hatchling.build"\n[project]\nname = "app"\nversion = "1"\ndynamic = ["optional-dependencies"]\n[tool.hatch.metadata.hooks.requirements_txt.optional-dependencies]\ndev = ["dev.txt"]\n';
        for (const pyproject of [setuptools, hatch]) {
          const result = await loadManifests(memorySource({ 'pyproject.toml': pyproject, ...chain }));
          expect(result.errors).toEqual([]);
          expect(entries(result.manifests)).toEqual(['django==2.1.5 [dev] - requirement direct', 'flake8==7.0.0 [dev] - requirement direct']);
        }
      });

      it('through a loop of includes too, each file read once', async () => {
        const result = await loadManifests(memorySource({ 'setup.cfg': '[options.extras_require]\ndev = file: dev.txt\n', 'dev.txt': '-r more-dev.txt\n', 'more-dev.txt': '-r dev.txt\ndjango==2.1.5\n' }));
        expect(entries(result.manifests)).toEqual(['django==2.1.5 [dev] - requirement direct']);
      });

      it('a file also reached as main stays main: included by a main file, or a manifest read on its own (requirements.txt)', async () => {
        const setupCfg = '[options]\ninstall_requires = file: base.txt\n[options.extras_require]\ndev = file: dev.txt\n';
        const result = await loadManifests(
          memorySource({ 'setup.cfg': setupCfg, 'base.txt': '-r shared.txt\n', 'dev.txt': '-r shared.txt\n-r requirements.txt\npytest==8.0.0\n', 'shared.txt': 'six==1.16.0\n', 'requirements.txt': '-r pinned.txt\n', 'pinned.txt': 'django==2.1.5\n' }),
        );
        expect(entries(result.manifests)).toEqual(['django==2.1.5 [main] - requirement direct', 'pytest==8.0.0 [dev] - requirement direct', 'six==1.16.0 [main] - requirement direct']);
      });

      it('a -c file an extra\'s file names constrains under that extra', async () => {
        const result = await loadManifests(memorySource({ 'setup.cfg': '[options.extras_require]\ndev = file: dev.txt\n', 'dev.txt': '-c pins.txt\ndjango\n', 'pins.txt': 'django==2.1.5\n' }));
        expect(entries(result.manifests)).toEqual(['django [dev] - requirement direct', 'django==2.1.5 [dev] - constraint direct']);
      });
    });

    it(`lists a file named by more than ${MAX_EXTRAS_PER_INCLUDED_FILE} extras once, as main (more than installed, never less), so copies stay linear in the input`, async () => {
      const extras = Array.from({ length: MAX_EXTRAS_PER_INCLUDED_FILE + 1 }, (_, i) => `x${i} = file: dev.txt`).join('\n');
      const result = await loadManifests(memorySource({ 'setup.cfg': `[options.extras_require]\n${extras}\n`, 'dev.txt': dev }));
      expect(entries(result.manifests)).toEqual(['django==2.1.5 [main] - requirement direct']);
    });
  });

  describe("uv's override-dependencies and constraint-dependencies: read from the workspace root only, as uv does", () => {
    const root = '[project]\nname = "root"\nversion = "1"\n[tool.uv]\noverride-dependencies = ["jinja2==2.10"]\n[tool.uv.workspace]\nmembers = ["packages/*", "./tools/cli/"]\nexclude = ["packages/legacy"]\n';
    const member = '[project]\nname = "m"\nversion = "1"\ndependencies = ["django"]\n[tool.uv]\nconstraint-dependencies = ["django==2.1.5"]\noverride-dependencies = ["pyyaml==5.1"]\n';
    const uvLists = (result: Awaited<ReturnType<typeof loadManifests>>) =>
      result.manifests.flatMap((m) => m.dependencies.filter((d) => d.kind === 'constraint').map((d) => `${d.file}:${d.line} ${d.name}==${d.version}`));

    it("leaves a member's lists out, with one notice for each member that has them", async () => {
      const result = await loadManifests(memorySource({ 'pyproject.toml': root, 'packages/a/pyproject.toml': member, 'tools/cli/pyproject.toml': member }));
      expect(result.errors).toEqual([]);
      expect(uvLists(result)).toEqual(['pyproject.toml:5 jinja2==2.10']);
      expect(result.notices).toEqual([
        'packages/a/pyproject.toml:6: [tool.uv] constraint-dependencies and override-dependencies in a workspace member is ignored by uv, which reads them only from the workspace root (pyproject.toml); not applied',
        'tools/cli/pyproject.toml:6: [tool.uv] constraint-dependencies and override-dependencies in a workspace member is ignored by uv, which reads them only from the workspace root (pyproject.toml); not applied',
      ]);
      // The rest of the member is read as before.
      expect(result.manifests.find((m) => m.path === 'packages/a/pyproject.toml')!.dependencies.map((d) => `${d.name} ${d.kind}`)).toEqual(['django requirement']);
    });

    it('keeps the lists of a project the workspace does not take in: excluded, deeper than its glob, or with no workspace above it', async () => {
      const result = await loadManifests(
        memorySource({ 'pyproject.toml': root, 'packages/legacy/pyproject.toml': member, 'packages/a/b/pyproject.toml': member, 'other/pyproject.toml': member }),
      );
      expect(uvLists(result)).toEqual([
        'other/pyproject.toml:6 django==2.1.5',
        'other/pyproject.toml:7 pyyaml==5.1',
        'packages/a/b/pyproject.toml:6 django==2.1.5',
        'packages/a/b/pyproject.toml:7 pyyaml==5.1',
        'packages/legacy/pyproject.toml:6 django==2.1.5',
        'packages/legacy/pyproject.toml:7 pyyaml==5.1',
        'pyproject.toml:5 jinja2==2.10',
      ]);
      expect(result.notices).toBeUndefined();
      // A standalone project (no workspace table above it) keeps them too.
      expect(uvLists(await loadManifests(memorySource({ 'packages/a/pyproject.toml': member })))).toHaveLength(2);
    });

    it('the nearest workspace root above a project decides, as uv searches up the folders', async () => {
      const inner = `${member}[tool.uv.workspace]\nmembers = ["libs/*"]\n`;
      const result = await loadManifests(memorySource({ 'pyproject.toml': root, 'packages/a/pyproject.toml': inner, 'packages/a/libs/x/pyproject.toml': member }));
      // packages/a is a root of its own workspace (its lists count); libs/x is its member, not the outer root's.
      expect(uvLists(result).filter((l) => l.startsWith('packages/'))).toEqual(['packages/a/pyproject.toml:6 django==2.1.5', 'packages/a/pyproject.toml:7 pyyaml==5.1']);
      expect(result.notices).toEqual([expect.stringContaining('packages/a/libs/x/pyproject.toml:6: [tool.uv] constraint-dependencies and override-dependencies in a workspace member is ignored by uv, which reads them only from the workspace root (packages/a/pyproject.toml)')]);
    });
  });

  describe('.in files: pip-tools inputs by their name, their compiled .txt or an include; templates never', () => {
    const compiledFromDev = '#\n# This file is autogenerated by pip-compile with Python 3.12\n# by the following command:\n#\n#    pip-compile dev.in\n#\ndjango==2.1.5\n    # via -r dev.in\n';
    const paths = async (files: Record<string, string>) => {
      const result = await loadManifests(memorySource(files));
      expect(result.errors).toEqual([]);
      return result.manifests.map((m) => `${m.path} ${m.format} ${names(m.dependencies).join(',')}`);
    };

    it('reads a .in whose name says requirements, or inside requirements/', async () => {
      expect(await paths({ 'requirements.in': 'django\n', 'dev-reqs.in': 'pytest\n', 'requirements/docs.in': 'sphinx\n' })).toEqual(['dev-reqs.in requirements pytest', 'requirements.in requirements django', 'requirements/docs.in requirements sphinx']);
    });

    it('reads dev.in, and dev.txt, when dev.txt says pip-compile or uv compiled it from dev.in', async () => {
      expect(await paths({ 'dev.in': 'django>=2\n', 'dev.txt': compiledFromDev })).toEqual(['dev.in requirements django', 'dev.txt requirements django']);
      const uv = '# This file was autogenerated by uv via the following command:\n#    uv pip compile lint.in -o lint.txt\nruff==0.4.0\n';
      expect(await paths({ 'tools/lint.in': 'ruff\n', 'tools/lint.txt': uv })).toEqual(['tools/lint.in requirements ruff', 'tools/lint.txt requirements ruff']);
    });

    it('reads a .in a manifest includes, whatever its name', async () => {
      expect(await paths({ 'requirements.txt': '-r base.in\n', 'base.in': 'six\n' })).toEqual(['requirements.txt requirements ', 'base.in requirements six']);
    });

    it('reads no other .in, and names each it passed over in one notice (not partial): a template, an input compiled elsewhere, one beside a hand-written or another input\'s .txt', async () => {
      const result = await loadManifests(
        memorySource({
          'roles/web/templates/template.in': '{{ packages | join("\\n") }}\n',
          'docs/page.in': 'Hello {{ name }}\n',
          'docs/page.txt': 'Hello\n',
          'other.in': 'x\n',
          'other.txt': compiledFromDev,
          'deps/test.in': 'django==1.11\n',
        }),
      );
      expect(result.manifests).toEqual([]);
      expect(result.errors).toEqual([]);
      expect(result.notices).toEqual([
        'deps/test.in, docs/page.in, other.in, roles/web/templates/template.in: not read as requirements (a .in file is read when its name says requirements/constraints/reqs, ' +
          'when a pip-compile output beside it names it, or when a manifest includes it; to read one, include it from a requirements file, as `-r deps/test.in`, or rename it)',
      ]);
    });

    it('names the first five .in files it passed over, then how many more', async () => {
      const files = Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`t${i}.in`, 'x\n']));
      const [notice] = (await loadManifests(memorySource(files))).notices ?? [];
      expect(notice).toMatch(/^t0\.in, t1\.in, t2\.in, t3\.in, t4\.in and 2 more: not read as requirements /);
    });

    it('says nothing of the well-known .in files that are never requirements', async () => {
      const templates = ['MANIFEST.in', 'Makefile.in', 'GNUmakefile.in', 'src/config.h.in', 'configure.in', 'config-site.in', 'setup.cfg.in', 'setup.py.in', 'lib.pc.in', 'app.spec.in', 'app.service.in', 'app.desktop.in', 'nginx.conf.in', 'Foo.cmake.in', 'a.xml.in', 'a.json.in', 'a.yml.in', 'a.yaml.in', 'a.html.in', 'run.sh.in', 'version.py.in'];
      const result = await loadManifests(memorySource({ 'requirements.txt': 'six\n', ...Object.fromEntries(templates.map((t) => [t, 'x @VERSION@\n'])) }));
      expect(result.manifests.map((m) => m.path)).toEqual(['requirements.txt']);
      expect(result.errors).toEqual([]);
      expect(result.notices).toBeUndefined();
    });

    it('says nothing of a .in that is read: by its name, through a compiled .txt, or included', async () => {
      const result = await loadManifests(memorySource({ 'requirements.in': 'six\n', 'dev.in': 'django\n', 'dev.txt': compiledFromDev, 'requirements.txt': '-r base.in\n', 'base.in': 'idna\n' }));
      expect(result.manifests.map((m) => m.path).sort()).toEqual(['base.in', 'dev.in', 'dev.txt', 'requirements.in', 'requirements.txt']);
      expect(result.notices).toBeUndefined();
    });

    it('never reads MANIFEST.in or Makefile.in by discovery, even beside a compiled .txt naming them', async () => {
      const compiled = (input: string) => `# This file was autogenerated by uv via the following command:\n#    uv pip compile ${input}\nsix==1.16.0\n`;
      expect(await paths({ 'MANIFEST.in': 'include README\n', 'MANIFEST.txt': compiled('MANIFEST.in'), 'Makefile.in': 'all:\n', 'Makefile.txt': compiled('Makefile.in') })).toEqual([]);
    });

    it('leaves a pair unread when exclude: keeps either file out; an input it does not exclude is named in the notice', async () => {
      const files = { 'dev.in': 'django\n', 'dev.txt': compiledFromDev };
      const txtExcluded = await loadManifests(memorySource(files), { exclude: (p) => p === 'dev.txt' });
      expect(txtExcluded.manifests).toEqual([]);
      expect(txtExcluded.errors).toEqual([]);
      expect(txtExcluded.notices).toEqual([expect.stringMatching(/^dev\.in: not read as requirements /)]);
      expect(await loadManifests(memorySource(files), { exclude: (p) => p === 'dev.in' })).toEqual({ manifests: [], errors: [] });
    });

    it('says a compiled .txt candidate that cannot be read (partial), and names its input in the notice', async () => {
      const tooLarge = { ...memorySource({ 'dev.in': 'django\n', 'dev.txt': compiledFromDev, 'requirements.txt': 'six\n' }) };
      tooLarge.size = async (path) => (path === 'dev.txt' ? 6 * 1024 * 1024 : 10);
      const large = await loadManifests(tooLarge);
      expect(large.manifests.map((m) => m.path)).toEqual(['requirements.txt']);
      expect(large.errors).toEqual([{ file: 'dev.txt', line: null, message: 'file is 6.0 MB, over the 5 MB limit for manifests; not read' }]);
      expect(large.notices).toEqual([expect.stringMatching(/^dev\.in: not read as requirements /)]);

      const refused = memorySource({ 'dev.in': 'django\n', 'requirements.txt': 'six\n' }, { passedOver: [], unreadable: [{ path: 'dev.txt', message: 'could not be downloaded from GitHub: 502' }] });
      const listed = { ...refused, list: async () => ['dev.in', 'dev.txt', 'requirements.txt'] };
      const unread = await loadManifests(listed);
      expect(unread.errors).toEqual([{ file: 'dev.txt', line: null, message: 'could not be downloaded from GitHub: 502' }]);
      expect(unread.notices).toEqual([expect.stringMatching(/^dev\.in: not read as requirements /)]);
    });

    it('says a candidate .txt that cannot be read once when a manifest includes it too, naming the include', async () => {
      const tooLarge = { ...memorySource({ 'dev.in': 'django\n', 'dev.txt': compiledFromDev, 'requirements.txt': 'six\n-r dev.txt\n' }) };
      tooLarge.size = async (path) => (path === 'dev.txt' ? 6 * 1024 * 1024 : 10);
      const large = await loadManifests(tooLarge);
      expect(large.errors).toEqual([
        { file: 'dev.txt', line: null, message: 'file is 6.0 MB, over the 5 MB limit for manifests; not read (included by requirements.txt:2)', includedBy: { file: 'requirements.txt', line: 2 } },
      ]);

      const refused = memorySource({ 'dev.in': 'django\n', 'requirements.txt': '-r dev.txt\n-r dev.txt\n' }, { unreadable: [{ path: 'dev.txt', message: 'could not be downloaded from GitHub: 502' }] });
      const listed = { ...refused, list: async () => ['dev.in', 'dev.txt', 'requirements.txt'] };
      expect((await loadManifests(listed)).errors).toEqual([
        { file: 'dev.txt', line: null, message: 'could not be downloaded from GitHub: 502 (included by requirements.txt:1)', includedBy: { file: 'requirements.txt', line: 1 } },
      ]);
    });

    it('says nothing of .in files when the files to read are given', async () => {
      const result = await loadManifests(memorySource({ 'requirements.txt': 'six\n', 'dev.in': 'django\n' }), { paths: ['requirements.txt'] });
      expect(result.notices).toBeUndefined();
    });
  });

  it('resolves include paths like pip does', () => {
    expect(resolveInclude('a/b/req.txt', '../c.txt')).toBe('a/c.txt');
    expect(resolveInclude('req.txt', './x/../y.txt')).toBe('y.txt');
    expect(resolveInclude('req.txt', '..\\up.txt')).toBeNull();
    expect(resolveInclude('req.txt', 'C:\\x.txt')).toBeNull();
  });
});
