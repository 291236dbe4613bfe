/**
 * `depwatch check` of a release a malicious-package report (OSV's MAL- records) names: critical and
 * marked malicious, as the audit's `malicious` finding is, never "unknown, treated as high".
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inProcessCli, UNREACHABLE_SERVICES, writeTree } from '../helpers/cli-in-process.js';

const MAL = {
  id: 'MAL-2026-1',
  modified: '2026-01-01T00:00:00Z',
  published: '2026-01-01T00:00:00Z',
  summary: 'Malicious code in evilpkg (PyPI)',
  affected: [{ package: { ecosystem: 'PyPI', name: 'evilpkg' }, versions: ['1.0'] }],
};

describe('check of a release reported as malicious', () => {
  it('is critical and marked malicious in JSON and text, and fails the check', async () => {
    const dir = writeTree('depwatch-check-mal-', { 'mal.jsonl': `${JSON.stringify(MAL)}\n` });
    const env = { DEPWATCH_DB: join(dir, 'm.db'), ...UNREACHABLE_SERVICES };
    expect(await inProcessCli({ env }).run('db', 'import', join(dir, 'mal.jsonl'))).toBe(0);

    const json = inProcessCli({ env });
    expect(await json.run('check', '--offline', '--json', 'evilpkg==1.0')).toBe(1);
    const doc = JSON.parse(json.out.stdout) as { results: { vulnerabilities: Record<string, unknown>[] }[] };
    expect(doc.results[0]!.vulnerabilities).toEqual([
      expect.objectContaining({ id: 'MAL-2026-1', malicious: true, severity: 'critical', rated: true, severity_source: 'MAL-2026-1' }),
    ]);
    expect(doc.results[0]!.vulnerabilities[0]).not.toHaveProperty('treated_as');

    const text = inProcessCli({ env });
    expect(await text.run('check', '--offline', 'evilpkg==1.0')).toBe(1);
    expect(text.out.stdout).toContain('  CRITICAL MAL-2026-1\n           malicious package: do not install evilpkg; if it was installed, treat that machine as compromised\n');
    expect(text.out.stdout).not.toContain('treated as');
  });
});
