/**
 * `incomplete-hashes`: a requirements file pip installs in hash-checking mode, some of whose
 * requirements pip then refuses, so `pip install -r` fails. pip checks hashes for the whole install
 * as soon as one requirement has `--hash`, or a file of it sets `--require-hashes`; it then refuses
 * every requirement without a hash and every one not pinned with `==` (pip's "hash-checking mode":
 * dependencies included, which no file lists, so the advice says to pin and hash those too). Not the
 * advice `no-hashes` gives (info: add hashes to harden), but a broken install, so medium, whichever
 * turned the mode on. `no-hashes` leaves such a file to this rule.
 */
import type { AuditContext } from '../context.js';
import { plural, someNames } from '../../plural.js';
import { placeOf } from '../../place.js';
import { fileFinding, type Finding } from '../findings.js';
import type { Dependency, ManifestOption } from '../../python/types.js';
import type { LoadedManifest } from '../../python/load.js';

/** Lines named in the message; the rest are counted. */
const NAMED_LINES = 3;
/** Lines listed in `details.lines`. */
const LISTED_LINES = 20;

/** A URL requirement whose fragment carries its hash (`…#sha256=…`) is checked by pip without `--hash`. */
const URL_HASH = /[#&](?:sha1|sha224|sha256|sha384|sha512|md5)=/i;

const hashed = (d: Dependency) => (d.hashes?.length ?? 0) > 0 || (d.url !== undefined && URL_HASH.test(d.url));

/**
 * pip's "pinned" in hash-checking mode: one `==` (no `*`) or `===` clause. A URL names one file
 * (its hash is what is checked); a range or a bare name is refused even with a hash.
 */
const pinned = (d: Dependency) => d.source !== 'registry' || (d.version !== null && !d.specifier.includes(','));

/** What one `pip install -r FILE` installs, as hash-checking mode sees it. */
interface Install {
  /** The file's own requirements and those of every file it includes (`-r`, at any depth), not constraints. */
  requirements: Dependency[];
  /** Where `--require-hashes` is set in those files (`base.txt:1`), the first one read; null when nowhere. */
  requireHashes: string | null;
}

/** Hash-checking mode is one for the whole install: what every file it reads asks for counts. */
function installOf(m: LoadedManifest, byPath: ReadonlyMap<string, LoadedManifest>): Install {
  const seen = new Set<string>([m.path]);
  const queue = [m];
  const requirements: Dependency[] = [];
  let requireHashes: string | null = null;
  for (let i = 0; i < queue.length; i++) {
    const file = queue[i]!;
    for (const d of file.dependencies) if (d.kind === 'requirement' && d.file === file.path) requirements.push(d);
    const option: ManifestOption | undefined = requireHashes === null ? file.options.find((o) => o.name === 'require-hashes') : undefined;
    if (option) requireHashes = placeOf(file.path, option.line ?? null);
    for (const included of file.includes) {
      const next = byPath.get(included);
      if (next === undefined || seen.has(included) || next.format !== 'requirements') continue;
      seen.add(included);
      queue.push(next);
    }
  }
  return { requirements, requireHashes };
}

/** pip checks hashes for the install: `--require-hashes`, or a requirement with a hash. */
const hashChecking = (install: Install) => install.requireHashes !== null || install.requirements.some(hashed);
/** What pip refuses in hash-checking mode. */
const refused = (d: Dependency) => !hashed(d) || !pinned(d);

/** Whether pip installing this install (installOf) fails in hash-checking mode: some requirement refused. */
const failsHashChecking = (install: Install) => hashChecking(install) && install.requirements.some(refused);

/** Whether `pip install -r` of this requirements file fails in hash-checking mode (some requirement refused). */
export function hasIncompleteHashes(m: LoadedManifest, byPath: ReadonlyMap<string, LoadedManifest>): boolean {
  return m.format === 'requirements' && failsHashChecking(installOf(m, byPath));
}

export const manifestsByPath = (manifests: readonly LoadedManifest[]): Map<string, LoadedManifest> => new Map(manifests.map((m) => [m.path, m]));

const place = (d: Dependency) => placeOf(d.file, d.line);

export function incompleteHashesFindings(ctx: AuditContext): Finding[] {
  const findings: Finding[] = [];
  const byPath = manifestsByPath(ctx.manifests);
  for (const m of ctx.manifests) {
    if (m.format !== 'requirements') continue;
    const install = installOf(m, byPath); // one walk of its includes, for the test and the finding
    if (!failsHashChecking(install)) continue;
    const { requirements, requireHashes } = install;
    const refusedOnes = requirements.filter(refused);
    const withoutHashes = refusedOnes.filter((d) => !hashed(d)).length;
    // Hashed but a range: refused for its pin alone (one without a hash is counted as that).
    const notPinned = refusedOnes.length - withoutHashes;
    const list = someNames(refusedOnes.map((d) => `${d.name || d.specifier} (${place(d)})`), NAMED_LINES);
    const withHashes = requirements.filter(hashed).length;
    const why =
      requireHashes !== null
        ? `--require-hashes is set (${requireHashes})`
        : `${withHashes} of ${plural(requirements.length, 'requirement')} in ${m.path} ${withHashes === 1 ? 'has' : 'have'} --hash`;
    // "the 2 without one", "the 1 requirement not pinned with ==", or both: "the 2 without one and the 1 not pinned with ==".
    const unpinnedPart = withoutHashes > 0 ? `the ${notPinned} not pinned with ==` : `the ${plural(notPinned, 'requirement')} not pinned with ==`;
    const what = [...(withoutHashes > 0 ? [`the ${withoutHashes} without one`] : []), ...(notPinned > 0 ? [unpinnedPart] : [])].join(' and ');
    findings.push(
      fileFinding({
        kind: 'incomplete-hashes',
        severity: 'medium',
        file: m.path,
        // The first refused line in this file; none when they are all in files it includes.
        line: refusedOnes.find((d) => d.file === m.path)?.line ?? null,
        text:
          `\`pip install -r ${m.path}\` fails: ${why}, so pip checks hashes and refuses ${what}: ${list}. ` +
          'Pin every requirement with == and add its --hash, dependencies included (pip checks those too): generate the file with hashes for every line (`pip-compile --generate-hashes` or `uv pip compile --generate-hashes`).',
        details: { without_hashes: withoutHashes, not_pinned: notPinned, requirements: requirements.length, lines: refusedOnes.slice(0, LISTED_LINES).map(place), require_hashes: requireHashes },
      }),
    );
  }
  return findings;
}
