/**
 * The audit's yanked and outdated findings judge the release pip installs, as `depwatch check` does:
 * `torch==2.0` on an index serving only local versions (PyTorch's `2.0+cpu`) installs one of them
 * (PEP 440 ignores a candidate's local label when the pin has none), is yanked only when every one
 * is (PEP 592), and is not "outdated" by its own `2.0+cu118`; a lock entry names its very release.
 */
import { describe, expect, it } from 'vitest';
import { auditFileSource } from '../../src/audit/run.js';
import type { Finding } from '../../src/audit/findings.js';
import { memorySource } from '../../src/python/files.js';
import { project, realMirror, registryOf, release } from './helpers.js';

const now = new Date('2026-11-28T12:00:00Z');
const registry = registryOf([
  project('torchlike', [release('2.0+cpu', '2023-03-15T00:00:00Z'), release('2.0+cu118', '2023-03-15T00:00:00Z')]),
  project('local-yanked', [
    release('3.0+cpu', '2023-01-01T00:00:00Z', { yanked: true, yankedReason: 'bad cpu build' }),
    release('3.0+cu118', '2023-01-01T00:00:00Z', { yanked: true, yankedReason: 'bad cuda build' }),
  ]),
  project('local-rescue', [release('4.0', '2023-01-01T00:00:00Z', { yanked: true, yankedReason: 'broken' }), release('4.0+cpu', '2023-01-02T00:00:00Z')]),
]);

async function registryFindings(files: Record<string, string>): Promise<Finding[]> {
  const result = await auditFileSource(memorySource(files), { target: 'app', advisories: await realMirror(), registry, now });
  return result.findings.filter((f) => f.kind === 'yanked' || f.kind === 'outdated');
}

describe('registry findings for pins on an index of local versions', () => {
  it('does not call ==2.0 outdated by 2.0+cu118, which it installs', async () => {
    expect(await registryFindings({ 'requirements.txt': 'torchlike==2.0\n' })).toEqual([]);
  });

  it('says ==3.0 is yanked when every local version of 3.0 is, with the reason of the one pip takes', async () => {
    const findings = await registryFindings({ 'requirements.txt': 'local-yanked==3.0\n' });
    expect(findings).toEqual([expect.objectContaining({ kind: 'yanked', package: 'local-yanked', version: '3.0', details: expect.objectContaining({ reason: 'bad cuda build' }) })]);
  });

  it('does not say ==4.0 is yanked when 4.0+cpu is not: pip installs that one', async () => {
    expect((await registryFindings({ 'requirements.txt': 'local-rescue==4.0\n' })).filter((f) => f.kind === 'yanked')).toEqual([]);
  });

  it('judges a locked 4.0 as its own release, yanked', async () => {
    const lock = '[[package]]\nname = "local-rescue"\nversion = "4.0"\ndescription = ""\noptional = false\npython-versions = "*"\nfiles = []\n\n[metadata]\nlock-version = "2.0"\npython-versions = "^3.11"\ncontent-hash = "x"\n';
    const findings = await registryFindings({ 'poetry.lock': lock });
    expect(findings.filter((f) => f.kind === 'yanked')).toEqual([expect.objectContaining({ package: 'local-rescue', version: '4.0', details: expect.objectContaining({ reason: 'broken' }) })]);
  });
});
