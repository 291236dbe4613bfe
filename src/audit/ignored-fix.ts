/**
 * The upgrade of a release some of whose advisories are ignored: the smallest release clearing the
 * advisories that are not ignored (what `pip-audit --fix --ignore-vuln` picks), not the one that
 * also clears the ignored ones. django 2.1.5 with CVE-2021-33203 ignored moves to 2.1.15, not 2.2.28:
 * the ignore is the user's decision that the advisory does not apply, and `depwatch fix` follows
 * the findings' upgrade. The ignored findings keep the upgrade that clears everything (what they
 * need when their ignore expires).
 */
import type { AuditContext } from './context.js';
import type { Finding } from './findings.js';
import { smallestFix } from './fix.js';
import { auditProjectFiles } from './rules/fix-hints.js';
import { releaseUpgrade } from './rules/vulnerabilities.js';

export function fixesWithoutIgnored(findings: Finding[], ctx: AuditContext): Finding[] {
  const byRelease = new Map<string, Finding[]>();
  for (const f of findings) {
    if (f.package === null || f.version === null || (f.kind !== 'vulnerability' && f.kind !== 'malicious')) continue;
    const key = `${f.package}@${f.version}`;
    const list = byRelease.get(key);
    if (list) list.push(f);
    else byRelease.set(key, [f]);
  }
  const replaced = new Map<Finding, Finding>();
  for (const pkg of ctx.packages) {
    const key = `${pkg.name}@${pkg.version}`;
    const release = byRelease.get(key);
    // Only a release with ignored and reported advisories, from the index, and not malicious (removed, not upgraded).
    if (!release || pkg.fromRegistry === false || release.some((f) => f.kind === 'malicious')) continue;
    const reported = release.filter((f) => !f.ignoredBy);
    if (reported.length === 0 || reported.length === release.length) continue;
    const ignoredIds = new Set(release.filter((f) => f.ignoredBy).flatMap((f) => [f.id, ...(f.aliases ?? [])].filter((id): id is string => Boolean(id)).map((id) => id.toUpperCase())));
    const known = (ctx.packageAdvisories.get(pkg.name) ?? ctx.hits.get(key) ?? []).filter((r) => ![r.id, ...(r.aliases ?? [])].some((id) => ignoredIds.has(id.toUpperCase())));
    const fix = smallestFix(pkg.name, pkg.version, known, ctx.registry?.get(pkg.name)?.releases ?? null);
    if (!fix.ok || fix.version === reported[0]!.fix.version) continue;
    const upgrade = releaseUpgrade(ctx, pkg, fix.version, reported.length, auditProjectFiles(ctx));
    for (const f of reported) replaced.set(f, { ...f, fix: upgrade });
  }
  return replaced.size === 0 ? findings : findings.map((f) => replaced.get(f) ?? f);
}
