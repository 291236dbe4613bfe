/**
 * Release signals, from the Simple API (every file with its upload time and yanked state, the PEP
 * 792 project status) and the release's JSON API document (requires_python, yanked).
 */
import type { PypiRelease, SimpleProject } from '../sources/pypi.js';
import { ageInDays, known, plural, SOURCES, unknownSignal, type Signals } from './signal.js';

export interface ReleaseHistoryEntry {
  version: string;
  /** Earliest upload of its files. */
  uploadTime: string | null;
  /** Every file of it yanked. */
  yanked: boolean;
}

/** One entry per version that has files, in the index's order. Pure. */
export function releaseHistory(simple: SimpleProject): ReleaseHistoryEntry[] {
  const byVersion = new Map<string, { earliest: number; upload: string | null; files: number; yanked: number }>();
  for (const file of simple.files) {
    if (file.version === null) continue;
    const entry = byVersion.get(file.version) ?? { earliest: Infinity, upload: null, files: 0, yanked: 0 };
    entry.files++;
    if (file.yanked) entry.yanked++;
    const at = file.uploadTime === null ? NaN : Date.parse(file.uploadTime);
    if (!Number.isNaN(at) && at < entry.earliest) {
      entry.earliest = at;
      entry.upload = new Date(at).toISOString();
    }
    byVersion.set(file.version, entry);
  }
  const order = [...new Set([...simple.versions, ...byVersion.keys()])];
  return order.flatMap((version) => {
    const e = byVersion.get(version);
    return e ? [{ version, uploadTime: e.upload, yanked: e.files > 0 && e.yanked === e.files }] : [];
  });
}

type Read<T> = { ok: true; value: T } | { ok: false; why: string; failed: boolean };

export function releaseSignals(simple: Read<SimpleProject>, release: Read<PypiRelease>, now: Date): Signals {
  const signals: Signals = {};
  const f = 'releases' as const;

  if (!simple.ok) {
    for (const [id, label] of [
      ['last_release', 'Last release'],
      ['releases_last_year', 'Releases in the last year'],
      ['yanked_releases', 'Yanked releases'],
      ['project_status', 'Project status (PEP 792)'],
    ] as const) {
      signals[id] = unknownSignal(f, label, SOURCES.simple, simple.why, simple.failed);
    }
  } else {
    const history = releaseHistory(simple.value);
    const live = history.filter((r) => !r.yanked && r.uploadTime !== null);
    const newest = live.reduce<ReleaseHistoryEntry | null>((best, r) => (best === null || r.uploadTime! > best.uploadTime! ? r : best), null);
    signals.last_release =
      newest === null
        ? known(f, 'Last release', null, 'no release with files that is not yanked', SOURCES.simple)
        : known(
            f,
            'Last release',
            { days: ageInDays(newest.uploadTime!, now), version: newest.version, date: newest.uploadTime!.slice(0, 10) },
            `${plural(ageInDays(newest.uploadTime!, now), 'day')} ago (${newest.version}, ${newest.uploadTime!.slice(0, 10)})`,
            SOURCES.simple,
          );
    const yearAgo = now.getTime() - 365 * 86_400_000;
    const lastYear = live.filter((r) => Date.parse(r.uploadTime!) >= yearAgo).length;
    signals.releases_last_year = known(f, 'Releases in the last year', lastYear, String(lastYear), SOURCES.simple);
    const yanked = history.filter((r) => r.yanked).map((r) => r.version);
    signals.yanked_releases = known(
      f,
      'Yanked releases',
      yanked,
      yanked.length === 0 ? 'none' : `${yanked.length} (${yanked.slice(-5).join(', ')}${yanked.length > 5 ? ', …' : ''})`,
      SOURCES.simple,
    );
    const { status, statusReason, statusPublished } = simple.value;
    signals.project_status =
      status === null
        ? unknownSignal(f, 'Project status (PEP 792)', SOURCES.simple, statusPublished ? 'the index sent a status Depwatch does not know' : 'the index does not publish PEP 792 status', false)
        : known(f, 'Project status (PEP 792)', status, statusReason ? `${status}: ${statusReason}` : status, SOURCES.simple);
  }

  if (!release.ok) {
    signals.release_yanked = unknownSignal(f, 'This release yanked', SOURCES.json, release.why, release.failed);
    signals.requires_python = unknownSignal(f, 'Requires Python', SOURCES.json, release.why, release.failed);
  } else {
    const r = release.value;
    signals.release_yanked = known(f, 'This release yanked', r.yanked, r.yanked ? `yes${r.yankedReason ? `: ${r.yankedReason}` : ''}` : 'no', SOURCES.json);
    signals.requires_python = known(f, 'Requires Python', r.requiresPython ?? '', r.requiresPython ?? 'not declared (any Python)', SOURCES.json);
  }
  return signals;
}
