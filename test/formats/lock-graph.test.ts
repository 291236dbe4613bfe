/**
 * The dependency graph a lockfile records (src/python/formats/lock-graph.ts), read from real locks
 * and from the edge cases: what each lock tool writes an entry requires, resolved to the entries of
 * the same lock; no edges where a lock records none; a list that cannot be read leaves the entry's
 * requirements unknown (no edges at all, never some of them).
 */
import { describe, expect, it } from 'vitest';
import { bestCpuMs } from '../helpers/cpu-time.js';
import { lockEdges, projectEdges } from '../../src/python/formats/lock-graph.js';
import { pdmLockFormat } from '../../src/python/formats/pdm-lock.js';
import { pipfileLockFormat } from '../../src/python/formats/pipfile-lock.js';
import { poetryLockFormat } from '../../src/python/formats/poetry-lock.js';
import { pylockFormat } from '../../src/python/formats/pylock.js';
import { uvLockFormat } from '../../src/python/formats/uv-lock.js';
import type { ManifestFormat, ManifestFormatModule } from '../../src/python/types.js';
import { fixture } from './lock-helpers.js';

/** Each entry (`name@version`) the lock says the requirements of, and the entries it requires. */
function graphOf(module: ManifestFormatModule, file: string, text: string): Record<string, string[]> {
  const result = module.extract(text, { file });
  expect(result.errors.filter((e) => e.note !== true)).toEqual([]);
  const graph: Record<string, string[]> = {};
  for (const { from, to } of lockEdges({ format: module.format, dependencies: result.dependencies, requirementLists: result.requirementLists })) {
    graph[`${from.name}@${from.version}`] = to.map((d) => `${d.name}@${d.version}`);
  }
  return graph;
}

describe('the dependency graph of a lockfile', () => {
  it('uv.lock: each package its `dependencies` (not those of an extra); one that requires nothing requires nothing; the project itself is not an entry', () => {
    const graph = graphOf(uvLockFormat, 'uv.lock', fixture('handwritten/uv.lock'));
    // httpx comes from git; its `socks` extra's pysocks is not an edge.
    expect(graph['httpx@0.27.0']).toEqual(['certifi@2024.8.30']);
    expect(graph['pytest@8.3.3']).toEqual(['pluggy@1.5.0']);
    expect(graph['certifi@2024.8.30']).toEqual([]);
    expect(Object.keys(graph).some((entry) => entry.startsWith('demo-app@'))).toBe(false);
  });

  it('uv.lock: a reference naming a version is the entry of that version, when the lock holds several', () => {
    const text = [
      'version = 1',
      '[[package]]\nname = "pandas"\nversion = "2.2.0"\nsource = { registry = "https://pypi.org/simple" }\ndependencies = [{ name = "numpy", version = "1.26.4", source = { registry = "https://pypi.org/simple" } }]',
      '[[package]]\nname = "numpy"\nversion = "1.24.4"\nsource = { registry = "https://pypi.org/simple" }',
      '[[package]]\nname = "numpy"\nversion = "1.26.4"\nsource = { registry = "https://pypi.org/simple" }',
      '[[package]]\nname = "scipy"\nversion = "1.11.0"\nsource = { registry = "https://pypi.org/simple" }\ndependencies = [{ name = "numpy" }, { name = "not-locked" }]',
    ].join('\n\n');
    const graph = graphOf(uvLockFormat, 'uv.lock', text);
    expect(graph['pandas@2.2.0']).toEqual(['numpy@1.26.4']);
    // No version named: every entry of the name (which one installs is the markers' to say); a name the lock does not hold is no edge.
    expect(graph['scipy@1.11.0']).toEqual(['numpy@1.24.4', 'numpy@1.26.4']);
    // …and makes that entry's edges only part of what it requires.
    const edges = lockEdges({ format: 'uv-lock', ...uvLockFormat.extract(text, { file: 'uv.lock' }) });
    expect(edges.map((e) => [e.from.name, e.from.version, e.complete])).toEqual([
      ['pandas', '2.2.0', true],
      ['numpy', '1.24.4', true],
      ['numpy', '1.26.4', true],
      ['scipy', '1.11.0', false],
    ]);
  });

  it('poetry.lock: `[package.dependencies]`, without those needed only for an extra (`optional = true`)', () => {
    const graph = graphOf(poetryLockFormat, 'poetry.lock', fixture('poetry/old_lock/poetry.lock'));
    expect(graph['docker@4.3.1']).toEqual(['pywin32@227', 'requests@2.24.0', 'six@1.15.0', 'websocket-client@0.57.0']);
    expect(graph['requests@2.24.0']).toEqual(['certifi@2020.6.20', 'chardet@3.0.4', 'idna@2.10', 'urllib3@1.25.10']);
    expect(graph['six@1.15.0']).toEqual([]);
    const text = [
      '[[package]]\nname = "cachecontrol"\nversion = "0.14.1"\nfiles = []',
      '[package.dependencies]\nfilelock = {version = ">=3.8.0", optional = true}\nmsgpack = ">=0.5.2,<2.0.0"\nrequests = [{version = ">=2.16", markers = "python_version < \'3.8\'"}, {version = ">=2.20", optional = true}]',
      '[[package]]\nname = "filelock"\nversion = "3.16.1"\nfiles = []',
      '[[package]]\nname = "msgpack"\nversion = "1.1.0"\nfiles = []',
      '[[package]]\nname = "requests"\nversion = "2.32.3"\nfiles = []',
      '[metadata]\nlock-version = "2.0"',
    ].join('\n\n');
    // filelock is optional: no edge; requests is required under one constraint of two: an edge.
    expect(graphOf(poetryLockFormat, 'poetry.lock', text)['cachecontrol@0.14.1']).toEqual(['msgpack@1.1.0', 'requests@2.32.3']);
  });

  it('pdm.lock: the PEP 508 strings of `dependencies`; an extras entry requires its base release', () => {
    // PDM's own lock, cut to a few packages: what they require beyond those is no edge.
    const graph = graphOf(pdmLockFormat, 'pdm.lock', fixture('pdm/pdm.lock'));
    expect(graph['anyio@4.9.0']).toEqual([]);
    expect(graph['arpeggio@2.0.2']).toEqual([]);
    const text = [
      '[metadata]\nlock_version = "4.5.0"',
      '[[package]]\nname = "foo"\nversion = "1.0"\ngroups = ["default"]',
      '[[package]]\nname = "foo"\nversion = "1.0"\nextras = ["bar"]\ngroups = ["default"]\ndependencies = ["foo==1.0", "baz>=1"]',
      '[[package]]\nname = "baz"\nversion = "2.0"\ngroups = ["default"]',
    ].join('\n\n');
    // `foo==1.0` is both entries of that release (the BOM's one component, and no edge to itself there).
    expect(graphOf(pdmLockFormat, 'pdm.lock', text)['foo@1.0']).toEqual(['foo@1.0', 'foo@1.0', 'baz@2.0']);
  });

  it('pylock.toml: `[[packages.dependencies]]` where the writer fills it; an entry without it records nothing', () => {
    const text = [
      'lock-version = "1.0"\ncreated-by = "test"',
      '[[packages]]\nname = "attrs"\nversion = "25.1.0"\nsdist = { url = "https://example.org/a.tar.gz", hashes = { sha256 = "00" } }',
      '[[packages]]\nname = "cattrs"\nversion = "24.1.2"\ndependencies = [{ name = "attrs" }]\nsdist = { url = "https://example.org/c.tar.gz", hashes = { sha256 = "00" } }',
    ].join('\n\n');
    expect(graphOf(pylockFormat, 'pylock.toml', text)).toEqual({ 'cattrs@24.1.2': ['attrs@25.1.0'] });
    // pip's and uv's pylock.toml write none: no edges, no entry said to require nothing.
    expect(graphOf(pylockFormat, 'pylock.toml', fixture('pylock/uv/pylock.toml'))).toEqual({});
    expect(graphOf(pylockFormat, 'pylock.toml', fixture('pylock/pip/pylock.toml'))).toEqual({});
  });

  it('Pipfile.lock records none: no edges', () => {
    expect(graphOf(pipfileLockFormat, 'Pipfile.lock', fixture('pipenv/Pipfile.lock'))).toEqual({});
  });

  it('leaves an entry whose list cannot be read without edges (unknown), and the others as they are', () => {
    const uv = [
      'version = 1',
      '[[package]]\nname = "a"\nversion = "1.0"\nsource = { registry = "https://pypi.org/simple" }\ndependencies = [{ name = "b" }, "c"]',
      '[[package]]\nname = "b"\nversion = "1.0"\nsource = { registry = "https://pypi.org/simple" }\ndependencies = { name = "a" }',
      '[[package]]\nname = "c"\nversion = "1.0"\nsource = { registry = "https://pypi.org/simple" }\ndependencies = [{ name = "b" }]',
    ].join('\n\n');
    expect(graphOf(uvLockFormat, 'uv.lock', uv)).toEqual({ 'c@1.0': ['b@1.0'] });
    const pdm = '[metadata]\nlock_version = "4.5.0"\n\n[[package]]\nname = "a"\nversion = "1.0"\ngroups = ["default"]\ndependencies = ["b>=1", "not a requirement ~~"]\n\n[[package]]\nname = "b"\nversion = "1.0"\ngroups = ["default"]\n';
    expect(graphOf(pdmLockFormat, 'pdm.lock', pdm)).toEqual({ 'b@1.0': [] });
  });

  it('is linear in the lock: a name held by thousands of entries, each requiring it, is not an edge to each', () => {
    const entries = (n: number) =>
      ['version = 1', ...Array.from({ length: n }, (_, i) => `[[package]]\nname = "a"\nversion = "1.${i}"\nsource = { registry = "https://pypi.org/simple" }\ndependencies = [{ name = "a" }, { name = "b" }]`), '[[package]]\nname = "b"\nversion = "1.0"\nsource = { registry = "https://pypi.org/simple" }'].join('\n\n');
    const timeOf = (n: number) => {
      const result = uvLockFormat.extract(entries(n), { file: 'uv.lock' });
      const read = () => lockEdges({ format: 'uv-lock', dependencies: result.dependencies, requirementLists: result.requirementLists });
      // Each `a` stands for more entries than one reference may: its requirements are unknown; `b` requires nothing.
      expect(read().map((e) => e.from.name)).toEqual(['b']);
      return bestCpuMs(read, 200);
    };
    // Four times the entries: four times the work, where an edge to each would be sixteen (CPU time, best of several runs, a few ms of slack).
    const small = timeOf(2_000);
    expect(timeOf(8_000)).toBeLessThan(small * 8 + 5);
  });

  describe('what the project itself requires (uv.lock: its workspace root and members)', () => {
    /** The entries the project requires (`name@version`), and whether they are all it requires; null when the lock says nothing of it. */
    const projectOf = (text: string) => {
      const result = uvLockFormat.extract(text, { file: 'uv.lock' });
      expect(result.errors).toEqual([]);
      const edges = projectEdges({ format: 'uv-lock', ...result });
      return edges === null ? null : { to: edges.to.map((d) => `${d.name}@${d.version}`).sort(), complete: edges.complete };
    };
    const registry = (name: string, version: string, more = '') => `[[package]]\nname = "${name}"\nversion = "${version}"\nsource = { registry = "https://pypi.org/simple" }${more}`;

    it("is the lists of its members' entries (`dependencies`, each extra's, each dev group's) and of `[manifest]`, the members themselves no edge and no gap", () => {
      const text = [
        'version = 1',
        '[manifest]\nmembers = ["app", "lib"]\n\n[manifest.dependency-groups]\nlint = [{ name = "ruff", specifier = ">=0.5" }]',
        '[[package]]\nname = "app"\nversion = "0.1.0"\nsource = { virtual = "." }\ndependencies = [{ name = "lib" }, { name = "requests" }]\n\n[package.optional-dependencies]\nsocks = [{ name = "pysocks" }]\n\n[package.dev-dependencies]\ndev = [{ name = "pytest" }]',
        '[[package]]\nname = "lib"\nversion = "0.2.0"\nsource = { editable = "packages/lib" }\ndependencies = [{ name = "attrs" }]',
        registry('attrs', '23.1.0'),
        registry('idna', '3.6'),
        registry('pysocks', '1.7.1'),
        registry('pytest', '8.3.3'),
        registry('requests', '2.31.0', '\ndependencies = [{ name = "idna" }]'),
        registry('ruff', '0.6.0'),
      ].join('\n\n');
      // idna is required by requests, not by the project.
      expect(projectOf(text)).toEqual({ to: ['attrs@23.1.0', 'pysocks@1.7.1', 'pytest@8.3.3', 'requests@2.31.0', 'ruff@0.6.0'], complete: true });
    });

    it('reads a real workspace (cut to ten packages): a virtual root with `[manifest]` dependency groups, and a member with its dev group', () => {
      const result = uvLockFormat.extract(fixture('full-stack-fastapi-template/uv.lock'), { file: 'uv.lock' });
      const edges = projectEdges({ format: 'uv-lock', ...result })!;
      // alembic and sentry-sdk from the member's `dependencies`, ruff from its dev group, smokeshow from `[manifest]`'s.
      expect(edges.to.map((d) => d.name).sort()).toEqual(['alembic', 'ruff', 'sentry-sdk', 'smokeshow']);
      // The lists name packages the cut lock no longer holds (fastapi, pytest, zizmor…): not all of it.
      expect(edges.complete).toBe(false);
    });

    it('is not all of it when a list names a package the lock does not hold, or cannot be read; what could be read is still said', () => {
      const missing = ['version = 1', '[[package]]\nname = "app"\nversion = "0.1.0"\nsource = { editable = "." }\ndependencies = [{ name = "attrs" }, { name = "gone" }]', registry('attrs', '23.1.0')].join('\n\n');
      expect(projectOf(missing)).toEqual({ to: ['attrs@23.1.0'], complete: false });
      const unreadable = ['version = 1', '[[package]]\nname = "app"\nversion = "0.1.0"\nsource = { virtual = "." }\ndependencies = [{ name = "attrs" }]\n\n[package.dev-dependencies]\ndev = ["pytest"]', registry('attrs', '23.1.0'), registry('pytest', '8.3.3')].join('\n\n');
      expect(projectOf(unreadable)).toEqual({ to: ['attrs@23.1.0'], complete: false });
      const notATable = ['version = 1', '[[package]]\nname = "app"\nversion = "0.1.0"\nsource = { virtual = "." }\noptional-dependencies = "socks"', registry('attrs', '23.1.0')].join('\n\n');
      expect(projectOf(notATable)).toEqual({ to: [], complete: false });
    });

    it('says nothing where the lock holds no entry of the project, nor of any other lock', () => {
      expect(projectOf(['version = 1', registry('attrs', '23.1.0')].join('\n\n'))).toBeNull();
      const poetry = poetryLockFormat.extract('[[package]]\nname = "attrs"\nversion = "23.1.0"\nfiles = []\n\n[metadata]\nlock-version = "2.0"\n', { file: 'poetry.lock' });
      expect(projectEdges({ format: 'poetry-lock', ...poetry })).toBeNull();
    });

    it('is linear in the lock: thousands of references to a name held by thousands of entries are not an edge to each', () => {
      const lock = (n: number) =>
        ['version = 1', `[[package]]\nname = "app"\nversion = "0.1.0"\nsource = { virtual = "." }\ndependencies = [${Array.from({ length: n }, () => '{ name = "a" }').join(', ')}]`, ...Array.from({ length: n }, (_, i) => registry('a', `1.${i}`))].join('\n\n');
      const timeOf = (n: number) => {
        const result = uvLockFormat.extract(lock(n), { file: 'uv.lock' });
        const read = () => projectEdges({ format: 'uv-lock', ...result });
        // `a` stands for more entries than one reference may: the project's requirements are not all known.
        expect(read()).toEqual({ to: [], complete: false });
        return bestCpuMs(read, 200);
      };
      const small = timeOf(2_000);
      expect(timeOf(8_000)).toBeLessThan(small * 8 + 5);
    });
  });

  it('reads nothing of a manifest whose lists do not stand beside its entries one for one', () => {
    const result = uvLockFormat.extract(fixture('full-stack-fastapi-template/uv.lock'), { file: 'uv.lock' });
    const format: ManifestFormat = 'uv-lock';
    expect(lockEdges({ format, dependencies: result.dependencies, requirementLists: result.requirementLists!.slice(1) })).toEqual([]);
    expect(lockEdges({ format: 'requirements', dependencies: result.dependencies, requirementLists: result.requirementLists })).toEqual([]);
  });
});
