/**
 * Reading the package registry (PyPI or the mirror PYPI_URL names) for the audit's outdated, yanked
 * and not-on-index findings, apart from the audit so its words are one place.
 */
import { errorLine } from '../error-line.js';
import type { ProjectInfo } from '../python/releases.js';

/** What the audit needs from a package registry (PyPI or a mirror). */
export interface PackageRegistry {
  projects(names: string[]): Promise<Map<string, ProjectInfo | null>>;
}

/** What an audit without a registry (offline) did not check. */
export const OFFLINE_REGISTRY_NOTICE = 'outdated and yanked releases and packages not on the index were not checked (offline: PyPI was not asked)';

/** The partial reason when the registry failed: the checks it feeds were not made, which a pass must not hide. */
function registryUnavailable(err: unknown): string {
  return `package registry unavailable (${errorLine(err)}): outdated and yanked releases and packages not on the index were not checked`;
}

/** Every named project (null: not on the index), or null when there is no registry or it failed (then said through `notReached`). */
export async function readRegistry(
  registry: PackageRegistry | null,
  names: string[],
  notReached: (warning: string) => void,
): Promise<Map<string, ProjectInfo | null> | null> {
  if (!registry) return null;
  try {
    return await registry.projects(names);
  } catch (err) {
    notReached(registryUnavailable(err));
    return null;
  }
}
