/** Shared test data for audit tests: a mirror loaded with the real PyPA advisories, and a registry double. */
import { AdvisoryMirror } from '../../src/advisories/mirror.js';
import type { PackageRegistry } from '../../src/audit/audit.js';
import type { ProjectInfo, ReleaseInfo } from '../../src/python/pypi.js';
import { openDb } from '../../src/store/db.js';
import { fixtureRecords } from '../fixtures/osv/load.js';

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
    async projects(names) {
      asked.push([...names]);
      return new Map(names.map((n) => [n, byName.get(n) ?? null]));
    },
  };
}

export const failingRegistry: PackageRegistry = {
  async projects() {
    throw new Error('PyPI did not answer: connect ECONNREFUSED');
  },
};
