/**
 * Fix advice in each format's own syntax, with the command that regenerates its lock: definite when
 * the declared constraint is known to exclude the fix, plain when it admits it. Real PyPA
 * advisories for Django 2.1.5, whose smallest clearing upgrade among these releases is 2.2.28.
 */
import { describe, expect, it } from 'vitest';
import type { AuditResult } from '../../src/audit/audit.js';
import type { Finding } from '../../src/audit/findings.js';
import { auditFileSource } from '../../src/audit/run.js';
import { memorySource } from '../../src/python/files.js';
import { project, realMirror, registryOf, release } from './helpers.js';

const now = new Date('2026-11-28T12:00:00Z');
const registry = registryOf([project('django', [release('2.1.5', '2019-01-04T00:00:00Z'), release('2.2.28', '2022-04-11T00:00:00Z')])]);

async function audit(files: Record<string, string>): Promise<AuditResult> {
  return auditFileSource(memorySource(files), { target: 'app', advisories: await realMirror(), registry, now });
}

/** The fix of Django's vulnerabilities (one for all of them). */
async function djangoFix(files: Record<string, string>): Promise<Finding['fix']> {
  const result = await audit(files);
  const django = result.findings.filter((f) => f.kind === 'vulnerability' && f.package === 'django');
  expect(django.length).toBeGreaterThan(5);
  expect(new Set(django.map((f) => f.fix.text)).size).toBe(1);
  return django[0]!.fix;
}

const uvLock = (version: string) =>
  ['version = 1', '', '[[package]]', 'name = "app"', 'version = "0.1.0"', 'source = { editable = "." }', 'dependencies = [{ name = "django" }]', '', '[[package]]', 'name = "django"', `version = "${version}"`, 'source = { registry = "https://pypi.org/simple" }', ''].join('\n');
const poetryLock = (version: string) => ['[[package]]', 'name = "django"', `version = "${version}"`, 'description = ""', 'optional = false', 'python-versions = ">=3.5"', 'files = []', ''].join('\n');
const pdmLock = (version: string) => ['[metadata]', 'groups = ["default"]', 'lock_version = "4.5.0"', '', '[[package]]', 'name = "django"', `version = "${version}"`, 'groups = ["default"]', 'files = []', ''].join('\n');
const pipfileLock = (version: string) => JSON.stringify({ _meta: { sources: [] }, default: { django: { version: `==${version}` } }, develop: {} }, null, 2);
const pylock = (createdBy: string, version: string) =>
  ['lock-version = "1.0"', `created-by = "${createdBy}"`, '', '[[packages]]', 'name = "django"', `version = "${version}"`, 'index = "https://pypi.org/simple"', `wheels = [{ url = "https://files.example/django.whl", hashes = { sha256 = "${'0'.repeat(64)}" } }]`, ''].join('\n');
const pep621 = (requirement: string) => `[project]\nname = "app"\nversion = "0.1.0"\ndependencies = ["${requirement}"]\n`;

describe('fix advice, in each format\'s own words', () => {
  it('requirements: sets the pin where it is', async () => {
    const fix = await djangoFix({ 'requirements.txt': 'requests==2.31.0\nDjango==2.1.5\n' });
    expect(fix.text).toMatch(/^Upgrade django 2\.1\.5 to 2\.2\.28 \(clears all \d+ advisories\): set `django==2\.2\.28` in requirements\.txt:2\.$/);
    expect(fix.advice).toMatchObject({ from: '2.1.5', to: '2.2.28', edits: [{ file: 'requirements.txt', line: 2, write: 'django==2.2.28' }], commands: [] });
  });

  it('requirements with --hash lines: says the old release\'s hashes must be replaced (re-hashed)', async () => {
    const fix = await djangoFix({
      'requirements.txt': 'requests==2.31.0 \\\n    --hash=sha256:' + 'a'.repeat(64) + '\nDjango==2.1.5 \\\n    --hash=sha256:' + 'b'.repeat(64) + ' \\\n    --hash=sha256:' + 'c'.repeat(64) + '\n',
    });
    expect(fix.text).toMatch(
      /: set `django==2\.2\.28` in requirements\.txt:3; replace the old release's `--hash` lines: re-hash requirements\.txt with the tool that made it \(e\.g\. `pip-compile --generate-hashes`, or `hashin`\); until then pip in --require-hashes mode refuses it\.$/,
    );
    expect(fix.advice?.edits).toEqual([{ file: 'requirements.txt', line: 3, write: 'django==2.2.28', rehash: true }]);
    const plain = await djangoFix({ 'requirements.txt': 'Django==2.1.5\n' });
    expect(plain.text).not.toContain('hash');
    expect(plain.advice?.edits[0]).not.toHaveProperty('rehash');
  });

  it('uv: a PEP 621 range that excludes the fix is named and widened, then the lock upgraded', async () => {
    const fix = await djangoFix({ 'pyproject.toml': pep621('django>=2.0,<2.2'), 'uv.lock': uvLock('2.1.5') });
    expect(fix.text).toContain(
      'the constraint `<2.2,>=2.0` in pyproject.toml:4 excludes 2.2.28: widen it to `"django>=2.2.28"`, then run `uv lock --upgrade-package django`.',
    );
  });

  it('uv: a range that admits the fix only needs the lock regenerated', async () => {
    const fix = await djangoFix({ 'pyproject.toml': pep621('django>=2.0'), 'uv.lock': uvLock('2.1.5') });
    expect(fix.text).toContain('pyproject.toml:4 allows 2.2.28 (`>=2.0`), so only the lock needs regenerating: run `uv lock --upgrade-package django`.');
    expect(fix.advice?.edits).toEqual([]);
    expect(fix.advice?.constraints).toEqual([{ file: 'pyproject.toml', line: 4, specifier: '>=2.0', admits: true, pin: false }]);
  });

  it('Poetry: widens in Poetry\'s syntax, then `poetry lock`; or `poetry update` when the constraint admits it', async () => {
    const tilde = await djangoFix({ 'pyproject.toml': '[tool.poetry.dependencies]\npython = "^3.8"\ndjango = "~2.1"\n', 'poetry.lock': poetryLock('2.1.5') });
    expect(tilde.text).toContain('the constraint `<2.2,>=2.1` in pyproject.toml:3 excludes 2.2.28: widen it to `django = "^2.2.28"`, then run `poetry lock`.');
    const caret = await djangoFix({ 'pyproject.toml': '[tool.poetry.dependencies]\npython = "^3.8"\ndjango = "^2.1"\n', 'poetry.lock': poetryLock('2.1.5') });
    expect(caret.text).toContain('pyproject.toml:3 allows 2.2.28 (`<3.0,>=2.1`), so only the lock needs regenerating: run `poetry update django`.');
  });

  it('Poetry 2 with [project] dependencies writes PEP 508, keeping extras and markers', async () => {
    const fix = await djangoFix({ 'pyproject.toml': pep621("django[argon2]==2.1.5; python_version >= '3.6'"), 'poetry.lock': poetryLock('2.1.5') });
    expect(fix.text).toContain('set `"django[argon2]==2.2.28; python_version >= \'3.6\'"` in pyproject.toml:4, then run `poetry lock`.');
  });

  it('Pipfile: an exact pin is changed in the Pipfile, then `pipenv lock`', async () => {
    const fix = await djangoFix({ 'Pipfile': '[packages]\ndjango = "==2.1.5"\n', 'Pipfile.lock': pipfileLock('2.1.5') });
    expect(fix.text).toContain('set `django = "==2.2.28"` in Pipfile:2, then run `pipenv lock`.');
  });

  it('Pipfile: "*" admits anything, so only the lock is upgraded', async () => {
    const fix = await djangoFix({ 'Pipfile': '[packages]\ndjango = "*"\n', 'Pipfile.lock': pipfileLock('2.1.5') });
    expect(fix.text).toContain('Pipfile:2 allows 2.2.28 (any version), so only the lock needs regenerating: run `pipenv upgrade django`.');
  });

  it('PDM: widens the range, then `pdm update django`', async () => {
    const fix = await djangoFix({ 'pyproject.toml': pep621('django~=2.1.0'), 'pdm.lock': pdmLock('2.1.5') });
    expect(fix.text).toContain('the constraint `~=2.1.0` in pyproject.toml:4 excludes 2.2.28: widen it to `"django>=2.2.28"`, then run `pdm update django`.');
  });

  it('pylock.toml: re-locks with the tool that wrote it and exports the file again', async () => {
    const uv = await djangoFix({ 'pyproject.toml': pep621('django~=2.1.0'), 'pylock.toml': pylock('uv', '2.1.5') });
    expect(uv.text).toContain(
      'the constraint `~=2.1.0` in pyproject.toml:4 excludes 2.2.28: widen it to `"django>=2.2.28"`, then run `uv lock --upgrade-package django && uv export --format pylock.toml -o pylock.toml`.',
    );
    const pdm = await djangoFix({ 'pyproject.toml': pep621('django>=2.0'), 'pylock.prod.toml': pylock('pdm', '2.1.5') });
    expect(pdm.text).toContain('so only the lock needs regenerating: run `pdm update django && pdm export -f pylock -o pylock.prod.toml`.');
    // pip cannot move one package, and Depwatch does not guess what it was locked from: the move, without a command.
    const pip = await djangoFix({ 'pylock.toml': pylock('pip', '2.1.5') });
    expect(pip.text).toMatch(/: move django to 2\.2\.28\.$/);
    expect(pip.advice?.commands).toEqual([]);
  });

  it('quotes every file name that reaches a command: a name a shell would run is one quoted word', async () => {
    const hostile = 'pylock.$(touch${IFS}HACKED).toml';
    const uv = await djangoFix({ 'pyproject.toml': pep621('django>=2.0'), [hostile]: pylock('uv', '2.1.5') });
    expect(uv.text).toContain("run `uv lock --upgrade-package django && uv export --format pylock.toml -o 'pylock.$(touch${IFS}HACKED).toml'`.");
    expect(uv.advice?.commands.map((c) => c.run)).toEqual(["uv lock --upgrade-package django && uv export --format pylock.toml -o 'pylock.$(touch${IFS}HACKED).toml'"]);
    const pdm = await djangoFix({ 'pyproject.toml': pep621('django>=2.0'), [hostile]: pylock('pdm', '2.1.5') });
    expect(pdm.text).toContain("run `pdm update django && pdm export -f pylock -o 'pylock.$(touch${IFS}HACKED).toml'`.");
    // A pip-tools input is a file name too.
    const compiled = await djangoFix({ "requirements-$(id).in": 'django>=2\n', "requirements-$(id).txt": 'django==2.1.5\n' });
    expect(compiled.text).toContain("run `pip-compile --upgrade-package django 'requirements-$(id).in'`.");
  });

  it('pip-tools: changes the .in input, not the compiled file, then recompiles', async () => {
    const excluded = await djangoFix({ 'requirements.in': 'django<2.2\n', 'requirements.txt': 'django==2.1.5\n' });
    expect(excluded.text).toContain(
      'the constraint `<2.2` in requirements.in:1 excludes 2.2.28: widen it to `django>=2.2.28`, then run `pip-compile --upgrade-package django requirements.in`.',
    );
    const admitted = await djangoFix({ 'requirements.in': 'django>=2\n', 'requirements.txt': 'django==2.1.5\n' });
    expect(admitted.text).toContain('requirements.in:1 allows 2.2.28 (`>=2`), so only the lock needs regenerating: run `pip-compile --upgrade-package django requirements.in`.');
  });

  it('a lock entry the project does not declare comes in through another package', async () => {
    const fix = await djangoFix({ 'pyproject.toml': pep621('wagtail>=2'), 'uv.lock': uvLock('2.1.5') });
    expect(fix.text).toContain('run `uv lock --upgrade-package django` (django comes in through another package: if that package caps it below 2.2.28, upgrade it too).');
  });

  it('runs the re-lock command in the lockfile\'s directory', async () => {
    const fix = await djangoFix({ 'services/api/pyproject.toml': pep621('django>=2.0'), 'services/api/uv.lock': uvLock('2.1.5') });
    expect(fix.text).toContain('run `uv lock --upgrade-package django` in services/api/.');
  });
});

describe('a release pinned in a manifest and locked in its lockfile', () => {
  it('is reported once per advisory, at the pin, naming the lock entry too', async () => {
    const result = await audit({ 'Pipfile': '[packages]\ndjango = "==2.1.5"\n', 'Pipfile.lock': pipfileLock('2.1.5') });
    const django = result.findings.filter((f) => f.kind === 'vulnerability');
    expect(new Set(django.map((f) => f.id)).size).toBe(django.length);
    expect(django[0]).toMatchObject({ file: 'Pipfile', line: 2 });
    expect(django[0]!.locations).toEqual([
      { file: 'Pipfile', line: 2, role: 'pin', specifier: '==2.1.5' },
      { file: 'Pipfile.lock', line: expect.any(Number), role: 'lock' },
    ]);
  });

  it('lists the range a lockfile resolves after the lock entry', async () => {
    const result = await audit({ 'pyproject.toml': pep621('django>=2.0'), 'uv.lock': uvLock('2.1.5') });
    const first = result.findings.find((f) => f.kind === 'vulnerability')!;
    expect(first).toMatchObject({ file: 'uv.lock' });
    expect(first.locations).toEqual([
      { file: 'uv.lock', line: expect.any(Number), role: 'lock' },
      { file: 'pyproject.toml', line: 4, role: 'declaration', specifier: '>=2.0' },
    ]);
  });
});
