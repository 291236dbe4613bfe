import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadFormatModule } from '../../src/python/formats/lazy.js';
import { MAX_SETUP_PY_CHARS } from '../../src/python/formats/setup-py.js';
import { requirementLines } from '../../src/python/formats/setuptools-lines.js';
import type { ExtractResult, ManifestFormatModule } from '../../src/python/types.js';

let setupPy: ManifestFormatModule;
beforeAll(async () => {
  // As an audit reads it: through the lazy loader, which redacts URL credentials.
  setupPy = await loadFormatModule('setup-py');
});

const extract = (text: string, file = 'setup.py'): ExtractResult => setupPy.extract(text, { file });
/** `name specifier ; marker [group] line`, one string per dependency. */
const listed = (r: ExtractResult) => r.dependencies.map((d) => `${d.name}${d.specifier}${d.marker ? ` ; ${d.marker}` : ''} [${d.group}] ${d.line}`);
const messages = (r: ExtractResult) => r.errors.map((e) => `${e.line}: ${e.message}`);

describe('setup.py format', () => {
  it('gives up a parse that takes more than its share of time by size: tree-sitter recovers from `~=~=~=…` in quadratic time (3 KB took 5.5 s)', () => {
    const text = `setup(install_requires=${'~='.repeat(1_600)}x)\n`;
    const started = performance.now();
    const result = extract(text);
    // The budget is 250 ms and 0.1 ms a character (573 ms here); the rest of the read is quick.
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(messages(result)).toEqual([`null: setup.py took longer than 573 ms to parse (its time limit for 3,226 characters); not read`]);
  });

  it('matches setup.py at any depth, and nothing like it', () => {
    expect(setupPy.matches('setup.py')).toBe(true);
    expect(setupPy.matches('pkg/setup.py')).toBe(true);
    expect(setupPy.matches('mysetup.py')).toBe(false);
    expect(setupPy.matches('setup.py.orig')).toBe(false);
  });

  it("reads requests' setup.py: a named list, python_requires, extras with an `extra:marker` key, tests_require skipped", () => {
    const result = extract(readFileSync(new URL('../fixtures/manifests/requests/setup.py', import.meta.url), 'utf8'));
    expect(result.errors).toEqual([]);
    expect(result.requiresPython).toBe('!=3.0.*,!=3.1.*,!=3.2.*,!=3.3.*,>=2.6');
    expect(listed(result)).toEqual([
      'chardet<3.1.0,>=3.0.2 [main] 46',
      'idna<2.7,>=2.5 [main] 47',
      'urllib3<1.23,>=1.21.1 [main] 48',
      'certifi>=2017.4.17 [main] 49',
      'pyopenssl>=0.14 [security] 98',
      'cryptography>=1.3.4 [security] 98',
      'idna>=2.0.0 [security] 98',
      'pysocks!=1.5.7,>=1.5.6 [socks] 99',
      'win-inet-pton ; sys_platform == "win32" and (python_version == "2.7" or python_version == "2.6") [socks] 100',
    ]);
    expect(result.dependencies.map((d) => d.name)).not.toContain('pytest');
  });

  it('reads literals as setuptools does: concatenation, escapes, a multi-line string with comments and continuations, `+`, splats, tuples', () => {
    const text = [
      'import setuptools',
      'BASE = ["requests>=2" "," "<3", \'six\\x3e=1\']',
      'setuptools.setup(',
      '    install_requires=BASE + ("click",) + [*BASE[:0]] if False else BASE + [',
      '        "flask==0.12",',
      '    ] + ["""',
      '        jinja2==2.10  # templates',
      '        # a comment line',
      '        markupsafe \\\\',
      '          ==1.0',
      '    """],',
      '    setup_requires=["pbr"],',
      ')',
    ].join('\n');
    const result = extract(text);
    // Both branches of the conditional expression are read; the splat of a slice, `*BASE[:0]`, is computed, and said.
    expect(messages(result)).toHaveLength(1);
    expect(messages(result)[0]).toMatch(/^4: install_requires is computed when setup\.py runs \(\*BASE\[:0\], in /);
    const plain = extract(
      ['from setuptools import setup', 'BASE = ["requests>=2" "," "<3", \'six\\x3e=1\']', 'setup(install_requires=BASE + ("click",) + [', '    "flask==0.12",', '] + ["""', '    jinja2==2.10  # templates', '    # a comment line', '    markupsafe \\\\', '      ==1.0', '"""])'].join('\n'),
    );
    expect(plain.errors).toEqual([]);
    expect(listed(plain)).toEqual(['requests<3,>=2 [main] 2', 'six>=1 [main] 2', 'click [main] 3', 'flask==0.12 [main] 4', 'jinja2==2.10 [main] 6', 'markupsafe==1.0 [main] 8']);
  });

  it('reads an alias of setup, a call under `if __name__ == "__main__":`, dict(...) extras and a `:marker` key into main', () => {
    const result = extract(
      [
        'from setuptools import setup as s',
        'EXTRAS = dict(test=["pytest"])',
        'EXTRAS["docs"] = ["sphinx"]',
        'if __name__ == "__main__":',
        '    s(extras_require=dict(EXTRAS, **{":python_version < \'3.4\'": ["enum34"]}), install_requires="attrs")',
      ].join('\n'),
    );
    // `dict(EXTRAS, …)` passes EXTRAS positionally, which is not read: said, with the rest read.
    expect(listed(result)).toEqual(['attrs [main] 5', 'enum34 ; python_version < "3.4" [main] 5']);
    expect(messages(result)).toEqual([expect.stringMatching(/^5: extras_require is computed when setup\.py runs \(EXTRAS, in dict\(EXTRAS/)]);

    const named = extract(['from setuptools import setup as s', 'EXTRAS = dict(test=["pytest"])', 'EXTRAS["docs"] = ["sphinx"]', 'EXTRAS.update(lint=["ruff"])', 's(extras_require=EXTRAS)'].join('\n'));
    expect(named.errors).toEqual([]);
    expect(listed(named)).toEqual(['pytest [test] 2', 'sphinx [docs] 3', 'ruff [lint] 4']);
  });

  it('reads a name assigned in each branch of an if as both, and .append/.extend into it', () => {
    const result = extract(
      ['from setuptools import setup', 'if sys.version_info < (3,):', '    REQ = ["futures"]', 'else:', '    REQ = []', 'REQ.append("six")', 'REQ += ["attrs"]', 'setup(install_requires=REQ)'].join('\n'),
    );
    expect(result.errors).toEqual([]);
    expect(listed(result)).toEqual(['futures [main] 3', 'attrs [main] 7', 'six [main] 6']);
  });

  it('says, on the keyword line, what is computed when setup.py runs, and reads the rest', () => {
    const result = extract(
      [
        'import setuptools',
        'from mypkg import DEPS',
        'REQ = ["a"]',
        'REQ.insert(0, dep())',
        'setuptools.setup(',
        '    install_requires=REQ,',
        '    extras_require={"x": [f"b{V}"], "y": DEPS, "z": ["c"]},',
        '    python_requires=PY,',
        ')',
      ].join('\n'),
    );
    expect(listed(result)).toEqual(['a [main] 3', 'c [z] 7']);
    expect(messages(result)).toEqual([
      '6: install_requires is computed when setup.py runs (dep() at line 4, in REQ), and Depwatch does not run setup.py, so that part was not read: move the list into pyproject.toml [project] dependencies or a requirements file; if it is made from files Depwatch reads anyway, add /setup.py to exclude: in .depwatch.yml saying so (that also leaves it out of the code scan)',
      '7: extras_require["x"] is computed when setup.py runs (f"b{V}", in [f"b{V}"]), and Depwatch does not run setup.py, so that part was not read: move the list into pyproject.toml [project] dependencies or a requirements file; if it is made from files Depwatch reads anyway, add /setup.py to exclude: in .depwatch.yml saying so (that also leaves it out of the code scan)',
      '7: extras_require["y"] is computed when setup.py runs (DEPS), and Depwatch does not run setup.py, so it was not read: move the list into pyproject.toml [project] dependencies or a requirements file; if it is made from files Depwatch reads anyway, add /setup.py to exclude: in .depwatch.yml saying so (that also leaves it out of the code scan)',
      '8: python_requires is computed when setup.py runs (PY), and Depwatch does not run setup.py, so it was not read: move it into pyproject.toml [project] requires-python',
    ]);
  });

  it('names the exclude entry to write for this setup.py: anchored at the root, its path in a folder', () => {
    const advice = (file: string) => messages(extract('from setuptools import setup\nsetup(install_requires=get())\n', file))[0]?.split('; ')[1];
    expect(advice('setup.py')).toBe('if it is made from files Depwatch reads anyway, add /setup.py to exclude: in .depwatch.yml saying so (that also leaves it out of the code scan)');
    expect(advice('pkg/setup.py')).toBe('if it is made from files Depwatch reads anyway, add pkg/setup.py to exclude: in .depwatch.yml saying so (that also leaves it out of the code scan)');
  });

  it('follows a requirements file that a computed value names, as an include, without a partial line', () => {
    const result = extract(
      [
        'import os',
        'from pathlib import Path',
        'from setuptools import setup',
        'here = os.path.dirname(__file__)',
        'with open("requirements/base.txt") as f:',
        '    required = f.read().splitlines()',
        'def tests():',
        '    return [l.strip() for l in open(os.path.join(here, "requirements", "test.txt"))]',
        'setup(',
        '    install_requires=required + ["extra-thing"],',
        '    extras_require={"test": tests(), "dev": Path(here, "dev-requirements.txt").read_text().split()},',
        ')',
      ].join('\n'),
      'pkg/setup.py',
    );
    expect(result.errors).toEqual([]);
    expect(listed(result)).toEqual(['extra-thing [main] 10']);
    // An extra's file gives its entries that extra, as a pyproject.toml's dynamic file does.
    expect(result.includes).toEqual([
      { path: 'requirements/base.txt', kind: 'requirement', line: 5 },
      { path: 'requirements/test.txt', kind: 'requirement', line: 8, group: 'test' },
      { path: 'dev-requirements.txt', kind: 'requirement', line: 11, group: 'dev' },
    ]);
  });

  it('follows any .txt a requirement list\'s own code reads (read_requirements("dev.txt")), with the extra and its key\'s marker, but not the parts of a joined path', () => {
    const result = extract(
      [
        'import os',
        'from setuptools import setup',
        'def read_requirements(*parts):',
        '    with open(os.path.join(os.path.dirname(__file__), *parts)) as f:',
        '        return f.read().splitlines()',
        'setup(',
        '    install_requires=read_requirements("deps", "base.txt"),',
        '    extras_require={"dev": read_requirements("dev.txt"), "test:python_version < \'3.12\'": read_requirements("test.txt")},',
        ')',
      ].join('\n'),
      'pkg/setup.py',
    );
    expect(result.errors).toEqual([]);
    expect(result.includes).toEqual([
      { path: 'deps/base.txt', kind: 'requirement', line: 7 },
      { path: 'dev.txt', kind: 'requirement', line: 8, group: 'dev' },
      { path: 'test.txt', kind: 'requirement', line: 8, group: 'test', marker: 'python_version < "3.12"' },
    ]);
  });

  describe('takes a .txt as the list\'s file only where the code reads it, not where it merely names it', () => {
    /** The files a setup.py's install_requires is taken to read. */
    const filesRead = (code: string) => (extract(`from setuptools import setup\nimport os\n${code}`).includes ?? []).map((i) => i.path);

    it.each([
      ['open(…).read().splitlines()', 'setup(install_requires=open("requirements.txt").read().splitlines())', ['requirements.txt']],
      ['a read(…) helper', 'def read(*p):\n    return open(os.path.join(os.path.dirname(__file__), *p)).read()\nsetup(long_description=read("README.txt"), install_requires=read("requirements.txt").splitlines())', ['requirements.txt']],
      ["pip's parse_requirements", 'setup(install_requires=[str(r.req) for r in parse_requirements("requirements.txt", session=False)])', ['requirements.txt']],
      ['Path(…).read_text()', 'from pathlib import Path\nHERE = Path(__file__).parent\nsetup(install_requires=(HERE / "requirements.txt").read_text().splitlines())', ['requirements.txt']],
      ['a name holding the file', 'REQ = "reqs/prod.txt"\nsetup(install_requires=open(REQ).read().splitlines())', ['reqs/prod.txt']],
      ['a function returning the file', 'def req_file():\n    return "requirements.txt"\nsetup(install_requires=open(req_file()).read().split())', ['requirements.txt']],
      ['a loop over file names', 'R = []\nFILES = ["base.txt", "web.txt"]\nfor name in FILES:\n    R += open(name).read().splitlines()\nsetup(install_requires=R)', ['base.txt', 'web.txt']],
      ['the default of an environment variable', 'REQS = os.environ.get("REQS_FILE", "requirements.txt")\nsetup(install_requires=open(REQS).read().split())', ['requirements.txt']],
      ['a comprehension over a file, whatever its name', 'setup(install_requires=[line for line in open("README.txt")])', ['README.txt']],
    ])('reads the file of %s', (_, code, files) => {
      expect(filesRead(code)).toEqual(files);
    });

    it.each([
      ['a comparison', 'setup(install_requires=[l for l in open("requirements.txt") if l != "skip.txt"])'],
      ['a list of names to leave out', 'IGNORED = ["LICENSE.txt", "AUTHORS.txt"]\nsetup(install_requires=[l for l in open("requirements.txt") if l not in IGNORED])'],
      ['a helper that filters by name', 'def reqs():\n    lines = open("requirements.txt").read().splitlines()\n    return [l for l in lines if l not in ("CHANGES.txt",)]\nsetup(install_requires=reqs())'],
      ['a log line', 'def reqs():\n    log.info("see", "notes.txt")\n    print("reading deps.txt")\n    return open("requirements.txt").read().split()\nsetup(install_requires=reqs())'],
      ['a test that a file exists', 'setup(install_requires=open("requirements.txt").read().split() if os.path.exists("USE_REQS.txt") else [])'],
      ['a comment, and another keyword', 'setup(long_description=open("README.txt").read(), install_requires=open("requirements.txt").read().split())  # see docs/install.txt'],
    ])('leaves alone a name only in %s', (_, code) => {
      expect(filesRead(code)).toEqual(['requirements.txt']);
    });

    it('says a list computed from code that reads no file is computed, though it names one (before, it was taken as complete)', () => {
      const result = extract('from setuptools import setup\nsetup(install_requires=[l for l in get_lines() if l != "skip.txt"])\n');
      expect(result.includes ?? []).toEqual([]);
      expect(messages(result)).toEqual([expect.stringMatching(/^2: install_requires is computed when setup\.py runs/)]);
    });
  });

  it("reads an `all` extra made of the others (`sum(EXTRAS.values(), [])`, `EXTRAS['plot']`), and both branches of `x if c else y`", () => {
    const summed = extract(
      [
        'from setuptools import setup',
        'ON_RTD = False',
        "REQUIRES = ['six'] if not ON_RTD else []",
        "EXTRAS = {'plot': ['matplotlib'], 'yaml': ['pyyaml']}",
        "EXTRAS['all'] = sum(EXTRAS.values(), [])",
        "EXTRAS['full'] = REQUIRES + EXTRAS['plot']",
        'setup(install_requires=REQUIRES, extras_require=EXTRAS)',
      ].join('\n'),
    );
    expect(summed.errors).toEqual([]);
    // `all` is read as the sum of every value the dict is given, `full` (set after it) too: more than installed, never fewer.
    expect(listed(summed)).toEqual(['six [main] 3', 'matplotlib [plot] 4', 'pyyaml [yaml] 4', 'matplotlib [all] 4', 'pyyaml [all] 4', 'six [all] 3', 'six [full] 3', 'matplotlib [full] 4']);
    // What is not a dict read in the file stays computed.
    expect(messages(extract("from setuptools import setup\nfrom x import E\nsetup(extras_require={'all': sum(E.values(), [])})\n"))).toEqual([
      expect.stringMatching(/^3: extras_require\["all"\] is computed when setup\.py runs/),
    ]);
  });

  it('says clearly that a requirements file whose name is computed (`"requirements-%s.txt" % env`) was not read', () => {
    const result = extract(
      ['from setuptools import setup', 'def reqs(env):', "    return open('requirements-%s.txt' % env).read().splitlines()", "setup(install_requires=reqs('base'))"].join('\n'),
    );
    expect(result.includes).toEqual([]);
    expect(messages(result)).toEqual([
      "4: install_requires reads a requirements file whose name is computed when setup.py runs ('requirements-%s.txt' at line 3), and Depwatch does not run setup.py, so it was not read: name the file in a string literal, or move the list into pyproject.toml [project] dependencies or a requirements file",
    ]);
    // With a file named beside it, that file is followed and the computed one is said.
    const either = extract(
      [
        'from setuptools import setup',
        'def reqs(env=None):',
        "    name = 'requirements.txt' if env is None else 'requirements-%s.txt' % env",
        '    with open(name) as fp:',
        "        return [x.strip() for x in fp if not x.startswith('#')]",
        "setup(install_requires=reqs(), extras_require={'test': reqs('test')})",
      ].join('\n'),
    );
    expect(either.includes).toEqual([
      { path: 'requirements.txt', kind: 'requirement', line: 3 },
      { path: 'requirements.txt', kind: 'requirement', line: 3, group: 'test' },
    ]);
    expect(messages(either)).toEqual([
      "6: install_requires reads requirements.txt, which is followed, and a requirements file whose name is computed when setup.py runs ('requirements-%s.txt' at line 3), which was not read: name the file in a string literal, or move the list into pyproject.toml [project] dependencies or a requirements file",
      "6: extras_require[\"test\"] reads requirements.txt, which is followed, and a requirements file whose name is computed when setup.py runs ('requirements-%s.txt' at line 3), which was not read: name the file in a string literal, or move the list into pyproject.toml [project] dependencies or a requirements file",
    ]);
  });

  it('says keywords may hide in an unread **kwargs, but not when install_requires and extras_require are given', () => {
    const hidden = extract('from setuptools import setup\nsetup(name="x", **get_args())\n');
    expect(messages(hidden)).toEqual([expect.stringMatching(/^2: setup\(\) may be given install_requires or extras_require where Depwatch cannot see them \(\*\*get_args\(\) is computed/)]);
    const given = extract('from setuptools import setup\nsetup(install_requires=["a"], extras_require={}, **get_args())\n');
    expect(given.errors).toEqual([]);
    // A dict literal assigned in the file is read (coverage.py's `setup(**setup_args)` in main()).
    const coverage = extract(
      [
        'from setuptools import setup',
        'setup_args = dict(name="coverage", extras_require={"toml": [\'tomli; python_full_version<="3.11.0a6"\']}, python_requires=">=3.10")',
        'if compile_extension:',
        '    setup_args.update(dict(ext_modules=[Extension("x")]))',
        'def main():',
        '    try:',
        '        setup(**setup_args)',
        '    except BuildFailed:',
        '        del setup_args["ext_modules"]',
        '        setup(**setup_args)',
      ].join('\n'),
    );
    expect(coverage.errors).toEqual([]);
    expect(coverage.requiresPython).toBe('>=3.10');
    // Passed to both calls, the dict's requirement is one requirement, listed once.
    expect(listed(coverage)).toEqual(['tomli ; python_full_version <= "3.11.0a6" [toml] 2']);
  });

  it('lists an entry read twice from the same text once, and keeps entries that differ in anything but where they were read from', () => {
    const twice = extract('R = ["a>=1", "a[x]>=1", "a>=1; python_version<\'3\'"]\nsetup(install_requires=R + R, extras_require={"t": R})\nsetup(install_requires=R)\n');
    expect(twice.errors).toEqual([]);
    expect(listed(twice)).toEqual(['a>=1 [main] 1', 'a>=1 [main] 1', 'a>=1 ; python_version < "3" [main] 1', 'a>=1 [t] 1', 'a>=1 [t] 1', 'a>=1 ; python_version < "3" [t] 1']);
    expect(twice.dependencies.map((d) => d.extras)).toEqual([[], ['x'], [], [], ['x'], []]);
    // The same requirement written on two lines is two entries: each line is a place to fix.
    expect(listed(extract('setup(install_requires=["a>=1",\n    "a>=1"])\n'))).toEqual(['a>=1 [main] 1', 'a>=1 [main] 2']);
  });

  it('reads a Python 2 setup.py (print statements, exec) whose grammar tree-sitter recovers', () => {
    const result = extract(
      [
        '# -*- coding: utf-8 -*-',
        'from distutils.core import setup',
        'print "Building", sys.argv',
        'exec open("pkg/version.py").read()',
        'setup(name="old", install_requires=[u"Django>=1.4,<1.5", "South==0.7.6"])',
      ].join('\n'),
    );
    expect(result.errors).toEqual([]);
    expect(listed(result)).toEqual(['django<1.5,>=1.4 [main] 5', 'south==0.7.6 [main] 5']);
  });

  it('has no dependencies, complete, when empty or when setup() has none of its keywords; code without a visible setup() call, or a syntax error that hides one, is said', () => {
    expect(extract('')).toEqual({ dependencies: [], errors: [], includes: [], requiresPython: null });
    expect(extract('"""Placeholder."""\n# nothing here\n')).toEqual({ dependencies: [], errors: [], includes: [], requiresPython: null });
    expect(messages(extract('exec(open("real_setup.py").read())\n'))).toEqual([
      'null: no setup() call Depwatch can see (setup.py reaches it through code it would have to run, such as exec() or a helper it imports): its dependencies were not read',
    ]);
    expect(extract('from setuptools import setup\nsetup()\n').errors).toEqual([]);
    expect(messages(extract('from setuptools import setup\nsetup(name="x", install_requires=["a", "b" ,, ]\n'))).toEqual([
      '2: a syntax error where setup() is called: its dependencies were not read',
    ]);
    const broken = extract('from setuptools import setup\nsetup(install_requires=["a", )b c(, "d"])\n');
    expect(broken.errors.length).toBeGreaterThan(0);
  });

  it('refuses a file over the size limit with one line, and reads a large one in one pass', () => {
    const huge = extract(`setup(install_requires=["a"])\n#${'x'.repeat(MAX_SETUP_PY_CHARS)}\n`);
    expect(messages(huge)).toEqual([`null: setup.py is too large (${MAX_SETUP_PY_CHARS + 32} characters; the limit is ${MAX_SETUP_PY_CHARS}); not read`]);
    // Names that double at every step stop at the budget instead of growing exponentially.
    const doubling = ['A0 = ["a"]', ...Array.from({ length: 40 }, (_, i) => `A${i + 1} = A${i} + A${i}`), 'setup(install_requires=A40)'].join('\n');
    expect(messages(extract(doubling))).toEqual([expect.stringMatching(/more than \d+ strings; it is not read further/)]);
    // A long string listed anew in every call is read again each time, up to a budget that grows with the file.
    const relisted = `S = "${'a\\n'.repeat(5_000)}"\n${'setup(install_requires=[S])\n'.repeat(5_000)}`;
    expect(messages(extract(relisted))).toEqual([expect.stringMatching(/^null: setup\.py lists the same values more times than Depwatch reads \(over \d+ characters of requirements\); it is not read further$/)]);
    // The same list passed to many calls is read once, and listed once.
    const reused = extract(`R = ["a", "b"]\n${'setup(install_requires=R)\n'.repeat(5_000)}`);
    expect(reused.errors).toEqual([]);
    expect(listed(reused)).toEqual(['a [main] 1', 'b [main] 1']);
  });

  it('joins continued lines as setuptools does: the backslash and the character before it dropped, then the end trimmed', () => {
    const lines = (...texts: string[]) => requirementLines([texts.map((text) => ({ text, line: 1 }))]).map((l) => l.text);
    expect(lines('a>=1,\\', '<2')).toEqual(['a>=1<2']);
    expect(lines('a >=1 \\', '  ,<2')).toEqual(['a >=1,<2']);
    // A lone backslash line eats the last character of what is joined so far.
    expect(lines('ab\\', '\\', 'm')).toEqual(['m']);
    expect(lines('abc\\', '\\', 'm')).toEqual(['am']);
    expect(lines('abcd \\', '\\', 'm')).toEqual(['abcm']);
    // A continuation at the very end joins nothing: the line is dropped.
    expect(lines('a', 'b \\')).toEqual(['a']);
    expect(lines(...Array.from({ length: 1000 }, () => 'ab \\'), 'c')).toEqual([`${'ab'.repeat(1000)}c`]);
  });

  it('removes URL credentials from what it returns', () => {
    const result = extract('setup(install_requires=["pkg @ https://user:s3cret@example.com/pkg.whl"], extras_require={"x": get("https://u:s3cret@h/x")})\n');
    expect(JSON.stringify(result)).not.toContain('s3cret');
  });

  it('removes URL credentials from a quoted value before cutting it short, so a cut inside them shows none of them', () => {
    // The message quotes the value cut to 57 characters: the cut falls inside the token, before the `@`.
    const token = 'ghp_ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
    const result = extract(`from setuptools import setup\nsetup(name='cred', install_requires=["pkg @ https://deploy:${token}@host/x.whl"] + other())\n`);
    expect(messages(result)).toEqual([expect.stringMatching(/^2: install_requires is computed when setup\.py runs \(other\(\), in \["pkg @ https:\/\/host\/x\.whl"\] \+ other\(\)\)/)]);
    expect(JSON.stringify(result)).not.toMatch(/ghp_|deploy|ABCDEF/);
    const splat = extract(`from setuptools import setup\nsetup(**get_args("https://deploy:${token}@host/x"))\n`);
    expect(messages(splat)).toHaveLength(1);
    expect(JSON.stringify(splat)).not.toMatch(/ghp_|deploy|ABCDEF/);
  });

  it('follows the requirements file a helper reads, but says the result is partial when the code reached may add more', () => {
    const helper = extract(
      [
        'import sys',
        'from setuptools import setup',
        'def get_requirements():',
        "    with open('requirements.txt') as f:",
        '        reqs = f.read().splitlines()',
        "    if sys.platform == 'win32':",
        "        reqs.append('pywin32==227')",
        "    reqs.append('torch==1.4.0' if sys.version_info >= (3, 6) else 'torch==1.0.0')",
        '    return reqs',
        "setup(name='d1', install_requires=get_requirements())",
      ].join('\n'),
    );
    expect(helper.includes).toEqual([{ path: 'requirements.txt', kind: 'requirement', line: 4 }]);
    expect(messages(helper)).toEqual([
      "10: install_requires reads requirements.txt, which is followed, but the code that builds it may add more (reqs.append('pywin32==227') at line 7), which Depwatch does not run, so that part was not read: move the list into pyproject.toml [project] dependencies or a requirements file",
    ]);
    // Each way of adding to what a file gives: a literal list, `+=`, `+` with a literal, `.extend`.
    for (const adds of ['    return lines + ["torch"]', '    lines += more()\n    return lines', '    lines.extend(more())\n    return lines', '    return lines + ("torch",)', '    return ["torch"] if lines else lines']) {
      const result = extract(['from setuptools import setup', 'def reqs():', '    lines = open("requirements.txt").read().splitlines()', adds, 'setup(install_requires=reqs())'].join('\n'));
      expect(result.includes, adds).toHaveLength(1);
      expect(messages(result), adds).toEqual([expect.stringMatching(/install_requires reads requirements\.txt, which is followed, but the code that builds it may add more/)]);
    }
  });

  it('counts a value that only reads (and filters) a requirements file as read', () => {
    const plain = extract("from setuptools import setup\nsetup(install_requires=open('requirements.txt').read().splitlines())\n");
    expect(plain.errors).toEqual([]);
    expect(plain.includes).toEqual([{ path: 'requirements.txt', kind: 'requirement', line: 2 }]);
    const filtered = extract(
      [
        'from setuptools import setup',
        'def requirements(path):',
        '    with open(path, encoding="utf-8") as f:',
        "        return [l.strip() for l in f if l.strip() and not l.startswith(('#', '-'))]",
        "setup(install_requires=requirements('requirements.txt'))",
      ].join('\n'),
    );
    expect(filtered.errors).toEqual([]);
    expect(filtered.includes).toEqual([{ path: 'requirements.txt', kind: 'requirement', line: 5 }]);
  });

  it('gives each `with open(...) as f` block its own file, when f is used again for another one', () => {
    const result = extract(
      [
        'import io',
        'from setuptools import setup',
        "with io.open('requirements.txt', encoding='utf-8') as f:",
        "    required = [l for l in f.read().splitlines() if not l.startswith('-e')]",
        "with io.open('requirements-dev.txt') as f:",
        '    dev_required = f.read().splitlines()',
        "setup(name='c6', install_requires=required, extras_require={'dev': dev_required})",
      ].join('\n'),
    );
    expect(result.errors).toEqual([]);
    expect(result.includes).toEqual([
      { path: 'requirements.txt', kind: 'requirement', line: 3 },
      { path: 'requirements-dev.txt', kind: 'requirement', line: 5, group: 'dev' },
    ]);
  });

  it("takes the version of a `name @` wheel or sdist URL from its file name, and none for the project's own folder", () => {
    const result = extract(
      [
        'from setuptools import setup',
        'setup(',
        '    install_requires=["urllib3 @ https://files.example/x/urllib3-1.24.1-py2.py3-none-any.whl", "mylib @ file:///home/me/src/mylib"],',
        '    extras_require={"web": ["Django @ https://files.example/Django-2.2.0.tar.gz"]},',
        ')',
      ].join('\n'),
    );
    expect(result.errors).toEqual([]);
    expect(result.dependencies.map((d) => [d.name, d.source, d.version, d.group])).toEqual([
      ['urllib3', 'url', '1.24.1', 'main'],
      ['mylib', 'path', null, 'main'],
      ['django', 'url', '2.2.0', 'web'],
    ]);
  });
});
