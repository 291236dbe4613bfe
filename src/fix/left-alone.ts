/**
 * How a fix says it left a pin where it was, shared by the planner (plan.ts) and the rewriters of
 * each format (formats/): one wording for each reason, whichever of them finds it.
 */
import type { Dependency } from '../python/types.js';
import type { FixTarget, LeftAlone } from './types.js';

export function leftAlone(kind: LeftAlone['kind'], t: FixTarget, file: string, line: number | null, reason: string): LeftAlone {
  return { kind, package: t.name, version: t.from, file, line, advisories: t.advisories, reason };
}

export const sourceInWords = (source: Dependency['source']): string => (source === 'path' ? 'a local path' : source === 'vcs' ? 'a VCS' : 'a URL');

/** Why a pin from a URL, a VCS or a path is not moved: there is no version to move. */
export const installedFrom = (source: Dependency['source']): string => `installed from ${sourceInWords(source)}, not from the index: change the URL by hand`;
