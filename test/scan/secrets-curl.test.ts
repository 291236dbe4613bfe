/**
 * Credentials written into curl commands (gitleaks' curl-auth-header and curl-auth-user), in shell
 * scripts, Dockerfiles, CI YAML and Markdown; placeholders and shell expansions stay quiet, tests and
 * documentation are capped as other secrets are, and the value never appears in a finding.
 */
import { describe, expect, it } from 'vitest';
import { curlCredentials } from '../../src/scan/secrets/curl.js';
import { fingerprint } from '../../src/scan/secrets/fingerprint.js';
import { KEY, scanFiles } from './helpers.js';
import { bestCpuMs } from '../helpers/cpu-time.js';

// Built from parts so this test file does not itself look like it holds credentials.
const BEARER = 'q8Zr2' + 'LmX7vPk4Wn9Tb3Yc6Hd1Jf5Gs0Ae';
const API_KEY = 'Xk9' + 'qL2mP7vK4tR8wQ3nB5zH';
const PASSWORD = 'Tr0ub4dor' + '&3-x9QzLm2v';
const BASIC = Buffer.from(`deploy:${PASSWORD}`).toString('base64');
const VALUES = [BEARER, API_KEY, PASSWORD, BASIC];

const CURL_RULES = new Set(['secret-curl-auth-header', 'secret-curl-auth-user']);
async function curlFindings(files: Record<string, string>) {
  const result = await scanFiles(files);
  return result.findings.filter((f) => CURL_RULES.has(f.rule)).sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : (a.line ?? 0) - (b.line ?? 0)));
}

describe('curl credentials', () => {
  it('Authorization headers, API-key headers, --oauth2-bearer and -u user:password, in scripts, Dockerfiles, CI YAML and Markdown', async () => {
    const found = await curlFindings({
      'scripts/deploy.sh': [
        '#!/bin/sh',
        `curl -fsS -H "Authorization: Bearer ${BEARER}" https://api.acme.io/deploy`, // 2
        `curl -H 'X-API-Key: ${API_KEY}' \\`, // 3
        '  https://api.acme.io/status',
        `curl --user 'deploy:${PASSWORD}' https://registry.acme.io/`, // 5
        `curl -H "Authorization: Basic ${BASIC}" https://registry.acme.io/`, // 6
      ].join('\n'),
      Dockerfile: ['FROM python:3.12-slim', `RUN curl -sSL \\`, `    --oauth2-bearer ${BEARER} \\`, '    https://files.acme.io/wheel.whl -o /tmp/w.whl'].join('\n'),
      '.github/workflows/release.yml': ['jobs:', '  release:', '    steps:', `      - run: curl -u "ci:${PASSWORD}" https://nexus.acme.io/upload`].join('\n'),
      'README.md': ['Trigger a build:', '', '```sh', `curl -X POST -H "Authorization: Token ${API_KEY}" https://ci.acme.io/build`, '```'].join('\n'),
      'config/hooks.json': `{"cmd": "curl -H \\"Authorization: Bearer ${BEARER}\\" https://hooks.acme.io"}`,
    });
    expect(found.map((f) => `${f.file}:${f.line} ${f.rule} ${f.severity}`)).toEqual([
      '.github/workflows/release.yml:4 secret-curl-auth-user high',
      'Dockerfile:3 secret-curl-auth-header high',
      'README.md:4 secret-curl-auth-header high',
      'config/hooks.json:1 secret-curl-auth-header high',
      'scripts/deploy.sh:2 secret-curl-auth-header high',
      'scripts/deploy.sh:3 secret-curl-auth-header high',
      'scripts/deploy.sh:5 secret-curl-auth-user high',
      'scripts/deploy.sh:6 secret-curl-auth-header high',
    ]);
    const bearer = found.find((f) => f.file === 'scripts/deploy.sh' && f.line === 2)!;
    expect(bearer.column).toBe(`curl -fsS -H "Authorization: Bearer `.length + 1);
    expect(bearer.secret!.fingerprint).toBe(fingerprint(KEY, BEARER));
    expect(bearer.message).toContain('Authorization header');
    // The value itself is never printed.
    const text = JSON.stringify(found);
    for (const v of VALUES) expect(text).not.toContain(v);
  });

  it('stays quiet on shell expansions, placeholders, CI secrets, short values and a curl without credentials', async () => {
    const found = await curlFindings({
      'scripts/ok.sh': [
        'curl -H "Authorization: Bearer $TOKEN" https://api.acme.io',
        'curl -H "Authorization: Bearer ${API_TOKEN}" https://api.acme.io',
        "curl -H 'Authorization: Bearer <token>' https://api.acme.io",
        'curl -H "Authorization: Bearer xxx" https://api.acme.io',
        'curl -H "Authorization: Bearer YOUR_API_TOKEN_HERE" https://api.acme.io',
        'curl -H "Authorization: Bearer $(cat /run/secrets/token)" https://api.acme.io',
        'curl -H "Authorization: Basic dXNlcjpwYXNz" https://api.acme.io',
        'curl -u "$USER:$PASSWORD" https://api.acme.io',
        'curl -u admin:admin https://localhost:9200',
        'curl -u elastic:changeme https://localhost:9200',
        'curl -u deploy https://registry.acme.io',
        'curl -H "Content-Type: application/json" -H "Accept: text/plain" https://api.acme.io',
        'curl -H "Authorization: Bearer abc123" https://api.acme.io',
        `echo "Authorization: Bearer ${BEARER}" > /dev/null # not a curl option`,
        `mycurl -H "Authorization: Bearer ${BEARER}"`,
      ].join('\n'),
      '.github/workflows/ci.yml': ['jobs:', '  a:', '    steps:', '      - run: curl -H "Authorization: Bearer ${{ secrets.API_TOKEN }}" https://api.acme.io'].join('\n'),
      'docs/api.md': '`curl -H "Authorization: Bearer <your-token>" https://api.acme.io`\n',
    });
    expect(found.map((f) => `${f.file}:${f.line}`)).toEqual([]);
  });

  it('in tests and documentation only generated-looking values count, rated low, as other secrets there', async () => {
    const found = await curlFindings({
      'tests/test_api.sh': [`curl -H "Authorization: Bearer ${BEARER}" http://localhost:8000`, 'curl -u tester:Secret123 http://localhost:8000'].join('\n'),
      'docs/usage.md': `curl -H "X-API-Key: ${API_KEY}" https://api.acme.io\n`,
    });
    expect(found.map((f) => `${f.file}:${f.line} ${f.severity} ${f.confidence}`)).toEqual(['docs/usage.md:1 low low', 'tests/test_api.sh:1 low low']);
  });

  it('a known token format in a curl header is reported once, by its own rule', async () => {
    const github = 'ghp_' + 'R4nd0mT0k3nV4lu3abcdefGHIJKLmnopqrST';
    const result = await scanFiles({ 'scripts/gh.sh': `curl -H "Authorization: token ${github}" https://api.github.com/user\n` });
    expect(result.findings.filter((f) => f.kind === 'secret').map((f) => f.rule)).toEqual(['secret-github-token']);
  });

  it('reads a long unclosed curl line in linear time', () => {
    const line = 'curl ' + '-H "Authorization: Bearer '.repeat(20_000);
    const many = ('curl -H "a: b" -u x ' + ' '.repeat(50) + '\n').repeat(20_000);
    const small = bestCpuMs(() => curlCredentials(line.slice(0, line.length / 10) + "\n" + many.slice(0, many.length / 10)), 200);
    const large = bestCpuMs(() => curlCredentials(line + "\n" + many), 400);
    expect(large).toBeLessThan(small * 25 + 20);
  });
});
