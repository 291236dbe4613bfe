/**
 * Repository-controlled text in Markdown shows as written. A folder named `[x](http://evil.example)`
 * rendered a live link in `audit --markdown`'s partial block and Fix column (and so in CI summaries
 * and pull-request comments, which are public); a folder named "a`b|c" broke code spans and table
 * rows. Checked in GitHub-flavoured Markdown terms: outside code spans no unescaped link syntax or
 * bare URL (GitHub's autolinks), every table row as many cells as its header, every code span closed.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixBody } from '../../src/fix/pull-request/text.js';
import { markdownCode, markdownText } from '../../src/report/markdown-text.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { pullRequestReviewMarkdown } from '../../src/report/pr-review.js';
import type { DependencyReview } from '../../src/watch/pr-review/review.js';
import { ADVISORIES_JSONL_GZ } from '../fixtures/osv/load.js';
import { inProcessCli, UNREACHABLE_SERVICES, writeTree } from '../helpers/cli-in-process.js';

/** A line's parts outside code spans (CommonMark: a run of n backticks not escaped opens, the next run of exactly n closes). */
function outsideCodeSpans(line: string): string {
  let out = '';
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === '\\') {
      out += line.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (c !== '`') {
      out += c;
      i++;
      continue;
    }
    let n = 0;
    while (line[i + n] === '`') n++;
    let close = -1;
    for (let j = i + n; j < line.length; ) {
      if (line[j] !== '`') {
        j++;
        continue;
      }
      let m = 0;
      while (line[j + m] === '`') m++;
      if (m === n) {
        close = j;
        break;
      }
      j += m;
    }
    if (close < 0) {
      out += line.slice(i, i + n);
      i += n;
    } else {
      out += ' CODE ';
      i = close + n;
    }
  }
  return out;
}

/** Characters not escaped by a backslash (a `\\` is an escaped backslash). */
function unescaped(text: string, chars: string): string[] {
  const found: string[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (chars.includes(text[i]!)) found.push(text[i]!);
  }
  return found;
}

/** Unescaped pipes in a table row: GFM splits cells there, inside code spans too. */
const cellsOf = (row: string) => unescaped(row, '|').length - 1;

/** The links we write ourselves: advisories on osv.dev and lines on GitHub. */
const withoutOurLinks = (text: string) => text.replace(/\]\((https:\/\/osv\.dev\/vulnerability\/|https:\/\/github\.com\/)[^)\s]*\)/g, ' ');

/** Control characters a terminal acts on (ESC, BEL, C1) and bidi controls that reorder a line (terminal-text.ts's list). */
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** What GitHub would render as markup or a link from repository text, or a terminal act on, in every line of `markdown`. */
function assertLiteral(markdown: string): void {
  let header: number | null = null;
  for (const line of markdown.split('\n')) {
    expect(line, JSON.stringify(line)).not.toMatch(CONTROLS); // inside code spans too: they pass them through
    const text = withoutOurLinks(outsideCodeSpans(line));
    expect(text, line).not.toMatch(/(^|[^\\])\]\(/); // a link or image: `[…](…)`
    expect(text, line).not.toMatch(/(https?:\/\/|www\.)evil/i); // an autolink
    expect(text.replace(/<\/?(sub|details|summary)>/g, ''), line).not.toMatch(/<[a-z/!]/i); // HTML (ours aside)
    expect(text, line).not.toMatch(/(^|\W)@[A-Za-z0-9]/); // a mention (`@` is no word character: `@@team` is one; a zero-width space after the @ breaks one)
    if (line.startsWith('|')) {
      if (/^\|(-+\|)+$/.test(line)) continue;
      if (header === null || /^\| (Severity|Finding|Package) \|/.test(line)) header = cellsOf(line);
      else expect(cellsOf(line), line).toBe(header);
    } else header = null;
  }
}

/**
 * What GitHub would still turn into a mention, an issue or pull-request reference (`#12`,
 * `octo/other#3`, `GH-4`), a commit link (7 or more hex digits) or an emoji (`:name:`, digits alone only `:100:` and `:1234:`) in
 * `markdown`, as the rendered text reads (backslash escapes undone: GitHub looks after rendering).
 * Mentions in code spans too (the e-mail copy is read for them again); the rest outside code spans
 * only, where GitHub makes them: it makes none in code.
 */
function unbrokenReferences(markdown: string): string[] {
  const rendered = (text: string) => text.replace(/\\(.)/g, '$1');
  const found: string[] = [];
  for (const line of markdown.split('\n')) {
    found.push(...(rendered(line.replace(/`+/g, ' ')).match(/(?<!\w)@[A-Za-z0-9][\w-]*/g) ?? []));
    found.push(...(rendered(outsideCodeSpans(line)).match(/#\d+|gh-\d+|:(?:\d*[A-Za-z_+-][\w+-]*|100|1234):|(?=[0-9a-f]*[a-f])[0-9a-f]{7,}/gi) ?? []));
  }
  return found;
}

/** Every kind of reference GitHub makes, as a repository, PyPI or OSV could write them. */
const REFERENCES = 'PKCS #12 octo/other#3 GH-4 gh-5 octo@deadbeefcafe1234 cafe123 :white_check_mark: :+1: :100: @octo-org/team';

describe('markdownText and markdownCode', () => {
  it('leave no link, autolink, mention, HTML or list marker', () => {
    expect(markdownText('[x](http://evil.example)')).toBe('\\[x\\](http\\://evil.example)');
    expect(markdownText('see www.evil.example or https://evil.example')).toBe('see www\\.evil.example or https\\://evil.example');
    expect(markdownText('@org/team <img src=x> ![i](y) *b* _i_ ~s~ $x$')).toBe('@\u200Borg/team &lt;img src=x> !\\[i\\](y) \\*b\\* \\_i\\_ \\~s\\~ \\$x\\$');
    expect(markdownText('# heading')).toBe('\\# heading');
    expect(markdownText('> quote')).toBe('\\> quote');
    expect(markdownText('- item')).toBe('\\- item');
    expect(markdownText('1. item')).toBe('1\\. item');
    expect(markdownText('a|b\nc')).toBe('a\\|b c');
    expect(markdownText('django 2.1.5 requirements.txt:3')).toBe('django 2.1.5 requirements.txt:3');
  });

  it('leave GitHub no issue or pull-request reference, commit link or emoji to make, and no mention', () => {
    // PYSEC-2018-24, as OSV words it: "PKCS #12" linked issue #12 of the audited repository (and left a backlink there).
    expect(markdownText('a vulnerability in PKCS #12 Store')).toBe('a vulnerability in PKCS #\u200B12 Store');
    expect(markdownText('fixes #1, octo/other#2, GH-3 and gh-4')).toBe('fixes #\u200B1, octo/other#\u200B2, GH-\u200B3 and gh-\u200B4');
    // Pieces of at most 6 hex digits: GitHub links 7 to 40 that name a commit.
    expect(markdownText('octo@deadbeefcafe1234 and cafe1234')).toBe('octo@\u200Bdeadbe\u200Befcafe\u200B1234 and cafe12\u200B34');
    // Digits alone stay copyable: a CVE number is searched for as written.
    expect(markdownText('CVE-2017-1000117 and 1234567')).toBe('CVE-2017-1000117 and 1234567');
    // The escaped `_` renders back to `_`, and GitHub looks for emoji in the rendered text.
    expect(markdownText(':white_check_mark: ok :+1: :a:b: :100: :8ball:')).toBe(':\u200Bwhite\\_check\\_mark: ok :\u200B+1: :\u200Ba:\u200Bb: :\u200B100: :\u200B8ball:');
    expect(unbrokenReferences(markdownText(REFERENCES))).toEqual([]);
    // What GitHub makes nothing of stays as written.
    expect(markdownText('PYSEC-2018-24 # 1 C# 2.2.28 abcdef requirements.txt:3: x 12:34:56')).toBe('PYSEC-2018-24 # 1 C# 2.2.28 abcdef requirements.txt:3: x 12:34:56');
  });

  it('show control characters as the terminal output escapes them: no ESC, BEL or bidi override reaches the page or a terminal', () => {
    // A file named "r\e c\e(0x.py" resets a terminal that shows `audit --markdown` and switches it to line drawing.
    expect(markdownText('r\u001bc\u001b(0\u0007x\u202egnp.py')).toBe('r\\\\ec\\\\e(0\\\\x07x\\\\u202egnp.py'); // each escape's backslash escaped: it renders as one
    expect(markdownCode('r\u001bc\u001b(0\u0007x\u202egnp.py:1')).toBe('`r\\ec\\e(0\\x07x\\u202egnp.py:1`');
    expect(markdownCode('a\u009b31m\tb\r\nc')).toBe('`a\\x9b31m\\tb c`');
  });

  it('fence a code span longer than any backtick run inside it', () => {
    expect(markdownCode('plain')).toBe('`plain`');
    expect(markdownCode('a`b|c')).toBe('`` a`b|c ``');
    expect(markdownCode('``x```')).toBe('```` ``x``` ````');
  });
});

describe('audit --markdown of a repository with hostile folder names', () => {
  let markdown: string;
  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'depwatch-md-hostile-db-'));
    const cli = () => inProcessCli({ env: { DEPWATCH_DB: join(dataDir, 'depwatch.db'), ...UNREACHABLE_SERVICES } });
    expect(await cli().run('db', 'import', ADVISORIES_JSONL_GZ)).toBe(0);
    const dir = writeTree('depwatch-md-hostile-', {
      '[x](http:evil.example)/requirements.txt': 'django==2.1.5\nflask>=1\n[y](https:evil.example)\n',
      'a`b|c/requirements.txt': 'requests\n`|`[z](www.evil.example)\n',
      '- # www.evil.example @everyone <b>/requirements.txt': 'six\n',
      '@@octo-org/requirements.txt': 'attrs\n',
      'r\u001bc\u001b(0\u0007\u202e/requirements.txt': 'idna\n',
      'app/r\u001bc\u001b(0\u202ex.py': 'eval(input())\n',
      // PYSEC-2018-24's summary holds "PKCS #12"; the folder name, every other kind of reference.
      [`${REFERENCES.replace(/\//g, '-')}/requirements.txt`]: 'pyopenssl==17.4.0\n(( ok #6 GH-7 :tada:\n',
    });
    const c = cli();
    await c.run('audit', '--offline', '--markdown', dir);
    markdown = c.out.stdout;
  });

  it('shows every name and quoted line literally: no link, autolink, HTML, mention or control character', () => {
    expect(markdown).toContain('> - \\[x\\](http:evil.example)/requirements.txt:3 not read completely:');
    expect(markdown).toContain('`` a`b|c/requirements.txt:2 ``');
    expect(markdown).toContain('`app/r\\ec\\e(0\\u202ex.py:1`');
    assertLiteral(markdown);
  });

  it('mentions no one from a path in a code span either: the e-mail copy of a comment is read for mentions again', () => {
    expect(markdown).toContain('@@\u200Bocto-org/requirements.txt');
    const plain = markdown.replace(/`+/g, '').replace(/\\(.)/g, '$1');
    expect(plain).not.toMatch(/(^|\W)@[A-Za-z0-9]/m);
  });

  it("leaves GitHub nothing to link or make an emoji of in what OSV or the repository wrote: PKCS #12 is no issue", () => {
    expect(markdown).toContain('PKCS #\u200B12');
    expect(unbrokenReferences(markdown)).toEqual([]);
  });

  it('keeps each table row as many cells as its header, with a pipe in a folder name', () => {
    const row = markdown.split('\n').find((l) => l.startsWith('| unpinned | requests |'))!;
    expect(row).toContain('`` a`b\\|c/requirements.txt:1 ``');
    expect(cellsOf(row)).toBe(4);
  });
});

describe('pull-request comments', () => {
  it('show hostile package names, versions, reasons and errors literally', () => {
    const review: DependencyReview = {
      verdict: 'caution',
      changes: [
        { kind: 'added', name: 'a`b', from: null, to: '1.0`', unrated: '[x](http://evil.example)' },
        { kind: 'removed', name: '``', from: '`', to: null },
        { kind: 'added', name: 'evil\u001b]0;x\u0007', from: null, to: '1.0\u202e', unrated: 'r\u001bc' },
      ],
      newSources: [],
      newIndexUrls: [],
      errors: ['[y](https://evil.example)/requirements.txt: @everyone <b>x</b> www.evil.example', 'r\u001bc\u001b(0\u0007\u202e/requirements.txt: not read'],
    } as unknown as DependencyReview;
    const body = pullRequestReviewMarkdown({ repo: 'octo/app', number: 7, headSha: '0'.repeat(40) }, review);
    expect(body).toContain('`` a`b ``');
    assertLiteral(body.split('\n').slice(1).join('\n'));
  });

  it('leave GitHub nothing to link or make an emoji of, in any field a pull request, PyPI or OSV wrote', () => {
    const card = { verdict: 'caution', partial: true, reasons: [REFERENCES], advisories: [REFERENCES], similarTo: REFERENCES };
    const review = {
      verdict: 'caution',
      changes: [
        { kind: 'added', name: REFERENCES, from: null, to: REFERENCES, detail: REFERENCES, card },
        { kind: 'changed', name: REFERENCES, from: REFERENCES, to: null, toRange: [REFERENCES], card: null, unrated: REFERENCES },
        { kind: 'removed', name: REFERENCES, from: REFERENCES, to: null, card: null },
      ],
      newSources: [{ name: REFERENCES, version: REFERENCES, url: REFERENCES, file: REFERENCES, line: 2, card }],
      newIndexUrls: [{ url: REFERENCES, file: REFERENCES, line: 3 }],
      submodules: [{ path: REFERENCES, change: 'moved' }],
      notes: [REFERENCES],
      errors: [`sub\n${REFERENCES}/requirements.txt:1: Invalid requirement: '${REFERENCES}'`],
    } as unknown as DependencyReview;
    const body = pullRequestReviewMarkdown({ repo: 'octo/app', number: 7, headSha: 'abcdef1234567890' }, review);
    expect(body).toContain('At head `abcdef1`.'); // ours, in a code span
    expect(unbrokenReferences(body)).toEqual([]);
    expect(unbrokenReferences(pullRequestReviewMarkdown({ repo: 'octo/app', number: 7, headSha: '0'.repeat(40) }, { ...review, errors: [], nothingToReview: REFERENCES }))).toEqual([]);
  });

  it('fix pull-request bodies leave GitHub nothing to link, make an emoji of or mention either, in code spans too', () => {
    const auditedSha = 'f'.repeat(40);
    const body = fixBody({
      plan: {
        fixes: [{ package: REFERENCES, from: REFERENCES, to: REFERENCES, status: 'fixed', advisories: [REFERENCES] }],
        changes: [{ file: `@octo-org/team/${REFERENCES}`, line: 1, package: REFERENCES, before: REFERENCES, after: REFERENCES }],
        lockCommands: [{ directory: REFERENCES, command: REFERENCES, lockfile: REFERENCES, required: true, reason: REFERENCES }],
        notes: [{ file: REFERENCES, message: `note ${REFERENCES}` }],
        leftAlone: [{ package: REFERENCES, version: REFERENCES, file: REFERENCES, advisories: [REFERENCES], reason: REFERENCES }],
      },
      findings: [],
      repo: 'octo/shop',
      auditedSha,
      slackLink: null,
      notChecked: [
        { kind: 'unread', file: `@octo-org/sec/${REFERENCES}`, line: 2, message: 'x' },
        { kind: 'other', message: REFERENCES },
      ],
    } as unknown as Parameters<typeof fixBody>[0]);
    expect(body).toContain(`at ${auditedSha} and opened`); // ours: the commit audited, linked on purpose
    expect(body).toContain('- `@\u200Bocto-org/sec/');
    expect(unbrokenReferences(body.replace(auditedSha, ''))).toEqual([]);
  });

  it('fix pull-request bodies too', () => {
    const body = fixBody({
      plan: {
        fixes: [{ package: 'django', from: '2.1.5', to: '2.2.28', status: 'fixed', advisories: ['PYSEC-1'] }],
        changes: [],
        lockCommands: [],
        notes: [{ file: 'x/requirements.txt', message: 'see [here](http://evil.example) or www.evil.example' }],
        leftAlone: [{ package: 'a', version: '1', file: null, advisories: [], reason: '<img src=x> [y](https://evil.example)' }],
      },
      findings: [],
      repo: 'o/r',
      auditedSha: '0'.repeat(40),
      slackLink: null,
      notChecked: [{ kind: 'other', message: '[z](http://evil.example)' }],
    } as unknown as Parameters<typeof fixBody>[0]);
    assertLiteral(body);
  });
});

describe('warnings in audit --markdown', () => {
  const empty = { target: 'app', findings: [], ignored: [], errors: [], notes: [], notices: [], partial: false, partialReasons: [], manifestsRead: 1, dependencies: 0 };
  const warningLine = (warning: string) =>
    renderMarkdown({ ...empty, warnings: [warning] } as unknown as Parameters<typeof renderMarkdown>[0], {})
      .split('\n')
      .find((line) => line.startsWith('> **Warning:**'))!;

  it("keep Depwatch's own code spans: a command to run reads as code, not as escaped backticks", () => {
    expect(warningLine('the local advisory mirror is 12 days old: run `depwatch db sync`')).toBe('> **Warning:** the local advisory mirror is 12 days old: run `depwatch db sync`');
  });

  it('show text from the repository or a service literally, inside a code span or out of one', () => {
    const line = warningLine('version of [x](http://evil.example) for @team: `\u001b[2J@team` could not be compared');
    assertLiteral(line);
    expect(line.replace(/`+/g, '')).not.toMatch(/(^|\W)@[A-Za-z0-9]/);
  });
});
