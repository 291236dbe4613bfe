/**
 * Findings in test code (and vendored code) are reported at low at most: tests run with data the tests choose, on
 * developers' machines and in CI, and a `pickle.loads` of a test's own bytes should not fail the
 * gate as the same call in the application does. Secrets are the exception: a real token in a test
 * is as usable as anywhere.
 */
import { expect, it } from 'vitest';
import { scanFiles } from './helpers.js';

const CODE = 'import pickle\n\ndef load(blob):\n    return pickle.loads(blob)\n';
const DOCKERFILE = 'FROM python:3.12-slim\nUSER root\nCMD ["python", "-m", "app"]\n';
const TOKEN = 'ghp_' + 'R4nd0mT0k3nV4lu3abcdefGHIJKLmnopqrST';

it('the same call is high in the application and low, saying why, in tests', async () => {
  const result = await scanFiles({ 'app/cache.py': CODE, 'tests/test_cache.py': CODE, 'app/test_helpers.py': CODE, 'conftest.py': CODE });
  const severities = Object.fromEntries(result.findings.filter((f) => f.rule === 'py-unsafe-deserialization').map((f) => [f.file, f.severity]));
  expect(severities).toEqual({ 'app/cache.py': 'high', 'tests/test_cache.py': 'low', 'app/test_helpers.py': 'low', 'conftest.py': 'low' });
  const inTest = result.findings.find((f) => f.file === 'tests/test_cache.py')!;
  expect(inTest.message).toContain('In test code, so rated low rather than high');
});

it('a fixture\'s Dockerfile is low too; a token in a test keeps its severity', async () => {
  const result = await scanFiles({
    'Dockerfile': DOCKERFILE,
    'tests/fixtures/Dockerfile': DOCKERFILE,
    'tests/test_api.py': `GITHUB_TOKEN = "${TOKEN}"\n`,
  });
  const byFile = (file: string, kind: string) => result.findings.filter((f) => f.file === file && f.kind === kind).map((f) => f.severity);
  const appRoot = byFile('Dockerfile', 'runtime');
  expect(appRoot.length).toBeGreaterThan(0);
  expect(appRoot.some((s) => s === 'medium' || s === 'high')).toBe(true);
  expect(byFile('tests/fixtures/Dockerfile', 'runtime').every((s) => s === 'low' || s === 'info')).toBe(true);
  expect(byFile('tests/fixtures/Dockerfile', 'runtime')).toHaveLength(appRoot.length);
  expect(byFile('tests/test_api.py', 'secret')).toEqual(['critical']);
});

it('vendored copies of other projects (vendor/, _vendor/, third_party/) are low too, saying to fix upstream; their manifests are still audited elsewhere', async () => {
  const result = await scanFiles({ 'pipenv/patched/pip/_vendor/pkg_resources/__init__.py': CODE, 'third_party/lib/cache.py': CODE, 'vendors/cache.py': CODE });
  const severities = Object.fromEntries(result.findings.filter((f) => f.rule === 'py-unsafe-deserialization').map((f) => [f.file, f.severity]));
  expect(severities).toEqual({ 'pipenv/patched/pip/_vendor/pkg_resources/__init__.py': 'low', 'third_party/lib/cache.py': 'low', 'vendors/cache.py': 'high' });
  expect(result.findings.find((f) => f.file === 'third_party/lib/cache.py')!.message).toContain('In vendored code (fix it upstream and copy it in again), so rated low rather than high');
});
