import { describe, expect, it, vi } from 'vitest';
import { ConfigError, DEFAULT_DB_PATH, loadConfig, missingSlackSettings } from '../src/config.js';

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

  it('rejects a time zone that is not IANA', () => {
    expect(() => loadConfig({ TZ: 'Mars/Olympus' })).toThrow(/TZ: not an IANA time zone/);
  });

  it('parses the admin list and GitHub App keys written on one line', () => {
    const config = loadConfig({
      TZ: 'UTC',
      DEPWATCH_ADMINS: 'U1, U2 U3',
      GITHUB_APP_ID: '1',
      GITHUB_APP_INSTALLATION_ID: '2',
      GITHUB_APP_PRIVATE_KEY: 'line1\\nline2',
    });
    expect(config.admins).toEqual(['U1', 'U2', 'U3']);
    expect(config.github.app?.privateKey).toBe('line1\nline2');
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
