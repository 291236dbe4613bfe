/**
 * The JSON report of one real-shaped audit, byte for byte: the contract's fields, their order, what
 * is left out and what is null. The expected text was written by the renderer before its findings
 * were built as single object literals (f45c2f4), so a change that moves a key, writes `null` for
 * an absent field or drops a zero shows here. DEPWATCH_WRITE_GOLDEN=1 rewrites the file, for a
 * change of the contract made on purpose.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { auditFileSource } from '../../src/audit/run.js';
import { memorySource } from '../../src/python/files.js';
import { renderJson } from '../../src/report/json.js';
import { project, REAL_SHAPED_FILES, realMirror, registryOf, release } from '../audit/helpers.js';

const GOLDEN = join(import.meta.dirname, '..', 'fixtures', 'report', 'audit.golden.json');

// Rated and unrated vulnerabilities, an ignored one and a stale ignore, outdated and yanked
// releases, an unpinned requirement, an extra index, a VCS source, old Python, and a release pinned
// in 25 places (more than are listed: locations_omitted, places_omitted).
const files: Record<string, string> = { ...REAL_SHAPED_FILES };
for (let i = 0; i < 25; i++) files[`services/svc${String(i).padStart(2, '0')}/requirements.txt`] = 'urllib3==1.24.1\n';

const registry = registryOf([
  project('django', [release('2.1.5', '2019-01-04T00:00:00Z'), release('2.2.28', '2022-04-11T00:00:00Z'), release('4.2.16', '2024-09-03T00:00:00Z')]),
  project('jinja2', [release('2.10', '2017-11-08T00:00:00Z', { yanked: true, yankedReason: 'security' }), release('2.11.3', '2021-01-31T00:00:00Z'), release('3.1.4', '2024-05-05T00:00:00Z')]),
  project('requests', [release('1.0.0', '2012-12-17T00:00:00Z'), release('2.32.3', '2024-05-29T00:00:00Z')]),
  project('pyyaml', [release('5.3.1', '2020-03-18T00:00:00Z'), release('5.4', '2021-01-20T00:00:00Z'), release('6.0.2', '2024-08-06T00:00:00Z')]),
  project('urllib3', [release('1.24.1', '2018-11-02T00:00:00Z'), release('1.26.20', '2024-08-29T00:00:00Z'), release('2.2.3', '2024-09-12T00:00:00Z')]),
]);

it('writes the report of a real-shaped audit exactly as the contract has it', async () => {
  const result = await auditFileSource(memorySource(files), { target: 'app', advisories: await realMirror(), registry, now: new Date('2026-11-28T12:00:00Z') });
  // The mirror's age depends on the day the fixture was imported: not part of what is checked here.
  const text = renderJson({ ...result, notices: [], advisoryData: null }, { showIgnored: true });
  if (process.env.DEPWATCH_WRITE_GOLDEN === '1') writeFileSync(GOLDEN, text);
  expect(text).toBe(readFileSync(GOLDEN, 'utf8'));
});
