/**
 * The health card of one package: every signal with its value and source, the typosquat check and
 * the verdict. This file only orchestrates (which source to ask, in which order, within the request
 * budget); reading is in sources/, judging in health/ and verdict.ts.
 *
 * Requests for one card, at most 8, 9 for a respelled release (none when everything is cached from the last hour):
 *   1. PyPI JSON API for the release (or the latest)   ┐ at once
 *   2. PyPI Simple API (files, provenance, status)     ┘
 *      (1 again, once, when the index lists the release under another spelling and the JSON API
 *      answered only the exact one: `2.31` for 2.31.0)
 *   3. the Integrity API for one attested file of the release
 *   4. advisories (OSV `/v1/query`; none when the local mirror answers)
 *   5. GitHub: one GraphQL query (or one REST call without a token) for the linked repository
 *   6-8. the first WEIGHT_LOOKUPS requirements' own metadata, for "heaviest"
 * One source failing never stops the others: its signals are unknown, saying why, and the card
 * is partial.
 */
import { errorLine } from '../error-line.js';
import { ServiceError } from '../http.js';
import { redactSecrets } from '../log.js';
import { isValidName, normalizeName } from '../python/names.js';
import { isExactVersion, reversedMessage, reversedRelease } from '../python/release-argument.js';
import { compareVersions, isPrerelease, isValidVersion } from '../python/pep440.js';
import { ownershipSignals, repositorySignals } from './health/people.js';
import { releaseHistory, releaseSignals } from './health/releases.js';
import { securitySignals } from './health/security.js';
import type { Signals } from './health/signal.js';
import { repositoryLink, supplyChainSignals } from './health/supply-chain.js';
import { unpublishedSignals } from './health/unpublished.js';
import { directRequirements, weightSignals, WEIGHT_LOOKUPS, type DependencyWeight } from './health/weight.js';
import type { AdvisoriesSource, AdvisoryFacts } from './sources/advisories.js';
import { OfflineMissError } from './sources/cache.js';
import type { GitHubSource, RepoFacts } from './sources/github.js';
import type { Provenance, PypiRelease, PypiSource, SimpleProject } from './sources/pypi.js';
import { TyposquatChecker, type TyposquatResult } from './typosquat/check.js';
import { popularityFromHistory } from './typosquat/popularity.js';
import { decideVerdict, type Reason, type Verdict } from './verdict.js';

export interface PackageRequest {
  /** As typed. */
  given: string;
  /** PEP 503. */
  name: string;
  version: string | null;
}

/** A command-line or Slack argument that is not `name` or `name==version`. */
export class PackageArgumentError extends Error {
  override name = 'PackageArgumentError';
}

/** `requests`, `Django==2.1.5` → a request; anything else → PackageArgumentError with one clear line. */
export function parsePackageArg(arg: string): PackageRequest {
  const text = arg.trim();
  const at = text.indexOf('==');
  const name = (at === -1 ? text : text.slice(0, at)).trim();
  const version = at === -1 ? null : text.slice(at + 2).trim();
  const shown = text.length > 80 ? `${text.slice(0, 80)}…` : text;
  if (!name || !isValidName(name)) throw new PackageArgumentError(`"${shown}" is not a valid project name (letters, digits, and . _ - inside)`);
  // `2.1.5==django` would be a card about a project called 2.1.5: refused, saying what was meant.
  const meant = version === null ? null : reversedRelease(name, version);
  if (meant !== null) throw new PackageArgumentError(reversedMessage(shown, name, version!, meant));
  // One exact release, as `depwatch check` reads it: no wildcard, marker, option or other operator.
  if (version !== null && (!version || version.length > 128 || !isExactVersion(version))) {
    throw new PackageArgumentError(`"${shown}": expected name or name==version with one exact version, for example requests==2.32.3`);
  }
  return { given: name, name: normalizeName(name), version };
}

export interface CardSources {
  pypi: PypiSource;
  advisories: AdvisoriesSource;
  /** Null when GitHub is not to be asked (offline). */
  github: GitHubSource | null;
  checker?: TyposquatChecker;
  now?: () => Date;
  /** Requirements read for "heaviest" beyond those cached (default WEIGHT_LOOKUPS). */
  weightLookups?: number;
}

export interface PackageCard {
  /** As given. */
  name: string;
  normalizedName: string;
  requestedVersion: string | null;
  /** The release the card is about: the one asked for, else the latest. */
  version: string | null;
  latestVersion: string | null;
  exists: boolean | null;
  versionExists: boolean | null;
  verdict: Verdict;
  reasons: Reason[];
  partial: boolean;
  signals: Signals;
  typosquat: TyposquatResult;
  /** Where answers came from when it matters (an OSV fallback to the mirror…). */
  notices: string[];
}

type Read<T> = { ok: true; value: T } | { ok: false; why: string; failed: boolean };

/** A failure as one line (service, what, status), never a stack trace or a token. */
export function whyFailed(err: unknown): string {
  if (err instanceof OfflineMissError || err instanceof ServiceError) return redactSecrets(err.message);
  return redactSecrets(errorLine(err)).slice(0, 300);
}

async function settle<T>(work: Promise<T>): Promise<Read<T>> {
  try {
    return { ok: true, value: await work };
  } catch (err) {
    return { ok: false, why: whyFailed(err), failed: true };
  }
}

const notRead = <T>(why: string): Read<T> => ({ ok: false, why, failed: false });

/** The newest release that is valid PEP 440, not yanked and not a prerelease (else the newest at all). */
function latestOf(simple: SimpleProject): string | null {
  const live = releaseHistory(simple).filter((r) => !r.yanked && isValidVersion(r.version));
  const stable = live.filter((r) => !isPrerelease(r.version));
  const pool = stable.length ? stable : live;
  return pool.reduce<string | null>((best, r) => (best === null || compareVersions(r.version, best) > 0 ? r.version : best), null);
}

/**
 * How the index spells the release `wanted` names: the same text, else (for a PEP 440 version) the
 * listed version equal to it as pip compares them; null when none is. A version outside PEP 440
 * (`0.12-internal`) can only be asked for as it is spelled.
 */
function listedSpelling(versions: readonly string[], wanted: string): string | null {
  if (versions.includes(wanted)) return wanted;
  if (!isValidVersion(wanted)) return null;
  return versions.find((v) => isValidVersion(v) && compareVersions(v, wanted) === 0) ?? null;
}

export async function buildCard(request: PackageRequest, sources: CardSources): Promise<PackageCard> {
  const now = (sources.now ?? (() => new Date()))();
  const checker = sources.checker ?? new TyposquatChecker();
  const { pypi } = sources;

  // 1-2: what the index says about the project and the release.
  const [simpleRead, releaseRead] = await Promise.all([settle(pypi.simple(request.name)), settle(pypi.release(request.name, request.version))]);
  const simple: Read<SimpleProject | null> = simpleRead.ok ? { ok: true, value: simpleRead.value.value } : simpleRead;
  let release: Read<PypiRelease | null> = releaseRead.ok ? { ok: true, value: releaseRead.value.value } : releaseRead;

  // `requests==2.31` is pip's way to ask for 2.31.0 (PEP 440 pads release numbers with zeros, and
  // `V1.0RC1` is 1.0rc1): the card is about the release as the index lists it, whose files carry
  // that spelling. An index that answers only exact spellings (a mirror, the Simple API alone) is
  // asked again under the listed one, rather than the card saying there is no such release.
  const listed = request.version !== null && simple.ok && simple.value !== null ? listedSpelling(simple.value.versions, request.version) : null;
  if (listed !== null && listed !== request.version && release.ok && release.value === null) {
    const again = await settle(pypi.release(request.name, listed));
    release = again.ok ? { ok: true, value: again.value.value } : again;
  }

  let exists: boolean | null;
  let versionExists: boolean | null = null;
  if (simple.ok && simple.value !== null) exists = true;
  else if (release.ok && release.value !== null) exists = true;
  else if (simple.ok || (release.ok && request.version === null)) exists = false;
  else exists = null;
  if (exists && request.version !== null) versionExists = release.ok ? release.value !== null : simple.ok && simple.value ? listed !== null || null : null;

  const latestVersion = simple.ok && simple.value ? latestOf(simple.value) : request.version === null && release.ok && release.value ? release.value.version : null;
  const version = listed ?? request.version ?? (release.ok && release.value ? release.value.version : latestVersion);

  const projectFacts: Read<SimpleProject> =
    !simple.ok ? simple : simple.value === null ? notRead(exists === false ? 'no such project' : 'the index has no file list for it') : { ok: true, value: simple.value };
  const releaseFacts: Read<PypiRelease> = !release.ok
    ? release
    : release.value === null
      ? notRead(exists === false ? 'no such project' : versionExists === false ? `no release ${request.version}` : 'the index has no metadata for it')
      : { ok: true, value: release.value };

  // 3-4, 6-8 at once: provenance, advisories, requirement weights.
  const attestedFile = projectFacts.ok && versionExists !== false ? projectFacts.value.files.find((f) => f.version === version && f.hasProvenance) : undefined;
  const provenanceWork: Promise<Read<Provenance | null> | null> = attestedFile
    ? settle(pypi.provenance(request.name, version!, attestedFile.filename)).then((r) => (r.ok ? { ok: true, value: r.value.value } : r))
    : Promise.resolve(null);
  const advisoriesWork: Promise<Read<AdvisoryFacts>> = settle(sources.advisories.forRelease(request.name, exists === false || versionExists === false ? null : version));
  const weightsWork = releaseFacts.ok ? requirementWeights(directRequirements(releaseFacts.value.requiresDist), sources) : Promise.resolve([]);
  const [provenance, advisories, weights] = await Promise.all([provenanceWork, advisoriesWork, weightsWork]);

  // 5: the repository, once we know which one (and whether the link is verified).
  const link = repositoryLink(provenance?.ok ? provenance.value : null, releaseFacts.ok ? releaseFacts.value : null);
  let repo: Read<RepoFacts | null> | null = null;
  if (link !== null) {
    if (sources.github === null) repo = notRead('--offline: GitHub was not asked');
    else {
      const [owner = '', name = ''] = link.repository.split('/');
      const read = await settle(sources.github.repository(owner, name));
      repo = read.ok ? { ok: true, value: read.value.value } : read;
    }
  }

  const signals: Signals = {
    ...releaseSignals(projectFacts, releaseFacts, now),
    ...ownershipSignals(releaseFacts.ok ? { ok: true, value: releaseFacts.value.ownership } : releaseFacts),
    ...repositorySignals(link, repo, now, releaseFacts.ok ? null : releaseFacts),
    ...supplyChainSignals(projectFacts, version, provenance, releaseFacts),
    ...weightSignals(releaseFacts.ok ? { ok: true, value: releaseFacts.value.requiresDist } : releaseFacts, weights),
    ...securitySignals(advisories, exists === false || versionExists === false ? null : version),
    ...unpublishedSignals(releaseFacts),
  };

  // A project that has released for years is no squat, whatever its name resembles.
  const history = projectFacts.ok ? releaseHistory(projectFacts.value).map((r) => r.uploadTime) : [];
  const typosquat = checker.check(request.given, { popularity: popularityFromHistory(history, { now }) });

  const advisoryWarnings = advisories.ok ? (advisories.value.warnings ?? []) : [];
  const { verdict, reasons, partial } = decideVerdict({ name: request.given, version, exists, versionExists, signals, typosquat, advisoryWarnings });
  return {
    name: request.given,
    normalizedName: request.name,
    requestedVersion: request.version,
    version: exists === false ? null : version,
    latestVersion,
    exists,
    versionExists,
    verdict,
    reasons,
    partial,
    signals,
    typosquat,
    notices: advisories.ok ? advisories.value.notices : [],
  };
}

/**
 * Each requirement's own direct requirement count: the first `weightLookups` declared are read (from
 * the cache when fresh, else from the index), the others only when the cache already knows them.
 */
async function requirementWeights(names: readonly string[], sources: CardSources): Promise<DependencyWeight[]> {
  const budget = sources.weightLookups ?? WEIGHT_LOOKUPS;
  const out = await Promise.all(
    names.map(async (name, i): Promise<DependencyWeight | null> => {
      if (i >= budget) {
        const cached = sources.pypi.peekRelease(name);
        return cached ? { name, requirements: directRequirements(cached.requiresDist).length } : null;
      }
      const read = await settle(sources.pypi.release(name));
      if (!read.ok) return { name, unknown: read.why };
      return read.value.value === null ? { name, unknown: `${name} is not on the index` } : { name, requirements: directRequirements(read.value.value.requiresDist).length };
    }),
  );
  return out.filter((w): w is DependencyWeight => w !== null);
}

/** Several cards, a few at a time; one failing card never costs the others. */
export async function buildCards(requests: readonly PackageRequest[], sources: CardSources, concurrency = 4): Promise<PackageCard[]> {
  const results = new Array<PackageCard>(requests.length);
  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      const i = next++;
      const request = requests[i]!;
      try {
        results[i] = await buildCard(request, sources);
      } catch (err) {
        results[i] = unreadableCard(request, whyFailed(err));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, requests.length) }, worker));
  return results;
}

/** The card of a package nothing could be read about (a bug, not a source failure): partial, never ok. */
export function unreadableCard(request: PackageRequest, why: string): PackageCard {
  return {
    name: request.given,
    normalizedName: request.name,
    requestedVersion: request.version,
    version: request.version,
    latestVersion: null,
    exists: null,
    versionExists: null,
    verdict: 'caution',
    reasons: [{ verdict: 'caution', signal: null, text: `partial: the card could not be built (${why})` }],
    partial: true,
    signals: {},
    typosquat: new TyposquatChecker().check(request.given),
    notices: [],
  };
}
