/**
 * `incomplete-hashes`: a requirements file where some requirements have `--hash` and others do not.
 * pip enters hash-checking mode as soon as one requirement has a hash, and then refuses every one
 * without (and every one not pinned with `==`): `pip install -r` fails. Not the advice `no-hashes`
 * gives (info: add hashes to harden), but a broken install, so medium. `no-hashes` leaves such a
 * file to this rule.
 */
import type { AuditContext } from '../context.js';
import { plural, someNames } from '../../plural.js';
import { placeOf } from '../../place.js';
import { fileFinding, type Finding } from '../findings.js';
import type { Dependency } from '../../python/types.js';
import type { LoadedManifest } from '../../python/load.js';

/** Lines named in the message; the rest are counted. */
const NAMED_LINES = 3;
/** Lines listed in `details.lines`. */
const LISTED_LINES = 20;

/** A URL requirement whose fragment carries its hash (`…#sha256=…`) is checked by pip without `--hash`. */
const URL_HASH = /[#&](?:sha1|sha224|sha256|sha384|sha512|md5)=/i;

const hashed = (d: Dependency) => (d.hashes?.length ?? 0) > 0 || (d.url !== undefined && URL_HASH.test(d.url));

/**
 * The requirements one `pip install -r FILE` hash-checks: the file's own and those of every file it
 * includes (`-r`, at any depth; hash-checking mode is one for the whole install), not constraints.
 */
function requirementsOf(m: LoadedManifest, byPath: ReadonlyMap<string, LoadedManifest>): Dependency[] {
  const seen = new Set<string>([m.path]);
  const queue = [m];
  const requirements: Dependency[] = [];
  for (let i = 0; i < queue.length; i++) {
    const file = queue[i]!;
    for (const d of file.dependencies) if (d.kind === 'requirement' && d.file === file.path) requirements.push(d);
    for (const included of file.includes) {
      const next = byPath.get(included);
      if (next === undefined || seen.has(included) || next.format !== 'requirements') continue;
      seen.add(included);
      queue.push(next);
    }
  }
  return requirements;
}

/** Whether some, but not all, of the requirements an install of this requirements file checks have hashes. */
export function hasIncompleteHashes(m: LoadedManifest, byPath: ReadonlyMap<string, LoadedManifest>): boolean {
  if (m.format !== 'requirements') return false;
  const requirements = requirementsOf(m, byPath);
  return requirements.some(hashed) && !requirements.every(hashed);
}

export const manifestsByPath = (manifests: readonly LoadedManifest[]): Map<string, LoadedManifest> => new Map(manifests.map((m) => [m.path, m]));

const place = (d: Dependency) => placeOf(d.file, d.line);

export function incompleteHashesFindings(ctx: AuditContext): Finding[] {
  const findings: Finding[] = [];
  const byPath = manifestsByPath(ctx.manifests);
  for (const m of ctx.manifests) {
    if (!hasIncompleteHashes(m, byPath)) continue;
    const requirements = requirementsOf(m, byPath);
    const missing = requirements.filter((d) => !hashed(d));
    const list = someNames(missing.map((d) => `${d.name || d.specifier} (${place(d)})`), NAMED_LINES);
    const withHashes = requirements.length - missing.length;
    findings.push(
      fileFinding({
        kind: 'incomplete-hashes',
        severity: 'medium',
        file: m.path,
        // The first line without a hash in this file; none when they are all in files it includes.
        line: missing.find((d) => d.file === m.path)?.line ?? null,
        text:
          `\`pip install -r ${m.path}\` fails: ${withHashes} of ${plural(requirements.length, 'requirement')} in ${m.path} ${withHashes === 1 ? 'has' : 'have'} --hash, ` +
          `so pip checks hashes and refuses the ${missing.length} without one: ${list}. ` +
          'Add their --hash options, or generate the file with hashes for every line (`pip-compile --generate-hashes` or `uv pip compile --generate-hashes`).',
        details: { without_hashes: missing.length, requirements: requirements.length, lines: missing.slice(0, LISTED_LINES).map(place) },
      }),
    );
  }
  return findings;
}
