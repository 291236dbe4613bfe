/** Shared test data for audit tests: a mirror loaded with the real PyPA advisories, and a registry double. */
import { AdvisoryMirror } from '../../src/advisories/mirror.js';
import type { PackageRegistry } from '../../src/audit/audit.js';
import type { ProjectInfo, ReleaseInfo } from '../../src/python/pypi.js';
import { openDb } from '../../src/store/db.js';
import { fixtureRecords } from '../fixtures/osv/load.js';

/**
 * A real-shaped tree: vulnerable pins (one covered by the ignore file, whose other entry matches
 * nothing), an unpinned requirement, a yanked release, an extra index with credentials, a VCS
 * source, a pyproject.toml, and a Dockerfile on an old Python.
 */
export const REAL_SHAPED_FILES: Readonly<Record<string, string>> = {
  'requirements.txt': [
    '--extra-index-url https://deploy:s3cret@pypi.internal.example/simple',
    'Django==2.1.5',
    'requests>=2.0',
    'jinja2==2.10  # templates',
    '-e git+https://github.com/example/tool.git@main#egg=tool',
    'pyyaml==5.3.1',
  ].join('\n'),
  'pyproject.toml': '[project]\nname = "app"\nrequires-python = ">=3.8"\ndependencies = ["django>=2"]\n',
  '.depwatch.yml': 'ignore:\n  - id: CVE-2020-14343\n    reason: we only load trusted YAML\n    until: 2027-06-30\n  - id: GHSA-0000-0000-0000\n    reason: left over\n',
  Dockerfile: 'FROM python:3.7-slim\n',
};

let mirror: AdvisoryMirror | undefined;

/** One in-memory mirror per test file, holding all 2,661 PyPA advisories. */
export async function realMirror(): Promise<AdvisoryMirror> {
  if (!mirror) {
    mirror = new AdvisoryMirror(openDb(':memory:'));
    await mirror.importRecords(fixtureRecords().values());
  }
  return mirror;
}

export function release(version: string, uploadTime: string, extra: Partial<ReleaseInfo> = {}): ReleaseInfo {
  return { version, uploadTime, yanked: false, yankedReason: null, requiresPython: null, ...extra };
}

export function project(name: string, releases: ReleaseInfo[]): ProjectInfo {
  return {
    name,
    latestVersion: releases.at(-1)!.version,
    releases,
    requiresPython: null,
    projectUrls: {},
    summary: null,
    status: null,
    statusReason: null,
  };
}

/** A registry that knows the given projects and counts how it was asked. */
export function registryOf(projects: ProjectInfo[]): PackageRegistry & { asked: string[][] } {
  const byName = new Map(projects.map((p) => [p.name, p]));
  const asked: string[][] = [];
  return {
    asked,
    async projectsSettled(names) {
      asked.push([...names]);
      return { found: new Map(names.map((n) => [n, byName.get(n) ?? null])), failed: [] };
    },
  };
}

export const failingRegistry: PackageRegistry = {
  async projectsSettled() {
    throw new Error('PyPI did not answer: connect ECONNREFUSED');
  },
};
