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

/** `registry`, remembering every project it answered for with releases; a failed call remembers none. */
export function checkingRegistry(registry: PackageRegistry): CheckedRegistry {
  const read = new Set<string>();
  return {
    registry: {
      async projects(names) {
        const answers = await registry.projects(names);
        for (const [name, info] of answers) if (info !== null) read.add(normalizeName(name));
        return answers;
      },
    },
    checked: (name) => read.has(normalizeName(name)),
  };
}
