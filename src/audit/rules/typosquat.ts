/**
 * `typosquat`: a pinned, locked or merely required package whose name looks like a more popular project's
 * (`reqeusts` for `requests`, `python-dateutils` for `python-dateutil`). Why a rule of its own: a
 * squat runs its code at install time, and until someone reports it as malicious no advisory
 * database knows it, so the name is the only early tell. The finding names the suspected target,
 * so a reader can tell a typo from a deliberate choice in a second.
 *
 * False flags are what make people stop reading, so (typosquat/check.ts): names equal under PEP 503
 * are never flagged; the target must be strictly more popular than the candidate (the shipped list of
 * most-depended-on projects, extended by the caller with every package the watched repositories
 * use); and a project that has released for years (its PyPI history, when the registry was read) is
 * no squat whatever its name resembles.
 */
import { TyposquatChecker } from '../../packages/typosquat/check.js';
import { popularityFromHistory, PopularityIndex, type PopularName } from '../../packages/typosquat/popularity.js';
import { KIND_TEXT } from '../../packages/typosquat/variants.js';
import { namedPackages, type AuditContext } from '../context.js';
import type { Finding } from '../findings.js';

/**
 * Checkers by the names they were extended with, most recent last. Building a checker's lookups
 * (every shipped name's deletions, skeleton, words…) cost ~10-20 ms, more than checking an audit's
 * packages, and a bot audits with the same known names again and again (the same watched
 * repositories; none for a one-off audit). A checker never changes once built here: nothing extends
 * its index afterwards, so sharing one gives the same answers as a new one.
 */
const checkers = new Map<string, TyposquatChecker>();
const MAX_CHECKERS = 4;

/** The checker for one audit: the shipped names and what the caller knows (watched repositories). */
export function auditTyposquatChecker(knownNames: readonly PopularName[] = []): TyposquatChecker {
  const key = JSON.stringify(knownNames.map(({ name, popularity, source }) => [name, popularity, source]));
  let checker = checkers.get(key);
  if (checker === undefined) {
    checker = new TyposquatChecker(PopularityIndex.shipped().extend(knownNames));
    if (checkers.size >= MAX_CHECKERS) checkers.delete(checkers.keys().next().value!);
  }
  checkers.delete(key);
  checkers.set(key, checker);
  return checker;
}

export function typosquatFindings(ctx: AuditContext): Finding[] {
  const checker = ctx.typosquat ?? auditTyposquatChecker();
  const findings: Finding[] = [];
  // Installed releases, then names only a range asks for (version null): the name is the tell either way.
  for (const pkg of namedPackages(ctx)) {
    const history = ctx.registry?.get(pkg.name)?.releases.map((r) => r.uploadTime ?? null) ?? [];
    const result = checker.check(pkg.name, { popularity: popularityFromHistory(history, { now: ctx.now }) });
    if (!result.suspect) continue;
    const target = result.similarTo[0]!;
    findings.push({
      kind: 'typosquat',
      severity: 'medium',
      package: pkg.name,
      version: pkg.version,
      file: pkg.file,
      line: pkg.line,
      fix: {
        version: null,
        text: `${pkg.name} looks like ${target.name} (${KIND_TEXT[target.kind]}): check it is the project you meant; if it is a typo, replace it with ${target.name} and re-lock.`,
      },
      details: {
        similar_to: result.similarTo.map((s) => ({ name: s.name, kind: s.kind, source: s.source })),
        direct: pkg.direct,
      },
    });
  }
  return findings;
}
