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

it('application code in paths that only look like tests or vendored code keeps its severity', async () => {
  const result = await scanFiles({
    'k8s/specs/deployment.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: web:1\n          securityContext:\n            privileged: true\n',
    'marketplace/vendor/views.py': CODE,
    'shop/ab_test.py': CODE,
    'myapp/testing/views.py': CODE,
    'vendor/lib/cache.py': CODE,
  });
  const bySeverity = (file: string) => result.findings.filter((f) => f.file === file && f.kind !== 'secret').map((f) => f.severity);
  expect(bySeverity('k8s/specs/deployment.yaml')).toContain('high');
  expect(bySeverity('marketplace/vendor/views.py')).toEqual(['high']);
  expect(bySeverity('shop/ab_test.py')).toEqual(['high']);
  expect(bySeverity('myapp/testing/views.py')).toEqual(['high']);
  expect(bySeverity('vendor/lib/cache.py')).toEqual(['low']); // a vendor/ folder at the root is a copy
});

it('a finding the rule rated up because the data comes from outside is not lowered, even in tests', async () => {
  const result = await scanFiles({ 'tests/test_views.py': 'def view(request):\n    return eval(request.GET["q"])\n' });
  const [found] = result.findings.filter((f) => f.rule === 'py-eval-exec');
  expect(found).toMatchObject({ severity: 'critical' });
  expect(found!.message).not.toContain('In test code');
});

it('a .env in tests is low as a file, and the credentials in it are still reported', async () => {
  const result = await scanFiles({ 'tests/.env': 'DB_PASSWORD=Xk9mP2qR7vL4zT8w\nSTRIPE_SECRET=Zx8Qm2Lr9Tk4Vb7NcQp3\n', 'deploy/testing/.env': 'DB_PASSWORD=Xk9mP2qR7vL4zT8w\n' });
  expect(result.findings.filter((f) => f.rule === 'file-env-committed').map((f) => [f.file, f.severity])).toEqual([['deploy/testing/.env', 'high'], ['tests/.env', 'low']]);
  expect(result.findings.filter((f) => f.kind === 'secret' && f.file === 'tests/.env').map((f) => f.line)).toEqual([1, 2]);
});
