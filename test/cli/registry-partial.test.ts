/**
 * An audit whose PyPI fails for one project keeps what PyPI said of every other: a yanked or
 * outdated release of a project PyPI did answer for is still reported, and the result is partial,
 * naming the project that was not read, in JSON, text and SARIF alike (exit 2 unless findings give 1).
 * It used to lose every outdated and yanked finding (the whole registry read failed with one project).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOsv, type FakeOsv } from '../fakes/osv.js';
import { startFakePypi, type FakePypi } from '../fakes/pypi.js';
import { inProcessCli, writeTree } from '../helpers/cli-in-process.js';

let osv: FakeOsv;
let pypi: FakePypi;

/** Each audit its own database: the PyPI client caches its answers for an hour. */
const cli = () => inProcessCli({ env: { DEPWATCH_DB: join(mkdtempSync(join(tmpdir(), 'depwatch-registry-partial-')), 'depwatch.db'), OSV_API_URL: osv.url, PYPI_URL: pypi.url } });

/** `six` is the project PyPI fails for: asked, retried, and never answered. */
const SIX_NOT_READ = /^package registry unavailable for six \(PyPI answered 503 to GET .*\/pypi\/six\/json.*\): whether it is outdated, yanked or not on the index was not checked$/;

/** What PyPI's answers give (the tree's pins, unhashed, also give no-hashes, which is not this test's). */
const REGISTRY_KINDS = ['outdated', 'yanked', 'not-on-index'];

let tree: string;

beforeAll(async () => {
  osv = await startFakeOsv({ records: [] });
  pypi = await startFakePypi({
    projects: [
      { name: 'attrs', releases: [{ version: '21.1.0', uploadTime: '2021-05-06T00:00:00Z', yanked: true, yankedReason: 'broke pickling' }, { version: '21.2.0', uploadTime: '2021-05-07T00:00:00Z' }] },
      { name: 'six', releases: [{ version: '1.15.0', uploadTime: '2020-05-21T00:00:00Z' }, { version: '1.16.0', uploadTime: '2021-05-05T00:00:00Z' }] },
    ],
  });
  tree = writeTree('depwatch-registry-partial-', { 'requirements.txt': 'attrs==21.1.0\nsix==1.15.0\n' });
});

afterEach(() => pypi.clearFailures());

afterAll(async () => {
  await Promise.all([osv.close(), pypi.close()]);
});

describe('an audit whose PyPI fails for one of its projects', () => {
  it('JSON: keeps the yanked and outdated findings of the project PyPI answered for, partial naming the one it did not', async () => {
    pypi.fail({ match: '/pypi/six/', status: 503, times: 1000 });
    const attrsAsked = () => pypi.requests.filter((r) => r.path === '/pypi/attrs/json').length;
    const attrsBefore = attrsAsked();
    const { out, run } = cli();
    const status = await run('audit', '--no-code', '--json', tree);
    const json = JSON.parse(out.stdout) as { findings: { kind: string; package: string }[]; partial: boolean; partial_reasons: { kind: string; message: string }[] };
    expect(json.findings.filter((f) => REGISTRY_KINDS.includes(f.kind)).map((f) => `${f.kind} ${f.package}`).sort()).toEqual(['outdated attrs', 'yanked attrs']);
    expect(json.partial).toBe(true);
    expect(json.partial_reasons).toEqual([{ kind: 'data-source', message: expect.stringMatching(SIX_NOT_READ) }]);
    expect(out.stderr).toContain('depwatch: WARNING: package registry unavailable for six (');
    // Medium findings under the default --fail-on high: the partial result is what fails the run.
    expect(status).toBe(2);
    // Each project asked once (six with its retries), attrs read whatever six did.
    expect(attrsAsked() - attrsBefore).toBe(1);
  }, 30_000);

  it('text and SARIF say the same: the finding, and the project not read', async () => {
    pypi.fail({ match: '/pypi/six/', status: 503, times: 1000 });
    const text = cli();
    expect(await text.run('audit', '--no-code', tree)).toBe(2);
    expect(text.out.stdout).toContain('PARTIAL RESULT');
    expect(text.out.stdout).toMatch(/ {2}- package registry unavailable for six \(PyPI answered 503 .*\): whether it is outdated, yanked or not on the index was not checked\n/);
    expect(text.out.stdout).toMatch(/yanked +attrs 21\.1\.0/);

    const sarif = cli();
    expect(await sarif.run('audit', '--no-code', '--sarif', tree)).toBe(2);
    const run = JSON.parse(sarif.out.stdout).runs[0];
    expect(run.results.map((r: { ruleId: string }) => r.ruleId).filter((id: string) => REGISTRY_KINDS.includes(id.replace('depwatch/', ''))).sort()).toEqual(['depwatch/outdated', 'depwatch/yanked']);
    expect(run.invocations[0].executionSuccessful).toBe(false);
    expect(run.invocations[0].toolExecutionNotifications.map((n: { message: { text: string } }) => n.message.text)).toEqual([expect.stringMatching(SIX_NOT_READ)]);
  }, 60_000);
});
