/**
 * `depwatch deps --cyclonedx` and `depwatch audit --cyclonedx`: a CycloneDX 1.6 JSON BOM, as
 * pip-audit's `--format cyclonedx-json`, OSV-Scanner and Snyk write one. Every BOM here is checked
 * against the official 1.6 schema. One component per exact release, with a PEP 503 purl and the
 * places it is written; requirements that are not one release without a version; the audit's
 * vulnerabilities linked to the components they affect; a partial result said in the BOM itself,
 * on stderr and in the exit status; nothing of a URL's credentials; the same tree, the same BOM.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADVISORIES_JSONL_GZ } from '../fixtures/osv/load.js';
import { inProcessCli, UNREACHABLE_SERVICES, writeTree } from '../helpers/cli-in-process.js';
import { cyclonedxSchemaErrors } from '../helpers/cyclonedx-schema.js';

const made: string[] = [];
let db: string;

beforeAll(async () => {
  const data = mkdtempSync(join(tmpdir(), 'depwatch-cyclonedx-db-'));
  made.push(data);
  db = join(data, 'depwatch.db');
  expect(await inProcessCli({ env: { DEPWATCH_DB: db } }).run('db', 'import', ADVISORIES_JSONL_GZ)).toBe(0);
});
afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const tree = (files: Record<string, string>) => {
  const dir = writeTree('depwatch-cyclonedx-', files);
  made.push(dir);
  return dir;
};

async function depwatch(cwd: string, ...argv: string[]) {
  const c = inProcessCli({ cwd, env: { DEPWATCH_DB: db, ...UNREACHABLE_SERVICES } });
  const code = await c.run(...argv);
  return { code, ...c.out };
}

interface Property {
  name: string;
  value: string;
}
interface Component {
  type: string;
  'bom-ref': string;
  name: string;
  version?: string;
  purl?: string;
  externalReferences?: { type: string; url: string }[];
  evidence?: { occurrences: { location: string; line?: number; additionalContext?: string }[] };
  properties?: Property[];
}
interface Vulnerability {
  id: string;
  source: { name: string; url: string };
  references?: { id: string; source: { url: string } }[];
  ratings?: { score?: number; severity: string; method: string; vector?: string }[];
  recommendation?: string;
  analysis?: { detail: string };
  affects: { ref: string; versions?: { version: string; status: string }[] }[];
}
interface Bom {
  bomFormat: string;
  specVersion: string;
  serialNumber?: string;
  metadata: { timestamp: string; tools: { components: { name: string; version: string }[] }; component: { name: string; version?: string }; properties: Property[] };
  components: Component[];
  compositions?: { aggregate: string; assemblies?: string[]; dependencies?: string[] }[];
  dependencies?: { ref: string; dependsOn?: string[] }[];
  vulnerabilities?: Vulnerability[];
}

/** The BOM printed, after checking it against the official schema. */
function bomOf(stdout: string): Bom {
  expect(cyclonedxSchemaErrors(stdout)).toEqual([]);
  return JSON.parse(stdout) as Bom;
}

const byRef = (bom: Bom, ref: string) => bom.components.find((c) => c['bom-ref'] === ref);
const values = (props: Property[] | undefined, name: string) => (props ?? []).filter((p) => p.name === name).map((p) => p.value);

const SECRET_TOKEN = 's3cretTOKEN4711';
const SECRET_PASSWORD = 'hunter2pass4711';

const shop = () =>
  tree({
    'requirements.txt': [
      'Django==2.1.5',
      'zope.interface==5.0',
      'ruamel.yaml>=0.17',
      'requests[socks,Security]==2.31.0 ; python_version < "3.12"',
      `private-lib @ git+https://deploy:${SECRET_TOKEN}@github.com/org/private-lib.git@v1`,
      'Flask',
      `--extra-index-url https://user:${SECRET_PASSWORD}@pypi.example.com/simple`,
      'torch==2.1.0+cpu',
      '-e ./plugins/local-plugin',
      '-c constraints.txt',
      '',
    ].join('\n'),
    'constraints.txt': 'urllib3==1.24.1\nsix>=1.0\n',
    'services/api/requirements.txt': 'django==3.2.0\n',
  });

describe('depwatch deps --cyclonedx', () => {
  it('writes a valid CycloneDX 1.6 BOM: one component per exact release, a PEP 503 purl, and where each is written', async () => {
    const dir = shop();
    const { code, stdout, stderr } = await depwatch(dir, 'deps', '--cyclonedx', '.');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const bom = bomOf(stdout);
    expect(bom.bomFormat).toBe('CycloneDX');
    expect(bom.specVersion).toBe('1.6');
    expect(bom.metadata.tools.components).toEqual([{ type: 'application', name: 'depwatch', version: expect.stringMatching(/^\d+\.\d+\.\d+/) }]);
    expect(bom.metadata.component.name).toBe(dir.split('/').at(-1));
    expect(values(bom.metadata.properties, 'depwatch:partial')).toEqual(['false']);
    expect(bom.compositions).toBeUndefined();
    // A deps BOM has checked no advisory: it has no vulnerabilities, not an empty list.
    expect(bom.vulnerabilities).toBeUndefined();

    const django = byRef(bom, 'pkg:pypi/django@2.1.5')!;
    // The name as written (as cdxgen and pip-audit show it); the purl's is PEP 503.
    expect(django).toMatchObject({ type: 'library', name: 'Django', version: '2.1.5', purl: 'pkg:pypi/django@2.1.5' });
    expect(django.evidence!.occurrences).toEqual([{ location: 'requirements.txt', line: 1, additionalContext: 'Django==2.1.5 (requirement)' }]);
    // The same package at another release, in another file, is another component.
    expect(byRef(bom, 'pkg:pypi/django@3.2.0')!.evidence!.occurrences).toEqual([{ location: 'services/api/requirements.txt', line: 1, additionalContext: 'django==3.2.0 (requirement)' }]);
    // Dots and underscores become dashes in the purl (the purl spec's pypi type, PEP 503).
    expect(byRef(bom, 'pkg:pypi/zope-interface@5.0')).toMatchObject({ name: 'zope.interface', version: '5.0', purl: 'pkg:pypi/zope-interface@5.0' });
    // A local version's `+` is percent-encoded in the purl, and kept as is in `version`.
    expect(byRef(bom, 'pkg:pypi/torch@2.1.0%2Bcpu')).toMatchObject({ version: '2.1.0+cpu', purl: 'pkg:pypi/torch@2.1.0%2Bcpu' });
    // Extras are not part of the purl: they are the taxonomy's property; the marker is in the entry as read.
    const requests = byRef(bom, 'pkg:pypi/requests@2.31.0')!;
    expect(requests.purl).toBe('pkg:pypi/requests@2.31.0');
    expect(values(requests.properties, 'cdx:python:package:required-extra')).toEqual(['security', 'socks']);
    expect(requests.evidence!.occurrences[0]!.additionalContext).toBe('requests[security,socks]==2.31.0 ; python_version < "3.12" (requirement)');
    // An exact constraint pin is a release that may be installed: listed, said to be a constraint.
    expect(byRef(bom, 'pkg:pypi/urllib3@1.24.1')!.evidence!.occurrences).toEqual([{ location: 'constraints.txt', line: 1, additionalContext: 'urllib3==1.24.1 (constraint)' }]);
  });

  it('lists a requirement that is not one release without a version, and says so; a range constraint installs nothing and is not listed', async () => {
    const bom = bomOf((await depwatch(shop(), 'deps', '--cyclonedx', '.')).stdout);
    const ruamel = byRef(bom, 'pkg:pypi/ruamel-yaml')!;
    expect(ruamel.version).toBeUndefined();
    expect(ruamel.purl).toBe('pkg:pypi/ruamel-yaml');
    expect(values(ruamel.properties, 'depwatch:resolved')).toEqual(['false']);
    expect(values(ruamel.properties, 'depwatch:specifier')).toEqual(['>=0.17']);
    const flask = byRef(bom, 'pkg:pypi/flask')!;
    expect(flask.version).toBeUndefined();
    expect(values(flask.properties, 'depwatch:resolved')).toEqual(['false']);
    expect(values(flask.properties, 'depwatch:specifier')).toEqual([]);
    // A VCS requirement is not PyPI's release: no purl (nor a bom-ref that reads as one), its repository as the reference.
    const lib = bom.components.find((c) => c.name === 'private-lib')!;
    expect(lib.version).toBeUndefined();
    expect(lib.purl).toBeUndefined();
    expect(lib['bom-ref']).toBe('depwatch:requirement:private-lib');
    expect(lib.externalReferences).toEqual([expect.objectContaining({ type: 'vcs', url: 'git+https://github.com/org/private-lib.git@v1' })]);
    expect(values(lib.properties, 'depwatch:source')).toEqual(['vcs']);
    // So is a local path: where it is, as written.
    const plugin = byRef(bom, 'depwatch:requirement:local-plugin')!;
    expect(plugin).toMatchObject({ name: 'local-plugin', properties: [{ name: 'depwatch:resolved', value: 'false' }, { name: 'depwatch:source', value: 'path' }, { name: 'depwatch:path', value: './plugins/local-plugin' }] });
    expect(plugin.purl).toBeUndefined();
    expect(plugin.evidence!.occurrences).toEqual([{ location: 'requirements.txt', line: 9, additionalContext: 'local-plugin @ ./plugins/local-plugin (requirement, editable)' }]);
    expect(bom.components.some((c) => c.name === 'six')).toBe(false);
  });

  it('never carries the credentials of a URL in the manifest, in deps or audit', async () => {
    const dir = shop();
    for (const argv of [['deps', '--cyclonedx', '.'], ['audit', '--offline', '--cyclonedx', '.']]) {
      const { stdout } = await depwatch(dir, ...argv);
      // The requirement is there, its URL without the credentials.
      const lib = bomOf(stdout).components.find((c) => c.name === 'private-lib')!;
      expect(lib.evidence!.occurrences[0]!.additionalContext).toBe('private-lib @ git+https://github.com/org/private-lib.git@v1 (requirement)');
      expect(stdout).not.toContain(SECRET_TOKEN);
      expect(stdout).not.toContain(SECRET_PASSWORD);
      expect(stdout).not.toContain('deploy:');
    }
  });

  it('is the same BOM for the same tree: no random serial number, the same order; only the timestamp differs', async () => {
    const dir = shop();
    const first = JSON.parse((await depwatch(dir, 'deps', '--cyclonedx', '.')).stdout) as Bom;
    const second = JSON.parse((await depwatch(dir, 'deps', '--cyclonedx', '.')).stdout) as Bom;
    expect(first.serialNumber).toBeUndefined();
    expect(Date.parse(first.metadata.timestamp)).not.toBeNaN();
    const timeless = (bom: Bom) => ({ ...bom, metadata: { ...bom.metadata, timestamp: '' } });
    expect(timeless(second)).toEqual(timeless(first));
    expect(first.components.map((c) => c['bom-ref'])).toEqual([
      'pkg:pypi/django@2.1.5',
      'pkg:pypi/django@3.2.0',
      'pkg:pypi/flask',
      'depwatch:requirement:local-plugin',
      'depwatch:requirement:private-lib',
      'pkg:pypi/requests@2.31.0',
      'pkg:pypi/ruamel-yaml',
      'pkg:pypi/torch@2.1.0%2Bcpu',
      'pkg:pypi/urllib3@1.24.1',
      'pkg:pypi/zope-interface@5.0',
    ]);
  });

  it('says a partial list in the BOM (metadata properties, an incomplete composition), on stderr, and with exit status 2', async () => {
    const dir = tree({ 'requirements.txt': 'attrs==23.1.0\n-r missing.txt\n', 'pyproject.toml': '[project\nname = "broken"\n' });
    const { code, stdout, stderr } = await depwatch(dir, 'deps', '--cyclonedx', '.');
    expect(code).toBe(2);
    const bom = bomOf(stdout);
    expect(values(bom.metadata.properties, 'depwatch:partial')).toEqual(['true']);
    const reasons = values(bom.metadata.properties, 'depwatch:partial_reason');
    expect(reasons).toHaveLength(2);
    expect(reasons).toEqual(expect.arrayContaining([expect.stringMatching(/^pyproject\.toml(:\d+)? not read completely: /), expect.stringMatching(/^missing\.txt.* not read completely: /)]));
    // What the project is made of, and what it requires (its node in the graph), are both not all said.
    expect(bom.compositions).toEqual([
      { aggregate: 'incomplete', assemblies: ['depwatch:project'] },
      { aggregate: 'incomplete', dependencies: ['depwatch:project'] },
    ]);
    expect(bom.dependencies).toEqual([{ ref: 'depwatch:project', dependsOn: ['pkg:pypi/attrs@23.1.0'] }]);
    // What was read is still listed.
    expect(byRef(bom, 'pkg:pypi/attrs@23.1.0')).toBeDefined();
    // The stderr lines are the JSON format's, one per reason.
    const json = await depwatch(dir, 'deps', '--json', '.');
    expect(stderr).toBe(json.stderr);
    expect(stderr.trimEnd().split('\n')).toHaveLength(2);
  });

  it('is refused with --json, in one line, exit status 2', async () => {
    const { code, stdout, stderr } = await depwatch(shop(), 'deps', '--json', '--cyclonedx', '.');
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe('depwatch deps: choose one of --json, --cyclonedx\n');
  });

  it('is named in deps --help and in depwatch --help', async () => {
    const help = (await depwatch(shop(), 'deps', '--help')).stdout;
    expect(help.split('\n')[0]).toContain('[--json | --cyclonedx]');
    expect(help).toMatch(/\n {2}--cyclonedx {6}the list as a CycloneDX 1\.6 JSON BOM/);
    expect((await depwatch(shop(), '--help')).stdout).toContain('depwatch deps [--json | --cyclonedx] [--format FORMAT] <path>...');
  });
});

describe('depwatch audit --cyclonedx', () => {
  interface AuditJson {
    findings: { kind: string; id?: string; package: string | null; version: string | null; severity: string; cvss?: number | null; fix: { text: string } }[];
  }

  it("adds the audit's vulnerabilities, each affecting the component of its release, as the JSON report finds them", async () => {
    const dir = shop();
    const { code, stdout } = await depwatch(dir, 'audit', '--offline', '--no-code', '--cyclonedx', '.');
    expect(code).toBe(1); // django 2.1.5 is vulnerable, as with --json
    const bom = bomOf(stdout);
    const findings = (JSON.parse((await depwatch(dir, 'audit', '--offline', '--no-code', '--json', '.')).stdout) as AuditJson).findings.filter((f) => f.kind === 'vulnerability');
    expect(findings.length).toBeGreaterThan(5);
    const vulnerabilities = bom.vulnerabilities!;
    expect(vulnerabilities.map((v) => `${v.id} ${v.affects[0]!.ref}`).sort()).toEqual(findings.map((f) => `${f.id} pkg:pypi/${f.package}@${f.version}`).sort());
    const refs = new Set(bom.components.map((c) => c['bom-ref']));
    for (const v of vulnerabilities) {
      expect(v.affects).toHaveLength(1);
      expect(refs.has(v.affects[0]!.ref), v.affects[0]!.ref).toBe(true);
      expect(v.affects[0]!.versions).toEqual([{ version: byRef(bom, v.affects[0]!.ref)!.version, status: 'affected' }]);
      expect(v.source).toEqual({ name: 'OSV', url: `https://osv.dev/vulnerability/${v.id}` });
    }
    // Both django releases are affected, each by its own advisories.
    const affecting = (ref: string) => new Set(vulnerabilities.filter((v) => v.affects[0]!.ref === ref).map((v) => v.id));
    const old = affecting('pkg:pypi/django@2.1.5');
    const newer = affecting('pkg:pypi/django@3.2.0');
    expect(old.size).toBeGreaterThan(0);
    expect(newer.size).toBeGreaterThan(0);
    expect([...old].some((id) => !newer.has(id))).toBe(true);
    // A finding's rating, fix and aliases, as the JSON report gives them.
    for (const f of findings) {
      const v = vulnerabilities.find((x) => x.id === f.id && x.affects[0]!.ref === `pkg:pypi/${f.package}@${f.version}`)!;
      expect(v.recommendation).toBe(f.fix.text);
      if (f.severity === 'unknown') expect(v.ratings).toBeUndefined();
      else expect(v.ratings![0]).toMatchObject({ severity: f.severity, ...(typeof f.cvss === 'number' ? { score: f.cvss } : {}) });
    }
    const rated = vulnerabilities.find((v) => v.ratings?.[0]?.vector?.startsWith('CVSS:3.1/'));
    expect(rated?.ratings![0]!.method).toBe('CVSSv31');
    const aliased = vulnerabilities.find((v) => v.references?.some((r) => r.id.startsWith('CVE-')))!;
    expect(aliased.references!.every((r) => r.source.url === `https://osv.dev/vulnerability/${r.id}`)).toBe(true);
    expect(values(bom.metadata.properties, 'depwatch:partial')).toEqual(['false']);
    expect(values(bom.metadata.properties, 'depwatch:advisory_source')).toEqual(['mirror']);
  });

  it('exits as --json does: findings 1, --fail-on never 0, a partial result 2', async () => {
    const dir = shop();
    const partial = tree({ 'requirements.txt': 'attrs==23.1.0\n-r missing.txt\n' });
    for (const [where, flags] of [
      [dir, []],
      [dir, ['--fail-on', 'never']],
      [partial, []],
    ] as const) {
      const json = await depwatch(where, 'audit', '--offline', '--no-code', '--json', ...flags, '.');
      const bom = await depwatch(where, 'audit', '--offline', '--no-code', '--cyclonedx', ...flags, '.');
      expect(bom.code, flags.join(' ')).toBe(json.code);
      expect(bom.stderr).toBe(json.stderr);
    }
    const { code, stdout, stderr } = await depwatch(partial, 'audit', '--offline', '--no-code', '--cyclonedx', '.');
    expect(code).toBe(2);
    expect(stderr).toMatch(/^depwatch: PARTIAL: missing\.txt/);
    const bom = bomOf(stdout);
    expect(values(bom.metadata.properties, 'depwatch:partial')).toEqual(['true']);
    expect(values(bom.metadata.properties, 'depwatch:partial_reason')).toEqual([expect.stringMatching(/^missing\.txt.* not read completely: /)]);
    expect(bom.compositions).toEqual([
      { aggregate: 'incomplete', assemblies: ['depwatch:project'] },
      { aggregate: 'incomplete', dependencies: ['depwatch:project'] },
    ]);
    expect(bom.vulnerabilities).toEqual([]);
  });

  it('leaves ignored advisories out, and lists them with why under --show-ignored', async () => {
    const dir = tree({ 'requirements.txt': 'django==2.1.5\n', '.depwatch.yml': 'ignore:\n  - id: PYSEC-2019-10\n    reason: not behind a proxy\n' });
    const plain = bomOf((await depwatch(dir, 'audit', '--offline', '--no-code', '--cyclonedx', '.')).stdout);
    expect(plain.vulnerabilities!.some((v) => v.id === 'PYSEC-2019-10')).toBe(false);
    expect(plain.vulnerabilities!.length).toBeGreaterThan(0);
    const shown = bomOf((await depwatch(dir, 'audit', '--offline', '--no-code', '--show-ignored', '--cyclonedx', '.')).stdout);
    expect(shown.vulnerabilities!.find((v) => v.id === 'PYSEC-2019-10')!.analysis!.detail).toContain('not behind a proxy');
  });

  it('counts the findings the BOM cannot carry (code, unpinned…), so an exit status of 1 is never unexplained', async () => {
    const dir = tree({ 'requirements.txt': 'attrs==23.1.0\n', 'deploy.py': 'AWS_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"\nimport os\nos.system(input())\n' });
    const json = JSON.parse((await depwatch(dir, 'audit', '--offline', '--json', '.')).stdout) as AuditJson & { code: { findings: unknown[] } };
    const { code, stdout } = await depwatch(dir, 'audit', '--offline', '--cyclonedx', '.');
    const bom = bomOf(stdout);
    expect(bom.vulnerabilities).toEqual([]);
    expect(json.code.findings.length).toBeGreaterThan(0);
    expect(values(bom.metadata.properties, 'depwatch:other_findings')).toEqual([String(json.findings.length + json.code.findings.length)]);
    expect(code).toBe((await depwatch(dir, 'audit', '--offline', '--json', '.')).code);
  });

  it('of one manifest, describes its folder, with paths from there', async () => {
    const dir = shop();
    const bom = bomOf((await depwatch(dir, 'audit', '--offline', '--cyclonedx', 'services/api/requirements.txt')).stdout);
    expect(bom.metadata.component.name).toBe('api');
    expect(bom.components.map((c) => c['bom-ref'])).toEqual(['pkg:pypi/django@3.2.0']);
    expect(bom.components[0]!.evidence!.occurrences[0]!.location).toBe('requirements.txt');
  });

  it('is refused with another format, in one line, exit status 2; and is in audit --help', async () => {
    const { code, stdout, stderr } = await depwatch(shop(), 'audit', '--offline', '--cyclonedx', '--json', '.');
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe('depwatch audit: choose one of --json, --markdown, --sarif, --cyclonedx\n');
    expect((await depwatch(shop(), 'audit', '--help')).stdout.split('\n')[0]).toContain('[--json | --markdown | --sarif | --cyclonedx]');
  });
});

describe('the dependency graph the lockfiles record, in deps --cyclonedx and audit --cyclonedx', () => {
  const locked = () =>
    tree({
      'uv.lock': [
        'version = 1',
        '[[package]]\nname = "app"\nversion = "0.1.0"\nsource = { virtual = "." }\ndependencies = [{ name = "django" }]',
        '[[package]]\nname = "django"\nversion = "2.1.5"\nsource = { registry = "https://pypi.org/simple" }\ndependencies = [{ name = "pytz" }]',
        '[[package]]\nname = "pytz"\nversion = "2024.1"\nsource = { registry = "https://pypi.org/simple" }',
      ].join('\n\n'),
      'tools/poetry.lock': [
        '[[package]]\nname = "Jinja2"\nversion = "2.10"\nfiles = []\n\n[package.dependencies]\nMarkupSafe = ">=0.23"',
        '[[package]]\nname = "MarkupSafe"\nversion = "2.1.5"\nfiles = []',
        '[metadata]\nlock-version = "2.0"',
      ].join('\n\n'),
      'Pipfile.lock': JSON.stringify({ _meta: {}, default: { six: { version: '==1.16.0' } } }),
      'requirements.txt': 'Django==2.1.5\n',
    });

  it('lists what each locked component requires, names each as written, and invents nothing where a lock records nothing', async () => {
    const dir = locked();
    for (const argv of [['deps', '--cyclonedx', '.'], ['audit', '--offline', '--no-code', '--cyclonedx', '.']]) {
      const { stdout } = await depwatch(dir, ...argv);
      const bom = bomOf(stdout);
      expect(byRef(bom, 'pkg:pypi/django@2.1.5')!.name, argv[0]).toBe('Django');
      expect(byRef(bom, 'pkg:pypi/jinja2@2.10')!.name).toBe('Jinja2');
      expect(bom.dependencies, argv[0]).toEqual([
        // The project requires what its uv.lock's root requires, and what requirements.txt declares: Django, once.
        { ref: 'depwatch:project', dependsOn: ['pkg:pypi/django@2.1.5'] },
        { ref: 'pkg:pypi/django@2.1.5', dependsOn: ['pkg:pypi/pytz@2024.1'] },
        { ref: 'pkg:pypi/jinja2@2.10', dependsOn: ['pkg:pypi/markupsafe@2.1.5'] },
        { ref: 'pkg:pypi/markupsafe@2.1.5', dependsOn: [] },
        { ref: 'pkg:pypi/pytz@2024.1', dependsOn: [] },
      ]);
      // Pipfile.lock records no requirements: six is a component with no place in the graph.
      expect(byRef(bom, 'pkg:pypi/six@1.16.0')).toBeDefined();
      // tools/poetry.lock has nothing beside it saying which of its packages its project requires: the project's edges are not all known.
      expect(bom.compositions, argv[0]).toEqual([{ aggregate: 'incomplete', dependencies: ['depwatch:project'] }]);
    }
  });

  it("gives the project the direct requirements of a uv workspace's root and members, and those its other projects declare", async () => {
    const dir = tree({
      'pyproject.toml': '[project]\nname = "app"\nversion = "0.1.0"\ndependencies = ["django>=2"]\n\n[tool.uv.workspace]\nmembers = ["packages/*"]\n',
      'uv.lock': [
        'version = 1',
        '[manifest]\nmembers = ["app", "lib"]',
        '[[package]]\nname = "app"\nversion = "0.1.0"\nsource = { editable = "." }\ndependencies = [{ name = "django" }, { name = "lib" }]\n\n[package.dev-dependencies]\ndev = [{ name = "pytest" }]',
        '[[package]]\nname = "lib"\nversion = "0.1.0"\nsource = { editable = "packages/lib" }\ndependencies = [{ name = "attrs" }]',
        '[[package]]\nname = "attrs"\nversion = "23.1.0"\nsource = { registry = "https://pypi.org/simple" }',
        '[[package]]\nname = "django"\nversion = "2.1.5"\nsource = { registry = "https://pypi.org/simple" }\ndependencies = [{ name = "pytz" }]',
        '[[package]]\nname = "pytest"\nversion = "8.3.3"\nsource = { registry = "https://pypi.org/simple" }',
        '[[package]]\nname = "pytz"\nversion = "2024.1"\nsource = { registry = "https://pypi.org/simple" }',
      ].join('\n\n'),
      'packages/lib/pyproject.toml': '[project]\nname = "lib"\nversion = "0.1.0"\ndependencies = ["attrs"]\n',
      'scripts/requirements.txt': 'click==8.1.7\n',
    });
    const { code, stdout } = await depwatch(dir, 'deps', '--cyclonedx', '.');
    expect(code).toBe(0);
    const bom = bomOf(stdout);
    // The workspace's members are the project, not components.
    expect(bom.components.map((c) => c['bom-ref'])).not.toContain('pkg:pypi/lib@0.1.0');
    expect(bom.dependencies![0]).toEqual({ ref: 'depwatch:project', dependsOn: ['pkg:pypi/attrs@23.1.0', 'pkg:pypi/click@8.1.7', 'pkg:pypi/django@2.1.5', 'pkg:pypi/pytest@8.3.3'] });
    expect(bom).not.toHaveProperty('compositions');
  });
});
