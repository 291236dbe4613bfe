import { chmodSync, chownSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FixWriteError, writeAllInside, writeInside } from '../../src/fix/write.js';
import { LinkNotFollowedError } from '../../src/python/inside-root.js';

function checkout() {
  const base = mkdtempSync(join(tmpdir(), 'depwatch-fix-write-'));
  const root = join(base, 'repo');
  mkdirSync(root);
  return { base, root };
}

describe('writing a fixed file', () => {
  it('replaces the file in one rename, keeping its permission bits and leaving no temporary file', async () => {
    const { root } = checkout();
    const file = join(root, 'requirements.txt');
    writeFileSync(file, 'django==2.1.5\r\n');
    chmodSync(file, 0o640);
    await writeInside(root, 'requirements.txt', Buffer.from('django==2.1.5\r\n'), Buffer.from('django==2.1.11\r\n'));
    expect(readFileSync(file, 'utf8')).toBe('django==2.1.11\r\n');
    expect(statSync(file).mode & 0o7777).toBe(0o640);
    expect(readdirSync(root)).toEqual(['requirements.txt']);
  });

  it('keeps an executable bit too (fchmod is not subject to the umask)', async () => {
    const { root } = checkout();
    writeFileSync(join(root, 'Pipfile'), 'x');
    chmodSync(join(root, 'Pipfile'), 0o775);
    await writeInside(root, 'Pipfile', Buffer.from('x'), Buffer.from('y'));
    expect(statSync(join(root, 'Pipfile')).mode & 0o7777).toBe(0o775);
  });

  it('says, with its path, that a file replaced by a folder since the audit is not written', async () => {
    const { root } = checkout();
    mkdirSync(join(root, 'requirements.txt'));
    await expect(writeInside(root, 'requirements.txt', Buffer.from('django==2.1.5\n'), Buffer.from('django==2.1.11\n'))).rejects.toThrow(
      new FixWriteError('requirements.txt: no longer a regular file; not written'),
    );
    expect(statSync(join(root, 'requirements.txt')).isDirectory()).toBe(true);
  });

  it('does not overwrite a file that changed since the audit read it', async () => {
    const { root } = checkout();
    writeFileSync(join(root, 'requirements.txt'), 'django==3.0\n');
    await expect(writeInside(root, 'requirements.txt', Buffer.from('django==2.1.5\n'), Buffer.from('django==2.1.11\n'))).rejects.toThrow(FixWriteError);
    expect(readFileSync(join(root, 'requirements.txt'), 'utf8')).toBe('django==3.0\n');
  });

  it('never writes through a symbolic link that leads out of the folder', async () => {
    const { base, root } = checkout();
    const outside = join(base, 'outside.txt');
    writeFileSync(outside, 'django==2.1.5\n');
    symlinkSync(outside, join(root, 'requirements.txt'));
    mkdirSync(join(base, 'etc'));
    writeFileSync(join(base, 'etc', 'reqs.txt'), 'django==2.1.5\n');
    symlinkSync(join(base, 'etc'), join(root, 'etcdir'));
    await expect(writeInside(root, 'requirements.txt', Buffer.from('django==2.1.5\n'), Buffer.from('pwned\n'))).rejects.toThrow(LinkNotFollowedError);
    await expect(writeInside(root, 'etcdir/reqs.txt', Buffer.from('django==2.1.5\n'), Buffer.from('pwned\n'))).rejects.toThrow(/etcdir is a symbolic link that leads outside/);
    expect(readFileSync(outside, 'utf8')).toBe('django==2.1.5\n');
    expect(readFileSync(join(base, 'etc', 'reqs.txt'), 'utf8')).toBe('django==2.1.5\n');
    expect(readdirSync(base).sort()).toEqual(['etc', 'outside.txt', 'repo']);
  });

  it('follows a link that stays inside: the file it names is written and the link stays a link', async () => {
    const { root } = checkout();
    mkdirSync(join(root, 'requirements'));
    writeFileSync(join(root, 'requirements', 'prod.txt'), 'django==2.1.5\n');
    symlinkSync('requirements/prod.txt', join(root, 'requirements.txt'));
    await writeInside(root, 'requirements.txt', Buffer.from('django==2.1.5\n'), Buffer.from('django==2.1.11\n'));
    expect(lstatSync(join(root, 'requirements.txt')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(root, 'requirements', 'prod.txt'), 'utf8')).toBe('django==2.1.11\n');
  });
});

describe('writing the files of one fix', () => {
  const old = Buffer.from('django==2.1.5\n');
  const fixed = Buffer.from('django==2.2.28\n');

  it('writes none when one cannot be written, names each, and leaves no temporary file', async () => {
    const { root } = checkout();
    mkdirSync(join(root, 'c'));
    writeFileSync(join(root, 'requirements.txt'), old);
    writeFileSync(join(root, 'c', 'constraints.txt'), 'django<2.2\n');
    chmodSync(join(root, 'c', 'constraints.txt'), 0o444);
    const result = await writeAllInside(root, [
      { path: 'c/constraints.txt', expected: Buffer.from('django<2.2\n'), bytes: Buffer.from('django<2.3\n') },
      { path: 'requirements.txt', expected: old, bytes: fixed },
    ]);
    expect(result).toEqual({
      written: [],
      errors: [
        { file: 'c/constraints.txt', message: 'c/constraints.txt: read-only (mode 0444); not written (make it writable, or change it by hand)' },
        { file: 'requirements.txt', message: 'requirements.txt: not written, because c/constraints.txt could not be (depwatch fix writes all of its files or none)' },
      ],
    });
    expect(readFileSync(join(root, 'requirements.txt'))).toEqual(old);
    expect(readFileSync(join(root, 'c', 'constraints.txt'), 'utf8')).toBe('django<2.2\n');
    expect(readdirSync(root).sort()).toEqual(['c', 'requirements.txt']);
    expect(readdirSync(join(root, 'c'))).toEqual(['constraints.txt']);
  });

  it('writes them all when all can be', async () => {
    const { root } = checkout();
    writeFileSync(join(root, 'a.txt'), old);
    writeFileSync(join(root, 'b.txt'), old);
    const result = await writeAllInside(root, [
      { path: 'a.txt', expected: old, bytes: fixed },
      { path: 'b.txt', expected: old, bytes: fixed },
    ]);
    expect(result).toEqual({ written: ['a.txt', 'b.txt'], errors: [] });
    expect(readFileSync(join(root, 'b.txt'))).toEqual(fixed);
  });

  it('refuses a file with another hard link: a rename would leave the other name vulnerable', async () => {
    const { base, root } = checkout();
    writeFileSync(join(root, 'requirements.txt'), old);
    linkSync(join(root, 'requirements.txt'), join(base, 'elsewhere.txt'));
    const result = await writeAllInside(root, [{ path: 'requirements.txt', expected: old, bytes: fixed }]);
    expect(result.errors).toEqual([{ file: 'requirements.txt', message: expect.stringMatching(/^requirements\.txt: has 2 hard links .*; not written/) }]);
    expect(readFileSync(join(root, 'requirements.txt'))).toEqual(old);
    expect(readFileSync(join(base, 'elsewhere.txt'))).toEqual(old);
  });

  it('refuses a read-only file, even as root', async () => {
    const { root } = checkout();
    writeFileSync(join(root, 'requirements.txt'), old);
    chmodSync(join(root, 'requirements.txt'), 0o444);
    await expect(writeInside(root, 'requirements.txt', old, fixed)).rejects.toThrow('requirements.txt: read-only (mode 0444); not written');
    expect(readFileSync(join(root, 'requirements.txt'))).toEqual(old);
  });

  it.skipIf(process.getuid?.() !== 0)('keeps the owner and group of a file root rewrites', async () => {
    const { root } = checkout();
    const file = join(root, 'requirements.txt');
    writeFileSync(file, old);
    chmodSync(file, 0o640);
    chownSync(file, 65534, 65534);
    await writeInside(root, 'requirements.txt', old, fixed);
    expect(readFileSync(file)).toEqual(fixed);
    expect(statSync(file)).toMatchObject({ uid: 65534, gid: 65534 });
    expect(statSync(file).mode & 0o7777).toBe(0o640);
  });
});
