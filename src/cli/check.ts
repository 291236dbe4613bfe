/** `depwatch check <name==version>...`: is this exact release affected? */
import { parseArgs } from 'node:util';
import { groupHits, type AdvisoryGroup } from '../advisories/aliases.js';
import { describeAdvisory } from '../advisories/description.js';
import { groupFixedVersions, unreadableRangeWarnings } from '../advisories/match.js';
import { groupSeverity, lookUpAliasRatings } from '../advisories/alias-severity.js';
import { isMaliciousGroup, isMaliciousId } from '../advisories/malicious.js';
import { dataAge, describeDataAge } from '../advisories/freshness.js';
import type { OsvRecord } from '../advisories/types.js';
import { checkUncomparableVersions, findUncomparable } from '../advisories/uncompared-versions.js';
import { DEFAULT_UNKNOWN_AS, UNRATED_LABEL } from '../audit/findings.js';
import { partialBlock, partialReasonJson, partialReasons, partialStderrLines } from '../audit/partial.js';
import { isExactVersion, reversedMessage, reversedRelease } from '../python/release-argument.js';
import { isValidName, normalizeName } from '../python/names.js';
import { CliError, EXIT, type CliIO } from './io.js';
import { MAX_DATA_AGE_OPTION, MAX_DATA_AGE_USAGE, offlineLimit } from './offline-limit.js';
import { advisorySourceFor, openOnlineServices, openServices } from './services.js';
import { compareCodeUnits } from '../text-order.js';
import { terminalSafe } from '../report/terminal-text.js';
import { localPopularityIndex } from '../packages/sources/known-names.js';
import { describeSimilar, TyposquatChecker } from '../packages/typosquat/check.js';
import { failureList } from '../failure-list.js';
import type { PyPIClient } from '../python/pypi.js';
import { newerThanPinned, pinnedRelease, type PinOperator, type ProjectInfo } from '../python/releases.js';
import { releaseProblems, releaseStatus, type ReleaseStatus } from '../python/release-status.js';

export const CHECK_USAGE = `usage: depwatch check [--json] [--offline [--max-data-age DAYS]] [--db PATH] <name==version>...
  Reports the advisories affecting each exact release (ask before adding a dependency), and what
  PyPI says of it: yanked, not published, a name PyPI does not have, a quarantined project.
  name===version (PEP 440 arbitrary equality) asks for the release spelled exactly so.
  --offline  use only the local advisory mirror (depwatch db sync); PyPI is not asked
${MAX_DATA_AGE_USAGE}`;

export interface CheckQuery {
  given: string;
  name: string;
  version: string;
  /** `===` (arbitrary equality) names the release spelled so; `==` any equal PEP 440 version. */
  operator: PinOperator;
}

const ACCEPTED = 'expected name==version with one exact version, such as django==2.1.5 (no wildcards, markers, options or other operators)';

/** `Django==2.1.5` → name as given, normalised name, version as given (old releases are not all PEP 440), operator. */
export function parseCheckArg(arg: string): CheckQuery {
  const at = arg.indexOf('==');
  const name = at > 0 ? arg.slice(0, at).trim() : '';
  const operator: PinOperator = at > 0 && arg.charAt(at + 2) === '=' ? '===' : '==';
  const version = at > 0 ? arg.slice(at + operator.length).trim() : '';
  if (!name || !version || !isValidName(name)) throw new CliError(`"${arg}": expected name==version, for example django==2.1.5`);
  // `2.1.5==django` would ask about a project called 2.1.5: "no known vulnerabilities" for a
  // question that was not asked.
  const meant = reversedRelease(name, version);
  if (meant !== null) throw new CliError(reversedMessage(arg, name, version, meant));
  // What pip would take as one exact release: PEP 440 (without a wildcard), or a legacy version.
  // Anything else (`2.1.*`, `2.1.5;python_version>"3"`, `2.1.5 --hash=…`) would be answered as a
  // version nothing matches, the same unasked question.
  if (!isExactVersion(version)) {
    throw new CliError(`"${arg}": "${version}" is not one exact version; ${ACCEPTED}`);
  }
  return { given: name, name: normalizeName(name), version, operator };
}

/** The malicious-package report of a group isMaliciousGroup holds (its own id, else the alias that is one). */
const maliciousId = (group: AdvisoryGroup): string => [group.id, ...group.aliases].find(isMaliciousId) ?? group.id;

/** One entry per alias group of a release's hits (groupHits), rated as the audit rates it. */
function vulnerabilityJson(groups: readonly AdvisoryGroup[], name: string, aliasRecords?: ReadonlyMap<string, OsvRecord>) {
  return groups
    .map((group) => {
      const severity = groupSeverity(group.records, name, aliasRecords);
      // A malicious-package report is critical whatever it is rated (usually not at all), as the
      // audit's `malicious` finding is: "unknown, treated as high" would understate it.
      const malicious = isMaliciousGroup(group);
      const rated = malicious || severity.level !== 'unknown';
      return {
        id: group.id,
        aliases: group.aliases,
        summary: describeAdvisory(group.records),
        malicious,
        severity: malicious ? ('critical' as const) : severity.level,
        cvss: severity.score,
        /** False when no source rated the flaw (neither the advisory nor its aliases' records). */
        rated,
        /** The record whose rating gave `severity` (the advisory or an alias), null when unrated. */
        severity_source: malicious ? maliciousId(group) : severity.source,
        ...(rated ? {} : { treated_as: DEFAULT_UNKNOWN_AS }),
        // Equal versions spelled differently (1.0, 1.0.0) both stay, in a fixed order.
        fixed_versions: groupFixedVersions(group.records, name),
        withdrawn: group.records.every((r) => Boolean(r.withdrawn)),
        /** Every record id merged into this entry (OSV ids; aliases may also hold CVE/GHSA ids). */
        ids: group.records.map((r) => r.id),
      };
    })
    // Plain string order, as the reference and other tools sort advisory ids (not the locale's).
    .sort((a, b) => compareCodeUnits(a.id, b.id));
}

/**
 * What PyPI says of each project: one it could not answer for hides none of the others, and is a
 * warning (a partial answer) naming it, as is a PEP 792 status not read (a quarantine not read is
 * not "active").
 */
async function askPyPI(pypi: Pick<PyPIClient, 'projectsSettled'>, names: string[], warnings: string[]): Promise<Map<string, ProjectInfo | null>> {
  const { found, failed, statusFailed } = await pypi.projectsSettled(names, { status: true });
  const unread = failureList(failed);
  if (unread !== null) {
    warnings.push(`package registry unavailable for ${unread.names} (${unread.firstLine}): whether ${unread.count === 1 ? 'that release is' : 'those releases are'} on the index, published and not yanked was not checked`);
  }
  const noStatus = failureList(statusFailed);
  if (noStatus !== null) {
    warnings.push(`the project status (PEP 792) of ${noStatus.names} could not be read (${noStatus.firstLine}): whether PyPI quarantined ${noStatus.count === 1 ? 'it' : 'them'} was not checked`);
  }
  return found;
}

/** What an offline check did not ask (the audit's OFFLINE_REGISTRY_NOTICE, in check's words). */
export const OFFLINE_CHECK_NOTICE = 'yanked releases, releases never published and names not on PyPI were not checked (offline: PyPI was not asked)';

/**
 * For `===` naming no release where `==` would find one (`===1.0` with `1.0.0` published): the
 * release `==` would take, which the line about no such release names. Null otherwise.
 */
function equalRelease(info: ProjectInfo | null | undefined, q: CheckQuery): string | null {
  if (q.operator !== '===' || !info || pinnedRelease(info, q.version, '===') !== undefined) return null;
  return pinnedRelease(info, q.version, '==')?.version ?? null;
}

/**
 * The lines PyPI's answer adds before the advisories: what fails the check first, then what only
 * informs (an archived or deprecated project, a newer release). Nothing when PyPI was not asked.
 */
function pypiLines(name: string, version: string, operator: PinOperator, pypi: ReleaseStatus | null, equal: string | null): string[] {
  if (pypi === null) return [];
  if (!pypi.on_index) {
    return [`${name} ${version}: not on PyPI: pip cannot install it from there. A typo, a removed project, or a private package; anyone can register the name on PyPI, and an installer that also reads PyPI may then take theirs (dependency confusion)`];
  }
  const lines: string[] = [];
  const reason = (text: string | null) => (text ? ` ("${text}")` : '');
  const instead = pypi.latest !== null ? `; the newest release is ${pypi.latest}` : '';
  if (pypi.project_status === 'quarantined') lines.push(`${name}: PyPI has quarantined the project${reason(pypi.project_status_reason)} (suspected malware): do not install it`);
  if (!pypi.release_on_index) {
    // `===` compares the text: say why a published equal version does not count, and the way to name it.
    if (equal !== null) lines.push(`${name} ===${version}: PyPI has no release spelled exactly ${version} to install (=== compares the text: ${equal} is published, and ==${version} would install it)${instead}`);
    else lines.push(`${name} ${operator === '===' ? `===${version}` : version}: PyPI has no such release to install${instead}`);
  }
  else if (pypi.yanked) lines.push(`${name} ${version}: yanked by its maintainers${reason(pypi.yanked_reason)}: pick another release${instead}`);
  if (pypi.project_status === 'archived' || pypi.project_status === 'deprecated') {
    lines.push(`${name}: the project is ${pypi.project_status} on PyPI${reason(pypi.project_status_reason)}: expect no more fixes (depwatch package ${name} says more)`);
  }
  if (pypi.release_on_index && !pypi.yanked && pypi.latest !== null && newerThanPinned(pypi.latest, version, operator)) {
    lines.push(`${name} ${version}: not the newest release (${pypi.latest} is)`);
  }
  return lines;
}

export async function checkCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { json: { type: 'boolean' }, offline: { type: 'boolean' }, ...MAX_DATA_AGE_OPTION, db: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    io.stdout(CHECK_USAGE + '\n');
    return EXIT.ok;
  }
  if (positionals.length === 0) throw new CliError('check: give at least one name==version');
  const queries = positionals.map(parseCheckArg);
  const limit = offlineLimit(values['max-data-age'], io);
  // Offline, nothing loads the configuration or the HTTP clients.
  const online = values.offline ? null : await openOnlineServices(io, values.db, { readOnly: true });
  const services = online ?? openServices(io, values.db, { readOnly: true });
  try {
    const now = new Date();
    const source = advisorySourceFor(services, Boolean(values.offline) && limit, now);
    const asked = queries.map((q) => ({ name: q.name, version: q.version }));
    const uncomparable = findUncomparable(asked);
    // PyPI is asked while the advisories are read: one request per project (and its PEP 792 status).
    const registryWarnings: string[] = [];
    const registryRead = online ? askPyPI(online.pypi, [...new Set(queries.map((q) => q.name))], registryWarnings) : Promise.resolve(null);
    const hits = await source.affecting(asked, {
      prefetchAliasRatings: true, // the alias ratings below start as each package's records arrive
      listPackages: uncomparable.names, // read next: a remote source learns them now
    });
    // A version that is not PEP 440 cannot be placed in an advisory's ranges: "no known
    // vulnerabilities" would be an answer to a question that could not be asked (fail closed).
    const uncompared = await checkUncomparableVersions(source, uncomparable, hits);
    const hitGroups = groupHits(hits);
    const ratings = await lookUpAliasRatings(source, hitGroups.values());
    // The question before adding a dependency is also whether its name is the one meant: a squat
    // has no advisory until someone reports it, so "no known vulnerabilities" alone would pass it.
    const checker = new TyposquatChecker(localPopularityIndex(services.db));
    const registry = await registryRead;
    const equalReleases = new Map<number, string | null>();
    const results = queries.map((q, i) => {
      const squat = checker.check(q.given);
      const pypi = registry?.has(q.name) ? releaseStatus(registry.get(q.name) ?? null, q.version, q.operator) : null;
      equalReleases.set(i, equalRelease(registry?.get(q.name), q));
      return {
        name: q.given,
        normalized_name: q.name,
        version: q.version,
        /** `==` or `===` as given: which releases count as this one (release_on_index). */
        operator: q.operator,
        vulnerabilities: vulnerabilityJson(hitGroups.get(`${q.name}@${q.version}`) ?? [], q.name, ratings.records),
        ...(squat.suspect ? { typosquat: { similar_to: squat.similarTo } } : {}),
        /** Null when PyPI was not asked (offline, said in `notices`) or did not answer (a partial reason). */
        pypi,
        /** What PyPI's answer says against adding the release (releaseProblems); fails the check as a vulnerability does. */
        pypi_problems: pypi === null ? [] : releaseProblems(pypi),
      };
    });
    const notices = values.offline ? [OFFLINE_CHECK_NOTICE] : [];
    for (const notice of source.notices?.() ?? []) io.stderr(`depwatch: ${terminalSafe(notice)}\n`);
    // Fail closed, as audit does: what the source could not vouch for (OSV down and a stale mirror
    // answering, ratings not looked up) makes the answer partial.
    const warnings = [...(source.warnings?.() ?? []), ...unreadableRangeWarnings(queries, hits), ...uncompared.warnings, ...registryWarnings];
    if (ratings.failure !== null) warnings.push(`advisory ratings unavailable (${ratings.failure}): unrated advisories were not looked up in their aliases' records`);
    const reasons = partialReasons({ errors: [], manifestsRead: queries.length, warnings });
    for (const line of partialStderrLines(reasons)) io.stderr(line);
    const freshness = source.freshness?.() ?? null;
    const age = freshness ? dataAge(freshness, now) : null;
    if (values.json) {
      const advisoryData = age ? { newest_modified: age.newestModified, age_days: age.ageDays, last_sync: age.lastSync, last_sync_kind: age.lastSyncKind } : null;
      const doc = {
        results,
        advisory_source: source.kind,
        advisory_data: advisoryData,
        warnings,
        notices,
        partial: reasons.length > 0,
        partial_reasons: reasons.map(partialReasonJson),
      };
      io.stdout(JSON.stringify(doc, null, 2) + '\n');
    } else {
      // Names are as given, summaries as OSV wrote them: each line shown safe for a terminal.
      const say = (line: string) => io.stdout(`${terminalSafe(line)}\n`);
      for (const [i, r] of results.entries()) {
        if (r.typosquat) say(`${r.name}: the name ${describeSimilar(r.typosquat.similar_to[0]!)}: check it is the project you meant (depwatch package ${r.name} says more)`);
        for (const line of pypiLines(r.name, r.version, r.operator, r.pypi, equalReleases.get(i) ?? null)) say(line);
        if (r.vulnerabilities.length === 0) {
          // Not "no known vulnerabilities" where advisories could not be compared with it (said below).
          say(`${r.name} ${r.version}: ${uncompared.releases.has(`${r.normalized_name}@${r.version}`) ? 'unknown: not a PEP 440 version (see PARTIAL RESULT below)' : 'no known vulnerabilities'}`);
          continue;
        }
        say(`${r.name} ${r.version}: ${r.vulnerabilities.length} known ${r.vulnerabilities.length === 1 ? 'vulnerability' : 'vulnerabilities'}`);
        for (const v of r.vulnerabilities) {
          say(`  ${v.severity.toUpperCase().padEnd(8)} ${v.id}${v.aliases.length ? ` (${v.aliases.join(', ')})` : ''}`);
          if (v.malicious) say(`           malicious package: do not install ${r.name}; if it was installed, treat that machine as compromised`);
          else if (!v.rated) say(`           severity ${UNRATED_LABEL}; treated as ${DEFAULT_UNKNOWN_AS}`);
          else if (v.severity_source !== null && v.severity_source !== v.id) say(`           severity from ${v.severity_source}`);
          if (v.summary) say(`           ${v.summary}`);
          say(`           fixed in: ${v.fixed_versions.join(', ') || 'no fixed release'}`);
        }
      }
      if (reasons.length > 0) io.stdout(partialBlock(reasons).map((line) => line + '\n').join(''));
      if (age) io.stdout(`note: ${describeDataAge(age)}\n`);
      for (const notice of notices) io.stdout(`note: ${notice}\n`);
    }
    // Findings fail it (1) whether or not it is partial; otherwise a partial answer is not a pass (2).
    if (results.some((r) => r.vulnerabilities.length > 0 || r.pypi_problems.length > 0)) return EXIT.findings;
    return reasons.length > 0 ? EXIT.error : EXIT.ok;
  } finally {
    services.close();
  }
}
