/**
 * `depwatch check` is the question asked before adding a dependency, and an advisory database only
 * knows releases someone reported. A yanked release, a version never published, a name PyPI does not
 * have and a project PyPI quarantined all read "no known vulnerabilities" there, so check asks PyPI
 * too (online), fails on what pip would refuse or should not install, says what only informs
 * (an archived project, a newer release), is partial when PyPI does not answer, and offline says
 * PyPI was not asked.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OFFLINE_CHECK_NOTICE } from '../../src/cli/check.js';
import { startFakeOsv, type FakeOsv } from '../fakes/osv.js';
import { startFakePypi, type FakePypi } from '../fakes/pypi.js';
import { ADVISORIES_JSONL_GZ } from '../fixtures/osv/load.js';
import { inProcessCli, writeTree } from '../helpers/cli-in-process.js';

let osv: FakeOsv;
let pypi: FakePypi;

/** Each check its own database: the PyPI client caches answers (a 404 too) for an hour. */
const cli = (env: Record<string, string> = {}) =>
  inProcessCli({ env: { DEPWATCH_DB: join(mkdtempSync(join(tmpdir(), 'depwatch-check-pypi-')), 'depwatch.db'), OSV_API_URL: osv.url, PYPI_URL: pypi.url, ...env } });

async function checkJson(...args: string[]) {
  const { out, run } = cli();
  const status = await run('check', '--json', ...args);
  return { status, doc: JSON.parse(out.stdout), stderr: out.stderr };
}

async function checkText(...args: string[]) {
  const { out, run } = cli();
  const status = await run('check', ...args);
  return { status, stdout: out.stdout };
}

beforeAll(async () => {
  osv = await startFakeOsv({
    records: [
      {
        id: 'PYSEC-0000-1',
        modified: '2024-01-01T00:00:00Z',
        summary: 'listed as 1.0.0',
        affected: [{ package: { ecosystem: 'PyPI', name: 'spelled-lib' }, versions: ['1.0.0'] }],
      },
    ],
  });
  pypi = await startFakePypi({
    projects: [
      { name: 'six', releases: [{ version: '1.15.0', uploadTime: '2020-05-21T00:00:00Z' }, { version: '1.16.0', uploadTime: '2021-05-05T00:00:00Z' }] },
      {
        name: 'attrs',
        releases: [
          { version: '21.1.0', uploadTime: '2021-05-06T00:00:00Z', yanked: true, yankedReason: 'broke pickling\n:white_check_mark: ok' },
          { version: '21.2.0', uploadTime: '2021-05-07T00:00:00Z' },
        ],
      },
      { name: 'evil-pkg', releases: [{ version: '1.0', uploadTime: '2024-01-01T00:00:00Z' }], status: 'quarantined', apiVersion: '1.4' },
      { name: 'old-lib', releases: [{ version: '2.0', uploadTime: '2019-01-01T00:00:00Z' }], status: 'archived', statusReason: 'moved to new-lib', apiVersion: '1.4' },
      { name: 'spelled-lib', releases: [{ version: '1.0', uploadTime: '2020-01-01T00:00:00Z' }] },
      // An extra index such as PyTorch's serves local versions only: `==2.0` installs `2.0+cpu`.
      {
        name: 'torchlike',
        releases: [
          { version: '2.0+cpu', uploadTime: '2023-03-15T00:00:00Z' },
          { version: '2.0+cu118', uploadTime: '2023-03-15T00:00:00Z' },
          { version: '2.1+cpu', uploadTime: '2023-10-04T00:00:00Z' },
        ],
      },
      {
        name: 'local-yanked',
        releases: [
          { version: '3.0+cpu', uploadTime: '2023-01-01T00:00:00Z', yanked: true, yankedReason: 'bad cpu build' },
          { version: '3.0+cu118', uploadTime: '2023-01-01T00:00:00Z', yanked: true, yankedReason: 'bad cuda build' },
          { version: '3.1', uploadTime: '2023-02-01T00:00:00Z' },
        ],
      },
      {
        name: 'local-rescue',
        releases: [
          { version: '4.0', uploadTime: '2023-01-01T00:00:00Z', yanked: true, yankedReason: 'broken' },
          { version: '4.0+cpu', uploadTime: '2023-01-02T00:00:00Z' },
        ],
      },
    ],
  });
});

afterAll(async () => {
  await Promise.all([osv.close(), pypi.close()]);
});

describe('online, check asks PyPI about each release', () => {
  it('passes the newest release of a project PyPI has, with what PyPI said in the JSON', async () => {
    const { status, doc } = await checkJson('six==1.16.0');
    expect(status).toBe(0);
    expect(doc.partial).toBe(false);
    expect(doc.notices).toEqual([]);
    expect(doc.results[0]).toMatchObject({
      name: 'six',
      vulnerabilities: [],
      pypi: { on_index: true, release_on_index: true, yanked: false, yanked_reason: null, latest: '1.16.0', project_status: 'active', project_status_reason: null },
      pypi_problems: [],
    });
  });

  it('says an older release is not the newest, without failing the check', async () => {
    const { status, stdout } = await checkText('six==1.15.0');
    expect(status).toBe(0);
    expect(stdout).toBe('six 1.15.0: not the newest release (1.16.0 is)\nsix 1.15.0: no known vulnerabilities\n');
  });

  it('fails a yanked release, quoting the reason on one line and naming the newest release', async () => {
    const text = await checkText('attrs==21.1.0');
    expect(text.status).toBe(1);
    expect(text.stdout).toContain('attrs 21.1.0: yanked by its maintainers ("broke pickling\\n:white_check_mark: ok"): pick another release; the newest release is 21.2.0\n');
    const { doc } = await checkJson('attrs==21.1.0');
    expect(doc.results[0].pypi).toMatchObject({ yanked: true, yanked_reason: 'broke pickling\n:white_check_mark: ok', latest: '21.2.0' });
    expect(doc.results[0].pypi_problems).toEqual(['yanked']);
  });

  it('fails a version PyPI never published, which no advisory could know', async () => {
    const { status, stdout } = await checkText('six==1.99.0');
    expect(status).toBe(1);
    expect(stdout).toContain('six 1.99.0: PyPI has no such release to install; the newest release is 1.16.0\n');
  });

  it('matches an equal PEP 440 spelling as pip does (1.16 is 1.16.0)', async () => {
    const { status, doc } = await checkJson('six==1.16');
    expect(status).toBe(0);
    expect(doc.results[0].pypi_problems).toEqual([]);
  });

  it('fails a name PyPI does not have: a typo, a removed project or a dependency-confusion target', async () => {
    const { status, stdout } = await checkText('my-internal-lib==1.0');
    expect(status).toBe(1);
    expect(stdout).toContain('my-internal-lib 1.0: not on PyPI: pip cannot install it from there.');
    expect(stdout).toContain('(dependency confusion)');
    const { doc } = await checkJson('my-internal-lib==1.0');
    expect(doc.results[0].pypi).toMatchObject({ on_index: false, release_on_index: false });
    expect(doc.results[0].pypi_problems).toEqual(['not-on-index']);
  });

  it('fails a release of a project PyPI has quarantined (PEP 792)', async () => {
    const { status, stdout } = await checkText('evil-pkg==1.0');
    expect(status).toBe(1);
    expect(stdout).toContain('evil-pkg: PyPI has quarantined the project (suspected malware): do not install it\n');
  });

  it('says an archived project with its reason, without failing the check', async () => {
    const { status, stdout } = await checkText('old-lib==2.0');
    expect(status).toBe(0);
    expect(stdout).toContain('old-lib: the project is archived on PyPI ("moved to new-lib"): expect no more fixes (depwatch package old-lib says more)\n');
  });

  it('is partial (exit 2) when PyPI does not answer, never a pass', async () => {
    const { out, run } = cli({ PYPI_URL: 'http://127.0.0.1:9' });
    expect(await run('check', '--json', 'six==1.16.0')).toBe(2);
    const doc = JSON.parse(out.stdout);
    expect(doc.partial).toBe(true);
    expect(doc.results[0].pypi).toBeNull();
    expect(doc.partial_reasons).toEqual([{ kind: 'data-source', message: expect.stringMatching(/^package registry unavailable for six \(.*\): whether that release is on the index, published and not yanked was not checked$/) }]);
    expect(out.stderr).toContain('depwatch: WARNING: package registry unavailable for six (');
  });
});

describe('=== names the release spelled so (PEP 440 arbitrary equality), == any equal version', () => {
  it('fails ===1.16 when only 1.16.0 is published, saying why and what == would install', async () => {
    const { status, stdout } = await checkText('six===1.16');
    expect(status).toBe(1);
    expect(stdout).toContain('six ===1.16: PyPI has no release spelled exactly 1.16 to install (=== compares the text: 1.16.0 is published, and ==1.16 would install it); the newest release is 1.16.0\n');
    const { doc } = await checkJson('six===1.16');
    expect(doc.results[0]).toMatchObject({ version: '1.16', operator: '===', pypi: { release_on_index: false }, pypi_problems: ['no-such-release'] });
  });

  it('passes ===1.16.0, the text as published, letters compared without case', async () => {
    const { status, doc } = await checkJson('six===1.16.0');
    expect(status).toBe(0);
    expect(doc.results[0]).toMatchObject({ version: '1.16.0', operator: '===', pypi: { release_on_index: true }, pypi_problems: [] });
    const upper = await checkJson('local-rescue===4.0+CPU');
    expect(upper.doc.results[0]).toMatchObject({ pypi: { release_on_index: true, yanked: false }, pypi_problems: [] });
  });

  it('does not take a local version for === (2.0+cpu is not the text 2.0)', async () => {
    const { status, doc } = await checkJson('torchlike===2.0');
    expect(status).toBe(1);
    expect(doc.results[0].pypi_problems).toEqual(['no-such-release']);
  });

  it('matches advisories by PEP 440 version for === as for == and as the audit does: the release ===1.0 names is version 1.0, which an advisory may list as 1.0.0', async () => {
    const { status, doc } = await checkJson('spelled-lib===1.0');
    expect(status).toBe(1);
    expect(doc.results[0]).toMatchObject({ operator: '===', pypi_problems: [], vulnerabilities: [{ id: 'PYSEC-0000-1' }] });
    const dir = writeTree('depwatch-check-pypi-audit-', { 'requirements.txt': 'spelled-lib===1.0\n' });
    const { out, run } = cli();
    await run('audit', '--json', '--no-code', '--fail-on', 'never', dir);
    const audit = JSON.parse(out.stdout) as { findings: { kind: string; package: string; id?: string }[] };
    expect(audit.findings.filter((f) => f.package === 'spelled-lib' && f.kind === 'vulnerability').map((f) => f.id)).toEqual(['PYSEC-0000-1']);
  });

  it('says == in JSON for the usual pin', async () => {
    const { doc } = await checkJson('six==1.16.0');
    expect(doc.results[0].operator).toBe('==');
  });
});

describe('local versions on the index (an extra index such as PyTorch\'s): ==2.0 is met by 2.0+cpu', () => {
  it('passes ==2.0 when the index has only 2.0+cpu and 2.0+cu118, and does not call 2.0+cu118 newer', async () => {
    const { status, stdout } = await checkText('torchlike==2.0');
    expect(stdout).not.toContain('no such release');
    expect(stdout).toBe('torchlike 2.0: not the newest release (2.1+cpu is)\ntorchlike 2.0: no known vulnerabilities\n');
    expect(status).toBe(0);
  });

  it('needs the exact local version when the pin names one', async () => {
    expect((await checkJson('torchlike==2.0+cu118')).doc.results[0].pypi_problems).toEqual([]);
    const rocm = await checkText('torchlike==2.0+rocm5');
    expect(rocm.status).toBe(1);
    expect(rocm.stdout).toContain('torchlike 2.0+rocm5: PyPI has no such release to install; the newest release is 2.1+cpu\n');
  });

  it('fails ==3.0 as yanked when every local version of 3.0 is yanked (PEP 592), with the reason of the one pip would take', async () => {
    const { status, doc } = await checkJson('local-yanked==3.0');
    expect(status).toBe(1);
    expect(doc.results[0].pypi).toMatchObject({ release_on_index: true, yanked: true, yanked_reason: 'bad cuda build', latest: '3.1' });
    expect(doc.results[0].pypi_problems).toEqual(['yanked']);
  });

  it('passes ==4.0 when 4.0 is yanked but 4.0+cpu is not: pip installs 4.0+cpu (PEP 592)', async () => {
    const { status, doc } = await checkJson('local-rescue==4.0');
    expect(doc.results[0].pypi).toMatchObject({ release_on_index: true, yanked: false });
    expect(status).toBe(0);
  });
});

describe('what PyPI could not say is partial, and hides nothing else', () => {
  it('one project PyPI fails for leaves the others judged: the yanked release still fails the check', async () => {
    pypi.fail({ match: 'pypi/six/', status: 503, times: 50 });
    try {
      const { status, doc } = await checkJson('attrs==21.1.0', 'six==1.16.0', 'my-internal-lib==1.0');
      expect(status).toBe(1);
      expect(doc.results.map((r: { name: string; pypi_problems: string[] }) => `${r.name} ${r.pypi_problems.join(',')}`)).toEqual(['attrs yanked', 'six ', 'my-internal-lib not-on-index']);
      expect(doc.results[1].pypi).toBeNull();
      expect(doc.partial_reasons.map((r: { message: string }) => r.message)).toEqual([expect.stringMatching(/^package registry unavailable for six \(/)]);
    } finally {
      pypi.clearFailures();
    }
  });

  it('a project status (PEP 792) not read is partial, never taken for "active": a quarantine could hide there', async () => {
    pypi.fail({ match: 'simple/evil-pkg', malformed: true, times: 50 });
    try {
      const { status, doc } = await checkJson('evil-pkg==1.0');
      expect(status).toBe(2);
      expect(doc.results[0].pypi).toMatchObject({ on_index: true, project_status: null });
      expect(doc.partial_reasons.map((r: { message: string }) => r.message)).toEqual([expect.stringMatching(/^the project status \(PEP 792\) of evil-pkg could not be read \(.*\): whether PyPI quarantined it was not checked$/)]);
    } finally {
      pypi.clearFailures();
    }
  });
});

describe('offline, check does not ask PyPI and says so', () => {
  it('makes no request and gives the notice in JSON and text', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'depwatch-check-pypi-offline-')), 'depwatch.db');
    const env = { DEPWATCH_DB: db, DEPWATCH_MAX_DATA_AGE_DAYS: '36500' };
    expect(await cli(env).run('db', 'import', ADVISORIES_JSONL_GZ)).toBe(0);
    const before = pypi.requests.length;
    const json = cli(env);
    expect(await json.run('check', '--offline', '--json', 'six==1.99.0')).toBe(0);
    const doc = JSON.parse(json.out.stdout);
    expect(doc).toMatchObject({ partial: false, notices: [OFFLINE_CHECK_NOTICE] });
    expect(doc.results[0]).toMatchObject({ pypi: null, pypi_problems: [] });
    const text = cli(env);
    expect(await text.run('check', '--offline', 'six==1.99.0')).toBe(0);
    expect(text.out.stdout).toContain(`note: ${OFFLINE_CHECK_NOTICE}\n`);
    expect(pypi.requests.length).toBe(before);
  });
});
