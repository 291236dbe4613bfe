/** Inline suppressions (# nosec, # depwatch: ignore[…]) and .depwatch.yml ignores for scan findings. */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/audit/findings.js';
import { parseIgnoreFile } from '../../src/audit/ignore-file.js';
import { applyIgnores, type IgnoreRule } from '../../src/audit/ignores.js';
import { unknownIgnoreNotes } from '../../src/scan/ignores.js';
import { commentStyle, fileSuppressions, suppressionOnLine } from '../../src/scan/suppressions.js';
import { bestCpuMs } from '../helpers/cpu-time.js';
import { hits, scanFiles } from './helpers.js';

const CODE = `import subprocess

def run(cmd):
    subprocess.run(cmd, shell=True)  # nosec
    subprocess.run(cmd, shell=True)  # nosec B602
    subprocess.run(cmd, shell=True)  # nosec B101
    subprocess.run(cmd, shell=True)  # depwatch: ignore[py-subprocess-shell]
    subprocess.run(cmd, shell=True)  # depwatch: ignore[py-eval-exec]
    subprocess.run(
        cmd,
        shell=True,
    )  # nosec: B602 -- the command is built from constants above
    subprocess.run(cmd, shell=True)
`;

describe('inline suppressions', () => {
  it('# nosec with or without bandit ids, # depwatch: ignore[rule-id]; the wrong id does not suppress', async () => {
    const result = await scanFiles({ 'app/tasks.py': CODE });
    expect(hits(result)).toEqual(['py-subprocess-shell@6', 'py-subprocess-shell@8', 'py-subprocess-shell@13']);
    expect(result.ignored.map((f) => `${f.line} ${f.ignoredBy!.reason}`)).toEqual([
      '4 # nosec on line 4',
      '5 # nosec on line 5',
      '7 # depwatch: ignore on line 7',
      '9 # nosec on line 12',
    ]);
  });

  it('Dockerfile: a marker on the comment lines right above an instruction covers it (a # after an instruction is an argument to Docker); other tools\' markers, a blank line between, or a marker above another instruction do not', async () => {
    const PIN = '@sha256:' + 'a'.repeat(64);
    const result = await scanFiles({
      Dockerfile: [
        `FROM python:3.12-slim${PIN} AS base`, // 1
        '# depwatch: ignore[docker-latest-tag]', // 2
        'FROM alpine:latest AS a', // 3: ignored
        '# nosec', // 4
        '# the tools stage needs the newest alpine', // 5
        'FROM alpine:latest AS b', // 6: ignored (a block of comment lines)
        '# hadolint ignore=DL3007', // 7
        'FROM alpine:latest AS c', // 8: reported (not our marker)
        '# depwatch: ignore[docker-latest-tag]', // 9
        '', // 10
        'FROM alpine:latest AS d', // 11: reported (a blank line between)
        '# depwatch: ignore[docker-root-user]', // 12
        'FROM alpine:latest AS e', // 13: reported (another rule)
        'FROM alpine:latest AS f # depwatch: ignore[docker-latest-tag]', // 14: ignored, as before
        `FROM python:3.12-slim${PIN}`,
        'USER app',
      ].join('\n') + '\n',
    });
    const latest = (list: typeof result.findings) => list.filter((f) => f.rule === 'docker-latest-tag').map((f) => f.line);
    expect(latest(result.findings)).toEqual([8, 11, 13]);
    expect(result.ignored.filter((f) => f.rule === 'docker-latest-tag').map((f) => `${f.line} ${f.ignoredBy!.reason}`)).toEqual(['3 # depwatch: ignore on line 2', '6 # nosec on line 4', '14 # depwatch: ignore on line 14']);
  });

  it('# depwatch: ignore in any case is honoured, as its pattern reads it; # NOSEC is not, as bandit does not', async () => {
    const result = await scanFiles({ 'app/tasks.py': 'import subprocess\n\ndef run(cmd):\n    subprocess.run(cmd, shell=True)  # Depwatch: ignore[py-subprocess-shell]\n    subprocess.run(cmd, shell=True)  # DEPWATCH: IGNORE\n    subprocess.run(cmd, shell=True)  # NOSEC\n' });
    expect(hits(result)).toEqual(['py-subprocess-shell@6']);
    expect(suppressionOnLine('x: 1  # Depwatch: Ignore[container-privileged]', 3)).toEqual({ ids: ['container-privileged'], kind: 'depwatch', line: 3 });
    expect(fileSuppressions('a\nx: 1  # DepWatch: ignore\ny # NOSEC\n', commentStyle('a.yml'))(2)).toEqual({ ids: null, kind: 'depwatch', line: 2 });
    expect(fileSuppressions('a\nx: 1  # DepWatch: ignore\ny # NOSEC\n', commentStyle('a.yml'))(3)).toBeNull();
  });

  it('# nosec B110 (bandit\'s try/except/pass) does not hide an exception returned to the caller: py-exception-leak answers for no bandit test', async () => {
    const code = `def a():
    try:
        return do()
    except Exception as e:
        return str(e)  # nosec B110

def b():
    try:
        return do()
    except Exception as e:
        return str(e)  # nosec
`;
    const result = await scanFiles({ 'app/views.py': code });
    expect(hits(result, 'py-exception-leak')).toEqual(['py-exception-leak@5']);
    expect(result.ignored.map((f) => `${f.rule}@${f.line}`)).toEqual(['py-exception-leak@11']);
  });

  it('reads ids after the marker only, and only a bounded stretch of a huge line', () => {
    expect(suppressionOnLine('x = 1  # nosec B602,B607', 1)).toMatchObject({ ids: ['B602', 'B607'], kind: 'nosec' });
    expect(suppressionOnLine('x = 1  # depwatch: ignore', 1)).toMatchObject({ ids: null, kind: 'depwatch' });
    expect(suppressionOnLine('s = "nosec"', 1)).toBeNull();
    expect(suppressionOnLine('x  # depwatch: ignore[' + 'a,'.repeat(2_000_000), 1)!.ids!.length).toBeLessThan(300);
  });

  it('a marker on an inner line of a multi-line call covers only the findings reported on that line; the first and last lines cover the statement', async () => {
    const code = [
      'import subprocess', // 1
      '', // 2
      'def run(cmd, expr):', // 3
      '    subprocess.run(', // 4: py-subprocess-shell
      '        cmd,', // 5
      '        shell=True,', // 6
      '        timeout=int(eval(expr)),  # nosec', // 7: py-eval-exec
      '    )', // 8
      '    result = (  # nosec', // 9: the statement's first line
      '        eval(expr)', // 10: py-eval-exec
      '    )', // 11
      '    subprocess.run(cmd,', // 12: py-subprocess-shell
      '                   shell=True)  # nosec', // 13: the statement's last line
      '    return result',
      '',
    ].join('\n');
    const result = await scanFiles({ 'app/tasks.py': code });
    expect(hits(result)).toEqual(['py-subprocess-shell@4']);
    expect(result.ignored.map((f) => `${f.rule}@${f.line} ${f.ignoredBy!.reason}`).sort()).toEqual([
      'py-eval-exec@10 # nosec on line 9',
      'py-eval-exec@7 # nosec on line 7',
      'py-subprocess-shell@12 # nosec on line 13',
    ]);
  });

  it('only a real comment is a marker: not one inside a string (Python), and // only where the language has such comments', async () => {
    const token = 'ghp_' + 'R4nd0mT0k3nV4lu3abcdefGHIJKLmnopqrST';
    const result = await scanFiles({
      'app/grep.py': `import subprocess\n\ndef grep(cmd):\n    subprocess.run("grep -n '# depwatch: ignore' " + cmd, shell=True)\n    subprocess.run("""\n# depwatch: ignore\n""" + cmd, shell=True)\n    subprocess.run(cmd, shell=True)  # depwatch: ignore[py-subprocess-shell]\n`,
      'app/settings.py': `TOKEN = "${token}"  # noqa: E501  # depwatch: ignore\nOTHER = "${token} // depwatch: ignore"\n`,
      'config/app.yml': `token: ${token}  // depwatch: ignore\nurl: https://depwatch: ignore.example.com/${token}\nkey: ${token}  # depwatch: ignore\n`,
      'web/app.js': `const token = "${token}"; // depwatch: ignore\nconst url = "https://depwatch: ignore.example.com/${token}";\n`,
      '.gitignore': '.env\n*.env\n',
    });
    expect(hits(result)).toEqual(['py-subprocess-shell@4', 'py-subprocess-shell@5']);
    expect(result.findings.filter((f) => f.kind === 'secret').map((f) => `${f.file}:${f.line}`).sort()).toEqual(['app/settings.py:2', 'config/app.yml:1', 'config/app.yml:2', 'web/app.js:2']);
    expect(result.ignored.map((f) => `${f.file}:${f.line}`).sort()).toEqual(['app/grep.py:8', 'app/settings.py:1', 'config/app.yml:3', 'web/app.js:1']);
  });

  it('outside Python, a # inside a quoted string is not a comment (YAML, shell scripts, Dockerfiles): the finding on that line stays reported', async () => {
    const token = 'ghp_' + 'R4nd0mT0k3nV4lu3abcdefGHIJKLmnopqrST';
    const result = await scanFiles({
      'compose.yml': [
        'services:', // 1
        '  app:', // 2
        `    command: "echo '# depwatch: ignore' ${token}"`, // 3: the marker is in a double-quoted scalar
        `    entrypoint: 'sh -c "# depwatch: ignore" ''it''s # depwatch: ignore'' ${token}'`, // 4: '' is a quote inside a single-quoted scalar
        `    note: don't log ${token}  # depwatch: ignore`, // 5: an apostrophe inside a plain scalar opens nothing
        `    token: "${token}"  # depwatch: ignore[secret-github-token]`, // 6
        '',
      ].join('\n'),
      'deploy/release.sh': [
        '#!/bin/sh', // 1
        `curl -H "X: # depwatch: ignore" "https://api.example.com/?token=${token}"`, // 2
        `curl -H 'X: # depwatch: ignore' https://api.example.com/?token=${token}`, // 3
        `echo "a \\" # depwatch: ignore" ${token}`, // 4: an escaped quote does not close the string
        `echo $'it\\'s # depwatch: ignore' ${token}`, // 5: $'…' takes backslash escapes
        `echo "$(printf '%s' "# depwatch: ignore")" ${token}`, // 6: quotes nested in a substitution: not read as a comment
        `echo "never closed ${token} # depwatch: ignore`, // 7: an unterminated quote: not a comment
        `curl https://api.example.com/?token=${token}  # depwatch: ignore`, // 8
        `echo "a \\" b" 'c' ${token} # depwatch: ignore`, // 9
        `echo \\" ${token} # depwatch: ignore`, // 10: an escaped quote outside quotes opens nothing
        '',
      ].join('\n'),
      'Dockerfile': [
        'FROM alpine:3.20', // 1
        `RUN curl -H "Authorization: token ${token} # depwatch: ignore" https://api.github.com/user`, // 2
        `RUN curl -H "Authorization: token ${token}" https://api.github.com/user  # depwatch: ignore`, // 3
        '',
      ].join('\n'),
      '.gitignore': '.env\n*.env\n',
    });
    const at = (list: typeof result.findings) => list.filter((f) => f.kind === 'secret').map((f) => `${f.file}:${f.line}`).sort();
    expect(at(result.findings)).toEqual(['Dockerfile:2', 'compose.yml:3', 'compose.yml:4', 'deploy/release.sh:2', 'deploy/release.sh:3', 'deploy/release.sh:4', 'deploy/release.sh:5', 'deploy/release.sh:6', 'deploy/release.sh:7']);
    expect(result.ignored.map((f) => `${f.file}:${f.line} ${f.ignoredBy!.reason}`).sort()).toEqual([
      'Dockerfile:3 # depwatch: ignore on line 3',
      'compose.yml:5 # depwatch: ignore on line 5',
      'compose.yml:6 # depwatch: ignore on line 6',
      'deploy/release.sh:10 # depwatch: ignore on line 10',
      'deploy/release.sh:8 # depwatch: ignore on line 8',
      'deploy/release.sh:9 # depwatch: ignore on line 9',
    ]);
  });

  it('reads quotes left to right once: a marker after them counts only where the quotes are closed', () => {
    const sh = commentStyle('run.sh');
    const yml = commentStyle('ci.yml');
    expect(suppressionOnLine(`x "a # nosec"`, 1, sh)).toBeNull();
    expect(suppressionOnLine(`x "a" # nosec`, 1, sh)).toMatchObject({ kind: 'nosec' });
    expect(suppressionOnLine(`x 'a\\' # nosec`, 1, sh)).toMatchObject({ kind: 'nosec' }); // no escapes in single quotes
    expect(suppressionOnLine(`x a\\ # nosec`, 1, sh)).toBeNull(); // an escaped space: the # is inside a word
    expect(suppressionOnLine(`x: it's # nosec`, 1, yml)).toMatchObject({ kind: 'nosec' });
    expect(suppressionOnLine(`x: it's # nosec`, 1, sh)).toBeNull();
    expect(suppressionOnLine(`x: 'it''s' # nosec`, 1, yml)).toMatchObject({ kind: 'nosec' });
    expect(suppressionOnLine(`x: "a \\" # nosec"`, 1, yml)).toBeNull();
    expect(suppressionOnLine(`x "a" # "b" # nosec`, 1, sh)).toMatchObject({ kind: 'nosec' }); // quotes inside a comment are comment
    expect(suppressionOnLine(`x = "a # depwatch: ignore"`, 1)).toBeNull();
    expect(suppressionOnLine(`  echo "$(printf '%s' " # nosec")"`, 1, yml)).toBeNull(); // shell in a YAML block scalar
    expect(suppressionOnLine(`x: "\`a\`" # nosec`, 1, yml)).toBeNull(); // fail closed, though YAML would call it a comment
  });

  it('applies to secrets too, by rule id', async () => {
    const token = 'ghp_' + 'R4nd0mT0k3nV4lu3abcdefGHIJKLmnopqrST';
    const result = await scanFiles({ 'ci/config.yml': `token: ${token}  # depwatch: ignore[secret-github-token]\n` });
    expect(result.findings.filter((f) => f.kind === 'secret')).toEqual([]);
    expect(result.ignored.map((f) => f.rule)).toEqual(['secret-github-token']);
  });
});

describe('markers in `//` languages and in strings that run over lines', () => {
  const token = 'ghp_' + 'R4nd0mT0k3nV4lu3abcdefGHIJKLmnopqrST';
  /** The secret findings of a scan, as `file:line`, reported and ignored. */
  async function secrets(files: Record<string, string>) {
    const result = await scanFiles({ ...files, '.gitignore': '.env\n*.env\n' });
    const at = (list: typeof result.findings) => list.filter((f) => f.kind === 'secret').map((f) => `${f.file}:${f.line}`).sort();
    return { reported: at(result.findings), ignored: at(result.ignored) };
  }

  it('JS/TS: a // nosec inside a string does not suppress; a real comment after strings, URLs, regular expressions and block comments does', async () => {
    const { reported, ignored } = await secrets({
      'web/app.js': [
        `const url = "http://x/?q= // depwatch: ignore"; const key = "${token}";`, // 1: the marker is in a double-quoted string
        `const a = 'it // depwatch: ignore', key = '${token}';`, // 2: single quotes
        `const b = \`x // depwatch: ignore\`, key = \`${token}\`;`, // 3: a template literal on one line
        `const c = "a \\" // depwatch: ignore", key = "${token}";`, // 4: an escaped quote does not close the string
        `const d = "never closed // depwatch: ignore ${token}`, // 5: an unterminated string: fail closed
        `const e = /a // depwatch: ignore/.test(s) && "${token}";`, // 6: inside a regular expression
        `const url2 = "https://api.example.com/x"; const k = "${token}"; // depwatch: ignore`, // 7: a URL before a real comment
        `/* don't */ const k2 = '${token}'; // depwatch: ignore`, // 8: an apostrophe in a block comment opens nothing
        `const ok = /"/.test(s) ? "${token}" : x / 2; // depwatch: ignore`, // 9: a quote in a regular expression, a division
        `const t = \`a\${"}"}b\`, k3 = '${token}'; // depwatch: ignore`, // 10: \${…} inside a template, with a brace in a string
        '',
      ].join('\n'),
      'web/tagged.ts': [
        'const page = `', // 1: a template literal over several lines
        `  <a href="https://example.com">x</a> // depwatch: ignore ${token}`, // 2: text of the template
        `  \${"\`"} // depwatch: ignore ${token}`, // 3: still inside: the backtick is a string in \${…}
        '`;',
        `const key = "${token}"; // depwatch: ignore`, // 5: after it closes, a real comment
        '/*', // 6: a block comment over lines
        ` it's "open // depwatch: ignore ${token}`, // 7: comment text, but not a line comment
        '*/',
        '',
      ].join('\n'),
    });
    expect(reported).toEqual(['web/app.js:1', 'web/app.js:2', 'web/app.js:3', 'web/app.js:4', 'web/app.js:5', 'web/app.js:6', 'web/tagged.ts:2', 'web/tagged.ts:3', 'web/tagged.ts:7']);
    expect(ignored).toEqual(['web/app.js:10', 'web/app.js:7', 'web/app.js:8', 'web/app.js:9', 'web/tagged.ts:5']);
  });

  it('Go, Rust, Java, C++, C# and PHP: their own strings, raw and verbatim strings and character literals', async () => {
    const { reported, ignored } = await secrets({
      'cmd/main.go': [
        'var help = `usage:', // 1: a raw string over lines
        `  tool --token ${token} // depwatch: ignore`, // 2: text of the raw string
        '`',
        `var q, k = '"', "${token}" // depwatch: ignore`, // 4: a rune holding a quote, then a real comment
        `var s = "a // depwatch: ignore ${token}"`, // 5
        '',
      ].join('\n'),
      'src/lib.rs': [
        `fn f<'a>(x: &'a str) -> &'a str { "${token}" } // depwatch: ignore`, // 1: lifetimes are not quotes
        'const HELP: &str = "usage:', // 2: Rust strings run over lines
        `  --token ${token} // depwatch: ignore`, // 3: text of the string
        '";',
        `const RAW: &str = r#"a " // depwatch: ignore ${token}"#;`, // 5: a raw string, its " is not the end
        `const C: char = '"'; const K: &str = "${token}"; // depwatch: ignore`, // 6
        '',
      ].join('\n'),
      'src/Main.java': [
        'String help = """', // 1: a text block
        `    --token ${token} // depwatch: ignore`, // 2: text of the block
        '    """;',
        `String k = "${token}"; // depwatch: ignore`, // 4
        '',
      ].join('\n'),
      'src/main.cpp': [
        `int n = 1'000'000; const char* k = "${token}"; // depwatch: ignore`, // 1: digit separators are not quotes
        `const char* s = "// depwatch: ignore ${token}";`, // 2
        'const char* sql = R"x(select ")', // 3: a raw string over lines, its ) and " not the end
        `  // depwatch: ignore ${token} )x";`, // 4: text of the raw string
        '',
      ].join('\n'),
      'src/Query.cs': [
        `var p = @"C:\\dir\\"; var k = "${token}"; // depwatch: ignore`, // 1: a backslash escapes nothing in a verbatim string
        'var sql = @"select', // 2: a verbatim string runs over lines
        `  "" // depwatch: ignore ${token}";`, // 3: "" is a quote inside it
        '',
      ].join('\n'),
      'web/index.php': [
        "<p>Don't</p>", // 1: HTML, not PHP code
        `<?php $k = "${token}"; // depwatch: ignore ?>`, // 2
        `<?php $s = 'a # depwatch: ignore ${token}'; $t = "${token}"; # depwatch: ignore`, // 3: one string holds a marker, then a real # comment
        `$u = "multi`, // 4: PHP strings run over lines
        `  # depwatch: ignore ${token}";`, // 5
        '',
      ].join('\n'),
    });
    expect(reported).toEqual(['cmd/main.go:2', 'cmd/main.go:5', 'src/Main.java:2', 'src/Query.cs:3', 'src/lib.rs:3', 'src/lib.rs:5', 'src/main.cpp:2', 'src/main.cpp:4', 'web/index.php:5']);
    expect(ignored).toEqual(['cmd/main.go:4', 'src/Main.java:4', 'src/Query.cs:1', 'src/lib.rs:1', 'src/lib.rs:6', 'src/main.cpp:1', 'web/index.php:2', 'web/index.php:3', 'web/index.php:3']);
  });

  it("TOML: a # nosec line inside a \"\"\" or ''' string is text; a real comment after the string closes counts", async () => {
    const { reported, ignored } = await secrets({
      'pyproject.toml': [
        '[tool.release]', // 1
        'script = """', // 2
        `curl -H "token: ${token}" # depwatch: ignore`, // 3: text of the string
        '"""', // 4
        "notes = '''", // 5
        `  ${token}  # depwatch: ignore`, // 6: text of the literal string
        "''' # closed",
        `key = "${token}"  # depwatch: ignore`, // 8: a real comment
        `quoted = """a "" b ${token}"""  # depwatch: ignore`, // 9: a one-line """ string, then a comment
        `broken = "${token} # depwatch: ignore`, // 10: never closed: fail closed
        '',
      ].join('\n'),
    });
    expect(reported).toEqual(['pyproject.toml:10', 'pyproject.toml:3', 'pyproject.toml:6']);
    expect(ignored).toEqual(['pyproject.toml:8', 'pyproject.toml:9']);
  });

  it('one line read alone: the string rules of its language', () => {
    const js = commentStyle('a.ts');
    expect(suppressionOnLine('const u = "http://x/?q= // nosec"', 1, js)).toBeNull();
    expect(suppressionOnLine('fetch("https://host//nosec")', 1, js)).toBeNull();
    expect(suppressionOnLine('fetch("https://host"); // nosec', 1, js)).toMatchObject({ kind: 'nosec' });
    expect(suppressionOnLine('x = a / b; // depwatch: ignore[secret-github-token]', 1, js)).toMatchObject({ ids: ['secret-github-token'] });
    expect(suppressionOnLine('return /a\\/[/]/ // nosec', 1, js)).toMatchObject({ kind: 'nosec' });
    expect(suppressionOnLine("it('x', () => {}) // nosec", 1, js)).toMatchObject({ kind: 'nosec' });
    expect(suppressionOnLine('const s = "a" + `b ${"c // nosec"}`', 1, js)).toBeNull();
    expect(suppressionOnLine("char c = '\\''; // nosec", 1, commentStyle('a.c'))).toMatchObject({ kind: 'nosec' });
    expect(suppressionOnLine("char c = '\\'; // nosec", 1, commentStyle('a.c'))).toBeNull(); // never closed: cannot be told
    expect(suppressionOnLine('#[Route("/x")] // nosec', 1, commentStyle('a.php'))).toMatchObject({ kind: 'nosec' });
    expect(suppressionOnLine('# nosec', 1, commentStyle('a.js'))).toBeNull(); // # is not a JS comment
  });

  it('reads a hostile file once: 200,000 characters of quotes, slashes and backticks in linear time, ending in a string', () => {
    // Alternating quotes, escapes, slashes and template openings: a reader that looked back or
    // searched ahead for each would be quadratic. The line ends inside a string, so the marker is text.
    const hostile = (n: number) => '"/\'/`${/*\\'.repeat(Math.ceil(n / 10)).slice(0, n);
    const file = (n: number) => `const k = 1; ${hostile(n)} // nosec\n`;
    const js = commentStyle('x.js');
    expect(fileSuppressions(file(200_000), js)(1)).toBeNull();
    const cost = (n: number) => bestCpuMs(() => fileSuppressions(file(n), js)(1), 50);
    cost(20_000); // warm up
    let ratio = Infinity;
    for (let round = 0; round < 3 && ratio >= 30; round++) ratio = Math.min(ratio, cost(200_000) / Math.max(cost(20_000), 0.5));
    expect(ratio).toBeLessThan(30); // ten times the input: about ten times the work (quadratic: a hundred)
    // The same characters inside a closed block comment leave the marker after it a comment.
    expect(fileSuppressions(`/* ${'"\'`/'.repeat(50_000)} */ x = 1; // nosec\n`, js)(1)).toMatchObject({ kind: 'nosec' });
  });
});

describe('.depwatch.yml ignores', () => {
  const files = (yml: string) => ({
    '.depwatch.yml': yml,
    '.gitignore': '.env\n*.env\n',
    'app/tasks.py': 'import subprocess\nsubprocess.run(cmd, shell=True)\n',
    'scripts/deploy.py': 'import subprocess\nsubprocess.run(cmd, shell=True)\n',
  });

  it('by rule id and path glob, with reason and expiry; expired and stale entries are reported', async () => {
    const result = await scanFiles(
      files(
        [
          'ignore:',
          '  - id: py-subprocess-shell',
          '    path: scripts/',
          '    reason: deploy scripts run by operators with fixed arguments',
          '    until: 2027-06-30',
          '  - id: py-eval-exec',
          '    reason: nothing uses eval any more',
          '  - id: py-subprocess-shell',
          '    path: app/**',
          '    reason: was fixed',
          '    until: 2026-01-01',
        ].join('\n'),
      ),
    );
    expect(hits(result)).toEqual(['py-subprocess-shell@2']);
    expect(result.findings[0]!.file).toBe('app/tasks.py');
    expect(result.ignored.map((f) => [f.file, f.ignoredBy])).toEqual([
      ['scripts/deploy.py', { id: 'py-subprocess-shell', reason: 'deploy scripts run by operators with fixed arguments', until: '2027-06-30', source: '.depwatch.yml' }],
    ]);
    expect(result.notes.map((n) => `${n.kind}: ${n.message}`)).toEqual([
      'expired: ignore of py-subprocess-shell (path app/**) in .depwatch.yml expired on 2026-01-01; 1 finding is reported again',
      'stale: ignore of py-eval-exec in .depwatch.yml matches nothing; remove it',
    ]);
  });

  it('an expired ignore whose findings another entry (a whole kind) still covers says so, not that they are reported again', async () => {
    const result = await scanFiles(
      files(['ignore:', '  - id: py-subprocess-shell', '    reason: old', '    until: 2026-01-01', '  - id: code', '    reason: all code'].join('\n')),
    );
    expect(result.findings).toEqual([]);
    expect(result.ignored.map((f) => f.ignoredBy?.id)).toEqual(['code', 'code']);
    expect(result.notes.map((n) => `${n.kind}: ${n.message}`)).toEqual([
      'expired: ignore of py-subprocess-shell in .depwatch.yml expired on 2026-01-01; what it matched is still ignored by another entry, so remove it',
    ]);
  });

  it('a whole kind can be ignored for a path (test fixtures full of fake secrets)', async () => {
    const token = 'ghp_' + 'R4nd0mT0k3nV4lu3abcdefGHIJKLmnopqrST';
    const result = await scanFiles({ '.depwatch.yml': 'ignore:\n  - id: secret\n    path: fixtures/\n    reason: recorded API responses with revoked tokens\n', 'fixtures/github/user.json': `{"token": "${token}"}` });
    expect(result.findings.filter((f) => f.kind === 'secret')).toEqual([]);
    expect(result.ignored).toHaveLength(1);
  });

  it('scan ignores are not applied to (or reported stale by) the dependency audit, and paths narrow advisory ignores', () => {
    const { rules } = parseIgnoreFile('ignore:\n  - id: py-eval-exec\n    reason: r\n  - id: PYSEC-2019-13\n    reason: r\n    path: legacy/\n');
    const finding = (file: string): Finding => ({ kind: 'vulnerability', severity: 'high', package: 'django', version: '2.1.5', file, line: 1, id: 'PYSEC-2019-13', aliases: [], fix: { version: null, text: '' } });
    const { findings, notes } = applyIgnores([finding('legacy/requirements.txt'), finding('requirements.txt')], rules, new Date('2026-11-28'));
    expect(findings.map((f) => Boolean(f.ignoredBy))).toEqual([true, false]);
    expect(notes).toEqual([]);
  });
});

describe('bare # nosec and secrets', () => {
  it('a bare # nosec (bandit\'s, written for the code) does not hide a secret on its line; # depwatch: ignore and # nosec with the rule or bandit id do', async () => {
    const code = [
      'import subprocess',
      'subprocess.call("deploy", shell=True, env={"GITHUB_TOKEN": "ghp_R4nd0mT0k3nV4lu3abcdefGHIJKLmnopqrST"})  # nosec',
      'subprocess.call("deploy", shell=True, env={"GITHUB_TOKEN": "ghp_Z4nd0mT0k3nV4lu3abcdefGHIJKLmnopqrST"})  # depwatch: ignore',
      'requests_session_password = "Zq7vP2mX9kR4tL8wQ3"  # nosec B105',
      'API_TOKEN = "ghp_Q4nd0mT0k3nV4lu3abcdefGHIJKLmnopqrST"  # nosec secret-github-token',
    ].join('\n');
    const result = await scanFiles({ 'a.py': code, '.gitignore': '.env\n*.env\n' });
    expect(result.findings.map((f) => `${f.rule}@${f.line}`)).toEqual(['secret-github-token@2']);
    expect(result.ignored.map((f) => `${f.rule}@${f.line}`).sort()).toEqual(['py-subprocess-shell@2', 'py-subprocess-shell@3', 'secret-assigned@4', 'secret-github-token@3', 'secret-github-token@5'].sort());
  });

  it('outside Python too: a bare # nosec in a YAML file hides its runtime findings, not its secrets', async () => {
    const result = await scanFiles({ 'deploy/app.yml': 'env:\n  token: ghp_R4nd0mT0k3nV4lu3abcdefGHIJKLmnopqrST  # nosec\n', '.gitignore': '.env\n*.env\n' });
    expect(result.findings.map((f) => `${f.rule}@${f.line}`)).toEqual(['secret-github-token@2']);
  });
});

describe('ignores that name nothing depwatch scan knows', () => {
  const ignore = (id: string): IgnoreRule => ({ id, reason: 'r', until: null, package: null, source: '.depwatch.yml' });

  it('an advisory id in any case is for the audit, which matches ids case-insensitively: no note; a rule-id typo still gets one', () => {
    const notes = unknownIgnoreNotes(['GHSA-xxxx-yyyy-zzzz', 'ghsa-xxxx-yyyy-zzzz', 'pysec-2021-1', 'Cve-2024-1234', 'py-eval-exce', 'secret-githb-token'].map(ignore));
    expect(notes.map((n) => n.message)).toEqual([
      expect.stringMatching(/^ignore of py-eval-exce .*it ignores nothing$/),
      expect.stringMatching(/^ignore of secret-githb-token .*it ignores nothing$/),
    ]);
  });
});
