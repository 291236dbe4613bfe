/**
 * A password written into an index URL is reported once, as the audit's `extra-index-url` finding
 * (the code scan's `secret-url-password` on that line gives way to it). The default gate used to
 * count only vulnerabilities and high code findings, so removing the duplicate turned `depwatch scan`'s
 * failing run into an audit that passed (exit 0) with a live password committed. It fails now, with
 * or without the code scan, in every format.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ADVISORIES_JSONL_GZ } from '../fixtures/osv/load.js';
import { inProcessCli, UNREACHABLE_SERVICES, writeTree } from '../helpers/cli-in-process.js';

let env: Record<string, string>;
const cli = () => inProcessCli({ env: { ...UNREACHABLE_SERVICES, ...env } });

beforeAll(async () => {
  env = { DEPWATCH_DB: join(mkdtempSync(join(tmpdir(), 'depwatch-credential-gate-')), 'depwatch.db'), DEPWATCH_MAX_DATA_AGE_DAYS: '36500' };
  expect(await cli().run('db', 'import', ADVISORIES_JSONL_GZ)).toBe(0);
});

const PIPFILE = '[[source]]\nurl = "https://deploy:Xk29fLq8Zp3mWv7RtY4u@pypi.acme-corp.io/simple"\nname = "internal"\nverify_ssl = true\n\n[packages]\nrequests = "==2.32.3"\n';
const REQUIREMENTS = '--extra-index-url https://ci:Xk29fLq8Zp3mWv7RtY4u@pypi.acme-corp.io/simple\nrequests==2.32.3\n';

describe('a credential in an index URL fails the default gate', () => {
  it.each([
    ['a Pipfile source', { Pipfile: PIPFILE, '.gitignore': '.env\n' }],
    ['a requirements --extra-index-url', { 'requirements.txt': REQUIREMENTS, '.gitignore': '.env\n' }],
  ])('in %s: exit 1 in every format, as `depwatch scan` fails on the same line', async (_, files) => {
    const dir = writeTree('depwatch-credential-gate-', files);
    for (const format of [[], ['--json'], ['--sarif'], ['--markdown']]) {
      const { out, run } = cli();
      expect(await run('audit', '--offline', ...format, dir)).toBe(1);
      expect(out.stdout).not.toContain('Xk29fLq8Zp3mWv7RtY4u');
    }
    const scan = cli();
    expect(await scan.run('scan', dir)).toBe(1);
  });

  it('fails with --no-code too: the audit reads the credential whether or not the scan runs', async () => {
    const dir = writeTree('depwatch-credential-gate-', { 'requirements.txt': REQUIREMENTS });
    const { out, run } = cli();
    expect(await run('audit', '--offline', '--no-code', '--json', dir)).toBe(1);
    const doc = JSON.parse(out.stdout);
    expect(doc.findings).toContainEqual(expect.objectContaining({ kind: 'extra-index-url', severity: 'high', details: expect.objectContaining({ credentials: true }) }));
  });

  it.each([
    ['variables pip fills in from the environment', '--index-url https://${PIP_USER}:${PIP_PASSWORD}@pkgs.acme-corp.io/simple'],
    ['shell-style variables', '--index-url https://$PIP_USER:$PIP_PASS@pkgs.acme-corp.io/simple'],
    ['a token variable as the user', '--index-url https://${FURY_TOKEN}@pypi.fury.io/acme/'],
    ["a lone user name (keyring's form)", '--index-url https://alice@pkgs.acme-corp.io/simple'],
    ['a fixed user name a registry asks for', '--extra-index-url https://oauth2accesstoken@us-python.pkg.dev/acme/pypi/simple'],
  ])('does not fail on %s: no secret is written, as the fix text itself advises', async (_, option) => {
    const dir = writeTree('depwatch-credential-gate-', { 'requirements.txt': `${option}\nrequests==2.32.3\n` });
    const { out, run } = cli();
    expect(await run('audit', '--offline', '--no-code', '--json', dir)).toBe(0);
    const doc = JSON.parse(out.stdout);
    expect(doc.findings.filter((f: { details?: { credentials?: boolean } }) => f.details?.credentials === true)).toEqual([]);
  });

  it('fails on a token written as the user name (https://ghp_…@host)', async () => {
    const dir = writeTree('depwatch-credential-gate-', { 'requirements.txt': '--extra-index-url https://ghp_k2Jd9QxW7mZp4RtY8vBn3LcF6hGs1aEo0uIq@pkgs.acme-corp.io/simple\nrequests==2.32.3\n' });
    const { run } = cli();
    expect(await run('audit', '--offline', '--no-code', dir)).toBe(1);
  });

  it('does not fail on an index URL without credentials (advice, not a gate)', async () => {
    const dir = writeTree('depwatch-credential-gate-', { 'requirements.txt': '--extra-index-url https://pypi.acme-corp.io/simple\nrequests==2.32.3\n' });
    const { run } = cli();
    expect(await run('audit', '--offline', '--no-code', dir)).toBe(0);
  });

  it('--fail-on never still passes it, as it passes everything', async () => {
    const dir = writeTree('depwatch-credential-gate-', { 'requirements.txt': REQUIREMENTS });
    const { run } = cli();
    expect(await run('audit', '--offline', '--fail-on', 'never', dir)).toBe(0);
  });
});
