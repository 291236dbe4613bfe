/**
 * The audit off the main thread: the same tree audited in a worker and on this thread gives the same
 * result, the main thread only reads (the advisory source is asked for candidates and never matches
 * anything itself), and what the sweep stores (packages, the tree's ignores) and re-matches agrees too.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { AuditResult } from '../../src/audit/audit.js';
import type { AdvisorySource } from '../../src/advisories/types.js';
import { auditFileSource } from '../../src/audit/run.js';
import { memorySource } from '../../src/python/files.js';
import { createAuditWorkerPool, runHere, runInWorkers } from '../../src/workers/audit-runner.js';
import { failingRegistry, project, realMirror, registryOf, release } from '../audit/helpers.js';
import { manifest } from '../slack/app-world.js';
import { tarballOf } from '../helpers/tarball.js';
import { startFakePypi } from '../fakes/pypi.js';
import { PyPIClient } from '../../src/python/pypi.js';
import { openDb } from '../../src/store/db.js';

const now = new Date('2026-11-28T12:00:00Z');

const FILES = {
  'requirements/main.txt': manifest('pypi-warehouse/requirements/main.txt'),
  Pipfile: manifest('pipenv/Pipfile'),
  'Pipfile.lock': manifest('pipenv/Pipfile.lock'),
  'requirements.txt': 'Django==2.1.5\nrequests>=2.0\npyyaml==5.3.1\n--extra-index-url https://pypi.internal.example/simple\n',
  '.depwatch.yml': 'ignore:\n  - id: CVE-2020-14343\n    reason: we only load trusted YAML\n',
  Dockerfile: 'FROM python:3.7-slim\n',
};
const files = Object.entries(FILES).map(([path, text]) => ({ path, text }));

const registry = registryOf([
  project('django', [release('2.1.5', '2019-01-04T00:00:00Z'), release('4.2.16', '2024-09-03T00:00:00Z')]),
  project('requests', [release('2.18.4', '2017-08-15T00:00:00Z'), release('2.32.3', '2024-05-29T00:00:00Z')]),
]);

/** The real mirror, watched: which of its methods the main thread was asked to run. */
async function watchedMirror(): Promise<AdvisorySource & { asked: string[] }> {
  const mirror = await realMirror();
  const asked: string[] = [];
  return {
    kind: mirror.kind,
    asked,
    affecting: (q) => (asked.push('affecting'), mirror.affecting(q)),
    candidates: (q) => (asked.push('candidates'), mirror.candidates(q)),
    forPackage: (n) => (asked.push('forPackage'), mirror.forPackage(n)),
  };
}

describe('audits in worker threads', () => {
  const pool = createAuditWorkerPool({ size: 1 });
  const inWorkers = runInWorkers(pool);
  afterAll(() => pool.close());

  it('give the same result as the audit on this thread, and as the CLI audit', async () => {
    const request = { files, target: 'octo/shop@abc', now, forWatching: true };
    const here = await runHere.auditTree(request, { advisories: await realMirror(), registry });
    const there = await inWorkers.auditTree(request, { advisories: await realMirror(), registry });
    expect(there).toEqual(here);
    expect(here.result.findings.filter((f) => f.kind === 'vulnerability').length).toBeGreaterThan(10);
    expect(here.result.ignored.map((f) => f.aliases ?? []).flat()).toContain('CVE-2020-14343');
    expect(here.packages!.map((p) => `${p.name}@${p.version}`)).toContain('django@2.1.5');
    expect(here.treeIgnores).toEqual([expect.objectContaining({ id: 'CVE-2020-14343' })]);

    const cli = await auditFileSource(memorySource(FILES), { target: 'octo/shop@abc', advisories: await realMirror(), registry, now });
    expect(there.result).toEqual(cli);
  });

  it("read a setup.py in the worker as on this thread: the Python grammar loads there, and its pins are audited at their lines", async () => {
    const tree = [
      { path: 'pkg/setup.py', text: 'from setuptools import setup\n\nsetup(\n    name="pkg",\n    install_requires=["Django==2.1.5"],\n    extras_require={"yaml": ["pyyaml==5.3.1"]},\n)\n' },
      { path: 'pkg/pyproject.toml', text: '[project]\nname = "pkg"\nversion = "1"\ndynamic = ["dependencies", "optional-dependencies"]\n' },
    ];
    const request = { files: tree, target: 'octo/pkg@abc', now, forWatching: true };
    const there = await inWorkers.auditTree(request, { advisories: await realMirror(), registry: null });
    expect(there).toEqual(await runHere.auditTree(request, { advisories: await realMirror(), registry: null }));
    // Read, not "reader could not be loaded"; and setup.py answers the pyproject.toml's dynamic fields.
    expect(there.result.partial).toBe(false);
    expect(there.readFiles).toEqual(expect.arrayContaining(['pkg/setup.py']));
    const vulnerable = there.result.findings.filter((f) => f.kind === 'vulnerability').map((f) => `${f.package} ${f.file}:${f.line}`);
    expect(new Set(vulnerable)).toEqual(new Set(['django pkg/setup.py:5', 'pyyaml pkg/setup.py:6']));
    expect(there.packages!.map((p) => `${p.name}@${p.version}`)).toEqual(expect.arrayContaining(['django@2.1.5', 'pyyaml@5.3.1']));
  });

  it('scan a repository archive in the worker, with the same result as on this thread', async () => {
    const archive = await tarballOf({ 'app/views.py': 'def f(q):\n    return eval(q)\n', ...FILES });
    const request = { archive, fingerprintKey: 'k'.repeat(64), today: now };
    const there = await inWorkers.scanArchive(request);
    expect(there).toEqual(await runHere.scanArchive(request));
    expect(there.findings.map((f) => f.rule)).toEqual(expect.arrayContaining(['py-eval-exec', 'docker-root-user']));
  });

  it('leave only reading to the main thread: the source is asked for candidates, the matching happens in the worker', async () => {
    const source = await watchedMirror();
    const { result } = await inWorkers.auditTree({ files, target: 't', now }, { advisories: source, registry: null });
    expect(result.findings.some((f) => f.id === 'PYSEC-2019-13')).toBe(true);
    expect(source.asked).toContain('candidates');
    expect(source.asked).not.toContain('affecting');
  });

  it('report a failing source the way the audit on this thread does (partial, with the reason)', async () => {
    const dead: AdvisorySource = { kind: 'api', affecting: () => Promise.reject(new Error('OSV did not answer')), forPackage: async () => [] };
    const there = await inWorkers.auditTree({ files, target: 't', now }, { advisories: dead, registry: failingRegistry });
    const here = await runHere.auditTree({ files, target: 't', now }, { advisories: dead, registry: failingRegistry });
    expect(there.result).toEqual(here.result);
    expect(there.result.partial).toBe(true);
    expect(there.result.warnings.join('\n')).toContain('advisories unavailable (OSV did not answer)');
  });

  it('hand the vulnerability result back to this thread before the registry answers, then the complete one', async () => {
    let answer: () => void = () => {};
    const answered = new Promise<void>((resolve) => (answer = resolve));
    const slowRegistry = { projectsSettled: async (names: string[]) => (await answered, registry.projectsSettled(names)) };
    const stages: AuditResult[] = [];
    const done = inWorkers.auditTree({ files, target: 't', now }, { advisories: await realMirror(), registry: slowRegistry }, { onFirstStage: (r) => void stages.push(r) });
    const first = await vi.waitFor(() => stages[0] ?? Promise.reject(new Error('no first stage yet')), { timeout: 20_000 });
    expect(first.pending).toEqual(['outdated and yanked releases and packages not on the index (reading PyPI)']);
    expect(first.partial).toBe(true);
    expect(first.findings.some((f) => f.id === 'PYSEC-2019-13')).toBe(true);
    expect(first.findings.some((f) => f.kind === 'outdated')).toBe(false);
    answer();
    const { result } = await done;
    expect(stages).toHaveLength(1);
    expect(result.pending).toBeUndefined();
    expect(result.findings.some((f) => f.kind === 'outdated' && f.package === 'django')).toBe(true);
    expect(result).toEqual((await runHere.auditTree({ files, target: 't', now }, { advisories: await realMirror(), registry })).result);
  });

  describe('with PyPI failing for one project (pyyaml) and answering for the other (django)', () => {
    const TWO = [{ path: 'requirements.txt', text: 'Django==2.1.5\npyyaml==5.3.1\n' }];
    /** A real client over HTTP; django's only later release is 4.2.16, which every fix version rounds up to. */
    async function halfDownPypi() {
      const pypi = await startFakePypi({ projects: [{ name: 'django', releases: [{ version: '2.1.5', uploadTime: '2019-01-04T00:00:00Z' }, { version: '4.2.16', uploadTime: '2024-09-03T00:00:00Z' }] }, { name: 'pyyaml', releases: [{ version: '5.3.1', uploadTime: '2020-03-18T00:00:00Z' }] }] });
      pypi.fail({ match: '/pypi/pyyaml/', status: 503, times: 1000 });
      return { pypi, client: new PyPIClient({ baseUrl: pypi.url, db: openDb(':memory:'), retries: 0 }) };
    }

    it("audits keep django's outdated finding and are partial naming pyyaml, in one line, as on this thread", async () => {
      const { pypi, client } = await halfDownPypi();
      try {
        const request = { files: TWO, target: 't', now };
        const there = await inWorkers.auditTree(request, { advisories: await realMirror(), registry: client });
        expect(there.result.findings.filter((f) => f.kind === 'outdated').map((f) => `${f.package} ${f.fix.version}`)).toEqual(['django 4.2.16']);
        expect(there.result.partial).toBe(true);
        expect(there.result.partialReasons).toEqual([
          expect.objectContaining({ kind: 'data-source', unreached: 'registry', message: expect.stringMatching(/^package registry unavailable for pyyaml \(PyPI answered 503 to GET [^\n]*\/pyyaml\/json\): whether it is outdated, yanked or not on the index was not checked$/) }),
        ]);
        expect(there.result).toEqual((await runHere.auditTree(request, { advisories: await realMirror(), registry: client })).result);
      } finally {
        await pypi.close();
      }
    });

    it("re-matches keep django's releases (its fix rounded up to one PyPI has)", async () => {
      const { pypi, client } = await halfDownPypi();
      try {
        const { packages } = await runHere.auditTree({ files: TWO, target: 't', now, forWatching: true }, { advisories: await realMirror(), registry: null });
        const request = { repos: [{ key: 'octo/two', packages: packages!, ignores: [] }], now };
        const fixesOf = (outcome: Awaited<ReturnType<typeof runHere.rematch>>) =>
          new Set(outcome.ok ? outcome.findings[0]!.findings.filter((f) => f.package === 'django').map((f) => f.fix.version) : []);
        const there = await inWorkers.rematch(request, { advisories: await realMirror(), registry: client });
        expect(fixesOf(there)).toEqual(new Set(['4.2.16']));
        // Without django's releases the fix is the advisories' own version: not what PyPI has.
        const unrounded = fixesOf(await runHere.rematch(request, { advisories: await realMirror(), registry: null }));
        expect(unrounded.size).toBeGreaterThan(0);
        expect(unrounded).not.toEqual(new Set(['4.2.16']));
        expect(there).toEqual(await runHere.rematch(request, { advisories: await realMirror(), registry: client }));
      } finally {
        await pypi.close();
      }
    });
  });

  it('re-match stored packages like the sweep on this thread does', async () => {
    const { packages } = await runHere.auditTree({ files, target: 't', now, forWatching: true }, { advisories: await realMirror(), registry: null });
    const request = {
      repos: [
        { key: 'octo/shop', packages: packages!, ignores: [] },
        { key: 'octo/other', packages: packages!.slice(0, 3), ignores: [{ id: 'PYSEC-2019-13', reason: 'not used', until: null, package: null, source: 'test' }] },
      ],
      now,
    };
    const here = await runHere.rematch(request, { advisories: await realMirror(), registry });
    const there = await inWorkers.rematch(request, { advisories: await realMirror(), registry });
    expect(there).toEqual(here);
    expect(here.ok && here.findings[0]!.findings.length).toBeGreaterThan(10);
  });
});

it('stores as the tree\'s ignores the rules the audit applied: the settings file it read, named as it is', async () => {
  const settings = (id: string) => `ignore:\n  - id: ${id}\n    reason: we only load trusted YAML\n`;
  const request = (extra: Record<string, string>) => ({
    files: Object.entries({ 'requirements.txt': 'pyyaml==5.3.1\n', ...extra }).map(([path, text]) => ({ path, text })),
    target: 'octo/shop@abc',
    now,
    forWatching: true,
  });
  const yamlOnly = await runHere.auditTree(request({ '.depwatch.yaml': settings('CVE-2020-14343') }), { advisories: await realMirror(), registry: null });
  expect(yamlOnly.treeIgnores).toEqual([expect.objectContaining({ id: 'CVE-2020-14343', source: '.depwatch.yaml' })]);
  expect(yamlOnly.result.ignored.map((f) => f.ignoredBy?.source)).toEqual(['.depwatch.yaml']);
  // With both, the audit reads .depwatch.yml (CONFIG_FILES order), and so does what is stored.
  const both = await runHere.auditTree(request({ '.depwatch.yaml': settings('CVE-0000-00000'), '.depwatch.yml': settings('CVE-2020-14343') }), { advisories: await realMirror(), registry: null });
  expect(both.treeIgnores).toEqual([expect.objectContaining({ id: 'CVE-2020-14343', source: '.depwatch.yml' })]);
  expect(both.result.notes).toEqual([expect.objectContaining({ kind: 'invalid', message: '.depwatch.yaml: not read, because .depwatch.yml is the settings file; merge its entries into .depwatch.yml' })]);
});
