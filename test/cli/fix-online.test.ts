/**
 * `depwatch fix` online: the fix search rounds each fix to a release PyPI publishes and has not
 * yanked, and a fix version PyPI could not vouch for is not written (fail closed).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureRecords } from '../fixtures/osv/load.js';
import { startFakeOsv, type FakeOsv } from '../fakes/osv.js';
import { startFakePypi, type FakePypi } from '../fakes/pypi.js';
import { inProcessCli, writeTree } from '../helpers/cli-in-process.js';

let osv: FakeOsv;
let pypi: FakePypi;

const monthly = (versions: string[]) => versions.map((version, i) => ({ version, uploadTime: new Date(Date.UTC(2015, 0, 1) + i * 30 * 86_400_000).toISOString() }));

beforeAll(async () => {
  osv = await startFakeOsv({ records: [...fixtureRecords().values()] });
  pypi = await startFakePypi({
    projects: [
      { name: 'pyyaml', releases: [...monthly(['5.3', '5.3.1']), { version: '5.4', uploadTime: '2021-01-20T00:00:00Z', yanked: true, yankedReason: 'broken wheel' }, ...monthly(['5.4.1', '6.0.2'])] },
      { name: 'gevent', releases: monthly(['22.10.2', '23.7.0', '23.9.0', '23.9.0.post1', '23.9.1', '24.2.1']) },
      { name: 'urllib3', releases: monthly(['1.23', '1.24.1', '1.24.3', '1.26.17', '1.26.20', '2.2.3']) },
    ],
  });
});

afterAll(async () => {
  await Promise.all([osv.close(), pypi.close()]);
});

async function fix(files: Record<string, string>, pypiUrl: string) {
  const dir = writeTree('depwatch-fix-online-', files);
  const { out, run } = inProcessCli({ env: { OSV_API_URL: osv.url, PYPI_URL: pypiUrl, HOME: dir, DEPWATCH_DB: join(dir, 'depwatch.db') } });
  const status = await run('fix', '--json', dir);
  return { status, json: JSON.parse(out.stdout), text: (path: string) => readFileSync(join(dir, path), 'utf8') };
}

describe('depwatch fix online', () => {
  it('moves gevent past the fixed release its advisory still lists as affected, to the first clean release PyPI has', async () => {
    const { status, json, text } = await fix({ 'requirements.txt': 'gevent==22.10.2\n' }, pypi.url);
    expect(text('requirements.txt')).toBe('gevent==23.9.1\n');
    expect(json.fixes).toEqual([expect.objectContaining({ package: 'gevent', from: '22.10.2', to: '23.9.1', status: 'fixed' })]);
    expect(status).toBe(0);
  });

  it('rounds past a yanked fix when PyPI answers', async () => {
    const { json, text } = await fix({ 'requirements.txt': 'PyYAML==5.3\n' }, pypi.url);
    expect(text('requirements.txt')).toBe('PyYAML==5.4.1\n');
    expect(json.left_alone).toEqual([]);
  });

  it('moves a range the audit resolved to a vulnerable release (urllib3==1.24.* installs 1.24.3 today): the range is rewritten to admit the fix, not reported as a pin no file has', async () => {
    const { status, json, text } = await fix({ 'requirements.txt': 'urllib3==1.24.*\n' }, pypi.url);
    expect(text('requirements.txt')).toBe('urllib3==1.26.*\n');
    expect(json.changes).toEqual([expect.objectContaining({ file: 'requirements.txt', line: 1, package: 'urllib3', from: '==1.24.*', to: '==1.26.*', from_version: '1.24.3', to_version: '1.26.20' })]);
    expect(json.fixes).toEqual([expect.objectContaining({ package: 'urllib3', from: '1.24.3', to: '1.26.20', status: 'fixed' })]);
    expect(json.left_alone).toEqual([]);
    expect(status).toBe(0);
  });

  it('does not write a fix version PyPI could not be asked about: left alone as unverified, still vulnerable, the file untouched', async () => {
    const { status, json, text } = await fix({ 'requirements.txt': 'PyYAML==5.3\nurllib3==1.23\n' }, 'http://127.0.0.1:9');
    expect(text('requirements.txt')).toBe('PyYAML==5.3\nurllib3==1.23\n');
    expect(json.changes).toEqual([]);
    expect(json.left_alone.map((l: { kind: string; package: string; file: string; line: number }) => `${l.kind} ${l.package} ${l.file}:${l.line}`).sort()).toEqual([
      'unverified pyyaml requirements.txt:1',
      'unverified urllib3 requirements.txt:2',
    ]);
    expect(json.left_alone.find((l: { package: string }) => l.package === 'pyyaml').reason).toMatch(/^not moved to 5\.4: PyPI's releases of pyyaml could not be read, so whether 5\.4 is published and not yanked was not checked/);
    expect(json.left_alone.find((l: { package: string }) => l.package === 'urllib3').reason).toMatch(/; run depwatch fix again when PyPI answers \(or with --offline to take the advisory's fixed version as written\)$/);
    expect(json.still_vulnerable).toBe(2);
    expect(json.partial).toBe(true);
    expect(status).toBe(1);
  });
});
