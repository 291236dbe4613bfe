/**
 * A credential planted in every manifest format (index options, VCS and URL requirements, lockfile
 * sources, and lines that fail to parse) never comes out again: not in `depwatch deps` or `depwatch
 * audit` in any output format, not in the Slack reply, not in the logs, not in any row of the
 * database (audits, blob cache, everything). The real CLI and the real Bolt app run against the
 * loopback fakes of GitHub, OSV, PyPI and Slack.
 */
import Database from 'better-sqlite3';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import { openDb } from '../../src/store/db.js';
import { startFakeGitHub, type FakeGitHub } from '../fakes/github.js';
import { startFakeOsv, type FakeOsv } from '../fakes/osv.js';
import { startFakePypi, type FakePypi, type FakeProjectSpec } from '../fakes/pypi.js';
import { fixtureRecords } from '../fixtures/osv/load.js';
import { startWorld, waitFor, type World } from '../slack/app-world.js';
import { osvRecord } from '../packages/world.js';

const SECRET = 'Zq7PlantedSecret42';
const S = SECRET;

/** One repository holding every format, each with the secret where real projects put credentials. */
const FILES: Record<string, string> = {
  'requirements.txt': `--index-url https://deploy:${S}@pypi.corp.example/simple
--extra-index-url https://mirror.example/simple?token=${S}
--find-links https://files.example/wheels/?sig=${S}
private-pkg @ https://files.example/private_pkg-1.0-py3-none-any.whl?X-Amz-Signature=${S}&X-Amz-Date=20240101
git+https://${S}@github.com/acme/internal.git@v1.2#egg=internal
https://files.example/direct-2.0.tar.gz#egg=direct&api_key=${S}
bad line @ https://u:${S}@h/x.whl ;; ((
-r https://u:${S}@h/more.txt
django==2.1.5
requests==2.19.1
`,
  'pyproject.toml': `[project]
name = "app"
version = "1.0"
dependencies = [
  "pkg @ https://h.example/pkg-1.0-py3-none-any.whl?access_token=${S}",
  "bad @ https://u:${S}@h/x.whl ;; ((",
  "jinja2==2.10",
]

[[tool.uv.index]]
name = "corp"
url = "https://uv:${S}@uv.corp.example/simple"

[tool.poetry.dependencies]
secretlib = { url = "https://h.example/secretlib-1.0.tar.gz?password=${S}" }
`,
  Pipfile: `[[source]]
url = "https://pipenv:${S}@pypi.corp.example/simple"
verify_ssl = true
name = "corp"

[packages]
internal = { git = "https://${S}@github.com/acme/internal.git", ref = "v1" }
wheel-pkg = { file = "https://h.example/wheel_pkg-1.0-py3-none-any.whl?token=${S}" }
flask = "==0.12.2"
`,
  'Pipfile.lock': JSON.stringify({
    _meta: { hash: { sha256: 'x' }, 'pipfile-spec': 6, requires: {}, sources: [{ name: 'corp', url: `https://lock:${S}@pypi.corp.example/simple`, verify_ssl: true }] },
    default: {
      flask: { version: '==0.12.2', hashes: [], index: 'corp' },
      internal: { git: `https://${S}@github.com/acme/internal.git`, ref: '0123456789abcdef0123456789abcdef01234567' },
      'wheel-pkg': { file: `https://h.example/wheel_pkg-1.0-py3-none-any.whl?token=${S}` },
    },
    develop: {},
  }, null, 2),
  'poetry.lock': `[[package]]
name = "secretlib"
version = "1.0"
description = ""
optional = false
python-versions = "*"
files = []

[package.source]
type = "url"
url = "https://u:${S}@h.example/secretlib-1.0.tar.gz"

[[package]]
name = "corp-pkg"
version = "2.0"
description = ""
optional = false
python-versions = "*"
files = []

[package.source]
type = "legacy"
url = "https://poetry:${S}@poetry.corp.example/simple"
reference = "corp"

[metadata]
lock-version = "2.0"
python-versions = "^3.8"
content-hash = "x"
`,
  'svc/uv.lock': `version = 1
requires-python = ">=3.8"

[[package]]
name = "corp-pkg"
version = "2.0"
source = { registry = "https://uv:${S}@uv.corp.example/simple" }

[[package]]
name = "direct"
version = "2.0"
source = { url = "https://h.example/direct-2.0.tar.gz?sig=${S}" }

[[package]]
name = "internal"
version = "1.2"
source = { git = "https://${S}@github.com/acme/internal.git?rev=v1.2#0123456789abcdef0123456789abcdef01234567" }
`,
  'deploy/pylock.prod.toml': `lock-version = "1.0"
created-by = "uv"

[[packages]]
name = "six"
version = "1.16.0"
index = "https://pypi.org/simple"
wheels = [{ url = "https://files.example/six.whl", hashes = { sha256 = "00" } }]

[[packages]]
name = "corp-pkg"
version = "2.0"
index = "https://pylock:${S}@pylock.corp.example/simple"
wheels = [{ url = "https://pylock:${S}@pylock.corp.example/corp_pkg-2.0-py3-none-any.whl", hashes = { sha256 = "00" } }]

[[packages]]
name = "signed"
version = "2.0"
archive = { url = "https://h.example/signed-2.0.tar.gz?sig=${S}", hashes = { sha256 = "00" } }

[[packages]]
name = "internal"
vcs = { type = "git", url = "https://${S}@github.com/acme/internal.git", commit-id = "0123456789abcdef0123456789abcdef01234567" }
`,
  'pdm/pdm.lock': `[metadata]
groups = ["default"]
strategy = ["cross_platform"]
lock_version = "4.4"
content_hash = "sha256:x"

[[package]]
name = "direct"
version = "2.0"
url = "https://u:${S}@h.example/direct-2.0.tar.gz"
summary = ""
groups = ["default"]

[[package]]
name = "internal"
version = "1.2"
git = "https://${S}@github.com/acme/internal.git"
revision = "0123456789abcdef0123456789abcdef01234567"
summary = ""
groups = ["default"]
`,
  'setup.cfg': `[metadata]
name = app

[options]
install_requires =
    cfgpkg @ https://cfg:${S}@h.example/cfgpkg-1.0.tar.gz
    bad @ https://u:${S}@h/x.whl ;; ((
    pyyaml==5.1
`,
  Dockerfile: `FROM python:3.8\nRUN pip install -i https://ci:${S}@pypi.corp.example/simple -r requirements.txt\n`,
};

/** Every row of every table, as text (BLOBs as bytes). */
function everyRow(db: Database.Database): string {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
  const asText = (_key: string, value: unknown) =>
    value && typeof value === 'object' && (value as { type?: unknown }).type === 'Buffer' ? Buffer.from((value as { data: number[] }).data).toString('latin1') : value;
  return tables.map((t) => `${t.name}: ${JSON.stringify(db.prepare(`SELECT * FROM "${t.name}"`).all(), asText)}`).join('\n');
}

/** A temporary folder holding `files` under `checkout/`, as a local checkout of the repository the fakes serve. */
function checkoutOf(prefix: string, files: Record<string, string>): { work: string; checkout: string } {
  const work = mkdtempSync(join(tmpdir(), prefix));
  const checkout = join(work, 'checkout');
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(checkout, path)), { recursive: true });
    writeFileSync(join(checkout, path), text);
  }
  return { work, checkout };
}

describe('a credential planted in every format', () => {
  let github: FakeGitHub;
  let osv: FakeOsv;
  let pypi: FakePypi;
  let work: string;
  let checkout: string;

  beforeAll(async () => {
    ({ work, checkout } = checkoutOf('depwatch-secrets-', FILES));
    github = await startFakeGitHub({ repos: [{ owner: 'octo', name: 'secrets', files: FILES }], tokens: [`ghp_${'S3c'.repeat(12)}`] });
    osv = await startFakeOsv({ records: [...fixtureRecords().values()] });
    pypi = await startFakePypi({ projects: [{ name: 'django', releases: [{ version: '2.1.5', uploadTime: '2019-01-04T00:00:00Z' }, { version: '2.2.28', uploadTime: '2022-04-11T00:00:00Z' }] }] });
  });
  afterAll(async () => {
    await Promise.all([github.close(), osv.close(), pypi.close()]);
  });

  const cli = async (dbPath: string, ...argv: string[]) => {
    let output = '';
    let stdout = '';
    const code = await runCli(argv, {
      stdout: (t) => void ((output += t), (stdout += t)),
      stderr: (t) => void (output += t),
      isTTY: false,
      cwd: checkout,
      env: { TZ: 'UTC', DEPWATCH_DB: dbPath, OSV_API_URL: osv.url, PYPI_URL: pypi.url, GITHUB_API_URL: github.url, GITHUB_TOKEN: `ghp_${'S3c'.repeat(12)}`, LOG_LEVEL: 'debug' },
    });
    return { code, output, stdout };
  };

  it('is in no output of the CLI, in any format, for a checkout or a GitHub repository, nor in its database', async () => {
    const dbPath = join(work, 'cli.db');
    // A database that exists (read-only commands never create one), so the caches are written to it.
    openDb(dbPath).close();
    const runs = [
      await cli(dbPath, 'deps', '.'),
      await cli(dbPath, 'deps', '--json', '.'),
      await cli(dbPath, 'audit', '.'),
      await cli(dbPath, 'audit', '--json', '.'),
      await cli(dbPath, 'audit', '--markdown', '.'),
      await cli(dbPath, 'audit', '--sarif', '.'),
      await cli(dbPath, 'audit', '--json', 'octo/secrets'),
      await cli(dbPath, 'audit', '--sarif', 'octo/secrets'),
    ];
    for (const run of runs) expect(run.output).not.toContain(SECRET);

    // Not vacuous: the entries that carried the secret were all read and reported, without it.
    const deps = JSON.parse(runs[1]!.stdout) as { manifests: { path: string; dependencies: { name: string; url?: string }[] }[]; errors: { message: string }[] };
    expect(deps.manifests.map((m) => m.path).sort()).toEqual(['Dockerfile', 'Pipfile', 'Pipfile.lock', 'deploy/pylock.prod.toml', 'pdm/pdm.lock', 'poetry.lock', 'pyproject.toml', 'requirements.txt', 'setup.cfg', 'svc/uv.lock']);
    const urls = deps.manifests.flatMap((m) => m.dependencies.map((d) => d.url).filter((u): u is string => u !== undefined));
    expect(urls).toEqual(
      expect.arrayContaining([
        'https://files.example/private_pkg-1.0-py3-none-any.whl?X-Amz-Signature=****&X-Amz-Date=20240101',
        'git+https://github.com/acme/internal.git@v1.2#egg=internal',
        'https://h.example/pkg-1.0-py3-none-any.whl?access_token=****',
        'https://h.example/direct-2.0.tar.gz?sig=****',
        'https://h.example/secretlib-1.0.tar.gz',
        'https://pylock.corp.example/simple',
        'https://h.example/signed-2.0.tar.gz?sig=****',
      ]),
    );
    expect(deps.errors.map((e) => e.message)).toEqual(
      expect.arrayContaining([expect.stringContaining('bad @ https://h/x.whl ;; (('), 'https://h/more.txt: leaves the scanned root, not followed']),
    );
    const audit = JSON.parse(runs[3]!.stdout) as { findings: { kind: string; package: string | null }[] };
    expect(audit.findings.some((f) => f.kind === 'vulnerability' && f.package === 'django')).toBe(true);
    expect(audit.findings.filter((f) => f.kind === 'extra-index-url').length).toBeGreaterThan(0);
    // Markdown: the URL is escaped, so GitHub makes no link of it (markdown-text.ts).
    expect(runs[4]!.output).toContain('adds the index https\\://mirror.example/simple?token=\\*\\*\\*\\*');

    const db = new Database(dbPath, { readonly: true });
    try {
      const rows = everyRow(db);
      expect(rows).toContain('github_blob_cache');
      expect(rows).not.toContain(SECRET);
    } finally {
      db.close();
    }
  });

  describe('through Slack', () => {
    let world: World;
    beforeAll(async () => {
      world = await startWorld({ repos: [{ owner: 'octo', name: 'secrets', files: FILES }] });
    });
    afterAll(async () => {
      await world.close();
    });

    it('is in no Slack call or reply, no log line and no row of the bot database', async () => {
      await world.audit('octo/secrets');
      const update = await waitFor(() => world.slack.callsTo('chat.update')[0], 'the audit result');
      await world.bot.service.idle();
      expect(update.response.ok).toBe(true);

      const slackTraffic = JSON.stringify([world.slack.calls, world.slack.responses]);
      expect(slackTraffic).toContain('django');
      expect(slackTraffic).not.toContain(SECRET);
      const logs = JSON.stringify(world.logs);
      expect(logs).toContain('audit posted');
      expect(logs).not.toContain(SECRET);
      const rows = everyRow(world.db);
      expect(rows).toContain('bad @ https://h/x.whl ;; ((');
      expect(rows).not.toContain(SECRET);
    });
  });
});

/**
 * Tokens where no URL is: a requirement line that fails to parse quotes them ("Invalid marker:
 * 'sk_live_…'"), and a directory may be named after one. Every token format the secret scanner knows
 * is redacted wherever such text goes out, keeping the prefix so the line still says where to look.
 */
describe('a token in a line that fails to parse, or in a path', () => {
  // Built from parts, so this file holds none whole.
  const STRIPE = 'sk_live_' + '4eC39HqLyjWDarjtT1zdp7dcQw8xZ9';
  const AWS = 'AKIA' + 'QWERTYUIOPASDFGH';
  const SLACK_TOKEN = 'xoxb-' + '80417326655-2957718340261-' + 'Qw3rTy7UiOp9AsDfGhJkLzXc';
  const GITHUB_TOKEN = 'ghp_' + 'Ba5el1neT0k3nV4lu3abcdefGHIJKLmnopq0';
  const TOKENS = { STRIPE, AWS, SLACK_TOKEN, GITHUB_TOKEN };
  const TOKEN_FILES: Record<string, string> = {
    'requirements.txt': `django==2.1.5\nstripe>=1 ; ${STRIPE}\n${AWS}==1.0 ;; x\nfoo ${SLACK_TOKEN} bar\n`,
    [`keys/${GITHUB_TOKEN}/requirements.txt`]: 'requests==2.19.1\n',
    'pyproject.toml': `[project]\nname = "x"\nversion = "1"\ndependencies = ["bad ${STRIPE} (("]\n`,
  };
  const leaked = (text: string) => Object.entries(TOKENS).filter(([, token]) => text.includes(token)).map(([name]) => name);

  let github: FakeGitHub;
  let osv: FakeOsv;
  let pypi: FakePypi;
  let work: string;
  let checkout: string;
  beforeAll(async () => {
    ({ work, checkout } = checkoutOf('depwatch-tokens-', TOKEN_FILES));
    github = await startFakeGitHub({ repos: [{ owner: 'octo', name: 'tokens', files: TOKEN_FILES }], tokens: [`ghp_${'S3c'.repeat(12)}`] });
    osv = await startFakeOsv({ records: [...fixtureRecords().values()] });
    pypi = await startFakePypi({ projects: [] });
  });
  afterAll(async () => {
    await Promise.all([github.close(), osv.close(), pypi.close()]);
  });

  it('is in no output of the CLI, in any format, nor in its database; the lines and paths still say where', async () => {
    const dbPath = join(work, 'cli.db');
    openDb(dbPath).close();
    const run = async (...argv: string[]) => {
      let output = '';
      await runCli(argv, {
        stdout: (t) => void (output += t),
        stderr: (t) => void (output += t),
        isTTY: false,
        cwd: checkout,
        env: { TZ: 'UTC', DEPWATCH_DB: dbPath, OSV_API_URL: osv.url, PYPI_URL: pypi.url, GITHUB_API_URL: github.url, GITHUB_TOKEN: `ghp_${'S3c'.repeat(12)}`, LOG_LEVEL: 'debug' },
      });
      return output;
    };
    const formats = [[], ['--json'], ['--markdown'], ['--sarif']];
    const outputs: Record<string, string> = {};
    for (const format of formats) {
      outputs[`deps ${format.join(' ')}`] = await run('deps', ...format.filter((f) => f === '--json'), '.');
      outputs[`audit ${format.join(' ')} .`] = await run('audit', ...format, '.');
      outputs[`audit ${format.join(' ')} octo/tokens`] = await run('audit', ...format, 'octo/tokens');
    }
    const leaks = Object.entries(outputs).flatMap(([run, out]) => leaked(out).map((token) => `${run}: ${token}`));
    expect(leaks).toEqual([]);
    const text = outputs['audit  .']!;
    expect(text).toContain("Invalid marker: 'sk_live_…[redacted]'");
    expect(text).toContain('foo xoxb-…[redacted] bar');
    expect(outputs['audit --json .']).toContain('keys/ghp_…[redacted]/requirements.txt');

    const db = new Database(dbPath, { readonly: true });
    try {
      expect(leaked(everyRow(db))).toEqual([]);
    } finally {
      db.close();
    }
  });

  it('is in no Slack call or reply, no log line and no row of the bot database', async () => {
    const world = await startWorld({ repos: [{ owner: 'octo', name: 'tokens', files: TOKEN_FILES }] });
    try {
      // A signed /audit request, as Slack sends it (startWorld signs every request with the app's secret).
      const { response } = await world.audit('octo/tokens');
      await waitFor(() => world.slack.callsTo('chat.update')[0], 'the audit result');
      await world.bot.service.idle();
      // Everything that went back to Slack: the answer to the request, Web API calls, response_url posts.
      const slackTraffic = JSON.stringify([response, world.slack.calls, world.slack.responses]);
      expect(slackTraffic).toContain('sk_live_');
      expect(leaked(slackTraffic)).toEqual([]);
      const logs = JSON.stringify(world.logs);
      expect(logs).toContain('audit posted');
      expect(leaked(logs)).toEqual([]);
      const rows = everyRow(world.db);
      expect(rows).toContain('sk_live_');
      expect(leaked(rows)).toEqual([]);
    } finally {
      await world.close();
    }
  });
});

/**
 * Text the advisory databases and PyPI write, quoted to Slack: an OSV advisory's summary and a PEP 792
 * project status reason. Their authors are not ours (an advisory may quote a leaked key as its
 * example), so they are redacted like everything else that goes out.
 */
describe('a token in an advisory summary or a project status reason', () => {
  // Built from parts, so this file holds none whole.
  const STRIPE = 'sk_live_' + '4eC39HqLyjWDarjtT1zdp7dcQw8xZ9';
  const GITLAB = 'glpat-' + 'Zx9Qw3rTy7UiOp9AsDfG';
  const ADVISORY = osvRecord('GHSA-tokn-summ-ary1', 'leakylib', { fixed: '2.0', severity: 'HIGH', summary: `Leaks the key ${STRIPE} in debug pages` });
  const REPO = { owner: 'octo', name: 'statuses', files: { 'requirements.txt': 'leakylib==1.0\nfrozenlib==1.0\n' } };
  const PROJECTS: FakeProjectSpec[] = [
    { name: 'leakylib', releases: [{ version: '1.0', uploadTime: '2026-10-01T00:00:00Z' }, { version: '2.0', uploadTime: '2026-11-01T00:00:00Z' }] },
    { name: 'frozenlib', releases: [{ version: '1.0', uploadTime: '2026-10-01T00:00:00Z' }], status: 'quarantined', statusReason: `reported: ships ${GITLAB}` },
  ];

  it('reaches Slack redacted, from /audit of a repository and of a package, keeping what kind of token it was', async () => {
    const world = await startWorld({ repos: [REPO], extraAdvisories: [ADVISORY], cards: { projects: PROJECTS } });
    try {
      const { response } = await world.audit('octo/statuses');
      await waitFor(() => world.slack.callsTo('chat.update')[0], 'the audit result');
      await world.bot.service.idle();
      const updates = world.slack.callsTo('chat.update').length;
      const card = await world.audit('package frozenlib');
      await waitFor(() => world.slack.callsTo('chat.update')[updates], 'the package card');
      await world.bot.service.idle();
      const slackTraffic = JSON.stringify([response, card.response, world.slack.calls, world.slack.responses]);
      expect(slackTraffic).toContain('Leaks the key sk_live_…[redacted]');
      expect(slackTraffic).toContain('glpat-…[redacted]');
      expect(slackTraffic).not.toContain(STRIPE);
      expect(slackTraffic).not.toContain(GITLAB);
      expect(JSON.stringify(world.logs)).not.toContain(STRIPE);
    } finally {
      await world.close();
    }
  });
});
