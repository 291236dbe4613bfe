/**
 * The audit of what a Dockerfile installs with pip: pins are audited as any pin (vulnerabilities,
 * yanked, outdated), a range or a bare name is `unpinned` (hadolint's DL3013) with advice for the
 * Dockerfile, an extra index is reported, and what only the build knows makes the result partial.
 */
import { describe, expect, it } from 'vitest';
import { auditFileSource } from '../../src/audit/run.js';
import type { Finding } from '../../src/audit/findings.js';
import { memorySource } from '../../src/python/files.js';
import { project, realMirror, registryOf, release } from './helpers.js';

const now = new Date('2026-11-28T12:00:00Z');
const of = (findings: Finding[], kind: Finding['kind']) => findings.filter((f) => f.kind === kind);

const registry = registryOf([
  project('django', [release('2.1.5', '2019-01-04T00:00:00Z'), release('2.2.28', '2022-04-11T00:00:00Z'), release('4.2.16', '2024-09-03T00:00:00Z')]),
  project('jinja2', [release('2.10', '2017-11-08T00:00:00Z', { yanked: true, yankedReason: 'security' }), release('2.11.3', '2021-01-31T00:00:00Z'), release('3.1.4', '2024-05-05T00:00:00Z')]),
  project('requests', [release('2.19.1', '2018-06-14T00:00:00Z'), release('2.32.3', '2024-05-29T00:00:00Z')]),
]);

async function audit(files: Record<string, string>, withRegistry = true) {
  return auditFileSource(memorySource(files), { target: 'app', advisories: await realMirror(), registry: withRegistry ? registry : null, now });
}

describe('pip installs in a Dockerfile', () => {
  it('audits a pinned vulnerable release at its RUN line, as a pin of a requirements file is audited', async () => {
    const result = await audit({ Dockerfile: 'FROM python:3.12-slim\nWORKDIR /app\nRUN pip install --no-cache-dir django==2.1.5 && echo ok\n' });
    expect(result.partial).toBe(false);
    const vulnerabilities = of(result.findings, 'vulnerability');
    expect(vulnerabilities.length).toBeGreaterThan(0);
    expect(vulnerabilities.every((f) => f.package === 'django' && f.version === '2.1.5' && f.file === 'Dockerfile' && f.line === 3)).toBe(true);
    expect(vulnerabilities[0]!.fix?.text).toContain('Dockerfile');
    expect(of(result.findings, 'outdated').map((f) => [f.package, f.file, f.line])).toEqual([['django', 'Dockerfile', 3]]);
  });

  it('reports a yanked pin', async () => {
    const result = await audit({ Dockerfile: 'FROM python:3.12\nRUN pip3 install jinja2==2.10\n' });
    expect(of(result.findings, 'yanked').map((f) => [f.package, f.file, f.line])).toEqual([['jinja2', 'Dockerfile', 2]]);
  });

  it("reports an unpinned install as DL3013 does, with advice to pin it in the Dockerfile, whatever a requirements file beside it pins", async () => {
    const result = await audit({
      Dockerfile: "FROM python:3.12\nRUN pip install requests 'django>=2'\n",
      // The image's `pip install requests` never reads this file.
      'requirements.txt': 'requests==2.32.3\n',
    });
    expect(of(result.findings, 'unpinned').map((f) => [f.package, f.file, f.line])).toEqual([
      ['django', 'Dockerfile', 2],
      ['requests', 'Dockerfile', 2],
    ]);
    const text = of(result.findings, 'unpinned').find((f) => f.package === 'requests')!.fix!.text;
    expect(text).toContain('requests allows any version where Dockerfile installs it: pin it there (requests==2.32.3, the newest release allowed), or install from a pinned requirements file');
    expect(of(result.findings, 'no-lockfile')).toEqual([]);
    // Nor does a Dockerfile pin fix the project's own range.
    const project = await audit({ Dockerfile: 'FROM python:3.12\nRUN pip install requests==2.32.3\n', 'requirements.txt': 'requests>=2\n' });
    expect(of(project.findings, 'unpinned').map((f) => [f.package, f.file])).toEqual([['requests', 'requirements.txt']]);
  });

  it('says a shell variable was not read: the result is partial, never silently clean', async () => {
    const result = await audit({ Dockerfile: 'FROM python:3.12\nARG PKG\nRUN pip install "$PKG" poetry==${POETRY_VERSION}\n' }, false);
    expect(result.partial).toBe(true);
    expect(result.partialReasons!.map((r) => [r.kind, r.file, r.line])).toEqual([
      ['unread', 'Dockerfile', 3],
      ['unread', 'Dockerfile', 3],
    ]);
    expect(result.partialReasons![0]!.message).toContain('known only when the image is built');
  });

  it('reports an extra index given on the command line', async () => {
    const result = await audit({ Dockerfile: 'FROM python:3.12\nRUN pip install --extra-index-url https://pypi.internal.example/simple internal-lib==1.0\n' }, false);
    expect(of(result.findings, 'extra-index-url').map((f) => [f.file, f.line])).toEqual([['Dockerfile', 2]]);
  });

  it('audits what ONBUILD RUN, pipx and a bash -c script install, each at its line, like a RUN pip install', async () => {
    const result = await audit({
      Dockerfile: [
        'FROM python:3.12', // 1
        'ONBUILD RUN pip install \\', // 2
        '    django==2.1.5', // 3
        'RUN pipx install "requests>=2" && pipx inject app jinja2==2.10', // 4
        "RUN bash -c 'pip install django==2.1.5'", // 5
        '',
      ].join('\n'),
    });
    expect(result.partial).toBe(false);
    const django = of(result.findings, 'vulnerability').filter((f) => f.package === 'django');
    expect(django.length).toBeGreaterThan(0);
    expect(django.every((f) => f.line === 3 && f.locations?.map((l) => l.line).join() === '3,5')).toBe(true);
    expect(of(result.findings, 'unpinned').map((f) => [f.package, f.line])).toEqual([['requests', 4]]);
    expect(of(result.findings, 'yanked').map((f) => [f.package, f.line])).toEqual([['jinja2', 4]]);
  });

  it("reports an extra index given by pip's abbreviation of --extra-index-url, and an ambiguous abbreviation makes the audit partial", async () => {
    const result = await audit({ Dockerfile: 'FROM python:3.12\nRUN pip install --extra-index https://pypi.internal.example/simple internal-lib==1.0\nRUN pip install --req requirements.txt\n' }, false);
    expect(of(result.findings, 'extra-index-url').map((f) => [f.file, f.line])).toEqual([['Dockerfile', 2]]);
    expect(result.partial).toBe(true);
    expect(result.partialReasons!.map((r) => [r.kind, r.file, r.line])).toEqual([['unread', 'Dockerfile', 3]]);
    expect(result.partialReasons![0]!.message).toContain('which pip refuses as ambiguous');
  });

  it('a Dockerfile that installs nothing with pip is no manifest: the tree still has none', async () => {
    const result = await audit({ Dockerfile: 'FROM golang:1.22\nRUN go build ./...\n' }, false);
    expect(result.partialReasons!.map((r) => r.kind)).toEqual(['no-manifests']);
  });
});
