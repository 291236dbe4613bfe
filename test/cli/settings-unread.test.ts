/**
 * A `.depwatch.yml` the commands cannot use: every command says so, and none applies a guess. One
 * that cannot be read (not UTF-8) makes `scan` partial as it makes `audit` partial: its ignores and
 * excludes are not applied, so the scan reports and reads more than the user asked, and must tell
 * them. A folder named `.depwatch.yml` is no settings file: one note in every command, nothing
 * hidden by it, so not partial.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADVISORIES_JSONL_GZ } from '../fixtures/osv/load.js';
import { inProcessCli, UNREACHABLE_SERVICES, writeTree } from '../helpers/cli-in-process.js';

const made: string[] = [];
let db: string;

beforeAll(async () => {
  const data = writeTree('depwatch-settings-unread-db-', {});
  made.push(data);
  db = join(data, 'mirror.db');
  expect(await inProcessCli({ env: { DEPWATCH_DB: db } }).run('db', 'import', ADVISORIES_JSONL_GZ)).toBe(0);
});

afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const tree = (files: Record<string, string | Uint8Array>) => {
  const dir = writeTree('depwatch-settings-unread-', { 'app.py': 'import os\nos.system(input())\n', 'requirements.txt': 'attrs==23.1.0\n', ...files });
  made.push(dir);
  return dir;
};

async function depwatch(cwd: string, ...argv: string[]) {
  const c = inProcessCli({ cwd, env: { DEPWATCH_DB: db, ...UNREACHABLE_SERVICES } });
  const code = await c.run(...argv);
  return { code, ...c.out };
}

describe('a .depwatch.yml that is not UTF-8', () => {
  const settings = Buffer.concat([Buffer.from('ignore:\n  - id: py-os-system\n    reason: caf'), Buffer.from([0xe9]), Buffer.from('\n')]);

  it('scan: partial (exit 2 with --fail-on never), the file named once in skipped, and its ignore not applied', async () => {
    const dir = tree({ '.depwatch.yml': settings });
    const { code, stdout, stderr } = await depwatch(dir, 'scan', '--json', '--fail-on', 'never', '.');
    expect(code).toBe(2);
    const result = JSON.parse(stdout) as { partial: boolean; skipped: unknown[]; findings: { rule: string }[] };
    expect(result.partial).toBe(true);
    expect(result.skipped).toEqual([
      { path: '.depwatch.yml', reason: 'not-utf8', partial: true, message: '.depwatch.yml: not valid UTF-8 text; not read; none of its ignores and excludes were applied' },
    ]);
    expect(result.findings.map((f) => f.rule)).toContain('py-os-system');
    expect(stderr).toContain('PARTIAL');
  });

  it('audit: partial for it once, as before, and its code part does not say it again', async () => {
    const dir = tree({ '.depwatch.yml': settings });
    const { code, stdout } = await depwatch(dir, 'audit', '--offline', '--json', '--fail-on', 'never', '.');
    expect(code).toBe(2);
    const result = JSON.parse(stdout) as { partial_reasons: { file?: string; message: string }[]; code: { skipped: unknown[] } };
    expect(result.partial_reasons).toEqual([{ kind: 'unread', file: '.depwatch.yml', line: null, message: 'not valid UTF-8 text; not read' }]);
    expect(result.code.skipped).toEqual([]);
  });
});

describe('a .depwatch.yml over the 256 KB limit for settings files', () => {
  // Valid settings, then a comment that takes the file to exactly 300 KB: never parsed, so neither applies.
  const head = 'ignore:\n  - id: py-os-system\n    reason: input is a trusted operator command\nexclude:\n  - path: vendor/\n    reason: not ours\n';
  const settings = `${head}#${'x'.repeat(300 * 1024 - head.length - 2)}\n`;
  const TOO_LARGE = '300 KB, over the 256 KB limit for settings files; not read';
  const bigTree = () => tree({ '.depwatch.yml': settings, 'vendor/requirements.txt': 'six==1.16.0\n' });

  it('audit: partial for it in one line, as a settings file that cannot be read; its ignore and exclude not applied', async () => {
    expect(Buffer.byteLength(settings)).toBe(300 * 1024);
    const { code, stdout } = await depwatch(bigTree(), 'audit', '--offline', '--json', '--fail-on', 'never', '.');
    expect(code).toBe(2);
    const result = JSON.parse(stdout) as { partial_reasons: unknown[]; code: { skipped: unknown[]; findings: { rule: string }[] }; dependencies: number };
    expect(result.partial_reasons).toEqual([{ kind: 'unread', file: '.depwatch.yml', line: null, message: `file is ${TOO_LARGE}` }]);
    expect(result.code.skipped).toEqual([]);
    expect(result.code.findings.map((f) => f.rule)).toContain('py-os-system');
    // attrs and six: vendor/ is read, nothing excluded.
    expect(result.dependencies).toBe(2);
  });

  it('scan: partial, the file named once in skipped, its ignore not applied', async () => {
    const { code, stdout } = await depwatch(bigTree(), 'scan', '--json', '--fail-on', 'never', '.');
    expect(code).toBe(2);
    const result = JSON.parse(stdout) as { partial: boolean; skipped: unknown[]; findings: { rule: string }[] };
    expect(result.skipped).toEqual([{ path: '.depwatch.yml', reason: 'too-large', partial: true, message: `.depwatch.yml: ${TOO_LARGE}; none of its ignores and excludes were applied` }]);
    expect(result.findings.map((f) => f.rule)).toContain('py-os-system');
  });

  it('deps: one notice, and the folder it would exclude is read', async () => {
    const { stdout } = await depwatch(bigTree(), 'deps', '--json', '.');
    const result = JSON.parse(stdout) as { notices: string[]; manifests: { path: string }[] };
    expect(result.notices).toContain(`.depwatch.yml: file is ${TOO_LARGE}; nothing was excluded`);
    expect(result.manifests.map((m) => m.path)).toEqual(['requirements.txt', 'vendor/requirements.txt']);
  });
});

describe('a folder named .depwatch.yml', () => {
  const NOTE = '.depwatch.yml: a folder, not a settings file; nothing in it is read as settings (write the settings in a file of that name)';
  const folderTree = () => tree({ '.depwatch.yml/ignore.yml': 'ignore: []\n' });

  it('scan: one note, not partial', async () => {
    const { stdout } = await depwatch(folderTree(), 'scan', '--json', '.');
    const result = JSON.parse(stdout) as { partial: boolean; notes: { kind: string; message: string }[] };
    expect(result.notes.filter((n) => n.message === NOTE)).toEqual([{ kind: 'invalid', message: NOTE }]);
    expect(result.partial).toBe(false);
  });

  it('audit (with its code scan): one note, not partial', async () => {
    const { code, stdout } = await depwatch(folderTree(), 'audit', '--offline', '--json', '--fail-on', 'never', '.');
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as { partial: boolean; notes: { message: string }[]; code: { notes: { message: string }[] } };
    expect([...result.notes, ...result.code.notes].filter((n) => n.message === NOTE)).toHaveLength(1);
    expect(result.partial).toBe(false);
  });

  it('deps: one notice, not partial', async () => {
    const { code, stdout } = await depwatch(folderTree(), 'deps', '--json', '.');
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as { notices: string[] }).notices.filter((n) => n === NOTE)).toHaveLength(1);
  });
});

describe('an empty folder named .depwatch.yml (nothing listed under it)', () => {
  const NOTE = '.depwatch.yml: a folder, not a settings file; nothing in it is read as settings (write the settings in a file of that name)';
  const emptyFolderTree = () => {
    const dir = tree({});
    mkdirSync(join(dir, '.depwatch.yml'));
    return dir;
  };

  it('scan: the same one note as a folder with files in it, not partial', async () => {
    const { stdout } = await depwatch(emptyFolderTree(), 'scan', '--json', '.');
    const result = JSON.parse(stdout) as { partial: boolean; notes: { kind: string; message: string }[] };
    expect(result.notes.filter((n) => n.message === NOTE)).toEqual([{ kind: 'invalid', message: NOTE }]);
    expect(result.partial).toBe(false);
  });

  it('audit, with its code scan and without (--no-code): one note, not partial', async () => {
    for (const flags of [[], ['--no-code']]) {
      const { code, stdout } = await depwatch(emptyFolderTree(), 'audit', '--offline', '--json', '--fail-on', 'never', ...flags, '.');
      expect(code).toBe(0);
      const result = JSON.parse(stdout) as { partial: boolean; notes: { message: string }[]; code: { notes: { message: string }[] } | null };
      expect([...result.notes, ...(result.code?.notes ?? [])].filter((n) => n.message === NOTE)).toHaveLength(1);
      expect(result.partial).toBe(false);
    }
  });

  it('deps: one notice, not partial', async () => {
    const { code, stdout } = await depwatch(emptyFolderTree(), 'deps', '--json', '.');
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as { notices: string[] }).notices.filter((n) => n === NOTE)).toHaveLength(1);
  });

  it('beside a .depwatch.yaml file: that file is the settings file and applies, and the folder is noted', async () => {
    const dir = tree({ '.depwatch.yaml': 'ignore:\n  - id: py-os-system\n    reason: input is a trusted operator command\n' });
    mkdirSync(join(dir, '.depwatch.yml'));
    const { stdout } = await depwatch(dir, 'scan', '--json', '.');
    const result = JSON.parse(stdout) as { findings: { rule: string }[]; notes: { message: string }[] };
    expect(result.findings.map((f) => f.rule)).not.toContain('py-os-system');
    expect(result.notes.map((n) => n.message)).toContain(NOTE);
  });
});

describe('a settings file named not quite right (no leading dot, another case)', () => {
  const note = (name: string) => `${name}: not read as settings; the settings file is named .depwatch.yml or .depwatch.yaml (a leading dot, lower case)`;
  const IGNORE = 'ignore:\n  - id: py-os-system\n    reason: input is a trusted operator command\n';

  it('audit, scan and deps: one note each, naming the file, not partial; its ignore is not applied', async () => {
    for (const name of ['depwatch.yml', '.Depwatch.yaml']) {
      const dir = tree({ [name]: IGNORE });
      const audit = await depwatch(dir, 'audit', '--offline', '--json', '--fail-on', 'never', '.');
      expect(audit.code).toBe(0);
      const audited = JSON.parse(audit.stdout) as { partial: boolean; notes: { message: string }[]; code: { notes: { message: string }[]; findings: { rule: string }[] } };
      expect([...audited.notes, ...audited.code.notes].filter((n) => n.message === note(name))).toHaveLength(1);
      expect(audited.partial).toBe(false);
      expect(audited.code.findings.map((f) => f.rule)).toContain('py-os-system');

      const scanned = JSON.parse((await depwatch(dir, 'scan', '--json', '.')).stdout) as { notes: { kind: string; message: string }[] };
      expect(scanned.notes.filter((n) => n.message === note(name))).toEqual([{ kind: 'invalid', message: note(name) }]);

      const deps = JSON.parse((await depwatch(dir, 'deps', '--json', '.')).stdout) as { notices: string[] };
      expect(deps.notices.filter((n) => n === note(name))).toHaveLength(1);
    }
  });

  it('says nothing of one beside the settings file (it is then some other file), nor of one in a folder', async () => {
    const dir = tree({ '.depwatch.yml': IGNORE, 'depwatch.yml': 'other: true\n', 'docs/.depwatch.yml': IGNORE });
    const { stdout } = await depwatch(dir, 'scan', '--json', '.');
    expect((JSON.parse(stdout) as { notes: unknown[] }).notes).toEqual([]);
  });
});

describe('a .depwatch.yml that is a symbolic link or a pipe: never read, so partial in both commands', () => {
  const SETTINGS = 'ignore:\n  - id: py-os-system\n    reason: input is a trusted operator command\n';
  const outside = () => {
    const dir = writeTree('depwatch-settings-outside-', { 'settings.yml': SETTINGS });
    made.push(dir);
    return join(dir, 'settings.yml');
  };
  const trees: Record<string, { make: () => string; reason: string; scanWhy: string; auditWhy: string }> = {
    'a link to a file inside the tree': {
      make: () => {
        const dir = tree({ 'real.yml': SETTINGS });
        symlinkSync('real.yml', join(dir, '.depwatch.yml'));
        return dir;
      },
      reason: 'symlink',
      scanWhy: 'symbolic link, not followed',
      auditWhy: '.depwatch.yml is a symbolic link; not followed (the settings are read only from a file of the tree itself)',
    },
    'a link leading out of the tree': {
      make: () => {
        const dir = tree({});
        symlinkSync(outside(), join(dir, '.depwatch.yml'));
        return dir;
      },
      reason: 'symlink',
      scanWhy: 'symbolic link, not followed',
      auditWhy: '.depwatch.yml is a symbolic link; not followed (the settings are read only from a file of the tree itself)',
    },
    'a link to nothing': {
      make: () => {
        const dir = tree({});
        symlinkSync('nope.yml', join(dir, '.depwatch.yml'));
        return dir;
      },
      reason: 'symlink',
      scanWhy: 'symbolic link, not followed',
      auditWhy: '.depwatch.yml is a symbolic link; not followed (the settings are read only from a file of the tree itself)',
    },
    'a pipe': {
      make: () => {
        const dir = tree({});
        execFileSync('mkfifo', [join(dir, '.depwatch.yml')]);
        return dir;
      },
      reason: 'not-regular',
      scanWhy: 'not a regular file (device, socket or pipe), not read',
      auditWhy: 'not a regular file (a pipe, socket, device or folder); not read',
    },
  };

  for (const [what, t] of Object.entries(trees)) {
    it(`${what}: scan is partial (exit 2), the file named once in skipped, its ignore not applied`, async () => {
      const { code, stdout } = await depwatch(t.make(), 'scan', '--json', '--fail-on', 'never', '.');
      expect(code).toBe(2);
      const result = JSON.parse(stdout) as { partial: boolean; skipped: unknown[]; findings: { rule: string }[]; ignored: unknown[] };
      expect(result.partial).toBe(true);
      expect(result.skipped).toEqual([{ path: '.depwatch.yml', reason: t.reason, partial: true, message: `.depwatch.yml: ${t.scanWhy}; none of its ignores and excludes were applied` }]);
      expect(result.findings.map((f) => f.rule)).toContain('py-os-system');
      expect(result.ignored).toEqual([]);
    });

    it(`${what}: audit is partial for it once, applies none of it, and its code part does not say it again`, async () => {
      const { code, stdout } = await depwatch(t.make(), 'audit', '--offline', '--json', '--fail-on', 'never', '.');
      expect(code).toBe(2);
      const result = JSON.parse(stdout) as { partial_reasons: unknown[]; notes: unknown[]; code: { skipped: unknown[]; findings: { rule: string }[]; ignored: unknown[] } };
      expect(result.partial_reasons).toEqual([{ kind: 'unread', file: '.depwatch.yml', line: null, message: t.auditWhy }]);
      expect(result.notes).toEqual([]);
      expect(result.code.skipped).toEqual([]);
      expect(result.code.findings.map((f) => f.rule)).toContain('py-os-system');
      expect(result.code.ignored).toEqual([]);
    });
  }
});
