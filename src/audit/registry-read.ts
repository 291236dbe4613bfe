/**
 * Reading the package registry (PyPI or the mirror PYPI_URL names) for the audit's outdated, yanked
 * and not-on-index findings, apart from the audit so its words are one place.
 */
import { errorLine } from '../error-line.js';
import { failureList, type NamedFailure } from '../failure-list.js';
import type { ProjectInfo } from '../python/releases.js';

/** What a registry answered: each project read (null: not on the index), and each it did not answer for. */
export interface RegistryAnswer {
  found: Map<string, ProjectInfo | null>;
  failed: NamedFailure[];
}

/**
 * What the audit needs from a package registry (PyPI or a mirror; PyPIClient fits): one project it
 * could not answer for hides none of the others (their outdated and yanked releases are still said).
 */
export interface PackageRegistry {
  projectsSettled(names: string[]): Promise<RegistryAnswer>;
}

/** What an audit without a registry (offline) did not check. */
export const OFFLINE_REGISTRY_NOTICE = 'outdated and yanked releases and packages not on the index were not checked (offline: PyPI was not asked)';

/** The partial reason when the registry failed as a whole: the checks it feeds were not made, which a pass must not hide. */
function registryUnavailable(err: unknown): string {
  return `package registry unavailable (${errorLine(err)}): outdated and yanked releases and packages not on the index were not checked`;
}

/**
 * The partial reason when projects were not read: they are named (sorted, in the same words whichever
 * failed first); when others were, only the checks of those not read are said to be missing.
 */
function projectsUnread(failed: NamedFailure[], noneRead: boolean): string | null {
  const list = failureList(failed);
  if (list === null) return null;
  const one = list.count === 1;
  const which = one ? `${list.names} (${list.firstLine})` : `${list.count} packages (${list.names}: ${list.firstLine})`;
  const unchecked = noneRead ? 'outdated and yanked releases and packages not on the index were not checked' : `whether ${one ? 'it is' : 'they are'} outdated, yanked or not on the index was not checked`;
  return `package registry unavailable for ${which}: ${unchecked}`;
}

/**
 * Every project the registry answered for (null: not on the index), or null when there is no
 * registry or it failed as a whole. What was not read is said through `notReached`; a project not
 * read is absent from the map, which the rules take as unknown (never as "not on the index").
 */
export async function readRegistry(
  registry: PackageRegistry | null,
  names: string[],
  notReached: (warning: string) => void,
): Promise<Map<string, ProjectInfo | null> | null> {
  if (!registry) return null;
  let answer: RegistryAnswer;
  try {
    answer = await registry.projectsSettled(names);
  } catch (err) {
    notReached(registryUnavailable(err));
    return null;
  }
  const unread = projectsUnread(answer.failed, answer.found.size === 0);
  if (unread !== null) notReached(unread);
  return answer.found;
}
