/**
 * `typosquat`: a pinned or locked package whose name looks like a more popular project's
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
import type { AuditContext } from '../context.js';
import type { Finding } from '../findings.js';

/** The checker for one audit: the shipped names and what the caller knows (watched repositories). */
export function auditTyposquatChecker(knownNames: readonly PopularName[] = []): TyposquatChecker {
  return new TyposquatChecker(PopularityIndex.shipped().extend(knownNames));
}

export function typosquatFindings(ctx: AuditContext): Finding[] {
  const checker = ctx.typosquat ?? auditTyposquatChecker();
  const findings: Finding[] = [];
  for (const pkg of ctx.packages) {
    const history = ctx.registry?.get(pkg.name)?.releases.map((r) => r.uploadTime ?? null) ?? [];
    const result = checker.check(pkg.name, { popularity: popularityFromHistory(history, { now: ctx.now }) });
    if (!result.suspect) continue;
    const target = result.similarTo[0]!;
    findings.push({
      kind: 'typosquat',
      severity: 'medium',
      package: pkg.name,
      version: pkg.version,
      file: pkg.primary.file,
      line: pkg.primary.line,
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
