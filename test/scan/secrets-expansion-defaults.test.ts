/**
 * `${VAR:-literal}` and `${VAR-literal}`: a reference, but with a default written down that is used
 * wherever the variable is unset. The default is judged (and fingerprinted) as the value: a real
 * looking one is reported, `${VAR:-changeme}` and `${VAR}` stay quiet.
 */
import { describe, expect, it } from 'vitest';
import { fingerprint } from '../../src/scan/secrets/fingerprint.js';
import { KEY, scanFiles } from './helpers.js';

// Built from parts so this test file does not itself look like it holds credentials.
const RANDOM = 'Kp9wLm2QxR7v' + 'Tz4NaB3c';

function found(result: Awaited<ReturnType<typeof scanFiles>>): string[] {
  return result.findings.filter((f) => f.kind === 'secret').map((f) => `${f.file}:${f.line} ${f.rule}`).sort();
}

describe('a secret written as the default of a variable', () => {
  it('compose and shell defaults are reported, fingerprinted as the literal itself', async () => {
    const result = await scanFiles({
      'docker-compose.yml': [
        'services:',
        '  db:',
        '    image: postgres:16.1',
        '    environment:',
        `      POSTGRES_PASSWORD: \${POSTGRES_PASSWORD:-${RANDOM}}`,
        `      API_TOKEN: "\${API_TOKEN-${RANDOM}x}"`,
        `      DATABASE_URL: postgres://app:\${DB_PASSWORD:-${RANDOM}y}@db-prod.acme-corp.io/app`,
      ].join('\n'),
      'deploy/run.sh': `#!/bin/sh\nexport DB_PASSWORD="\${DB_PASSWORD:-${RANDOM}z}"\n: "\${SECRET_KEY:=${RANDOM}w}"\n`,
    });
    expect(found(result)).toEqual([
      'deploy/run.sh:2 secret-assigned',
      'deploy/run.sh:3 secret-assigned',
      'docker-compose.yml:5 secret-assigned',
      'docker-compose.yml:6 secret-assigned',
      'docker-compose.yml:7 secret-url-password',
    ]);
    const postgres = result.findings.find((f) => f.file === 'docker-compose.yml' && f.line === 5)!;
    expect(postgres.secret).toEqual({ kind: 'value of POSTGRES_PASSWORD', fingerprint: fingerprint(KEY, RANDOM) });
    expect(postgres.column).toBe(47); // at the literal, past `${POSTGRES_PASSWORD:-`
    expect(JSON.stringify(result)).not.toContain(RANDOM);
  });

  it('placeholders as defaults, empty defaults, references and computed defaults stay quiet', async () => {
    const result = await scanFiles({
      'docker-compose.yml': [
        'services:',
        '  db:',
        '    image: postgres:16.1',
        '    environment:',
        '      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:-changeme}',
        '      API_TOKEN: "${API_TOKEN}"',
        '      SECRET_KEY: "${SECRET_KEY:-}"',
        '      AUTH_TOKEN: "${AUTH_TOKEN:-<token>}"',
        '      REDIS_PASSWORD: ${REDIS_PASSWORD:?set REDIS_PASSWORD}',
        '      DATABASE_URL: postgres://app:${DB_PASSWORD:-postgres}@db/app',
        '      SESSION_SECRET: "${SESSION_SECRET:-$DEFAULT_SECRET}"',
      ].join('\n'),
      'deploy/run.sh': '#!/bin/sh\nexport DB_PASSWORD="${DB_PASSWORD:-xxxxxxxxxxxx}"\nexport API_KEY="${API_KEY-your-api-key}"\n',
    });
    expect(found(result)).toEqual([]);
  });

  it('a quoted default and a nested one are literals too, fingerprinted without their quotes', async () => {
    const result = await scanFiles({
      'deploy/run.sh': `#!/bin/sh\nTOKEN=\${TOKEN:-'${RANDOM}'}\nexport API_SECRET="\${API_SECRET:-'${RANDOM}a'}"\n`,
      'docker-compose.yml': [
        'services:',
        '  app:',
        '    image: app:1.0',
        '    environment:',
        `      NESTED: \${NESTED_PASSWORD:-\${FALLBACK:-${RANDOM}b}}`,
        `      DEEP_TOKEN: "\${DEEP_TOKEN:-\${A:-\${B:-'${RANDOM}c'}}}"`,
      ].join('\n'),
    });
    expect(found(result)).toEqual(['deploy/run.sh:2 secret-assigned', 'deploy/run.sh:3 secret-assigned', 'docker-compose.yml:5 secret-assigned', 'docker-compose.yml:6 secret-assigned']);
    const token = result.findings.find((f) => f.file === 'deploy/run.sh' && f.line === 2)!;
    expect(token.secret!.fingerprint).toBe(fingerprint(KEY, RANDOM));
    expect(token.column).toBe(17); // at the literal, past `TOKEN=\${TOKEN:-'`
    const nested = result.findings.find((f) => f.file === 'docker-compose.yml' && f.line === 5)!;
    expect(nested.secret!.fingerprint).toBe(fingerprint(KEY, `${RANDOM}b`));
    expect(JSON.stringify(result)).not.toContain(RANDOM);
  });

  it('quoted and nested defaults that are placeholders, references or computed stay quiet', async () => {
    const result = await scanFiles({
      'deploy/run.sh': `#!/bin/sh\nTOKEN=\${TOKEN:-'changeme'}\nexport API_SECRET="\${API_SECRET:-\${OTHER_SECRET}}"\nPASSWORD=\${PASSWORD:-\${FALLBACK:-$(cat /run/pw)}}\n`,
      'docker-compose.yml': 'services:\n  app:\n    image: app:1.0\n    environment:\n      NESTED: ${NESTED_PASSWORD:-${FALLBACK:-your-password}}\n',
    });
    expect(found(result)).toEqual([]);
  });
});

describe('a secret written as the alternate value of a variable, or as a default quoted inside a quoted value', () => {
  it('`${X:+literal}` (used when X is set) is a literal written down, as a default is', async () => {
    const result = await scanFiles({
      'docker-compose.yml': [
        'services:',
        '  app:',
        '    image: app:1.0',
        '    environment:',
        `      API_TOKEN: \${USE_TOKEN:+${RANDOM}}`,
        `      SECRET_KEY: "\${SECRET_KEY+${RANDOM}a}"`,
      ].join('\n'),
      'deploy/run.sh': `#!/bin/sh\nexport DB_PASSWORD="\${DB_PASSWORD:+'${RANDOM}b'}"\n: "\${API_SECRET:+${RANDOM}c}"\n`,
    });
    expect(found(result)).toEqual(['deploy/run.sh:2 secret-assigned', 'deploy/run.sh:3 secret-assigned', 'docker-compose.yml:5 secret-assigned', 'docker-compose.yml:6 secret-assigned']);
    const token = result.findings.find((f) => f.file === 'docker-compose.yml' && f.line === 5)!;
    expect(token.secret!.fingerprint).toBe(fingerprint(KEY, RANDOM));
    expect(token.column).toBe(31); // at the literal, past `\${USE_TOKEN:+`
    expect(JSON.stringify(result)).not.toContain(RANDOM);
  });

  it('a double-quoted default inside a double-quoted value (`"${X:-"…"}"`, as the shell reads it) is the value', async () => {
    const result = await scanFiles({
      'deploy/run.sh': [
        '#!/bin/sh',
        `export DB_PASSWORD="\${DB_PASSWORD:-"${RANDOM}"}"`,
        `API_TOKEN="\${API_TOKEN:+"${RANDOM}d"}"`,
        `: "\${SECRET_KEY:="${RANDOM}e"}"`,
      ].join('\n'),
      '.env': `SESSION_SECRET="\${SESSION_SECRET:-"${RANDOM}f"}"\n`,
    });
    expect(found(result)).toEqual(['.env:1 secret-assigned', 'deploy/run.sh:2 secret-assigned', 'deploy/run.sh:3 secret-assigned', 'deploy/run.sh:4 secret-assigned']);
    const password = result.findings.find((f) => f.file === 'deploy/run.sh' && f.line === 2)!;
    expect(password.secret).toEqual({ kind: 'value of DB_PASSWORD', fingerprint: fingerprint(KEY, RANDOM) });
    expect(password.column).toBe(37); // at the literal, past `export DB_PASSWORD="\${DB_PASSWORD:-"`
    expect(JSON.stringify(result)).not.toContain(RANDOM);
  });

  it('alternate values and nested quoted defaults that are placeholders, empty or computed stay quiet', async () => {
    const result = await scanFiles({
      'deploy/run.sh': [
        '#!/bin/sh',
        'export DB_PASSWORD="${DB_PASSWORD:-"changeme"}"',
        'API_TOKEN="${API_TOKEN:+"<token>"}"',
        'SECRET_KEY="${SECRET_KEY:-""}"',
        'export API_SECRET="${API_SECRET:-"$FALLBACK_SECRET"}"',
        'if [ -n "${API_TOKEN+x}" ]; then echo set; fi',
        'CURL_AUTH="${API_TOKEN:+--oauth2-bearer $API_TOKEN}"',
        'export PASSWORD="${PASSWORD:+"${OTHER_PASSWORD}"}"',
      ].join('\n'),
      'docker-compose.yml': 'services:\n  app:\n    image: app:1.0\n    environment:\n      API_TOKEN: ${USE_TOKEN:+your-api-token}\n',
    });
    expect(found(result)).toEqual([]);
  });
});

describe('a default nested in quotes more than one level deep, and a default given to a flag', () => {
  it('`"${A:-"${B:-\'…\'}"}"`: each quoted level is the shell quoting the default inside it, down to the literal', async () => {
    const result = await scanFiles({
      'deploy/run.sh': [
        '#!/bin/sh',
        `export DB_PASSWORD="\${DB_PASSWORD:-"\${FALLBACK:-'${RANDOM}'}"}"`,
        `API_TOKEN="\${API_TOKEN:-"\${OLD:-"\${LEGACY:-${RANDOM}g}"}"}"`,
      ].join('\n'),
    });
    expect(found(result)).toEqual(['deploy/run.sh:2 secret-assigned', 'deploy/run.sh:3 secret-assigned']);
    const password = result.findings.find((f) => f.file === 'deploy/run.sh' && f.line === 2)!;
    expect(password.secret).toEqual({ kind: 'value of DB_PASSWORD', fingerprint: fingerprint(KEY, RANDOM) });
    expect(password.column).toBe(50); // at the literal, past `export DB_PASSWORD="\${DB_PASSWORD:-"\${FALLBACK:-'`
    expect(JSON.stringify(result)).not.toContain(RANDOM);
  });

  it('deeply quoted defaults that are placeholders or computed stay quiet', async () => {
    const result = await scanFiles({
      'deploy/run.sh': [
        '#!/bin/sh',
        `export DB_PASSWORD="\${DB_PASSWORD:-"\${FALLBACK_PASSWORD:-'changeme'}"}"`,
        'API_TOKEN="${API_TOKEN:-"${OLD_TOKEN:-"$(cat /run/token)"}"}"',
        'SECRET_KEY="${SECRET_KEY:-"${OLD_SECRET_KEY}"}"',
      ].join('\n'),
    });
    expect(found(result)).toEqual([]);
  });

  it('a flag given an expansion with a literal default (`--token=${TOKEN:-…}`) is given that literal wherever the variable is unset', async () => {
    const result = await scanFiles({
      'deploy/run.sh': [
        '#!/bin/sh',
        `mysql -u app --password=\${A:-${RANDOM}} appdb`,
        `deploy --api-key="\${B:-${RANDOM}h}" --verbose`,
        `cli --client-secret \${C:-'${RANDOM}i'}`,
      ].join('\n'),
    });
    expect(found(result)).toEqual(['deploy/run.sh:2 secret-assigned', 'deploy/run.sh:3 secret-assigned', 'deploy/run.sh:4 secret-assigned']);
    const password = result.findings.find((f) => f.file === 'deploy/run.sh' && f.line === 2)!;
    expect(password.secret).toEqual({ kind: 'value of --password', fingerprint: fingerprint(KEY, RANDOM) });
    expect(password.column).toBe(30); // at the literal, past `mysql -u app --password=\${A:-`
    expect(JSON.stringify(result)).not.toContain(RANDOM);
  });

  it('a flag given an expansion with no default, a placeholder default or a computed one stays quiet', async () => {
    const result = await scanFiles({
      'deploy/run.sh': [
        '#!/bin/sh',
        'mysql --password=${A} appdb',
        'mysql --password=${A:-changeme} appdb',
        'deploy --api-key="${B:-$(cat /run/key)}"',
        'deploy --api-key="${B:?set it}"',
        'deploy --api-key=${B:-x}${C}',
      ].join('\n'),
    });
    expect(found(result)).toEqual([]);
  });
});
