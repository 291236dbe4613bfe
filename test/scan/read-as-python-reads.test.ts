/**
 * The code rules see the code Python runs, or the result says they did not: source encodings
 * (PEP 263), identifiers in compatibility characters (PEP 3131), lone CR line ends, text the parser
 * could not read, NUL bytes. Each case was a silent pass (no finding, not partial, exit 0).
 */
import { describe, expect, it } from 'vitest';
import { codeScanJson } from '../../src/scan/json.js';
import { hits, scanFiles } from './helpers.js';

const GITIGNORE = { '.gitignore': '.env\n*.env\n.env.*\n' };

describe('source encodings (PEP 263)', () => {
  it('a cookie naming a codec the scanner does not decode (utf-7, unicode_escape, raw_unicode_escape) skips the code rules and makes the result partial, naming the codec', async () => {
    // Each of these runs os.system under CPython: the cookie turns what reads as a comment into code.
    const result = await scanFiles({
      ...GITIGNORE,
      'u7.py': '# -*- coding: utf-7 -*-\nimport os\n+AG8AcwAuAHMAeQBzAHQAZQBtACgAIgBlAGMAaABvACAAcAB3AG4AZQBkACIAKQ-\n',
      'ue.py': '# coding: unicode_escape\nimport os\nx = 1 #\\nos.system("echo pwned2")\n',
      'rue.py': '# coding: raw_unicode_escape\nimport os\nx = 1 #\\u000aos.system("echo pwned3")\n',
    });
    expect(result.skipped.map((s) => `${s.reason} ${s.partial} ${s.message}`)).toEqual([
      'not-utf8 true rue.py: declares the source encoding raw_unicode_escape (PEP 263), which the scanner does not decode; code rules not run (secrets were checked in the bytes as written)',
      'not-utf8 true u7.py: declares the source encoding utf-7 (PEP 263), which the scanner does not decode; code rules not run (secrets were checked in the bytes as written)',
      'not-utf8 true ue.py: declares the source encoding unicode_escape (PEP 263), which the scanner does not decode; code rules not run (secrets were checked in the bytes as written)',
    ]);
    expect(result.partial).toBe(true);
    expect(codeScanJson(result).partial).toBe(true);
    expect(result.stats.pythonFiles).toBe(0);
  });

  it('a cookie on the second line counts after a shebang or comment line, not after a line of code (as CPython reads it)', async () => {
    const result = await scanFiles({
      ...GITIGNORE,
      'bin/tool.py': '#!/usr/bin/env python\n# coding: utf-7\nimport os\n',
      'late.py': 'import os\n# coding: utf-7\nos.system(input())\n',
    });
    expect(result.skipped.map((s) => s.path)).toEqual(['bin/tool.py']);
    expect(hits(result)).toEqual(['py-os-system@3']);
  });

  it('a codec the platform decodes is read in it, even when the bytes are also valid UTF-8', async () => {
    // Shift_JIS: 0x5C (backslash in ASCII) is the second byte of 表; read as UTF-8 it would be an escape.
    const sjis = Buffer.concat([Buffer.from('# -*- coding: shift_jis -*-\nimport os\nlabel = "'), Buffer.from([0x95, 0x5c]), Buffer.from('"\nos.system(input())\n')]);
    const cp1251 = Buffer.concat([Buffer.from('# coding: cp1251\nimport os\n# '), Buffer.from([0xcf, 0xf0, 0xe8]), Buffer.from('\nos.system(input())\n')]);
    const result = await scanFiles({ ...GITIGNORE, 'jp.py': sjis, 'ru.py': cp1251 });
    expect(result.skipped).toEqual([]);
    expect(hits(result)).toEqual(['py-os-system@4', 'py-os-system@4']);
  });

  it('bytes that do not follow the declared codec are skipped (partial), saying which codec', async () => {
    const result = await scanFiles({ ...GITIGNORE, 'bad.py': Buffer.from([...Buffer.from('# coding: utf-8\nimport os\n# '), 0xff, ...Buffer.from('\nos.system(input())\n')]) });
    expect(result.skipped.map((s) => s.message)).toEqual(['bad.py: declares the source encoding utf-8 (PEP 263) but is not valid utf-8; code rules not run (secrets were checked)']);
    expect(result.partial).toBe(true);
  });
});

describe('identifiers as Python reads them (PEP 3131 NFKC)', () => {
  it('fullwidth and mathematical letters name the same builtins, modules and functions', async () => {
    const code = ['import os', 'import ｓｕｂｐｒｏｃｅｓｓ', 'def f(cmd):', '    ｅｖａｌ(cmd)', '    os.ｓｙｓｔｅｍ(cmd)', '    𝐨𝐬.system(cmd)', '    subprocess.run(cmd, ｓｈｅｌｌ=True)'].join('\n');
    const result = await scanFiles({ ...GITIGNORE, 'a.py': code });
    expect(hits(result)).toEqual(['py-eval-exec@4', 'py-os-system@5', 'py-os-system@6', 'py-subprocess-shell@7']);
  });
});

describe('lone CR line ends', () => {
  it('a file with CR-only line ends keeps every finding, on its own line', async () => {
    const result = await scanFiles({ ...GITIGNORE, 'cr.py': '"""Deploy helper."""\rimport os\rdef f(cmd):\r    eval(cmd)\r    os.system(cmd)\rTOKEN = "ghp_R4nd0mT0k3nV4lu3abcdefGHIJKLmnopqrST"\r' });
    expect(hits(result)).toEqual(['py-eval-exec@4', 'py-os-system@5']);
    expect(result.findings.filter((f) => f.kind === 'secret').map((f) => `${f.rule}@${f.line}:${f.column}`)).toEqual(['secret-github-token@6:10']);
    expect(result.notes).toEqual([]);
  });

  it('a marker on a CR-ended line covers that line only', async () => {
    const result = await scanFiles({ ...GITIGNORE, 'cr.py': 'import os\ros.system(input())  # nosec\ros.system(input())\r' });
    expect(hits(result)).toEqual(['py-os-system@3']);
    expect(result.ignored.map((f) => f.line)).toEqual([2]);
  });
});

describe('text the parser could not read', () => {
  it('an ERROR stretch makes the result partial with one line naming the file and where; rules still run on the rest', async () => {
    const result = await scanFiles({
      ...GITIGNORE,
      'tail.py': 'import os\ndef f(cmd):\n    x = (1,\n    os.system(cmd)\n    eval(cmd)\n',
      'middle.py': 'import os\ndef f(cmd):\n    os.system(cmd)\n    x = = 2\n    eval(cmd)\n',
      'ok.py': 'import os\nos.system(input())\n',
    });
    expect(result.notes.map((n) => `${n.kind} ${n.file} ${n.message}`)).toEqual([
      'incomplete middle.py middle.py:4: could not parse line 4; code rules may have missed code there',
      'incomplete tail.py tail.py:3: could not parse from here to the end of the file; code rules may have missed code there',
    ]);
    expect(result.partial).toBe(true);
    expect(hits(result)).toContain('py-os-system@2');
    expect(hits(result)).toContain('py-os-system@3');
  });

  it('a cookiecutter/copier template (.py with Jinja tags where it does not parse) is a note, not partial; rules run on what parses', async () => {
    const result = await scanFiles({
      ...GITIGNORE,
      '{{cookiecutter.project_slug}}/tasks.py': "import os\n{% if cookiecutter.use_celery == 'y' %}\nfrom celery import Celery\n{% endif %}\ndef run(c):\n    os.system(c)\n",
      'copier/settings.py': 'import os\nDEBUG = {{ debug }}\n{# a comment #}\nos.system(input())\n',
    });
    expect(result.notes.map((n) => `${n.kind} ${n.message}`)).toEqual([
      'syntax copier/settings.py:3: looks like a Jinja template; code rules ran on the parts that parse',
      "syntax {{cookiecutter.project_slug}}/tasks.py:2: looks like a Jinja template; code rules ran on the parts that parse",
    ]);
    expect(result.partial).toBe(false);
    expect(hits(result)).toContain('py-os-system@6');
  });

  it('a template with another place that does not parse, away from its Jinja tags, stays partial', async () => {
    const result = await scanFiles({
      ...GITIGNORE,
      'tmpl.py': "import os\n{% if cookiecutter.use_celery == 'y' %}\nfrom celery import Celery\n{% endif %}\n\nx = = 3\n\ndef later(c):\n    eval(c)\n",
      'strings.py': 'PROJECT = "{{ cookiecutter.project_slug }}"\nx = = 3\n',
    });
    expect(result.notes.map((n) => `${n.kind} ${n.message}`)).toEqual([
      'incomplete strings.py:2: could not parse from here to the end of the file; code rules may have missed code there',
      'incomplete tmpl.py:2: could not parse line 2 (and 3 more places after it); code rules may have missed code there',
    ]);
    expect(result.partial).toBe(true);
  });

  it("cp1252 is Python's cp1252 (0x80 is €, not a control character; its five undefined bytes are not text), latin-1 is byte for byte", async () => {
    const cp1252 = (byte: number) => Buffer.from([...Buffer.from('# coding: cp1252\nimport os\nlabel = "'), byte, ...Buffer.from('"\nos.system(input())\n')]);
    const latin1 = Buffer.from([...Buffer.from('# -*- coding: latin-1 -*-\nimport os\nlabel = "'), 0x81, ...Buffer.from('"\nos.system(input())\n')]);
    const result = await scanFiles({ ...GITIGNORE, 'euro.py': cp1252(0x80), 'undefined.py': cp1252(0x81), 'latin.py': latin1 });
    expect(result.skipped.map((s) => s.message)).toEqual(['undefined.py: declares the source encoding cp1252 (PEP 263) but is not valid cp1252; code rules not run (secrets were checked)']);
    expect(hits(result)).toEqual(['py-os-system@4', 'py-os-system@4']);
  });
});

describe('NUL bytes in files named like source or settings', () => {
  it('a .py file with a NUL is partial (Python before 3.11.4 runs it); its secrets are still found', async () => {
    const result = await scanFiles({ ...GITIGNORE, 'a.py': 'import os\nx = 1 #\0 junk\nos.system("echo ran")\nTOKEN = "ghp_R4nd0mT0k3nV4lu3abcdefGHIJKLmnopqrST"\n' });
    expect(result.skipped.map((s) => `${s.path} ${s.reason} ${s.partial}`)).toEqual(['a.py nul-byte true']);
    expect(result.partial).toBe(true);
    expect(result.findings.map((f) => f.rule)).toEqual(['secret-github-token']);
  });

  it('however many NULs, and wherever they are: a line of NULs, or one past the first 8 KB, still makes the .py partial', async () => {
    // Python 3.10 runs both: a line of NULs reads as an empty line.
    const padded = 'import os\n' + '\0'.repeat(400) + '\nos.system(input())\n';
    const late = 'import os\n' + '# filler\n'.repeat(1000) + 'x = 1 #\0\nos.system(input())\n';
    const result = await scanFiles({ ...GITIGNORE, 'padded.py': padded, 'late.py': late });
    expect(result.skipped.map((s) => `${s.path} ${s.reason} ${s.partial}`)).toEqual(['late.py nul-byte true', 'padded.py nul-byte true']);
    expect(result.notes).toEqual([]);
  });

  it('a settings file with a stray NUL is read as text; one that is not UTF-8 is named in a note; an image stays quiet', async () => {
    const result = await scanFiles({
      ...GITIGNORE,
      'config/app.yml': 'name: x\0\ntoken: ghp_R4nd0mT0k3nV4lu3abcdefGHIJKLmnopqrST\n',
      // gzip bytes saved under a settings name (UTF-16 text without a mark is read: utf16-without-bom.test.ts).
      'config/settings.json': Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0x03, 0xcb, 0x48, 0xcd]),
      'logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0xff]),
    });
    expect(result.findings.map((f) => `${f.file} ${f.rule}`)).toEqual(['config/app.yml secret-github-token']);
    expect(result.notes.map((n) => `${n.kind} ${n.message}`)).toEqual([
      'binary config/settings.json: has a NUL byte in its first 8 KB and is not UTF-8 text, so it was passed over as binary (not scanned, not even for secrets)',
    ]);
    expect(result.stats.binaryFiles).toBe(2);
    expect(result.partial).toBe(false);
  });

  it('a stray NUL at the top of a file of any name (.npmrc, a key, .js, .md, Makefile, no extension) leaves it text: its secrets are found', async () => {
    // Such files were passed over as binary, quietly, with their credentials: gitleaks skips only
    // what is binary by its content, and npm, ssh and make read past the NUL.
    const token = 'ghp_R4nd0mT0k3nV4lu3abcdefGHIJKLmnopqrST';
    const pem = ['-----BEGIN RSA PRIVATE KEY-----', 'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun', 'VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK', '-----END RSA PRIVATE KEY-----'].join('\n');
    const result = await scanFiles({
      ...GITIGNORE,
      '.npmrc': `\0\n//registry.npmjs.org/:_authToken=npm_qpeRAtRmExinGYKjYsfBCH5yXHMW5jQJjkLI\n`,
      'deploy/deploy_key.pem': `\0\n${pem}\n`,
      'web/app.js': `\0\nconst token = "${token}";\n`,
      'README.md': `\0\nUse the token ${token} to log in.\n`,
      'Makefile': `\0\ndeploy:\n\tcurl -H "Authorization: token ${token}" https://api.github.com\n`,
      'ops/credentials': `\0\0\ntoken=${token}\n`,
    });
    expect(result.findings.map((f) => `${f.file}:${f.line} ${f.rule}`).sort()).toEqual([
      '.npmrc:2 secret-npm-token',
      'Makefile:3 secret-github-token',
      'README.md:2 secret-github-token',
      'deploy/deploy_key.pem:2 secret-private-key',
      'ops/credentials:2 secret-github-token',
      'web/app.js:2 secret-github-token',
    ]);
    expect(result.stats).toMatchObject({ binaryFiles: 0, textFiles: 7 });
    expect(result.notes).toEqual([]);
  });

  it('binary files stay binary and quiet though they hold a key-like run of ASCII: many NULs, or bytes that are not UTF-8', async () => {
    const token = 'ghp_R4nd0mT0k3nV4lu3abcdefGHIJKLmnopqrST';
    const result = await scanFiles({
      ...GITIGNORE,
      'assets/logo.png': Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]), Buffer.from(`tEXtComment\0${token}`)]),
      'dist/app.zip': Buffer.concat([Buffer.from('PK\x03\x04\x14\0\0\0\0\0\x1a\x1d\x87]=\x8d', 'latin1'), Buffer.from(`config.yml token: ${token}\n`)]),
      'build/tool': Buffer.concat([Buffer.from('\x7fELF\x02\x01\x01'), Buffer.alloc(64), Buffer.from(token)]),
      'legacy/app.pyc': Buffer.concat([Buffer.from([0xcb, 0x0d, 0x0d, 0x0a, 0, 0, 0, 0]), Buffer.from(`\xe3\0\0\0${token}`, 'latin1')]),
    });
    expect(result.findings).toEqual([]);
    expect(result.notes).toEqual([]);
    expect(result.stats).toMatchObject({ binaryFiles: 4, textFiles: 1 });
    expect(result.partial).toBe(false);
  });
});
