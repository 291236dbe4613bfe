/**
 * The CycloneDX report's rules on what the CLI tests cannot reach with the fixture advisories: a
 * range's vulnerability (the release it resolves to today, written nowhere) affects the
 * requirement's component; a malicious package, an unrated advisory and each kind of CVSS vector
 * are rated as they are (never an invented score); advisories that were not reached leave the BOM
 * without `vulnerabilities`, never with an empty list. Every BOM is checked against the 1.6 schema.
 */
import { describe, expect, it } from 'vitest';
import type { AuditResult } from '../../src/audit/audit.js';
import type { Finding } from '../../src/audit/findings.js';
import type { PartialReason } from '../../src/audit/partial.js';
import type { Dependency } from '../../src/python/types.js';
import { cyclonedxChunks, pypiPurl, renderCyclonedxChunks } from '../../src/report/cyclonedx.js';
import { uvLockFormat } from '../../src/python/formats/uv-lock.js';
import { pylockFormat } from '../../src/python/formats/pylock.js';
import { cyclonedxSchemaErrors } from '../helpers/cyclonedx-schema.js';

const dependency = (fields: Partial<Dependency> & { name: string; line: number }): Dependency => ({
  version: null,
  specifier: '',
  extras: [],
  marker: null,
  source: 'registry',
  editable: false,
  kind: 'requirement',
  group: 'main',
  direct: true,
  file: 'requirements.txt',
  ...fields,
});

const vulnerability = (fields: Partial<Finding> & { id: string; package: string; version: string }): Finding => ({
  kind: 'vulnerability',
  severity: 'high',
  file: 'requirements.txt',
  line: 1,
  fix: { version: null, text: `Upgrade ${fields.package}.` },
  ...fields,
});

function result(findings: Finding[], partialReasons: PartialReason[] = []): AuditResult {
  return {
    target: '.',
    dependencies: 2,
    findings,
    ignored: [],
    notes: [],
    errors: [],
    warnings: partialReasons.map((r) => r.message),
    notices: [],
    partial: partialReasons.length > 0,
    partialReasons,
    advisorySource: 'api',
    unknownAs: 'medium',
  };
}

const DEPENDENCIES = [
  dependency({ name: 'jinja2', line: 1, specifier: '>=2.10' }),
  dependency({ name: 'evil-pkg', line: 2, version: '1.0', specifier: '==1.0' }),
  dependency({ name: 'oldlib', line: 3, version: '1!2.0', specifier: '==1!2.0' }),
];

interface Bom {
  components: { 'bom-ref': string; version?: string }[];
  vulnerabilities?: { id: string; ratings?: { score?: number; severity: string; method: string; vector?: string; justification?: string }[]; affects: { ref: string; versions: { version: string }[] }[]; properties?: { name: string; value: string }[] }[];
}

function render(findings: Finding[], reasons: PartialReason[] = []): Bom {
  const text = [...renderCyclonedxChunks(result(findings, reasons), { bom: { dependencies: DEPENDENCIES, project: { name: 'app' }, now: new Date('2024-01-02T03:04:05Z') } })].join('');
  expect(cyclonedxSchemaErrors(text)).toEqual([]);
  return JSON.parse(text) as Bom;
}

describe('the CycloneDX report', () => {
  it('has a range vulnerability affect the requirement (no version) at the release it resolves to today', () => {
    const bom = render([vulnerability({ id: 'GHSA-aaaa', package: 'jinja2', version: '2.11.2', details: { resolved_from: '>=2.10' } })]);
    const [v] = bom.vulnerabilities!;
    expect(v!.affects).toEqual([{ ref: 'pkg:pypi/jinja2', versions: [{ version: '2.11.2', status: 'affected' }] }]);
    expect(v!.properties).toEqual([{ name: 'depwatch:resolved_from', value: '>=2.10' }]);
    // No component of a release written nowhere is made up.
    expect(bom.components.map((c) => c['bom-ref'])).toEqual(['pkg:pypi/evil-pkg@1.0', 'pkg:pypi/jinja2', 'pkg:pypi/oldlib@1%212.0']);
  });

  it('rates each advisory by what its source said: CVSS v4, v3.0, v2, a word alone, nothing, or malicious', () => {
    const bom = render([
      vulnerability({ id: 'A-4', package: 'evil-pkg', version: '1.0', severity: 'critical', cvss: 9.3, cvssVector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', severityFrom: 'GHSA-bbbb' }),
      vulnerability({ id: 'A-30', package: 'evil-pkg', version: '1.0', cvss: 7.5, cvssVector: 'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N' }),
      vulnerability({ id: 'A-2', package: 'evil-pkg', version: '1.0', severity: 'medium', cvss: 5, cvssVector: 'AV:N/AC:L/Au:N/C:P/I:N/A:N' }),
      vulnerability({ id: 'A-word', package: 'evil-pkg', version: '1.0', severity: 'low', cvss: null, cvssVector: null }),
      vulnerability({ id: 'A-none', package: 'evil-pkg', version: '1.0', severity: 'unknown', cvss: null, cvssVector: null }),
      vulnerability({ id: 'MAL-1', package: 'evil-pkg', version: '1.0', kind: 'malicious', severity: 'critical' }),
    ]);
    const rating = (id: string) => bom.vulnerabilities!.find((v) => v.id === id)!.ratings;
    expect(rating('A-4')).toEqual([{ source: { name: 'OSV', url: 'https://osv.dev/vulnerability/GHSA-bbbb' }, score: 9.3, severity: 'critical', method: 'CVSSv4', vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N' }]);
    expect(rating('A-30')![0]).toMatchObject({ score: 7.5, method: 'CVSSv3' });
    expect(rating('A-2')![0]).toMatchObject({ score: 5, method: 'CVSSv2' });
    expect(rating('A-word')).toEqual([{ source: { name: 'OSV', url: 'https://osv.dev/vulnerability/A-word' }, severity: 'low', method: 'other' }]);
    // Unrated: no rating at all, and what it counts as for --fail-on.
    expect(rating('A-none')).toBeUndefined();
    expect(bom.vulnerabilities!.find((v) => v.id === 'A-none')!.properties).toEqual([{ name: 'depwatch:treated_as', value: 'medium' }]);
    expect(rating('MAL-1')).toEqual([{ severity: 'critical', method: 'other', justification: 'MAL-1 reports the package as malicious' }]);
    for (const v of bom.vulnerabilities!) expect(v.affects[0]!.ref).toBe('pkg:pypi/evil-pkg@1.0');
  });

  it('has no vulnerabilities at all when the advisories were not reached, and says why', () => {
    const reason: PartialReason = { kind: 'data-source', message: 'advisories unavailable (timeout): vulnerabilities were NOT checked', transient: true, unreached: 'advisories' };
    const bom = render([], [reason]) as Bom & { metadata: { properties: { name: string; value: string }[] } };
    expect(bom.vulnerabilities).toBeUndefined();
    expect(bom.metadata.properties.slice(0, 2)).toEqual([
      { name: 'depwatch:partial', value: 'true' },
      { name: 'depwatch:partial_reason', value: reason.message },
    ]);
    // Reached: an empty list says "none found".
    expect(render([]).vulnerabilities).toEqual([]);
  });

  it('writes a purl with the PEP 503 name and the version percent-encoded', () => {
    expect(pypiPurl('Zope.Interface', '5.0')).toBe('pkg:pypi/zope-interface@5.0');
    expect(pypiPurl('ruamel.yaml', null)).toBe('pkg:pypi/ruamel-yaml');
    expect(pypiPurl('Foo__Bar', '1!2.0+local.1')).toBe('pkg:pypi/foo-bar@1%212.0%2Blocal.1');
  });

  describe('names and the dependency graph', () => {
    interface GraphBom {
      components: { 'bom-ref': string; name: string; purl?: string; evidence?: { occurrences: { location: string; additionalContext?: string }[] } }[];
      dependencies?: { ref: string; dependsOn?: string[] }[];
      compositions?: { aggregate: string; assemblies?: string[]; dependencies?: string[] }[];
    }
    const bomOf = (dependencies: Dependency[], manifests?: Parameters<typeof cyclonedxChunks>[0]['manifests'], reasons: PartialReason[] = []): GraphBom => {
      const text = [...cyclonedxChunks({ project: { name: 'app' }, dependencies, ...(manifests ? { manifests } : {}), reasons, toolVersion: '1.0.0', now: new Date('2024-01-02T03:04:05Z') })].join('');
      expect(cyclonedxSchemaErrors(text)).toEqual([]);
      return JSON.parse(text) as GraphBom;
    };
    const UV_LOCK = [
      'version = 1',
      '[[package]]\nname = "app"\nversion = "0.1.0"\nsource = { virtual = "." }\ndependencies = [{ name = "requests" }]',
      '[[package]]\nname = "requests"\nversion = "2.31.0"\nsource = { registry = "https://pypi.org/simple" }\ndependencies = [{ name = "idna" }, { name = "PySocks", marker = "sys_platform == \'win32\'" }, { name = "app" }]',
      '[[package]]\nname = "idna"\nversion = "3.6"\nsource = { registry = "https://pypi.org/simple" }',
      '[[package]]\nname = "PySocks"\nversion = "1.7.1"\nsource = { registry = "https://pypi.org/simple" }',
    ].join('\n\n');
    const uvLock = () => {
      const result = uvLockFormat.extract(UV_LOCK, { file: 'uv.lock' });
      return { format: uvLockFormat.format, dependencies: result.dependencies, requirementLists: result.requirementLists, lockedProject: result.lockedProject };
    };

    it('names a component as written at its first place, in any order the files were read, each occurrence with its own spelling; the purl stays PEP 503', () => {
      const spellings = [
        dependency({ name: 'zope-interface', writtenName: 'Zope.Interface', line: 4, file: 'services/requirements.txt', version: '5.0', specifier: '==5.0' }),
        dependency({ name: 'zope-interface', writtenName: 'zope_interface', line: 2, file: 'requirements.txt', version: '5.0', specifier: '==5.0' }),
        dependency({ name: 'zope-interface', line: 9, file: 'requirements.txt', version: '5.0', specifier: '==5.0' }),
      ];
      for (const order of [spellings, [...spellings].reverse()]) {
        const [zope] = bomOf(order).components;
        expect(zope).toMatchObject({ 'bom-ref': 'pkg:pypi/zope-interface@5.0', name: 'zope_interface', purl: 'pkg:pypi/zope-interface@5.0' });
        expect(zope!.evidence!.occurrences.map((o) => [o.location, o.additionalContext])).toEqual([
          ['requirements.txt', 'zope_interface==5.0 (requirement)'],
          ['requirements.txt', 'zope-interface==5.0 (requirement)'],
          ['services/requirements.txt', 'Zope.Interface==5.0 (requirement)'],
        ]);
      }
    });

    it('has each locked component depend on the components its lock says it requires, a marker no obstacle; the project and what is not locked are no edge; the project what its lock says it requires', () => {
      const lock = uvLock();
      const bom = bomOf(lock.dependencies, [lock]);
      expect(bom.components.map((c) => [c['bom-ref'], c.name])).toEqual([
        ['pkg:pypi/idna@3.6', 'idna'],
        ['pkg:pypi/pysocks@1.7.1', 'PySocks'],
        ['pkg:pypi/requests@2.31.0', 'requests'],
      ]);
      expect(bom.dependencies).toEqual([
        { ref: 'depwatch:project', dependsOn: ['pkg:pypi/requests@2.31.0'] },
        { ref: 'pkg:pypi/idna@3.6', dependsOn: [] },
        { ref: 'pkg:pypi/pysocks@1.7.1', dependsOn: [] },
        { ref: 'pkg:pypi/requests@2.31.0', dependsOn: ['pkg:pypi/idna@3.6', 'pkg:pypi/pysocks@1.7.1'] },
      ]);
      // requests also requires `app`, which is the project, not a component: its edges are not all of what it requires.
      expect(bom.compositions).toEqual([{ aggregate: 'incomplete', dependencies: ['pkg:pypi/requests@2.31.0'] }]);
    });

    it('has no component in the graph where no lock records one (a requirements file, a pylock.toml without `dependencies`, no manifests given): only the project', () => {
      const lock = uvLock();
      // The lock's entries without the lock: nothing says which the project requires.
      expect(bomOf(lock.dependencies)).toMatchObject({ dependencies: [{ ref: 'depwatch:project', dependsOn: [] }], compositions: [{ aggregate: 'incomplete', dependencies: ['depwatch:project'] }] });
      const pins = [dependency({ name: 'requests', line: 1, version: '2.31.0', specifier: '==2.31.0' })];
      const fromPins = bomOf(pins, [{ format: 'requirements', dependencies: pins }]);
      expect(fromPins.dependencies).toEqual([{ ref: 'depwatch:project', dependsOn: ['pkg:pypi/requests@2.31.0'] }]);
      expect(fromPins).not.toHaveProperty('compositions');
      const pylock = pylockFormat.extract('lock-version = "1.0"\ncreated-by = "pip"\n\n[[packages]]\nname = "idna"\nversion = "3.6"\nsdist = { url = "https://example.org/i.tar.gz", hashes = { sha256 = "00" } }\n', { file: 'pylock.toml' });
      const fromPylock = bomOf(pylock.dependencies, [{ format: 'pylock', dependencies: pylock.dependencies, requirementLists: pylock.requirementLists }]);
      expect(fromPylock.dependencies).toEqual([{ ref: 'depwatch:project', dependsOn: [] }]);
      expect(fromPylock.compositions).toEqual([{ aggregate: 'incomplete', dependencies: ['depwatch:project'] }]);
    });

    describe("the project's own node: what its files declare", () => {
      const locked = (name: string, version: string, file = 'poetry.lock') => dependency({ name, version, line: 1, file, kind: 'locked', direct: true });
      const requirement = (name: string, specifier: string, fields: Partial<Omit<Dependency, 'line'>> = {}) =>
        dependency({ name, specifier, line: 1, version: /^==[^*]+$/.test(specifier) ? specifier.slice(2) : null, ...fields });
      const tree = () => [
        requirement('attrs', '==23.1.0'),
        requirement('requests', '>=2', { file: 'pyproject.toml' }),
        requirement('numpy', '>=1', { file: 'pyproject.toml' }),
        requirement('urllib3', '==1.24.1', { file: 'constraints.txt', kind: 'constraint' }),
        requirement('flask', '==3.0.0', { file: 'services/api/requirements.txt' }),
        locked('requests', '2.31.0'),
        locked('idna', '3.6'),
        locked('numpy', '1.24.4'),
        locked('numpy', '1.26.4', 'services/api/poetry.lock'),
        requirement('numpy', '', { file: 'services/api/pyproject.toml' }),
      ];

      it('is an edge to the release an exact pin names, to the one release the tree locks of a range, else to the requirement without version; a constraint and a lock entry are none', () => {
        const bom = bomOf(tree());
        expect(bom.dependencies![0]).toEqual({
          ref: 'depwatch:project',
          // flask from the second project of the tree (services/api): one root, what any of them declares.
          dependsOn: ['pkg:pypi/attrs@23.1.0', 'pkg:pypi/flask@3.0.0', 'pkg:pypi/numpy', 'pkg:pypi/requests@2.31.0'],
        });
        // Each lock has files declaring requirements beside it, and everything was read: the project's edges are all of them.
        expect(bom).not.toHaveProperty('compositions');
      });

      it('is not claimed whole (fail closed) when the read was partial, or a lock has no file declaring what its project requires beside it', () => {
        const reason: PartialReason = { kind: 'unread', file: 'pyproject.toml', line: 3, message: 'a line that does not parse' };
        expect(bomOf(tree(), undefined, [reason]).compositions).toEqual([
          { aggregate: 'incomplete', assemblies: ['depwatch:project'] },
          { aggregate: 'incomplete', dependencies: ['depwatch:project'] },
        ]);
        const loneLock = [...tree(), locked('six', '1.16.0', 'tools/Pipfile.lock')];
        const bom = bomOf(loneLock);
        expect(bom.compositions).toEqual([{ aggregate: 'incomplete', dependencies: ['depwatch:project'] }]);
        expect(bom.dependencies![0]!.dependsOn).not.toContain('pkg:pypi/six@1.16.0');
      });

      it("reads a uv.lock's project beside what the files declare, the union of both; a requirements `.lock` (rye's) pins, it does not declare", () => {
        const lock = uvLock();
        const rye = requirement('pysocks', '==1.7.1', { file: 'requirements.lock' });
        const bom = bomOf([...lock.dependencies, rye, requirement('idna', '>=3', { file: 'pyproject.toml' })], [lock, { format: 'requirements', dependencies: [rye] }]);
        expect(bom.dependencies![0]).toEqual({ ref: 'depwatch:project', dependsOn: ['pkg:pypi/idna@3.6', 'pkg:pypi/requests@2.31.0'] });
        expect(bom.compositions).toEqual([{ aggregate: 'incomplete', dependencies: ['pkg:pypi/requests@2.31.0'] }]);
      });
    });
  });
});
