/**
 * `exclude:` of `.depwatch.yml`, read and applied without the CLI: which entries are kept, which
 * are refused and why (each bad entry one note, the rest still applied), and what the audit's
 * reading of a tree (readTree) leaves out and still follows.
 */
import { describe, expect, it } from 'vitest';
import { MAX_EXCLUDES, MAX_GLOBS_TOTAL, parseIgnoreFile, refusedExclude } from '../../src/audit/ignore-file.js';
import { describeExclusion, excluder } from '../../src/audit/exclude.js';
import { auditTree, readTree } from '../../src/audit/run.js';
import { readTreeExcludes } from '../../src/audit/tree-excludes.js';
import { memorySource } from '../../src/python/files.js';
import type { AdvisorySource } from '../../src/advisories/types.js';

const messages = (text: string) => parseIgnoreFile(text).notes.map((n) => n.message);

describe('parsing exclude:', () => {
  it('keeps an entry with a path and a reason, trimmed, with where it was written', () => {
    const parsed = parseIgnoreFile('exclude:\n  - path: " tests/fixtures/ "\n    reason: test data\n', '.depwatch.yaml');
    expect(parsed.excludes).toEqual([{ path: 'tests/fixtures/', reason: 'test data', source: '.depwatch.yaml' }]);
    expect(parsed.notes).toEqual([]);
  });

  it('a list that is not a list is one note, and the ignores still apply', () => {
    const parsed = parseIgnoreFile('exclude: tests/\nignore:\n  - id: PYSEC-1\n    reason: unreachable\n');
    expect(parsed.excludes).toEqual([]);
    expect(parsed.rules.map((r) => r.id)).toEqual(['PYSEC-1']);
    expect(parsed.notes.map((n) => n.message)).toEqual(['.depwatch.yml: exclude: expected a list of entries with a path and a reason; nothing was excluded']);
  });

  it('an ignore: list that is not valid does not drop the excludes (nor the reverse)', () => {
    const parsed = parseIgnoreFile('ignore: nope\nexclude:\n  - path: vendor/\n    reason: vendored examples\n');
    expect(parsed.excludes.map((e) => e.path)).toEqual(['vendor/']);
    expect(parsed.notes.map((n) => n.message)).toEqual(['.depwatch.yml: "ignore:" must be a list (of at most 10,000 entries); no ignore applies']);
  });

  it(`over ${MAX_EXCLUDES} entries: the first ${MAX_EXCLUDES} apply, and a note says the rest do not`, () => {
    const entries = Array.from({ length: MAX_EXCLUDES + 5 }, (_, i) => `  - path: dir${i}/\n    reason: r\n`).join('');
    const parsed = parseIgnoreFile(`exclude:\n${entries}`);
    expect(parsed.excludes).toHaveLength(MAX_EXCLUDES);
    expect(parsed.excludes.at(-1)?.path).toBe(`dir${MAX_EXCLUDES - 1}/`);
    expect(messages(`exclude:\n${entries}`)).toEqual([`.depwatch.yml: exclude: ${MAX_EXCLUDES + 5} entries, over the limit of ${MAX_EXCLUDES}; entries after the ${MAX_EXCLUDES}th were not applied (their files are read)`]);
  });

  it(`paths over ${MAX_GLOBS_TOTAL} characters together: the entries past it are not applied, each with a note (matching costs the globs' total per file)`, () => {
    const long = `${'d'.repeat(480)}/`;
    const entries = Array.from({ length: 12 }, (_, i) => `  - path: "${i}${long}"\n    reason: r\n`).join('') + '  - path: last/\n    reason: r\n';
    const parsed = parseIgnoreFile(`exclude:\n${entries}`);
    // 10 × 482 characters fit; the 11th and 12th would not; a short one after them still does.
    expect(parsed.excludes).toHaveLength(11);
    expect(parsed.excludes.at(-1)?.path).toBe('last/');
    expect(parsed.notes.map((n) => n.message)).toEqual([11, 12].map((n) => `.depwatch.yml: exclude entry ${n}: its path would make the paths of exclude: over 5,000 characters together; not applied`));
    const ignores = Array.from({ length: 12 }, (_, i) => `  - id: secret\n    path: "${i}${long}"\n    reason: r\n`).join('');
    const withIgnores = parseIgnoreFile(`ignore:\n${ignores}`);
    expect(withIgnores.rules).toHaveLength(10);
    expect(withIgnores.notes.map((n) => n.message)).toEqual([11, 12].map((n) => `.depwatch.yml: ignore entry ${n}: its path would make the paths of ignore: over 5,000 characters together; not applied`));
  });

  it('an entry that is not a mapping, or a reason that is not text, is one note each', () => {
    expect(messages('exclude:\n  - tests/\n  - path: a/\n    reason: [x]\n')).toEqual([
      '.depwatch.yml: exclude entry 1: expected a mapping with a path and a reason; not applied',
      '.depwatch.yml: exclude entry 2: `reason` must be text: say why these files are not part of the project; not applied',
    ]);
  });

  it('"exclude:" given twice excludes nothing; an entry with an unknown tag or a key given twice is left out, the others apply', () => {
    const twice = parseIgnoreFile('exclude:\n  - path: a/\n    reason: r\nexclude:\n  - path: b/\n    reason: r\n');
    expect(twice.excludes).toEqual([]);
    expect(twice.excludeNotes.map((n) => n.message)).toEqual(['.depwatch.yml: exclude: "exclude" is given more than once (lines 1 and 4; YAML would keep only the last); nothing was excluded']);
    const entries = parseIgnoreFile('exclude:\n  - path: !Ref a/\n    reason: r\n  - path: b/\n    path: c/\n    reason: r\n  - path: d/\n    reason: r\n');
    expect(entries.excludes.map((e) => e.path)).toEqual(['d/']);
    expect(entries.excludeNotes.map((n) => n.message)).toEqual([
      '.depwatch.yml: exclude entry 1: unknown YAML tag "!Ref" on line 2; not applied',
      '.depwatch.yml: exclude entry 2: "path" is given more than once (lines 4 and 5; YAML would keep only the last); not applied',
    ]);
  });

  it('a file that is not valid YAML applies nothing, and says so once', () => {
    const parsed = parseIgnoreFile('exclude: [\n');
    expect(parsed.excludes).toEqual([]);
    expect(parsed.excludeNotes).toEqual(parsed.notes);
    expect(parsed.notes).toEqual([{ kind: 'invalid', message: expect.stringMatching(/^\.depwatch\.yml: not valid YAML \(.+\); nothing in it applies$/), settingsFile: '.depwatch.yml' }]);
  });
});

describe('which globs are refused (fail closed: nothing may hide the whole tree or the settings)', () => {
  it.each([
    ['*', /whole tree/],
    ['**', /whole tree/],
    ['/', /whole tree/],
    ['.', /whole tree/],
    ['./', /whole tree/],
    ['*/', /whole tree/],
    ['/*', /whole tree/],
    ['?*', /whole tree \(it matches any name\)/],
    ['**/*', /whole tree/],
    ['.depwatch.yml', /would exclude \.depwatch\.yml itself/],
    ['*.yml', /would exclude \.depwatch\.yml itself/],
    ['.*', /would exclude \.depwatch\.yml itself/],
    ['.depwatch.yaml', /would exclude \.depwatch\.yaml itself/],
    ['!tests/', /negation/],
    ['#tests/', /comment/],
  ])('%s is refused', (glob, why) => {
    expect(refusedExclude(glob)).toMatch(why);
  });

  it.each(['tests/fixtures/', '/examples/', 'tests/**/poetry.lock', '*.ipynb', 'docs', '**/fixtures/', 'vendor/*/'])('%s is used', (glob) => {
    expect(refusedExclude(glob)).toBeNull();
  });
});

describe('excluder', () => {
  it('matches as .gitignore does: a folder glob covers what is under it, at any depth unless anchored', () => {
    const by = excluder([
      { path: 'fixtures/', reason: 'a', source: '.depwatch.yml' },
      { path: '/examples/', reason: 'b', source: '.depwatch.yml' },
    ]);
    expect(by('tests/fixtures/x/poetry.lock')?.reason).toBe('a');
    expect(by('examples/requirements.txt')?.reason).toBe('b');
    expect(by('src/examples/requirements.txt')).toBeNull();
    expect(by('requirements.txt')).toBeNull();
  });

  it('says one, two and many', () => {
    const e = { path: 'tests/', reason: 'test data', source: '.depwatch.yml' };
    expect(describeExclusion({ ...e, manifests: 1 })).toBe('1 manifest under tests/ was not read: excluded by .depwatch.yml (test data)');
    expect(describeExclusion({ ...e, manifests: 1, files: 1 })).toBe('1 file under tests/ was not scanned (a manifest, not read either): excluded by .depwatch.yml (test data)');
    expect(describeExclusion({ ...e, manifests: 2, files: 2 })).toBe('2 files under tests/ were not scanned (all manifests, not read either): excluded by .depwatch.yml (test data)');
    expect(describeExclusion({ ...e, manifests: 0, files: 7 })).toBe('7 files under tests/ were not scanned: excluded by .depwatch.yml (test data)');
  });

  it('says a file name or a glob matched, not that files are under it', () => {
    const e = { reason: 'computed from requirements.txt', source: '.depwatch.yml' };
    expect(describeExclusion({ ...e, path: 'setup.py', manifests: 1 })).toBe('1 manifest matching setup.py was not read: excluded by .depwatch.yml (computed from requirements.txt)');
    expect(describeExclusion({ ...e, path: '*.ipynb', manifests: 0, files: 3 })).toBe('3 files matching *.ipynb were not scanned: excluded by .depwatch.yml (computed from requirements.txt)');
  });
});

describe('readTree with exclude:', () => {
  const settings = 'exclude:\n  - path: tests/fixtures/\n    reason: parser fixtures\n';

  it('loads no manifest under an excluded path, reads no interpreter file there, and counts the manifests it left', async () => {
    const contents = await readTree(
      memorySource({
        '.depwatch.yml': settings,
        'requirements.txt': 'attrs==23.1.0\n',
        'tests/fixtures/bad/poetry.lock': '[[package]\n',
        'tests/fixtures/old/requirements.txt': 'django==2.1.5\n',
        'tests/fixtures/old/.python-version': '2.7\n',
      }),
    );
    expect(contents.load.manifests.map((m) => m.path)).toEqual(['requirements.txt']);
    expect(contents.load.errors).toEqual([]);
    expect(contents.contextFiles.map((f) => f.path)).toEqual(['.depwatch.yml']);
    expect(contents.exclusions).toEqual([{ path: 'tests/fixtures/', reason: 'parser fixtures', source: '.depwatch.yml', manifests: 2 }]);
  });

  it.each(['[a-ce-z]*', 'r*', '*.txt', 'requirements.tx?', 'requirements.txt', '/requirements.tx?'])('an entry not anchored to the root by name never excludes a file at the root (%s): requirements.txt is still audited, folders are excluded', async (glob) => {
    const contents = await readTree(
      memorySource({
        '.depwatch.yml': `exclude:\n  - path: "${glob}"\n    reason: x\n`,
        'requirements.txt': 'attrs==23.1.0\n',
        'rest/requirements.txt': 'django==2.1.5\n',
      }),
    );
    expect(contents.load.manifests.map((m) => m.path)).toContain('requirements.txt');
    expect(contents.excludedBy('requirements.txt')).toBeNull();
    if (glob.endsWith('*')) expect(contents.excludedBy('rest/requirements.txt')).not.toBeNull();
  });

  it.each(['/setup.py'])('an entry naming a root file anchored and exactly (%s) excludes that file, and only it', async (glob) => {
    const contents = await readTree(
      memorySource({
        '.depwatch.yml': `exclude:\n  - path: "${glob}"\n    reason: install_requires() reads requirements/default.txt\n`,
        'setup.py': 'from setuptools import setup\nsetup(install_requires=install_requires())\n',
        'requirements/default.txt': 'attrs==23.1.0\n',
      }),
    );
    expect(contents.load.manifests.map((m) => m.path)).toEqual(['requirements/default.txt']);
    expect(contents.load.errors).toEqual([]);
    expect(contents.excludedBy('setup.py')?.reason).toBe('install_requires() reads requirements/default.txt');
    expect(contents.exclusions).toEqual([{ path: glob, reason: 'install_requires() reads requirements/default.txt', source: '.depwatch.yml', manifests: 1 }]);
  });

  it('still follows an include into an excluded folder: a manifest the project reads says it is part of the project', async () => {
    const contents = await readTree(memorySource({ '.depwatch.yml': settings, 'requirements.txt': '-r tests/fixtures/requirements.txt\n', 'tests/fixtures/requirements.txt': 'attrs==23.1.0\n' }));
    expect(contents.load.manifests.map((m) => m.path)).toEqual(['requirements.txt', 'tests/fixtures/requirements.txt']);
    // Read, so not counted as left unread (the note would contradict the findings in it).
    expect(contents.exclusions).toEqual([]);
  });

  it('drops a problem found before the audit (a snapshot\'s file too large) under an excluded path, and keeps the others', async () => {
    const contents = await readTree(memorySource({ '.depwatch.yml': settings, 'requirements.txt': 'attrs==23.1.0\n' }));
    const advisories: AdvisorySource = { kind: 'mirror', affecting: async () => new Map(), forPackage: async () => [] } as unknown as AdvisorySource;
    const result = await auditTree(contents, {
      target: 't',
      advisories,
      registry: null,
      now: new Date('2026-01-01'),
      extraErrors: [
        { file: 'tests/fixtures/huge/poetry.lock', line: null, message: 'skipped: 6 MB is over the 5 MB limit' },
        { file: 'app/poetry.lock', line: null, message: 'skipped: 6 MB is over the 5 MB limit' },
      ],
    });
    expect(result.errors.map((e) => e.file)).toEqual(['app/poetry.lock']);
    expect(result.partial).toBe(true);
  });

  describe('for readers that apply only exclude: (depwatch deps)', () => {
    it('applies the settings file, and says what in it does not apply and which entries keep nothing out', async () => {
      const { excludedBy, notes } = await readTreeExcludes(
        memorySource({
          '.depwatch.yml': 'exclude:\n  - path: tests/fixtures/\n    reason: parser fixtures\n  - path: gone/\n    reason: renamed\n  - path: x/\n',
          '.depwatch.yaml': 'exclude:\n  - path: requirements/\n    reason: y\n',
          'tests/fixtures/requirements.txt': 'attrs==23.1.0\n',
          'requirements/base.txt': 'attrs==23.1.0\n',
        }),
      );
      expect(excludedBy('tests/fixtures/requirements.txt')?.reason).toBe('parser fixtures');
      expect(excludedBy('requirements/base.txt')).toBeNull();
      expect(notes).toHaveLength(3);
      expect(notes[0]).toMatch(/^\.depwatch\.yml: exclude entry 3: .*not applied$/);
      expect(notes[1]).toBe('.depwatch.yaml: not read, because .depwatch.yml is the settings file; merge its entries into .depwatch.yml');
      expect(notes[2]).toMatch(/gone\//);
    });

    it('excludes nothing from a settings file it cannot read, and says why', async () => {
      const { excludedBy, notes } = await readTreeExcludes(memorySource({ '.depwatch.yml': 'exclude:\u0000\n', 'tests/requirements.txt': 'attrs==23.1.0\n' }));
      expect(excludedBy('tests/requirements.txt')).toBeNull();
      expect(notes).toEqual(['.depwatch.yml: binary file (contains NUL bytes), not a manifest; not read; nothing was excluded']);
    });
  });
});
