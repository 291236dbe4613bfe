/**
 * Fix.unverified: online, a fix not rounded to a release PyPI listed (PyPI failed for the package)
 * is marked on every reported finding of the release, whichever upgrade the audit gives it, so no
 * fix (`depwatch fix`, the fix pull request planned on the stored result) writes it.
 */
import { describe, expect, it } from 'vitest';
import type { PackageRegistry } from '../../src/audit/audit.js';
import { auditFileSource } from '../../src/audit/run.js';
import { memorySource } from '../../src/python/files.js';
import { realMirror } from './helpers.js';

const now = new Date('2026-11-28T12:00:00Z');

/** PyPI answers for nothing: every project it is asked for failed. */
const failingForEach: PackageRegistry = {
  async projectsSettled(names) {
    return { found: new Map(), failed: names.map((name) => ({ name, error: new Error('HTTP 503') })) };
  },
};

async function djangoAudit(files: Record<string, string>, registry: PackageRegistry | null) {
  const result = await auditFileSource(memorySource({ 'requirements.txt': 'django==2.1.5\n', ...files }), { target: 'app', advisories: await realMirror(), registry, now });
  return result.findings.filter((f) => f.kind === 'vulnerability' && f.package === 'django');
}

describe('a fix PyPI could not vouch for', () => {
  it('is marked unverified when PyPI failed for the package', async () => {
    const findings = await djangoAudit({}, failingForEach);
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.every((f) => f.fix.version !== null && f.fix.unverified === true)).toBe(true);
  });

  it('is marked unverified too when an ignored advisory makes the upgrade smaller (the advisories not ignored need less)', async () => {
    const findings = await djangoAudit({ '.depwatch.yml': 'ignore:\n  - id: CVE-2021-33203\n    reason: admindocs disabled\n    until: 2099-06-01\n' }, failingForEach);
    expect(findings.length).toBeGreaterThan(0);
    expect(new Set(findings.map((f) => f.fix.version))).toEqual(new Set(['2.1.15']));
    expect(findings.every((f) => f.fix.unverified === true)).toBe(true);
  });

  it('is not marked offline, where the advisory fixed version is taken as written (the user asked for that)', async () => {
    const findings = await djangoAudit({ '.depwatch.yml': 'ignore:\n  - id: CVE-2021-33203\n    reason: admindocs disabled\n    until: 2099-06-01\n' }, null);
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.some((f) => f.fix.unverified)).toBe(false);
  });
});
