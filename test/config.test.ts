import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { parseEnv } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CONFIG_VARIABLES, ConfigError, DEFAULT_DB_PATH, loadConfig, missingSlackSettings } from '../src/config.js';
import { loadDotEnv, SETTING_NAMES } from '../src/dotenv.js';

const ENV_EXAMPLE = readFileSync(join(import.meta.dirname, '..', '.env.example'), 'utf8');
/** The variables .env.example lists, in its order. */
const exampleNames = [...ENV_EXAMPLE.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!);
/** The variables of README's Configuration table (first column). */
const README = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
const readmeNames = README.slice(README.indexOf('## Configuration'), README.indexOf('## How it is built'))
  .split('\n')
  .filter((line) => line.startsWith('| `'))
  .flatMap((line) => [...line.split('|')[1]!.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1]!));

/** A GitHub App key as GitHub hands it out: RSA, PKCS#1 PEM (1024 bits: only its form is checked here). */
const APP_KEY = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
/** The key's body lines, which no message may quote. */
const APP_KEY_LINES = APP_KEY.split('\n').filter((line) => line && !line.startsWith('-----'));

describe('configuration from the environment', () => {
  it('has working defaults for everything but the Slack and GitHub credentials', () => {
    const config = loadConfig({ TZ: 'UTC' });
    expect(config.dbPath).toBe(DEFAULT_DB_PATH);
    expect(config.osv.apiUrl).toBe('https://api.osv.dev');
    expect(config.pypi.url).toBe('https://pypi.org');
    expect(config.github.apiUrl).toBe('https://api.github.com');
    expect(config.slack.port).toBe(3000);
    expect(config.admins).toEqual([]);
  });

  it('reads base URLs for mirrors and GitHub Enterprise, dropping trailing slashes', () => {
    const config = loadConfig({ TZ: 'UTC', PYPI_URL: 'https://devpi.internal/root/pypi/', GITHUB_API_URL: 'https://ghe.corp/api/v3/' });
    expect(config.pypi.url).toBe('https://devpi.internal/root/pypi');
    expect(config.github.apiUrl).toBe('https://ghe.corp/api/v3');
  });

  it('names the variable in every message and never prints a secret value', () => {
    const secret = 'xoxb-1234567890-abcdefghijkl';
    try {
      loadConfig({ TZ: 'UTC', SLACK_BOT_TOKEN: secret, PORT: 'eighty', OSV_API_URL: 'ftp://x', GITHUB_APP_ID: '12' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const text = (err as ConfigError).problems.join('\n');
      expect(text).toMatch(/^PORT: /m);
      expect(text).toMatch(/^OSV_API_URL: must be an http\(s\) URL/m);
      expect(text).not.toContain(secret);
    }
    try {
      loadConfig({ TZ: 'UTC', GITHUB_APP_ID: '12' });
      expect.unreachable();
    } catch (err) {
      expect((err as ConfigError).problems[0]).toMatch(/GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY and GITHUB_APP_INSTALLATION_ID/);
    }
  });

  it('selects PostgreSQL only for a postgres:// DATABASE_URL, and never echoes it', () => {
    expect(loadConfig({ TZ: 'UTC' }).databaseUrl).toBeUndefined();
    expect(loadConfig({ TZ: 'UTC', DATABASE_URL: 'postgres://depwatch:s3cret-pw@db:5432/depwatch' }).databaseUrl).toBe('postgres://depwatch:s3cret-pw@db:5432/depwatch');
    expect(loadConfig({ TZ: 'UTC', DATABASE_URL: 'postgresql://db/depwatch' }).databaseUrl).toBe('postgresql://db/depwatch');
    for (const wrong of ['mysql://root:s3cret-pw@db/depwatch', 's3cret-pw']) {
      try {
        loadConfig({ TZ: 'UTC', DATABASE_URL: wrong });
        expect.unreachable();
      } catch (err) {
        expect((err as ConfigError).problems).toEqual([expect.stringMatching(/^DATABASE_URL: must be a postgres:\/\/ \(or postgresql:\/\/\) URL/)]);
        expect((err as ConfigError).problems.join('\n')).not.toContain('s3cret-pw');
      }
    }
  });

  it('says a postgres:// URL with an unencoded special character in its password must be percent-encoded, never echoing it', () => {
    // "#" starts a fragment: the password ends at it, and what follows is no longer the host.
    for (const unencoded of ['postgres://depwatch:Pa#Secret99@db/depwatch', 'postgresql://depwatch:12#Secret99@db:5432/depwatch', 'postgres://depwatch:Pa/Secret99@db/depwatch']) {
      try {
        loadConfig({ TZ: 'UTC', DATABASE_URL: unencoded });
        expect.unreachable();
      } catch (err) {
        expect((err as ConfigError).problems).toEqual([
          'DATABASE_URL: not a URL that can be read: special characters in the user name or password must be percent-encoded (# as %23, / as %2F, ? as %3F, @ as %40, % as %25)',
        ]);
        expect((err as ConfigError).problems.join('\n')).not.toContain('Secret99');
      }
    }
    expect(loadConfig({ TZ: 'UTC', DATABASE_URL: 'postgres://depwatch:Pa%23Secret99@db/depwatch' }).databaseUrl).toBe('postgres://depwatch:Pa%23Secret99@db/depwatch');
  });

  it('rejects a time zone that is not IANA', () => {
    expect(() => loadConfig({ TZ: 'Mars/Olympus' })).toThrow(/TZ: not an IANA time zone/);
  });

  it('parses the admin list and GitHub App keys written on one line', () => {
    const config = loadConfig({
      TZ: 'UTC',
      DEPWATCH_ADMINS: 'U1, U2 U3',
      GITHUB_APP_ID: '1',
      GITHUB_APP_INSTALLATION_ID: '2',
      GITHUB_APP_PRIVATE_KEY: APP_KEY.trim().replaceAll('\n', '\\n'),
    });
    expect(config.admins).toEqual(['U1', 'U2', 'U3']);
    expect(config.github.app?.privateKey).toBe(APP_KEY.trim());
  });

  it('takes PORT as digits from 1 to 65535, or 0 for any free port, and nothing Number() would also read', () => {
    expect(loadConfig({ TZ: 'UTC', PORT: '8080' }).slack.port).toBe(8080);
    expect(loadConfig({ TZ: 'UTC', PORT: ' 65535 ' }).slack.port).toBe(65535);
    expect(loadConfig({ TZ: 'UTC', PORT: '0' }).slack.port).toBe(0);
    for (const wrong of ['0x50', '3e3', '80.0', '-1', '+80', '65536', '99999999', 'eighty']) {
      expect(() => loadConfig({ TZ: 'UTC', PORT: wrong }), wrong).toThrow(/^PORT: must be a port number from 1 to 65535, in digits \(0: any free port\)$/);
    }
  });

  it('says every wrong setting at the first start, those checked across settings with the rest', () => {
    try {
      loadConfig({ PORT: 'abc', TZ: 'Mars/Base', GITHUB_APP_ID: '12x', DATABASE_URL: 'mysql://db/depwatch' });
      expect.unreachable();
    } catch (err) {
      const problems = (err as ConfigError).problems;
      expect(problems).toEqual([
        expect.stringMatching(/^PORT: /),
        expect.stringMatching(/^GITHUB_APP_ID: must be the App ID/),
        expect.stringMatching(/^GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY and GITHUB_APP_INSTALLATION_ID: set all three/),
        expect.stringMatching(/^DATABASE_URL: must be a postgres:\/\//),
        'TZ: not an IANA time zone (for example Europe/Berlin)',
      ]);
    }
  });

  it('refuses DEPWATCH_ADMINS entries that are not Slack user ids, in one line, instead of making nobody an admin', () => {
    expect(loadConfig({ TZ: 'UTC', DEPWATCH_ADMINS: 'U0ADMIN0001,W0GRID00001' }).admins).toEqual(['U0ADMIN0001', 'W0GRID00001']);
    try {
      loadConfig({ TZ: 'UTC', DEPWATCH_ADMINS: 'U0ADMIN0001, alice @bob u0lower0001' });
      expect.unreachable();
    } catch (err) {
      expect((err as ConfigError).problems).toEqual([
        'DEPWATCH_ADMINS: "alice", "@bob", "u0lower0001" are not Slack user ids (U… or W…: in Slack, a member\'s profile → ⋮ → Copy member ID)',
      ]);
    }
  });

  it('refuses GitHub App and installation ids that are not digits at start-up, without echoing them', () => {
    const app = { TZ: 'UTC', GITHUB_APP_PRIVATE_KEY: APP_KEY };
    expect(loadConfig({ ...app, GITHUB_APP_ID: '12345', GITHUB_APP_INSTALLATION_ID: '678' }).github.app).toMatchObject({ appId: '12345', installationId: '678' });
    try {
      loadConfig({ ...app, GITHUB_APP_ID: 'Iv1.abc123', GITHUB_APP_INSTALLATION_ID: '67 8' });
      expect.unreachable();
    } catch (err) {
      const problems = (err as ConfigError).problems;
      expect(problems).toEqual([
        'GITHUB_APP_ID: must be the App ID (digits only, from the App\'s settings page; not its client id)',
        'GITHUB_APP_INSTALLATION_ID: must be the installation number (digits only, the end of the installation\'s settings URL)',
      ]);
      expect(problems.join('\n')).not.toContain('Iv1.abc123');
    }
  });

  it('refuses at start-up a GitHub App key that cannot sign, in one line saying how to write it, never quoting it', () => {
    const app = { TZ: 'UTC', GITHUB_APP_ID: '1', GITHUB_APP_INSTALLATION_ID: '2' };
    const problems = (env: NodeJS.ProcessEnv) => {
      try {
        loadConfig(env);
      } catch (err) {
        return (err as ConfigError).problems;
      }
      return [];
    };
    expect(problems({ ...app, GITHUB_APP_PRIVATE_KEY: 'abc' })).toEqual([
      'GITHUB_APP_PRIVATE_KEY: not a readable private key (the .pem file GitHub generated for the App, from -----BEGIN to -----END …-----, without a passphrase); in a .env file put the whole PEM in double quotes over its lines, or on one line with \\n escapes',
    ]);
    const ecKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(problems({ ...app, GITHUB_APP_PRIVATE_KEY: ecKey })).toEqual(['GITHUB_APP_PRIVATE_KEY: a private key of type ec, and GitHub Apps sign in with RSA keys: use the .pem file GitHub generated for the App']);
    // A key cut short (a line lost in copying) is not readable either.
    const cut = APP_KEY.split('\n').filter((_, i) => i !== 3).join('\n');
    expect(problems({ ...app, GITHUB_APP_PRIVATE_KEY: cut })).toEqual([expect.stringMatching(/^GITHUB_APP_PRIVATE_KEY: not a readable private key/)]);
    expect(problems({ ...app, GITHUB_APP_PRIVATE_KEY: cut }).join('\n')).not.toContain(APP_KEY_LINES[0]);
    // GitHub's own download (PKCS#1) and the PKCS#8 form are both taken, as lines or with \n escapes.
    expect(problems({ ...app, GITHUB_APP_PRIVATE_KEY: APP_KEY })).toEqual([]);
    expect(problems({ ...app, GITHUB_APP_PRIVATE_KEY: APP_KEY.replaceAll('\n', '\\n') })).toEqual([]);
  });

  it('says a GitHub App key left unquoted in a .env file looks unquoted, without quoting the lines read as names', () => {
    const dotenv = `GITHUB_APP_ID=1\nGITHUB_APP_PRIVATE_KEY=${APP_KEY}GITHUB_APP_INSTALLATION_ID=2\nTZ=UTC\n`;
    const env = { ...parseEnv(dotenv) } as NodeJS.ProcessEnv;
    // What Node's loader makes of it: the first line as the value, the rest merged into one name.
    expect(env.GITHUB_APP_PRIVATE_KEY).toMatch(/^-----BEGIN RSA PRIVATE KEY-----$/);
    expect(Object.keys(env).some((name) => name.includes('-----END RSA PRIVATE KEY-----'))).toBe(true);
    try {
      loadConfig(env);
      expect.unreachable();
    } catch (err) {
      const problems = (err as ConfigError).problems;
      expect(problems).toContain(
        'GITHUB_APP_PRIVATE_KEY: only its first line was read: the key looks unquoted in the .env file (its other lines were read as setting names); in a .env file put the whole PEM in double quotes over its lines, or on one line with \\n escapes',
      );
      for (const line of APP_KEY_LINES) expect(problems.join('\n')).not.toContain(line);
    }
    // Quoted, the same file is read whole and accepted.
    expect(loadConfig({ ...parseEnv(`GITHUB_APP_ID=1\nGITHUB_APP_PRIVATE_KEY="${APP_KEY}"\nGITHUB_APP_INSTALLATION_ID=2\nTZ=UTC\n`) }).github.app?.installationId).toBe('2');
  });

  it('keeps fix pull requests off unless DEPWATCH_FIX_PRS turns them on', () => {
    expect(loadConfig({ TZ: 'UTC' }).fixPullRequests).toBe(false);
    expect(loadConfig({ TZ: 'UTC', DEPWATCH_FIX_PRS: '0' }).fixPullRequests).toBe(false);
    expect(loadConfig({ TZ: 'UTC', DEPWATCH_FIX_PRS: '1' }).fixPullRequests).toBe(true);
    expect(() => loadConfig({ TZ: 'UTC', DEPWATCH_FIX_PRS: 'maybe' })).toThrow(/DEPWATCH_FIX_PRS: must be 1/);
  });

  it('lists each missing Slack setting on its own line', () => {
    expect(missingSlackSettings(loadConfig({ TZ: 'UTC' }))).toEqual([
      expect.stringMatching(/^SLACK_BOT_TOKEN: /),
      expect.stringMatching(/^SLACK_APP_TOKEN or SLACK_SIGNING_SECRET: /),
    ]);
    expect(missingSlackSettings(loadConfig({ TZ: 'UTC', SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' }))).toEqual([]);
  });

  it("asks for the machine's time zone only when something needs it (ICU's zone data is slow to load)", () => {
    const machineZone = new Intl.DateTimeFormat().resolvedOptions().timeZone;
    const formats = vi.spyOn(Intl, 'DateTimeFormat');
    try {
      const config = loadConfig({});
      expect(formats).not.toHaveBeenCalled();
      expect(config.timeZone).toBe(machineZone);
      expect(formats).toHaveBeenCalled();
      expect(loadConfig({ TZ: 'Europe/Berlin' }).timeZone).toBe('Europe/Berlin');
    } finally {
      formats.mockRestore();
    }
  });
});

describe('an empty variable is the same as an unset one', () => {
  const savedTz = process.env.TZ;
  afterEach(() => {
    if (savedTz === undefined) delete process.env.TZ;
    else process.env.TZ = savedTz;
  });

  it('.env.example, README and the schema list the same settings', () => {
    expect(exampleNames).toEqual([...SETTING_NAMES]);
    expect(readmeNames).toEqual([...SETTING_NAMES]);
    expect([...CONFIG_VARIABLES].sort()).toEqual([...SETTING_NAMES].sort());
  });

  it('gives every setting of .env.example its default when it is left empty', () => {
    const empty = Object.fromEntries(exampleNames.map((name) => [name, '']));
    expect(loadConfig(empty)).toEqual(loadConfig({}));
    const blank = Object.fromEntries(exampleNames.map((name) => [name, '   ']));
    expect(loadConfig(blank)).toEqual(loadConfig({}));
    const config = loadConfig(empty);
    expect(config.slack.port).toBe(3000);
    expect(config.slack.apiUrl).toBe('https://slack.com/api');
    expect(config.dbPath).toBe(DEFAULT_DB_PATH);
    expect(config.logLevel).toBe('info');
  });

  it('keeps the values .env.example fills in', () => {
    const values = Object.fromEntries(ENV_EXAMPLE.split('\n').flatMap((line) => (/^[A-Z]/.test(line) ? [line.split(/=(.*)/s) as [string, string]] : [])));
    const config = loadConfig(values);
    expect(config.slack.port).toBe(3000);
    expect(config.osv.bulkUrl).toBe('https://osv-vulnerabilities.storage.googleapis.com');
  });

  it('uses the machine time zone, never "Etc/Unknown", when TZ is empty', () => {
    // What copying .env.example to .env does: Node then names the zone "Etc/Unknown".
    process.env.TZ = '';
    expect(loadConfig({ TZ: '' }).timeZone).not.toBe('Etc/Unknown');
    expect(() => loadConfig({ TZ: '' })).not.toThrow();
  });

  it('loadDotEnv unsets the empty settings of a .env copied from .env.example, TZ included', () => {
    const dir = mkdtempSync(join(tmpdir(), 'depwatch-dotenv-'));
    const saved = Object.fromEntries(SETTING_NAMES.map((name) => [name, process.env[name]]));
    try {
      for (const name of SETTING_NAMES) delete process.env[name];
      writeFileSync(join(dir, '.env'), ENV_EXAMPLE);
      loadDotEnv(join(dir, '.env'));
      expect(process.env.TZ).toBeUndefined();
      expect(process.env.SLACK_BOT_TOKEN).toBeUndefined();
      expect(process.env.PORT).toBe('3000');
      expect(Intl.DateTimeFormat().resolvedOptions().timeZone).not.toBe('Etc/Unknown');
      expect(loadConfig(process.env).timeZone).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
