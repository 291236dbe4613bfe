/**
 * An import or sync of the mirror that stopped before the end of its source (a cut file, a broken
 * download). What it read before the damage is kept, but what came after was never read, so the
 * mirror cannot vouch for it: until a later import or sync runs to its end, an offline answer from
 * the mirror is partial and the mirror never answers in OSV's place (fail closed).
 */
import type { MirrorUpdateKind } from './mirror-status.js';
import { plural } from '../plural.js';

/** The meta row that records it, as JSON; removed by the next update that reads its whole source. */
export const INCOMPLETE_UPDATE_KEY = 'advisories.incomplete_update';

export interface IncompleteUpdate {
  /** When it stopped. */
  at: string;
  /** The file imported, or what the sync downloaded. */
  source: string;
  kind: MirrorUpdateKind;
  /** Why it stopped, one line (the source's own error, without the file's name). */
  reason: string;
  /** Records read and stored before it stopped. */
  kept: number;
}

/** The row as stored; one whose details cannot be read still says that an update stopped early. */
export function parseIncompleteUpdate(text: string): IncompleteUpdate {
  try {
    const value = JSON.parse(text) as Partial<Record<keyof IncompleteUpdate, unknown>>;
    return {
      at: typeof value.at === 'string' ? value.at : '?',
      source: typeof value.source === 'string' ? value.source : '?',
      kind: value.kind === 'sync' ? 'sync' : 'import',
      reason: typeof value.reason === 'string' ? value.reason : 'reason not recorded',
      kept: typeof value.kept === 'number' ? value.kept : 0,
    };
  } catch {
    // Fail closed: a row that exists says an update stopped early, even when its details are lost.
    return { at: '?', source: '?', kind: 'import', reason: 'reason not recorded', kept: 0 };
  }
}

/** "the last import of FILE (at …) stopped early …: advisories after that point were not read": the start or end of a sentence. */
export function describeIncompleteUpdate(u: IncompleteUpdate): string {
  const what = u.kind === 'import' ? `import of ${u.source}` : `sync from ${u.source}`;
  return `the last ${what} (${u.at}) stopped early, with ${plural(u.kept, 'record')} kept (${u.reason}): advisories after that point were not read`;
}

/** What to do about it, as the end of a partial reason. */
export function incompleteUpdateFix(u: IncompleteUpdate): string {
  return u.kind === 'import' ? 'import the whole file again or run `depwatch db sync`' : 'run `depwatch db sync` again';
}
