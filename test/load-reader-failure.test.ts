/**
 * A format's reader is loaded with the first file of that format (src/python/formats/lazy.ts). One
 * that cannot be loaded (an install missing a file), or that throws on one file (a parser bug),
 * leaves that file unread and says so, as for any file not read; the other files are read and the
 * audit goes on, partial.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isUnread } from '../src/audit/partial.js';

afterEach(() => {
  vi.doUnmock('../src/python/formats/pyproject.js');
  vi.doUnmock('../src/scan/python/parser.js');
  vi.resetModules();
});

describe('a reader that cannot be loaded', () => {
  it('leaves its file unread with one line, reads the rest, and is tried again next time', async () => {
    vi.resetModules();
    vi.doMock('../src/python/formats/pyproject.js', () => {
      throw new Error('Cannot find module dist/python/formats/pyproject.js\n    at stack line');
    });
    const { memorySource } = await import('../src/python/files.js');
    const { loadManifests } = await import('../src/python/load.js');
    const tree = memorySource({ 'requirements.txt': 'django==2.1.5\n', 'pyproject.toml': '[project]\nname = "x"\ndependencies = ["jinja2==2.10"]\n' });

    const broken = await loadManifests(tree);
    expect(broken.manifests.map((m) => m.path)).toEqual(['requirements.txt']);
    expect(broken.errors).toEqual([{ file: 'pyproject.toml', line: null, message: expect.stringMatching(/^the pyproject reader could not be loaded \(.+\); not read$/) }]);
    expect(broken.errors[0]!.message).not.toContain('stack line');

    vi.doUnmock('../src/python/formats/pyproject.js');
    const again = await loadManifests(tree);
    expect(again.errors).toEqual([]);
    expect(again.manifests.map((m) => m.path).sort()).toEqual(['pyproject.toml', 'requirements.txt']);
  });
});

describe('a reader that throws on a file', () => {
  it('leaves that file unread with one line, without the stack, and reads every other file', async () => {
    vi.resetModules();
    vi.doMock('../src/python/formats/pyproject.js', () => ({
      pyprojectFormat: {
        extract: () => {
          throw new Error('Not a valid PEP 440 version: "1e+23" from https://user:s3cret@example.com/x\n    at compareVersions (pep440.ts:252)');
        },
      },
    }));
    const { memorySource } = await import('../src/python/files.js');
    const { loadManifests } = await import('../src/python/load.js');
    const tree = memorySource({
      'a/requirements.txt': 'django==2.1.5\n',
      'pyproject.toml': '[project]\nname = "x"\n',
      'z/requirements.txt': 'jinja2==2.10\n',
    });

    const result = await loadManifests(tree);
    expect(result.manifests.map((m) => m.path).sort()).toEqual(['a/requirements.txt', 'z/requirements.txt']);
    expect(result.manifests.flatMap((m) => m.dependencies.map((d) => d.name)).sort()).toEqual(['django', 'jinja2']);
    expect(result.errors).toEqual([
      { file: 'pyproject.toml', line: null, message: expect.stringMatching(/^the pyproject reader failed on this file \(Not a valid PEP 440 version: "1e\+23" from https:\/\/.*example\.com\/x\); not read$/) },
    ]);
    expect(result.errors[0]!.message).not.toContain('s3cret');
    expect(result.errors.every(isUnread)).toBe(true);
  });
});

describe('setup.py\'s grammar that cannot be loaded (an install missing its wasm file)', () => {
  const missingWasm = () => ({
    createPythonParser: () => Promise.reject(new Error("ENOENT: no such file or directory, open 'tree-sitter-python.wasm'\n    at stack line")),
  });
  const tree = { 'setup.py': 'setup(install_requires=["django==2.1.5"])\n', 'requirements.txt': 'jinja2==2.10\n' };
  const notLoaded = { file: 'setup.py', line: null, message: expect.stringMatching(/^the setup-py reader could not be loaded \(ENOENT: .+\); not read$/) };

  it('leaves each setup.py unread with one line in an audit, and reads the rest', async () => {
    vi.resetModules();
    vi.doMock('../src/scan/python/parser.js', missingWasm);
    const { memorySource } = await import('../src/python/files.js');
    const { loadManifests } = await import('../src/python/load.js');

    const result = await loadManifests(memorySource(tree));
    expect(result.manifests.map((m) => m.path)).toEqual(['requirements.txt']);
    expect(result.errors).toEqual([notLoaded]);
    expect(result.errors.every(isUnread)).toBe(true);
  });

  it('fails neither the import of every format at once nor their readiness: each setup.py the fixer reads is one line, and the next call tries again', async () => {
    vi.resetModules();
    let wasmMissing = true;
    vi.doMock('../src/scan/python/parser.js', async (importOriginal) => {
      const real = await importOriginal<typeof import('../src/scan/python/parser.js')>();
      return { ...real, createPythonParser: (ms: number) => (wasmMissing ? missingWasm().createPythonParser() : real.createPythonParser(ms)) };
    });
    const { formatModule, readyFormatReaders } = await import('../src/python/formats/index.js');

    await readyFormatReaders(['requirements', 'setup-py']);
    expect(formatModule('setup-py').extract(tree['setup.py'], { file: 'setup.py' })).toEqual({ dependencies: [], errors: [notLoaded] });
    expect(formatModule('requirements').extract(tree['requirements.txt'], { file: 'requirements.txt' }).dependencies.map((d) => d.name)).toEqual(['jinja2']);

    wasmMissing = false; // the install repaired, in the same process (the bot lives long)
    await readyFormatReaders(['setup-py']);
    expect(formatModule('setup-py').extract(tree['setup.py'], { file: 'setup.py' }).dependencies.map((d) => `${d.name}${d.specifier}`)).toEqual(['django==2.1.5']);
  });
});

describe('the fixer\'s synchronous readers (src/python/formats/index.ts)', () => {
  it('load no grammar at import, and refuse to read a setup.py nobody made ready rather than read it as empty', async () => {
    vi.resetModules();
    const { formatModule, readyFormatReaders } = await import('../src/python/formats/index.js');
    expect(() => formatModule('setup-py').extract('setup(install_requires=["django"])\n', { file: 'setup.py' })).toThrow(/readyFormatReaders/);

    await readyFormatReaders(['requirements']); // no setup.py among them: nothing loaded
    expect(() => formatModule('setup-py').extract('setup()\n', { file: 'setup.py' })).toThrow(/readyFormatReaders/);

    await readyFormatReaders(['requirements', 'setup-py']);
    expect(formatModule('setup-py').extract('setup(install_requires=["django"])\n', { file: 'setup.py' }).dependencies.map((d) => d.name)).toEqual(['django']);
  });
});
