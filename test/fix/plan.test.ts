/**
 * Findings → planned edits, over real audits (the PyPA advisories in an in-memory mirror, offline)
 * of small trees shaped like real projects.
 */
import { describe, expect, it } from 'vitest';
import type { AuditResult } from '../../src/audit/audit.js';
import { auditFileSource } from '../../src/audit/run.js';
import type { Finding } from '../../src/audit/findings.js';
import { auditedManifests, recordingSource } from '../../src/fix/audited-files.js';
import { planFixes, rewriteProblem, type FixFile } from '../../src/fix/plan.js';
import { extractRequirements } from '../../src/python/formats/requirements.js';
import type { EntryChange } from '../../src/fix/types.js';
import { memorySource } from '../../src/python/files.js';
import { realMirror } from '../audit/helpers.js';

const now = new Date('2026-11-28T12:00:00Z');

async function fixTree(files: Record<string, string>) {
  const recorded = recordingSource(memorySource(files));
  const result = await auditFileSource(recorded.source, { target: 'app', advisories: await realMirror(), registry: null, now });
  const read = await auditedManifests(recorded.read);
  return { result, read, plan: planFixes(result, read) };
}

const fixOf = (result: AuditResult, name: string) => result.findings.find((f) => f.package === name && f.kind === 'vulnerability')!.fix.version!;

const poetryLock = (packages: [string, string, string[]][]) =>
  packages
    .map(([name, version, groups]) => `[[package]]\nname = "${name}"\nversion = "${version}"\ndescription = ""\noptional = false\npython-versions = "*"\ngroups = ${JSON.stringify(groups)}\nfiles = []\n`)
    .join('\n') + '\n[metadata]\nlock-version = "2.1"\npython-versions = "^3.8"\ncontent-hash = "0"\n';

const pylock = (createdBy: string | null, version: string) =>
  ['lock-version = "1.0"', ...(createdBy === null ? [] : [`created-by = "${createdBy}"`]), '', '[[packages]]', 'name = "django"', `version = "${version}"`, `wheels = [{ url = "https://files.example/django.whl", hashes = { sha256 = "${'0'.repeat(64)}" } }]`, ''].join('\n');

describe('planning a fix from an audit', () => {
  it('rewrites a pin in a file reached through -r, and says the release is fixed with the advisories it clears', async () => {
    const { result, plan } = await fixTree({
      'requirements.txt': '-r requirements/base.txt\nrequests>=2\n',
      'requirements/base.txt': '# pinned for prod\nDjango==2.1.5\n',
    });
    const to = fixOf(result, 'django');
    expect(plan.newTexts).toEqual(new Map([['requirements/base.txt', `# pinned for prod\nDjango==${to}\n`]]));
    expect(plan.fixes).toEqual([
      { package: 'django', from: '2.1.5', to, status: 'fixed', advisories: result.findings.filter((f) => f.package === 'django').map((f) => f.id) },
    ]);
    expect(plan.fixes[0]!.advisories).toContain('PYSEC-2019-13');
    expect(plan.lockCommands).toEqual([]);
  });

  it('never edits a lockfile: a Poetry range that admits the fix is left as it is and `poetry update --lock` is the remedy', async () => {
    const { result, plan } = await fixTree({
      'pyproject.toml': '[tool.poetry]\nname = "app"\n\n[tool.poetry.dependencies]\npython = "^3.8"\ndjango = "^2.1"\n',
      'poetry.lock': poetryLock([['django', '2.1.5', ['main']]]),
    });
    expect(plan.newTexts.size).toBe(0);
    expect(plan.fixes).toEqual([expect.objectContaining({ package: 'django', to: fixOf(result, 'django'), status: 'lock-pending' })]);
    expect(plan.lockCommands).toEqual([
      expect.objectContaining({ lockfile: 'poetry.lock', directory: '.', command: 'poetry update --lock django', packages: ['django'], required: true, reason: 'poetry.lock: it pins django 2.1.5' }),
    ]);
  });

  it('widens a Poetry constraint that excludes the fix, then asks for the lock to be regenerated', async () => {
    const { result, plan } = await fixTree({
      'api/pyproject.toml': '[tool.poetry.dependencies]\npython = "^3.8"\ndjango = "~2.1.3"\n',
      'api/poetry.lock': poetryLock([['django', '2.1.5', ['main']]]),
    });
    const to = fixOf(result, 'django');
    expect(to.startsWith('2.2')).toBe(true);
    expect(plan.changes).toEqual([expect.objectContaining({ file: 'api/pyproject.toml', line: 3, before: '~2.1.3', after: `~${to}` })]);
    expect(plan.lockCommands).toEqual([
      expect.objectContaining({ lockfile: 'api/poetry.lock', directory: 'api', command: 'poetry update --lock django', reason: `api/poetry.lock: it pins django 2.1.5; api/pyproject.toml now asks for django ~${to}` }),
    ]);
    expect(plan.fixes[0]!.status).toBe('lock-pending');
  });

  it('moves a PEP 621 pin and gives uv the exact version to lock', async () => {
    const uvLock = 'version = 1\nrequires-python = ">=3.8"\n\n[[package]]\nname = "app"\nversion = "0.1.0"\nsource = { editable = "." }\ndependencies = [{ name = "django" }]\n\n[package.metadata]\nrequires-dist = [{ name = "django", specifier = "==2.1.5" }]\n\n[[package]]\nname = "django"\nversion = "2.1.5"\nsource = { registry = "https://pypi.org/simple" }\n';
    const { result, plan } = await fixTree({ 'pyproject.toml': '[project]\nname = "app"\ndependencies = ["django==2.1.5"]\n', 'uv.lock': uvLock });
    const to = fixOf(result, 'django');
    expect(plan.newTexts.get('pyproject.toml')).toBe(`[project]\nname = "app"\ndependencies = ["django==${to}"]\n`);
    expect(plan.lockCommands.map((c) => c.command)).toEqual([`uv lock --upgrade-package django==${to}`]);
  });

  it('never edits a pylock.toml: uv or PDM regenerate it (moving the exact version) and export it again', async () => {
    const { result, plan } = await fixTree({ 'pyproject.toml': '[project]\nname = "app"\ndependencies = ["django>=2.0"]\n', 'pylock.toml': pylock('uv', '2.1.5') });
    const to = fixOf(result, 'django');
    expect(plan.newTexts.size).toBe(0);
    expect(plan.fixes).toEqual([expect.objectContaining({ package: 'django', to, status: 'lock-pending' })]);
    expect(plan.lockCommands).toEqual([
      expect.objectContaining({ lockfile: 'pylock.toml', directory: '.', command: `uv lock --upgrade-package django==${to} && uv export --format pylock.toml -o pylock.toml`, required: true, reason: 'pylock.toml: it pins django 2.1.5' }),
    ]);
    expect(plan.notes).toEqual([{ file: 'pylock.toml', message: expect.stringMatching(/^pylock\.toml is exported from uv's lock \(uv\.lock\): if it was exported with options/) }]);
    const pdm = await fixTree({ 'deploy/pylock.gpu.toml': pylock('pdm', '2.1.5') });
    expect(pdm.plan.lockCommands.map((c) => [c.directory, c.command])).toEqual([['deploy', `pdm update --no-sync django && pdm export -f pylock -o pylock.gpu.toml`]]);
  });

  it('says in words how to regenerate a pylock.toml from pip or an unknown tool, and gives no command it cannot stand behind', async () => {
    const pip = await fixTree({ 'pylock.toml': pylock('pip', '2.1.5') });
    const to = fixOf(pip.result, 'django');
    expect(pip.plan.lockCommands).toEqual([]);
    expect(pip.plan.fixes).toEqual([expect.objectContaining({ package: 'django', status: 'lock-pending' })]);
    expect(pip.plan.notes).toEqual([
      {
        file: 'pylock.toml',
        message: `pylock.toml was written by \`pip lock\`, which cannot move one package and does not record what it locked: run it again on the same input (\`pip lock -e . -o pylock.toml\` for a project, \`pip lock -r requirements.txt -o pylock.toml\` for a requirements file) so that it locks django ${to} (it pins django 2.1.5). Do not edit it by hand: its hashes and file URLs belong to the old releases.`,
      },
    ]);
    // The file's name is a word of the commands the note gives: quoted, as in every command.
    const hostileName = await fixTree({ 'pylock.$(touch${IFS}HACKED).toml': pylock('pip', '2.1.5') });
    expect(hostileName.plan.notes.map((n) => n.message)).toEqual([
      expect.stringContaining("(`pip lock -e . -o 'pylock.$(touch${IFS}HACKED).toml'` for a project, `pip lock -r requirements.txt -o 'pylock.$(touch${IFS}HACKED).toml'` for a requirements file)"),
    ]);
    const other = await fixTree({ 'pylock.toml': pylock('Hatch 1.14', '2.1.5') });
    expect(other.plan.notes.map((n) => n.message)).toEqual([expect.stringMatching(/^pylock\.toml was written by hatch, and Depwatch knows no command that regenerates it: regenerate it with that tool so that it locks django /)]);
    const unnamed = await fixTree({ 'pylock.toml': pylock(null, '2.1.5') });
    expect(unnamed.plan.notes.map((n) => n.message)).toEqual([expect.stringMatching(/^pylock\.toml does not say which tool wrote it \(no created-by\)/)]);
    const hostile = await fixTree({ 'pylock.toml': pylock('$(rm -rf ~)', '2.1.5') });
    // Text from the file is not repeated unless it is a plain name.
    expect(hostile.plan.notes.map((n) => n.message)).toEqual([expect.stringMatching(/^pylock\.toml names a tool in created-by that is not a plain name, and Depwatch knows no command/)]);
    expect(hostile.plan.notes[0]!.message).not.toContain('rm -rf');
  });

  it('edits a pip-compile output in place, removes the old hashes, and gives the recompile command', async () => {
    const compiled = [
      '#',
      '# This file is autogenerated by pip-compile with Python 3.11',
      '# by the following command:',
      '#',
      '#    pip-compile --generate-hashes requirements/prod.in',
      '#',
      'django==2.1.5 \\',
      '    --hash=sha256:aaaa \\',
      '    --hash=sha256:bbbb',
      '    # via -r requirements/prod.in',
      'pytz==2019.1 \\',
      '    --hash=sha256:cccc',
      '    # via django',
      '',
    ].join('\n');
    const { result, plan } = await fixTree({ 'requirements/prod.in': 'django>=2.0\n', 'requirements/prod.txt': compiled });
    const to = fixOf(result, 'django');
    expect(plan.newTexts.get('requirements/prod.txt')).toBe(compiled.replace('django==2.1.5 \\\n    --hash=sha256:aaaa \\\n    --hash=sha256:bbbb\n', `django==${to}\n`));
    expect(plan.newTexts.has('requirements/prod.in')).toBe(false);
    expect(plan.lockCommands).toEqual([
      expect.objectContaining({ lockfile: 'requirements/prod.txt', directory: '.', required: false, command: `pip-compile --generate-hashes --upgrade-package django==${to} requirements/prod.in` }),
    ]);
    expect(plan.notes).toEqual([{ file: 'requirements/prod.txt', message: expect.stringContaining(`\`pip-compile --generate-hashes --upgrade-package django==${to} requirements/prod.in\``) }]);
    expect(plan.fixes[0]!.status).toBe('fixed');
  });

  it('moves Pipfile pins and upgrades the dev category of Pipfile.lock with --dev', async () => {
    const lock = JSON.stringify({ _meta: { hash: { sha256: '0' }, 'pipfile-spec': 6, requires: {}, sources: [] }, default: {}, develop: { django: { version: '==2.1.5', hashes: [] } } });
    const { result, plan } = await fixTree({ Pipfile: '[packages]\n\n[dev-packages]\ndjango = "==2.1.5"\n', 'Pipfile.lock': lock });
    const to = fixOf(result, 'django');
    expect(plan.newTexts.get('Pipfile')).toBe(`[packages]\n\n[dev-packages]\ndjango = "==${to}"\n`);
    expect(plan.lockCommands.map((c) => c.command)).toEqual(['pipenv upgrade --dev django']);
  });

  it('moves a bare Pipfile version (an exact pin, as the audit reads it) and writes it back bare; "==" stays "=="', async () => {
    const { result, plan } = await fixTree({ Pipfile: '[packages]\nrequests = "2.19.0"\n\n[dev-packages]\ndjango = "==2.1.5"\n' });
    const requests = fixOf(result, 'requests');
    const django = fixOf(result, 'django');
    expect(plan.newTexts.get('Pipfile')).toBe(`[packages]\nrequests = "${requests}"\n\n[dev-packages]\ndjango = "==${django}"\n`);
    expect(plan.leftAlone.filter((l) => l.kind === 'not-understood')).toEqual([]);
    expect(plan.fixes.map((f) => `${f.package} ${f.status}`).sort()).toEqual(['django fixed', 'requests fixed']);
  });

  it('touches manifests of the same project only, not a sibling project', async () => {
    const { plan } = await fixTree({
      'services/web/requirements.txt': 'django==2.1.5\n',
      'services/web/setup.cfg': '[options]\ninstall_requires =\n    django>=2.0,<2.1.6\n',
      'pyproject.toml': '[project]\nname = "mono"\ndependencies = ["django<2.1.6"]\n',
      'services/worker/pyproject.toml': '[project]\nname = "worker"\ndependencies = ["django<2.1.6"]\n',
    });
    expect([...plan.newTexts.keys()].sort()).toEqual(['pyproject.toml', 'services/web/requirements.txt']);
  });

  it('lists what it leaves alone: ignored advisories, releases without a fix, pins in formats it does not rewrite', async () => {
    const { plan } = await fixTree({
      'requirements.txt': 'py==1.10.0\npyyaml==5.3.1\n',
      'setup.cfg': '[options]\ninstall_requires =\n    jinja2==2.10\n',
      '.depwatch.yml': 'ignore:\n  - id: PYSEC-2021-142\n    reason: we only load trusted YAML\n',
    });
    const kinds = plan.leftAlone.map((l) => `${l.kind} ${l.package} ${l.version}`);
    expect(kinds).toEqual(expect.arrayContaining(['no-fix py 1.10.0', 'ignored pyyaml 5.3.1', 'unsupported-format jinja2 2.10']));
    expect(plan.leftAlone.find((l) => l.kind === 'ignored')!.reason).toContain('we only load trusted YAML');
    expect(plan.fixes.find((f) => f.package === 'jinja2')!.status).toBe('left-alone');
    expect(plan.leftAlone.find((l) => l.kind === 'ignored')!.reason).not.toContain('anyway');
    // The ignored advisory is pyyaml's only one at 5.3.1 here: nothing else asks to move it.
    expect(plan.newTexts.get('requirements.txt') ?? 'requirements.txt untouched').toBe('requirements.txt untouched');
  });

  it('says when an ignored advisory is cleared anyway by the upgrade other advisories need', async () => {
    const { plan } = await fixTree({ 'requirements.txt': 'django==2.1.5\n', '.depwatch.yml': 'ignore:\n  - id: PYSEC-2019-13\n    reason: no JSONField here\n' });
    expect(plan.fixes[0]).toMatchObject({ package: 'django', status: 'fixed' });
    expect(plan.fixes[0]!.advisories).not.toContain('PYSEC-2019-13');
    expect(plan.leftAlone).toEqual([expect.objectContaining({ kind: 'ignored', advisories: ['PYSEC-2019-13'], reason: expect.stringMatching(/no JSONField here; django moves to .* anyway/) })]);
  });

  it('lists a malicious release as one to remove, not to upgrade (pure: from any audit result)', () => {
    const mal: Finding = {
      kind: 'malicious',
      severity: 'critical',
      package: 'reqeusts',
      version: '1.0',
      file: 'requirements.txt',
      line: 1,
      id: 'MAL-2024-1',
      fix: { version: null, text: 'Remove reqeusts now' },
    };
    const plan = planFixes({ findings: [mal], ignored: [] }, [{ path: 'requirements.txt', format: 'requirements', text: 'reqeusts==1.0\n' }]);
    expect(plan.newTexts.size).toBe(0);
    expect(plan.leftAlone).toEqual([expect.objectContaining({ kind: 'malicious', package: 'reqeusts', advisories: ['MAL-2024-1'], reason: expect.stringContaining('remove it') })]);
  });

  it('says when the pin the audit reported is no longer in the files given', () => {
    const finding: Finding = {
      kind: 'vulnerability',
      severity: 'high',
      package: 'django',
      version: '2.1.5',
      file: 'requirements.txt',
      line: 1,
      id: 'PYSEC-2019-13',
      fix: { version: '2.1.11', text: 'Upgrade django to 2.1.11' },
    };
    const plan = planFixes({ findings: [finding], ignored: [] }, [{ path: 'requirements.txt', format: 'requirements', text: 'django==2.2.0\n' }]);
    expect(plan.leftAlone).toEqual([expect.objectContaining({ kind: 'not-found', package: 'django' })]);
    expect(plan.fixes).toEqual([]);
  });
});

describe('the guard against corrupting a file', () => {
  const file: FixFile = { path: 'requirements.txt', format: 'requirements', text: 'django==2.1.5 \\\n    --hash=sha256:aaaa\nsix==1.16.0\n' };
  const before = extractRequirements(file.text, { file: file.path }).dependencies;
  const moved: EntryChange = {
    file: 'requirements.txt', line: 1, lines: { first: 1, last: 2 }, package: 'django', before: '==2.1.5', after: '==2.1.11',
    fromVersion: '2.1.5', toVersion: '2.1.11', hashesRemoved: 1,
  };

  it('accepts a text that differs only in the moved constraint (and its hashes)', () => {
    expect(rewriteProblem(file, before, 'django==2.1.11\nsix==1.16.0\n', [moved])).toBeNull();
  });

  it('refuses one where another requirement would read differently, one lost, or the fix still excluded', () => {
    // A continuation left dangling swallows the next requirement into this one.
    expect(rewriteProblem(file, before, 'django==2.1.11 \\\nsix==1.16.0\n', [moved])).toMatch(/different errors|different number of requirements|read differently/);
    expect(rewriteProblem(file, before, 'django==2.1.11\nsix==1.17.0\n', [moved])).toBe('six would change although it was not to be moved');
    expect(rewriteProblem(file, before, 'django==2.1.6\nsix==1.16.0\n', [moved])).toBe('django would still exclude the fix');
    expect(rewriteProblem(file, before, 'django==2.1.11\nsix==1.16.0\n--frobnicate\n', [moved])).toBe('it would read with different errors');
  });
});
