/**
 * `depwatch fix` as users and CI run it: in-process, a real SQLite mirror holding the PyPA
 * advisories, real files in temporary folders, --offline (no service is asked anything).
 */
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyPatch } from 'diff';
import { beforeAll, describe, expect, it } from 'vitest';
import { ADVISORIES_JSONL_GZ } from '../fixtures/osv/load.js';
import { inProcessCli, UNREACHABLE_SERVICES, writeTree } from '../helpers/cli-in-process.js';

let dbDir: string;

// Nothing listens at UNREACHABLE_SERVICES: --offline must not need a service.
const cli = (env: Record<string, string> = {}) => inProcessCli({ env: { DEPWATCH_DB: join(dbDir, 'depwatch.db'), ...UNREACHABLE_SERVICES, ...env } });

const project = (files: Record<string, string>) => writeTree('depwatch-fix-cli-', files);

beforeAll(async () => {
  dbDir = mkdtempSync(join(tmpdir(), 'depwatch-fix-db-'));
  expect(await cli().run('db', 'import', ADVISORIES_JSONL_GZ)).toBe(0);
});

describe('depwatch fix', () => {
  it('--dry-run prints a unified diff that applies, writes nothing, and exits 1 (still vulnerable)', async () => {
    const original = '# web\r\nDjango==2.1.5  # pinned\r\nrequests>=2\r\n';
    const dir = project({ 'requirements.txt': original });
    const { out, run } = cli();
    expect(await run('fix', '--dry-run', '--offline', dir)).toBe(1);
    expect(out.stdout).toMatch(/^--- a\/requirements\.txt\n\+\+\+ b\/requirements\.txt\n@@ -1,3 \+1,3 @@\n # web\r\n-Django==2\.1\.5  # pinned\r\n\+Django==[\d.]+  # pinned\r\n requests>=2\r\n$/);
    expect(out.stderr).toMatch(/Would rewrite 1 requirement in 1 file:\n  requirements\.txt:2  django ==2\.1\.5 → ==[\d.]+  clears PYSEC-/);
    expect(out.stderr).toMatch(/dry run: nothing was written/);
    expect(readFileSync(join(dir, 'requirements.txt'), 'utf8')).toBe(original);
    // With --json the same diff is a field, next to the changes it makes.
    const json = cli();
    expect(await json.run('fix', '--dry-run', '--json', '--offline', dir)).toBe(1);
    expect(JSON.parse(json.out.stdout)).toMatchObject({ dry_run: true, diff: out.stdout, written: [], still_vulnerable: 1, changes: [{ file: 'requirements.txt', line: 2 }] });
    // The patch is the fix: applied to the file it gives what `depwatch fix` writes.
    const patched = applyPatch(original, out.stdout);
    const written = cli();
    expect(await written.run('fix', '--offline', dir)).toBe(0);
    expect(readFileSync(join(dir, 'requirements.txt'), 'utf8')).toBe(patched);
  });

  describe('a manifest saved as UTF-16 (PowerShell 5: `pip freeze > requirements.txt`) or with a BOM is written back as it was', () => {
    const original = '# pins\r\ndjango==2.1.5  # pinned\r\nsix==1.16.0\r\n';
    const le = (text: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const be = (text: string) => Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]);
    const utf8Bom = (text: string) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);

    /** Fixes a requirements.txt of these bytes; what was written and the version the pin moved to. */
    async function fixed(bytes: Buffer) {
      const dir = writeTree('depwatch-fix-encoded-', { 'requirements.txt': bytes });
      const { out, run } = cli();
      expect(await run('fix', '--json', '--offline', dir)).toBe(0);
      const json = JSON.parse(out.stdout);
      expect(json).toMatchObject({ written: ['requirements.txt'], left_alone: [], still_vulnerable: 0, changes: [{ file: 'requirements.txt', line: 2, package: 'django', from_version: '2.1.5' }] });
      return { dir, written: readFileSync(join(dir, 'requirements.txt')), to: json.changes[0].to_version as string };
    }

    it('UTF-16 LE with CRLF: the pin is rewritten, the file stays UTF-16 LE with its mark, every other byte as it was', async () => {
      const bytes = le(original);
      const { dir, written, to } = await fixed(bytes);
      expect(to).toMatch(/^\d+\.\d+\.\d+$/);
      expect(written.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xfe]));
      expect(written).toEqual(le(original.replace('django==2.1.5', `django==${to}`)));
      // Byte for byte: what precedes the version and what follows it are the old file's bytes.
      const at = bytes.indexOf(Buffer.from('2.1.5', 'utf16le'));
      expect(written.subarray(0, at)).toEqual(bytes.subarray(0, at));
      expect(written.subarray(at + Buffer.byteLength(to, 'utf16le'))).toEqual(bytes.subarray(at + Buffer.byteLength('2.1.5', 'utf16le')));
      // The audit reads the written file and finds nothing left.
      expect(await cli().run('audit', '--offline', dir)).toBe(0);
    });

    it('UTF-16 BE: stays UTF-16 BE with its mark', async () => {
      const { written, to } = await fixed(be(original));
      expect(written.subarray(0, 2)).toEqual(Buffer.from([0xfe, 0xff]));
      expect(written).toEqual(be(original.replace('django==2.1.5', `django==${to}`)));
    });

    it('UTF-8 with a byte order mark: as before, the mark and CRLF kept', async () => {
      const { written, to } = await fixed(utf8Bom(original));
      expect(written).toEqual(utf8Bom(original.replace('django==2.1.5', `django==${to}`)));
    });

    it('--dry-run shows the change of a UTF-16 file as a UTF-8 unified diff (no mark, no NUL), and writes nothing', async () => {
      const bytes = le(original);
      const dir = writeTree('depwatch-fix-utf16-dry-', { 'requirements.txt': bytes });
      const { out, run } = cli();
      expect(await run('fix', '--dry-run', '--offline', dir)).toBe(1);
      expect(out.stdout).toMatch(/^--- a\/requirements\.txt\n\+\+\+ b\/requirements\.txt\n@@ -1,3 \+1,3 @@\n # pins\r\n-django==2\.1\.5  # pinned\r\n\+django==[\d.]+  # pinned\r\n six==1\.16\.0\r\n$/);
      expect(out.stdout).not.toContain('\uFEFF');
      expect(out.stdout).not.toContain('\0');
      expect(out.stderr).toMatch(/Would rewrite 1 requirement in 1 file:\n  requirements\.txt:2  django ==2\.1\.5 → ==[\d.]+.*\n  \(requirements\.txt would be written back as UTF-16 LE with a byte order mark, as it was saved\)\n/);
      expect(readFileSync(join(dir, 'requirements.txt'))).toEqual(bytes);
      // The diff is the change: applied to the decoded text it gives the text that fix then writes, as UTF-16.
      const patched = applyPatch(original, out.stdout);
      expect(patched).not.toBe(false);
      const written = cli();
      expect(await written.run('fix', '--offline', dir)).toBe(0);
      expect(written.out.stdout).toContain('(requirements.txt was written back as UTF-16 LE with a byte order mark, as it was saved)');
      expect(readFileSync(join(dir, 'requirements.txt'))).toEqual(le(patched as string));
    });

    it('a file that starts like UTF-16 but cannot be read back exactly (an odd byte count) is refused with its reason, and never written', async () => {
      const cut = Buffer.concat([le('django==2.1.5\r\n'), Buffer.from([0x0a])]);
      const dir = writeTree('depwatch-fix-utf16-cut-', { 'requirements.txt': cut });
      const { out, run } = cli();
      expect(await run('fix', '--json', '--offline', dir)).toBe(2);
      const json = JSON.parse(out.stdout);
      expect(json).toMatchObject({ written: [], changes: [], partial: true });
      expect(json.errors).toEqual([
        { file: 'requirements.txt', line: null, message: expect.stringMatching(/^starts with a UTF-16 byte order mark but is not UTF-16 text \(an odd number of bytes/) },
      ]);
      expect(readFileSync(join(dir, 'requirements.txt'))).toEqual(cut);
    });
  });

  describe('a requirements file whose coding line declares its encoding, as pip reads it', () => {
    const latin1 = (text: string) => Buffer.from(text, 'latin1');

    it('Latin-1: the pin is rewritten and the file stays Latin-1, its other bytes as they were', async () => {
      const bytes = latin1('# -*- coding: latin-1 -*-\ndjango==2.1.5  # pinned by Ren\xe9\n');
      const dir = writeTree('depwatch-fix-latin1-', { 'requirements.txt': bytes });
      const { out, run } = cli();
      expect(await run('fix', '--json', '--offline', dir)).toBe(0);
      const json = JSON.parse(out.stdout);
      expect(json).toMatchObject({ written: ['requirements.txt'], left_alone: [], still_vulnerable: 0, changes: [{ file: 'requirements.txt', line: 2, package: 'django', from_version: '2.1.5' }] });
      expect(readFileSync(join(dir, 'requirements.txt'))).toEqual(latin1(`# -*- coding: latin-1 -*-\ndjango==${json.changes[0].to_version}  # pinned by Ren\xe9\n`));
    });

    it('a codec it cannot write back (Shift_JIS): the pin is left alone with the reason, the file untouched', async () => {
      const bytes = Buffer.concat([latin1('# coding: shift_jis\ndjango==2.1.5  # '), Buffer.from([0x93, 0xfa, 0x96, 0x7b]), latin1('\n')]);
      const dir = writeTree('depwatch-fix-sjis-', { 'requirements.txt': bytes });
      const { out, run } = cli();
      expect(await run('fix', '--json', '--offline', dir)).toBe(1);
      const json = JSON.parse(out.stdout);
      expect(json).toMatchObject({ written: [], changes: [], left_alone: [expect.objectContaining({ file: 'requirements.txt', line: 2, package: 'django' })] });
      expect(JSON.stringify(json.left_alone)).toContain('its coding line declares shift_jis, which Depwatch reads but cannot write back');
      expect(readFileSync(join(dir, 'requirements.txt'))).toEqual(bytes);
    });

    it('a range in a constraints file it cannot write back that excludes the fix: listed, and the pin it constrains is not moved', async () => {
      const dir = writeTree('depwatch-fix-sjis-range-', { 'requirements.txt': latin1('-c c.txt\ndjango==2.1.5\n'), 'c.txt': latin1('# coding: shift_jis\ndjango<2.2\n') });
      const { out, run } = cli();
      expect(await run('fix', '--json', '--offline', dir)).toBe(1);
      const json = JSON.parse(out.stdout);
      expect(json).toMatchObject({ written: [], changes: [], fixes: [expect.objectContaining({ package: 'django', status: 'left-alone' })] });
      expect(json.left_alone).toEqual([
        expect.objectContaining({ kind: 'unsupported-format', file: 'c.txt', line: 2, reason: expect.stringMatching(/^django<2\.2 here does not allow the fix .*shift_jis.*for example django<2\.3/) }),
        expect.objectContaining({ kind: 'not-understood', file: 'requirements.txt', line: 2, reason: expect.stringContaining('c.txt:2 still excludes it') }),
      ]);
      expect(readFileSync(join(dir, 'requirements.txt'), 'latin1')).toBe('-c c.txt\ndjango==2.1.5\n');
    });
  });

  it('fixes every pin, then a second run and the audit find nothing left (exit 0)', async () => {
    const dir = project({
      'requirements.txt': '-r requirements/base.txt\n',
      'requirements/base.txt': 'django==2.1.5\njinja2==2.10 \\\n    --hash=sha256:aaaa\nsix==1.16.0 --hash=sha256:bbbb\n',
    });
    const first = cli();
    expect(await first.run('fix', '--offline', dir)).toBe(0);
    expect(first.out.stdout).toMatch(/^Rewrote 2 requirements in 1 file:\n/);
    expect(first.out.stdout).toMatch(/Re-hash the file with the tool that made it/);
    expect(first.out.stdout).toMatch(/Nothing vulnerable is left\.\nWritten: requirements\/base\.txt\n$/);
    expect(readFileSync(join(dir, 'requirements/base.txt'), 'utf8')).toMatch(/^django==[\d.]+\njinja2==[\d.]+\nsix==1\.16\.0 --hash=sha256:bbbb\n$/);

    const again = cli();
    expect(await again.run('fix', '--offline', dir)).toBe(0);
    expect(again.out.stdout).toMatch(/^Nothing to fix: no vulnerable release is pinned\./);
    expect(await cli().run('audit', '--offline', dir)).toBe(0);
  });

  it('moves a release with an ignored advisory only as far as the advisories not ignored need (as pip-audit --ignore-vuln), and says so truthfully', async () => {
    const dir = project({
      'requirements.txt': 'django==2.1.5\n',
      '.depwatch.yml': 'ignore:\n  - id: CVE-2021-33203\n    reason: admindocs disabled\n    until: 2099-06-01\n',
    });
    // The audit's own advice for the reported advisories names the release fix moves to.
    const audit = cli();
    await audit.run('audit', '--json', '--offline', '--fail-on', 'never', dir);
    const versions = JSON.parse(audit.out.stdout).findings.filter((f: { kind: string }) => f.kind === 'vulnerability').map((f: { fix: { version: string } }) => f.fix.version);
    expect(versions.length).toBeGreaterThan(0);
    expect(new Set(versions)).toEqual(new Set(['2.1.15']));
    const run = cli();
    // Exit 0: what is left is ignored, and ignored advisories do not count (as in audit).
    expect(await run.run('fix', '--json', '--offline', dir)).toBe(0);
    const json = JSON.parse(run.out.stdout);
    expect(json.fixes).toEqual([expect.objectContaining({ package: 'django', from: '2.1.5', to: '2.1.15', status: 'fixed' })]);
    expect(readFileSync(join(dir, 'requirements.txt'), 'utf8')).toBe('django==2.1.15\n');
    expect(json.left_alone).toEqual([
      expect.objectContaining({
        kind: 'ignored',
        reason: 'ignored until 2099-06-01 (.depwatch.yml): admindocs disabled; django moves to 2.1.15 for the advisories not ignored (2.2.28 would clear this one too)',
      }),
    ]);
  });

  it('--json lists changes, lock commands and what was left alone, and exits 1 while a lock command is pending', async () => {
    const dir = project({
      'api/pyproject.toml': '[tool.poetry.dependencies]\npython = "^3.8"\ndjango = "~2.1.3"\npy = "^1.10"\n',
      'api/poetry.lock': ['django', 'py']
        .map((n) => `[[package]]\nname = "${n}"\nversion = "${n === 'django' ? '2.1.5' : '1.10.0'}"\ndescription = ""\noptional = false\npython-versions = "*"\ngroups = ["main"]\nfiles = []\n`)
        .join('\n'),
    });
    const { out, run } = cli();
    expect(await run('fix', '--json', '--offline', dir)).toBe(1);
    const json = JSON.parse(out.stdout);
    const to = json.fixes[0].to;
    expect(json).toMatchObject({
      target: dir,
      dry_run: false,
      fixes: [{ package: 'django', from: '2.1.5', to, status: 'lock-pending', advisories: expect.arrayContaining(['PYSEC-2019-13']) }],
      changes: [{ file: 'api/pyproject.toml', line: 3, lines: { first: 3, last: 3 }, package: 'django', from: '~2.1.3', to: `~${to}`, from_version: '2.1.5', to_version: to, hashes_removed: 0 }],
      lock_commands: [{ lockfile: 'api/poetry.lock', directory: 'api', command: 'poetry update --lock django', packages: ['django'], required: true }],
      left_alone: [{ kind: 'no-fix', package: 'py', version: '1.10.0', reason: expect.stringContaining('PYSEC-2022-42969') }],
      written: ['api/pyproject.toml'],
      still_vulnerable: 2,
      partial: false,
      advisory_source: 'mirror',
    });
    expect(readFileSync(join(dir, 'api/poetry.lock'), 'utf8')).toContain('version = "2.1.5"');
  });

  it('never writes through a symbolic link that leads out of the folder', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'depwatch-fix-outside-'));
    writeFileSync(join(outside, 'requirements.txt'), 'django==2.1.5\n');
    const dir = project({ 'requirements/dev.txt': 'six==1.16.0\n' });
    symlinkSync(join(outside, 'requirements.txt'), join(dir, 'requirements.txt'));
    const { out, run } = cli();
    await run('fix', '--json', '--offline', dir);
    const json = JSON.parse(out.stdout);
    expect(json.errors).toEqual([expect.objectContaining({ file: 'requirements.txt', message: expect.stringContaining('leads outside the scanned folder') })]);
    expect(json.written).toEqual([]);
    expect(readFileSync(join(outside, 'requirements.txt'), 'utf8')).toBe('django==2.1.5\n');
  });

  it('exits 2 with one clear line for what it cannot do', async () => {
    const notDir = cli();
    expect(await notDir.run('fix', '--offline', '/nonexistent/dir')).toBe(2);
    expect(notDir.out.stderr).toBe('depwatch fix: /nonexistent/dir: no such directory (depwatch fix rewrites a local checkout)\n');
    // A manifest is fixed as a file (test/cli/fix-file.test.ts); a file that is none is refused.
    const aFile = join(project({ 'notes.md': 'django==2.1.5\n' }), 'notes.md');
    const file = cli();
    expect(await file.run('fix', '--offline', aFile)).toBe(2);
    expect(file.out.stderr).toContain(`depwatch fix: ${aFile}: not a manifest Depwatch reads by its name (`);
    expect(file.out.stderr.split('\n')).toHaveLength(2);

    const empty = cli({ DEPWATCH_DB: join(dbDir, 'empty.db') });
    expect(await empty.run('fix', '--offline', project({ 'requirements.txt': 'django==2.1.5\n' }))).toBe(2);
    expect(empty.out.stderr).toMatch(/--offline needs the local advisory mirror/);
  });
});

describe('depwatch fix of a partial audit says why it exits 2', () => {
  it('a folder with no manifests: the PARTIAL block names the reason, and never "Nothing vulnerable is left"', async () => {
    const { out, run } = cli();
    expect(await run('fix', '--offline', project({ 'README.md': '# nothing to audit\n' }))).toBe(2);
    expect(out.stdout).toContain('PARTIAL RESULT: not everything was read or checked, so what is missing here may still be there:\n  - no Python manifest or lockfile was found to audit: nothing was checked\n');
    expect(out.stdout).not.toContain('Nothing vulnerable is left');
    expect(out.stdout).not.toContain('no vulnerable release is pinned');
  });

  it('only a broken pyproject.toml: --json gives partial_reasons as audit does, and stderr a PARTIAL line per reason', async () => {
    const dir = project({ 'pyproject.toml': '[project\nname = "app"\n' });
    const fix = cli();
    expect(await fix.run('fix', '--json', '--offline', dir)).toBe(2);
    const audit = cli();
    expect(await audit.run('audit', '--json', '--offline', '--no-code', dir)).toBe(2);
    const reasons = JSON.parse(audit.out.stdout).partial_reasons;
    expect(reasons).toEqual([{ kind: 'unread', file: 'pyproject.toml', line: 1, message: expect.stringContaining('TOML syntax error') }]);
    expect(JSON.parse(fix.out.stdout)).toMatchObject({ partial: true, partial_reasons: reasons });
    expect(fix.out.stderr).toBe(audit.out.stderr);
    expect(fix.out.stderr).toMatch(/^depwatch: PARTIAL: pyproject\.toml:1 not read completely: TOML syntax error[^\n]*\n$/);
    const text = cli();
    expect(await text.run('fix', '--offline', dir)).toBe(2);
    expect(text.out.stdout).toMatch(/\n {2}- pyproject\.toml:1 not read completely: TOML syntax error/);
    expect(text.out.stdout).not.toContain('Nothing vulnerable is left');
  });

  it('a dry run says it on stderr with the summary, and the diff stays alone on stdout', async () => {
    const dir = project({ 'requirements.txt': 'six==1.16.0\n', 'poetry.lock': '[[package]]\nname = "x"\n<<<<<<< HEAD\n' });
    const { out, run } = cli();
    expect(await run('fix', '--dry-run', '--offline', dir)).toBe(2);
    expect(out.stdout).toBe('');
    expect(out.stderr).toMatch(/PARTIAL RESULT: not everything was read or checked[^\n]*\n  - poetry\.lock:\d+ not read completely/);
    expect(out.stderr).not.toContain('Nothing vulnerable is left');
  });

  it('a complete audit has no PARTIAL block and empty partial_reasons', async () => {
    const dir = project({ 'requirements.txt': 'six==1.16.0\n' });
    const text = cli();
    expect(await text.run('fix', '--offline', dir)).toBe(0);
    expect(text.out.stdout).not.toContain('PARTIAL');
    expect(text.out.stdout).toContain('Nothing vulnerable is left.');
    const json = cli();
    expect(await json.run('fix', '--json', '--offline', dir)).toBe(0);
    expect(JSON.parse(json.out.stdout)).toMatchObject({ partial: false, partial_reasons: [] });
    expect(json.out.stderr).toBe('');
  });
});
