/**
 * The reader of `git log -p --unified=0` output (src/scan/history/git-log.ts): untrusted text read
 * in one pass, whatever it holds: each file change's added lines with their numbers, a bad chunk
 * passed over without hiding what follows, and time linear in the size of the output.
 */
import { describe, expect, it } from 'vitest';
import { diffHeaderPath, GitLogParser, unquote, type FileChange } from '../../src/scan/history/git-log.js';
import { cpuMs } from '../helpers/cpu-time.js';

const SHA1 = 'a'.repeat(40);
const SHA2 = 'b'.repeat(40);
const header = (sha: string, subject = 'subject') => `\x01depwatch-commit ${sha} 2024-01-02T03:04:05+00:00 ${subject}\n`;

function read(text: string | Buffer, options: { maxFileBytes?: number; chunk?: number } = {}) {
  const changes: FileChange[] = [];
  const parser = new GitLogParser({ fileChange: (c) => changes.push(c) }, options);
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text);
  const step = options.chunk ?? bytes.length;
  for (let i = 0; i < bytes.length; i += step) parser.push(bytes.subarray(i, i + step));
  parser.end();
  const shown = changes.map((c) => ({ sha: c.commit.sha.slice(0, 1), path: c.path, lines: c.lines.map(String), numbers: c.lineNumbers, binary: c.binary, tooLarge: c.tooLarge }));
  return { changes, shown, parser };
}

const twoFiles =
  header(SHA1, 'add two') +
  '\n' +
  'diff --git a/app/a.py b/app/a.py\nnew file mode 100644\nindex 0000000..1111111\n--- /dev/null\n+++ b/app/a.py\n@@ -0,0 +1,2 @@\n+x = 1\n+++ y = 2\n' +
  'diff --git a/b.txt b/b.txt\nindex 1..2 100644\n--- a/b.txt\n+++ b/b.txt\n@@ -3 +3 @@\n-old\n+new\n@@ -10,0 +11,2 @@\n+p\n+q\n\\ No newline at end of file\n';

describe('GitLogParser', () => {
  it('gives each file change its added lines and their numbers in the new version; a "+++" inside a hunk is an added line', () => {
    expect(read(twoFiles).shown).toEqual([
      { sha: 'a', path: 'app/a.py', lines: ['x = 1', '++ y = 2'], numbers: [1, 2], binary: false, tooLarge: false },
      { sha: 'a', path: 'b.txt', lines: ['new', 'p', 'q'], numbers: [3, 11, 12], binary: false, tooLarge: false },
    ]);
  });

  it('reads the same whatever the chunks git writes are cut into (one byte at a time too)', () => {
    expect(read(twoFiles, { chunk: 1 }).shown).toEqual(read(twoFiles).shown);
    expect(read(twoFiles, { chunk: 7 }).shown).toEqual(read(twoFiles).shown);
  });

  it('reads the header: sha, author date, and the subject as written (control characters and all)', () => {
    const { changes } = read(header(SHA2, 'fix \x1b[2J "quoted" \\e') + 'diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n+v\n');
    expect(changes[0]!.commit).toEqual({ sha: SHA2, authorDate: '2024-01-02T03:04:05+00:00', subject: 'fix \x1b[2J "quoted" \\e' });
  });

  it('marks binary changes and deleted files, which add nothing', () => {
    const text = header(SHA1) + 'diff --git a/img.png b/img.png\nnew file mode 100644\nindex 0..1\nBinary files /dev/null and b/img.png differ\n' + 'diff --git a/gone.txt b/gone.txt\ndeleted file mode 100644\n--- a/gone.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-secret\n';
    const { changes } = read(text);
    expect(changes.map((c) => [c.path, c.binary, c.deleted, c.lines.length])).toEqual([
      ['img.png', true, false, 0],
      ['gone.txt', false, true, 0],
    ]);
  });

  it('reads quoted names (newlines, escapes, octal UTF-8) and names with spaces', () => {
    expect(unquote('"b/caf\\303\\251\\n\\033[2J.txt"')).toBe('b/café\n\x1b[2J.txt');
    expect(diffHeaderPath('--git "a/x\\ty" "b/x\\ty"')).toBe('x\ty');
    expect(diffHeaderPath('--git a/with space b/with space')).toBe('with space');
    expect(diffHeaderPath('--cc merged.txt')).toBe('merged.txt');
    const { changes } = read(header(SHA1) + 'diff --git "a/evil\\nname" "b/evil\\nname"\n--- /dev/null\n+++ "b/evil\\nname"\n@@ -0,0 +1 @@\n+v\n' + 'diff --git a/sp ace b/sp ace\n--- /dev/null\n+++ b/sp ace\t\n@@ -0,0 +1 @@\n+w\n');
    expect(changes.map((c) => c.path)).toEqual(['evil\nname', 'sp ace']);
  });

  it("reads a merge's combined diff: a line added against any parent is added, one removed from a parent takes no number", () => {
    const text = header(SHA1, 'Merge branch x') + 'diff --cc m.txt\nindex 1,2..3\n--- a/m.txt\n+++ b/m.txt\n@@@ -1,1 -1,1 +1,2 @@@\n- from ours\n -from theirs\n++resolved\n+ kept from theirs\n';
    expect(read(text).shown).toEqual([{ sha: 'a', path: 'm.txt', lines: ['resolved', 'kept from theirs'], numbers: [1, 2], binary: false, tooLarge: false }]);
  });

  it('passes over what it does not understand and reads on: garbage, a hunk line before any hunk, a broken hunk header', () => {
    const text = 'garbage before any commit\n' + header(SHA1) + 'not a diff line\n' + 'diff --git a/x b/x\n+++ b/x\n+before any hunk\n@@ broken @@\n+still read\nrandom line\n' + header(SHA2) + 'diff --git a/y b/y\n--- a/y\n+++ b/y\n@@ -0,0 +5 @@\n+five\n';
    const { shown, parser } = read(text);
    expect(shown).toEqual([
      { sha: 'a', path: 'x', lines: ['still read'], numbers: [1], binary: false, tooLarge: false },
      { sha: 'b', path: 'y', lines: ['five'], numbers: [5], binary: false, tooLarge: false },
    ]);
    expect(parser.strayLines).toBe(3);
    expect(parser.commits).toBe(2);
  });

  it('keeps at most maxFileBytes of one file change (a line longer than that is never held), then reads on', () => {
    const long = '+' + 'z'.repeat(100_000) + '\n';
    const text = header(SHA1) + 'diff --git a/big b/big\n+++ b/big\n@@ -0,0 +1,3 @@\n+first\n' + long + '+last\n' + 'diff --git a/small b/small\n+++ b/small\n@@ -0,0 +1 @@\n+ok\n';
    for (const chunk of [1, 4096, 65536, text.length]) {
      const { changes } = read(text, { maxFileBytes: 1000, chunk });
      // The same however git's output was cut: the long line counted at its length.
      expect(changes.map((c) => [c.path, c.tooLarge, c.lines.map(String), c.addedBytes]), `chunks of ${chunk}`).toEqual([
        ['big', true, ['first'], 6 + 100_001 + 5],
        ['small', false, ['ok'], 3],
      ]);
    }
  });

  it('a line too long to hold is still read for what it is: a huge subject is still its commit, a long removed line adds nothing', () => {
    const text =
      header(SHA1) + 'diff --git a/x b/x\n+++ b/x\n@@ -1,1 +1,1 @@\n-' + 'r'.repeat(50_000) + '\n+kept\n' +
      header(SHA2, 's'.repeat(50_000)) + 'diff --git a/y b/y\n+++ b/y\n@@ -0,0 +1 @@\n+y\n';
    for (const chunk of [512, 65536]) {
      const { changes, parser } = read(text, { maxFileBytes: 1000, chunk });
      expect(changes.map((c) => [c.commit.sha, c.path, c.tooLarge, c.lines.map(String), c.lineNumbers])).toEqual([
        [SHA1, 'x', false, ['kept'], [1]],
        [SHA2, 'y', false, ['y'], [1]],
      ]);
      expect(parser.strayLines).toBe(0);
    }
  });

  it('takes time linear in the size of the output (a synthetic log of 40 MB against one of 4 MB)', () => {
    const commit = (i: number) => header(i.toString(16).padStart(40, '0')) + `diff --git a/f${i}.py b/f${i}.py\n--- a/f${i}.py\n+++ b/f${i}.py\n@@ -1,2 +1,3 @@\n-old\n+++ not a header ${i}\n+token = "x"\n+${'y'.repeat(200)}\n`;
    const log = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => commit(i)).join(''));
    const small = log(12_000);
    const large = log(120_000);
    let changes = 0;
    const run = (bytes: Buffer) => () => {
      const parser = new GitLogParser({ fileChange: () => void changes++ });
      for (let i = 0; i < bytes.length; i += 65536) parser.push(bytes.subarray(i, i + 65536));
      parser.end();
    };
    run(small)(); // warm up
    const smallMs = Math.min(cpuMs(run(small)), cpuMs(run(small)));
    const largeMs = Math.min(cpuMs(run(large)), cpuMs(run(large)));
    expect(changes).toBe(12_000 * 3 + 120_000 * 2);
    // Ten times the input: well under the hundred times a quadratic reader would take.
    expect(largeMs).toBeLessThan(Math.max(smallMs, 5) * 25);
  });
});
