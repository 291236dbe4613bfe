/**
 * Which packages' release lists the audit behind a fix really read from the registry. The fix
 * search rounds each fix up to a published, non-yanked release only when it has that list; without
 * it the advisory's fixed version is taken as written, which may be yanked (PyYAML 5.4) or never
 * published at all (urllib3 1.26.18). `depwatch fix` online does not write such a version: see plan.ts.
 */
import type { PackageRegistry } from '../audit/registry-read.js';
import { normalizeName } from '../python/names.js';

export interface CheckedRegistry {
  registry: PackageRegistry;
  /** Whether the registry answered with `name`'s release list (PEP 503 names compared). */
  checked(name: string): boolean;
}

/** `registry`, remembering every project it answered for with releases; one it failed for is not remembered. */
export function checkingRegistry(registry: PackageRegistry): CheckedRegistry {
  const read = new Set<string>();
  return {
    registry: {
      async projectsSettled(names) {
        const answer = await registry.projectsSettled(names);
        for (const [name, info] of answer.found) if (info !== null) read.add(normalizeName(name));
        return answer;
      },
    },
    checked: (name) => read.has(normalizeName(name)),
  };
}
