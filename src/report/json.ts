/** The contract's JSON (see README, "CLI JSON"): add fields freely, never rename or drop one. */
import { findingJson } from '../audit/findings.js';
import type { Renderer } from './interface.js';
import { packageHeadline, vulnerablePackages, type PackageGroup } from './packages.js';

/** One entry per vulnerable release: the upgrade that clears its advisories, and where it is. */
function packageJson(g: PackageGroup) {
  return {
    package: g.package,
    version: g.version,
    severity: g.severity,
    malicious: g.malicious,
    headline: packageHeadline(g),
    advisories: g.findings.map((f) => f.id ?? null),
    fix: findingJson({ ...g.findings[0]!, fix: g.fix }).fix,
    locations: g.locations.map((l) => ({ file: l.file, line: l.line, role: l.role, ...(l.specifier !== undefined ? { specifier: l.specifier } : {}) })),
    ...(g.locationsOmitted ? { locations_omitted: g.locationsOmitted } : {}),
  };
}

export const renderJson: Renderer = (result) =>
  JSON.stringify(
    {
      target: result.target,
      dependencies: result.dependencies,
      findings: result.findings.map(findingJson),
      ignored: result.ignored.map(findingJson),
      notes: result.notes.map((n) => ({ kind: n.kind, message: n.message })),
      errors: result.errors,
      warnings: result.warnings,
      notices: result.notices,
      partial: result.partial,
      advisory_source: result.advisorySource,
      vulnerable_packages: vulnerablePackages(result.findings).map(packageJson),
    },
    null,
    2,
  ) + '\n';
