/** File hygiene (.env, config/secret*.py, .gitignore) and runtime least privilege (Dockerfile, compose, Kubernetes). */
import { describe, expect, it } from 'vitest';
import { isComposePath, isDockerfilePath } from '../../src/scan/paths.js';
import { parseDockerfile } from '../../src/scan/runtime/dockerfile.js';
import { scanRuntime } from '../../src/scan/runtime/scan-runtime.js';
import { bestCpuMs, cpuStopwatch } from '../helpers/cpu-time.js';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { scanTree } from '../../src/scan/scan.js';
import { directoryScanSource } from '../../src/scan/source.js';
import { hits, KEY, scanFiles } from './helpers.js';

/** Scans a real directory holding `files`, as `depwatch scan DIR` does. */
async function scanDirectory(files: Record<string, string>) {
  const root = mkdtempSync(join(tmpdir(), 'depwatch-scan-'));
  try {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    return await scanTree(directoryScanSource(root), { fingerprintKey: KEY, today: new Date('2026-11-28T12:00:00Z') });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const of = (result: Awaited<ReturnType<typeof scanFiles>>, kind: string) =>
  result.findings.filter((f) => f.kind === kind).map((f) => `${f.rule} ${f.file}${f.line ? `:${f.line}` : ''}`).sort();

describe('files', () => {
  it('reports committed .env and *.env files and config/secret*.py, not templates', async () => {
    const result = await scanFiles({
      '.gitignore': '.env\n*.env\n.env.*\n!.env.example\nconfig/secret*.py\n',
      '.env': 'DATABASE_URL=postgres://localhost/app\nDEBUG=1\n',
      'deploy/production.env': 'SENTRY_DSN=https://abc@sentry.io/1\n',
      '.env.example': 'DATABASE_URL=\n',
      '.env.sample': 'X=1\n',
      '.env.template': 'X=1\n',
      'config/secrets.py': 'SECRET_KEY = os.environ["SECRET_KEY"]\n',
      'config/settings.py': 'DEBUG = False\n',
      'app/environment.py': 'ENV = "prod"\n',
    });
    expect(of(result, 'file')).toEqual(['file-env-committed .env', 'file-env-committed deploy/production.env', 'file-secret-config-committed config/secrets.py']);
  });

  it('a committed .env in test code is a fixture (tests of .env loading need one), and a dev container\'s is development settings: low, saying so; a credential in it is still reported on its own', async () => {
    const token = 'ghp_' + 'R4nd0mT0k3nV4lu3abcdefGHIJKLmnopqrST';
    const result = await scanFiles({ 'tests/test_apps/.env': 'FOO=env\nSPAM=1\n', 'tests/fixtures/app.env': `GITHUB_TOKEN=${token}\n`, '.devcontainer/common.env': 'DEFAULT_CHANNEL_SLUG=default\n' });
    const committed = result.findings.filter((f) => f.rule === 'file-env-committed');
    expect(committed.map((f) => [f.file, f.severity])).toEqual([['.devcontainer/common.env', 'low'], ['tests/fixtures/app.env', 'low'], ['tests/test_apps/.env', 'low']]);
    expect(committed[2]!.message).toContain('test code');
    expect(committed[0]!.message).toContain('development container');
    expect(result.findings.filter((f) => f.kind === 'secret').map((f) => [f.file, f.severity])).toEqual([['tests/fixtures/app.env', 'critical']]);
  });

  it('a committed .env with only empty or placeholder values is low severity', async () => {
    const result = await scanFiles({ '.gitignore': '.env\n*.env\n', '.env': '# fill these in\nAPI_KEY=\nDB_PASSWORD=changeme\n' });
    expect(result.findings.find((f) => f.rule === 'file-env-committed')!.severity).toBe('low');
  });

  it('in a directory, the folders skipped by name that it holds are named in a note (a few, the rest counted), version control data left out; not partial', async () => {
    const token = 'ghp_' + 'R4nd0mT0k3nV4lu3abcdefGHIJKLmnopqrST';
    const few = await scanDirectory({ 'app/a.py': 'x = 1\n', 'venv/bin/postactivate': `export GITHUB_TOKEN=${token}\n`, 'node_modules/x/.npmrc': 'x\n', 'app/__pycache__/a.pyc': 'x', '.git/config': 'x', 'node_modules/y/node_modules/z/a.js': 'x' });
    expect(few.partial).toBe(false);
    expect(few.stats.files).toBe(1);
    expect(few.notes).toEqual([{ kind: 'skipped-folders', message: '3 folders every scan skips by name (dependencies, virtual environments, caches) were not scanned, not even for secrets: app/__pycache__/, node_modules/, venv/' }]);
    const many = await scanDirectory(Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`p${i}/__pycache__/a.pyc`, 'x'])));
    expect(many.notes.map((n) => n.message)).toEqual([expect.stringMatching(/^7 folders .*: p0\/__pycache__\/, p1\/__pycache__\/, p2\/__pycache__\/, p3\/__pycache__\/, p4\/__pycache__\/ and 2 more$/)]);
    expect((await scanDirectory({ 'a.py': 'x = 1\n' })).notes).toEqual([]);
  });

  it('in a directory, a .env that .gitignore excludes is not committed: no file-env-committed, its secrets still reported', async () => {
    const token = 'Zx9qL2mP7vK4tR8w' + 'Q3nB';
    const files = {
      '.gitignore': '.env\n*.env\n.env.*\n!.env.example\n',
      '.env': `DB_PASSWORD=${token}\n`,
      '.env.production': 'DEBUG=0\nSENTRY_DSN=https://abc@sentry.io/1\n',
      'services/api/.gitignore': 'local.env\n',
      'services/api/local.env': 'X=1\n',
      // Ignored by the root's `*.env`, taken back by its own folder's `!prod.env`: committed.
      'services/web/.gitignore': '!prod.env\n',
      'services/web/prod.env': 'API_URL=https://example.org\n',
      'tools/.env.staging.bak': 'X=2\n',
      '.env.example': 'DB_PASSWORD=\n',
    };
    const local = await scanDirectory(files);
    expect(of(local, 'file')).toEqual(['file-env-committed services/web/prod.env']);
    expect(of(local, 'secret')).toEqual(['secret-assigned .env:1']);
    expect(local.findings.find((f) => f.kind === 'secret')!.severity).toBe('high');
    expect(JSON.stringify(local)).not.toContain(token);
    // An archive from GitHub holds only what was committed: there every .env is committed.
    const archive = await scanFiles(files);
    expect(of(archive, 'file')).toEqual([
      'file-env-committed .env',
      'file-env-committed .env.production',
      'file-env-committed services/api/local.env',
      'file-env-committed services/web/prod.env',
      'file-env-committed tools/.env.staging.bak',
    ]);
  });

  it('in a directory, a .env no .gitignore excludes is said as not ignored and to be committed, not as committed: git may not track it yet', async () => {
    const files = { '.env': 'DB_HOST=db.internal\n', 'services/api/.env': 'DB_HOST=\n' };
    const message = (result: Awaited<ReturnType<typeof scanFiles>>, path: string) => result.findings.find((f) => f.rule === 'file-env-committed' && f.file === path)!.message;
    const local = await scanDirectory(files);
    expect(message(local, '.env')).toBe(
      '.env is not ignored by .gitignore, so git would commit it (git ls-files tells whether it already has): the settings and credentials it holds would be readable by everyone with access to the repository and its history.',
    );
    expect(message(local, 'services/api/.env')).toBe('services/api/.env is not ignored by .gitignore, with no real values yet; once filled in, git would commit the credentials with it.');
    // From GitHub every file was committed.
    const archive = await scanFiles(files);
    expect(message(archive, '.env')).toMatch(/^\.env is committed: /);
    expect(message(archive, 'services/api/.env')).toMatch(/^services\/api\/\.env is committed, with no real values yet/);
  });

  it('config/secret*.py follows the same rule: in a directory, one .gitignore excludes is not reported, one it does not is said as not ignored; from GitHub, committed', async () => {
    const files = {
      '.gitignore': 'config/secret*.py\n',
      'config/secrets.py': 'SECRET_KEY = "x"\n',
      // Anchored to its own folder's .gitignore, which does not cover it.
      'app/.gitignore': '/secret*.py\n',
      'app/config/secret_settings.py': 'DB_PASSWORD = "x"\n',
    };
    const found = (result: Awaited<ReturnType<typeof scanFiles>>) => result.findings.filter((f) => f.rule === 'file-secret-config-committed');
    const local = found(await scanDirectory(files));
    expect(local.map((f) => f.file)).toEqual(['app/config/secret_settings.py']);
    expect(local[0]!.message).toBe(
      'app/config/secret_settings.py is not ignored by .gitignore, so git would commit it (git ls-files tells whether it already has); a secrets module in the repository gives its credentials to everyone who can read it.',
    );
    expect(local[0]!.fix).toMatch(/^Add config\/secret\*\.py to \.gitignore \(and git rm --cached the file if git already tracks it\)/);
    // The same words as the .env rule's, from the same place.
    const env = (await scanDirectory({ '.env': 'DB_HOST=db.internal\n' })).findings.find((f) => f.rule === 'file-env-committed')!;
    expect(env.message.startsWith('.env is not ignored by .gitignore, so git would commit it (git ls-files tells whether it already has)')).toBe(true);
    expect(env.fix).toMatch(/^Add it to \.gitignore \(and git rm --cached the file if git already tracks it\)/);
    // From GitHub every file was committed, ignored or not.
    const archive = found(await scanFiles(files));
    expect(archive.map((f) => f.file).sort()).toEqual(['app/config/secret_settings.py', 'config/secrets.py']);
    expect(archive.find((f) => f.file === 'config/secrets.py')!.message).toBe('config/secrets.py is committed; a secrets module in the repository gives its credentials to everyone who can read it.');
    expect(archive[0]!.fix).toMatch(/^git rm --cached the file, add config\/secret\*\.py to \.gitignore, rotate the credentials, and read them/);
  });

  it('reads .gitignore like git: negations, anchored patterns, folders, nested files', async () => {
    const gaps = async (files: Record<string, string>) => of(await scanFiles({ 'app/config/settings.py': 'X = 1\n', ...files }), 'file');
    expect(await gaps({})).toEqual(['file-gitignore-env .gitignore', 'file-gitignore-secret-config app/config/settings.py']); // no .gitignore: the module that would be committed
    expect(await gaps({ '.gitignore': '.env\n*.env\n**/config/secret*.py\n' })).toEqual([]);
    // Negated after: .env is committed again.
    expect(await gaps({ '.gitignore': '*.env\n.env\n!.env\n**/config/secret*.py\n' })).toEqual(['file-gitignore-env .gitignore']);
    // Anchored to the root (a leading or middle slash, as git reads it): does not cover app/config.
    expect(await gaps({ '.gitignore': '.env\n*.env\n/config/secret*.py\n' })).toEqual(['file-gitignore-secret-config .gitignore']);
    expect(await gaps({ '.gitignore': '.env\n*.env\nconfig/secret*.py\n' })).toEqual(['file-gitignore-secret-config .gitignore']);
    // A nested .gitignore in app/ covers its own config folder.
    expect(await gaps({ '.gitignore': '.env\n*.env\n', 'app/.gitignore': 'config/secret*.py\n' })).toEqual([]);
    // Only .env, not *.env: a lower-severity gap.
    const partial = await scanFiles({ '.gitignore': '.env\nconfig/secret*.py\n' });
    expect(partial.findings.find((f) => f.rule === 'file-gitignore-env')).toMatchObject({ severity: 'low' });
  });
});

describe('Dockerfile', () => {
  it('root user, unpinned and :latest base images, remote ADD, secrets in ENV and ARG', async () => {
    const result = await scanFiles({
      '.gitignore': '.env\n*.env\n',
      Dockerfile: [
        'FROM python AS build', // 1: no tag
        'ARG PIP_INDEX_TOKEN', // 2: secret build arg
        'RUN pip wheel -w /wheels .',
        'FROM ubuntu:latest', // 4: latest
        'ADD https://example.com/tool.tar.gz /opt/', // 5: remote ADD
        'ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/other.tar.gz /opt/',
        'ENV DATABASE_PASSWORD=s3cr3tPa55', // 7: ENV secret
        'ENV PASSWORD_FILE=/run/secrets/db',
        'COPY --from=build /wheels /wheels',
      ].join('\n'),
    });
    expect(of(result, 'runtime')).toEqual([
      'docker-add-remote-url Dockerfile:5',
      'docker-latest-tag Dockerfile:4',
      'docker-root-user Dockerfile:4',
      'docker-secret-in-build Dockerfile:2',
      'docker-secret-in-build Dockerfile:7',
      'docker-unpinned-base-image Dockerfile:1',
    ]);
    expect(JSON.stringify(result.findings)).not.toContain('s3cr3tPa55');
  });

  it('ENV and LABEL take the legacy `KEY value` form when their first word has no `=`, whatever the value holds; ARG has no legacy form', async () => {
    const PINNED = 'FROM python:3.12-slim@sha256:' + 'a'.repeat(64);
    // The runtime rule alone: in a scan, a value the secret scanner also finds is reported as that secret instead.
    const secrets = async (...lines: string[]) =>
      scanRuntime('Dockerfile', [PINNED, ...lines, 'USER app'].join('\n') + '\n').findings.filter((f) => f.info.id === 'docker-secret-in-build').map((f) => `${f.line} ${f.message.split(' ').slice(0, 2).join(' ')}`);
    expect(await secrets('ENV API_KEY dGhpcyBpcyBhIHNlY3JldCB0b2tlbiB2YWw=', 'ENV DJANGO_SECRET_KEY k8Jd93hsLq0aZ7xP2mWv+q=w9e')).toEqual(['2 ENV API_KEY', '3 ENV DJANGO_SECRET_KEY']);
    // The first word has `=`: the new form, each word a setting; `ARG A B` declares two arguments.
    expect(await secrets('ENV APP=web AUTH_TOKEN="a b=c"', 'ARG MODE SECRET_KEY')).toEqual(['2 ENV AUTH_TOKEN', '3 ARG SECRET_KEY']);
    const PINNED_ROOT = async (...lines: string[]) =>
      (await scanFiles({ Dockerfile: [PINNED, ...lines].join('\n') + '\n' })).findings.filter((f) => f.rule === 'docker-root-user').map((f) => f.line);
    // A legacy ENV whose value has `=` still sets the variable USER reads; `ARG RUN_AS root` gives RUN_AS no default.
    expect(await PINNED_ROOT('ENV RUN_AS root', 'ENV OPTS a=b', 'USER $RUN_AS')).toEqual([4]);
    expect(await PINNED_ROOT('ARG RUN_AS root', 'USER $RUN_AS')).toEqual([]);
  });

  it('a final non-root USER, pinned images and stage references pass; ending as root is high', async () => {
    const good = await scanFiles({
      'docker/api.Dockerfile': [
        '# syntax=docker/dockerfile:1',
        'FROM python:3.12-slim@sha256:af4e85f1cac90dd3771e47292ea7c8a9830abfabbe4faa5c53f158854c2e819d AS base',
        'RUN useradd --uid 10001 app \\',
        '    # a comment inside a continuation',
        '    && mkdir /app',
        'FROM base',
        'RUN <<EOF',
        'USER root',
        'EOF',
        'USER app',
      ].join('\n'),
    });
    expect(of(good, 'runtime')).toEqual([]);
    const root = await scanFiles({ Dockerfile: 'FROM python:3.12-slim\nUSER app\nRUN make\nUSER 0\n' });
    expect(root.findings.find((f) => f.rule === 'docker-root-user')).toMatchObject({ line: 4, severity: 'high', confidence: 'high' });
  });

  it('a USER given through a variable is judged by the default the Dockerfile gives it (ARG, ENV, ${VAR:-default})', async () => {
    const PINNED = 'FROM python:3.12-slim@sha256:' + 'a'.repeat(64);
    const rootUser = async (...lines: string[]) => (await scanFiles({ Dockerfile: [PINNED, ...lines].join('\n') + '\n' })).findings.filter((f) => f.rule === 'docker-root-user').map((f) => `${f.line} ${f.severity}: ${f.message}`);
    expect(await rootUser('ARG APP_USER=root', 'USER ${APP_USER}')).toEqual([expect.stringMatching(/^3 high: The image ends as USER \$\{APP_USER\}, which is root with the defaults this Dockerfile gives/)]);
    expect(await rootUser('ENV RUN_AS=0', 'USER $RUN_AS:app')).toEqual([expect.stringMatching(/^3 high: .*which is 0:app/)]);
    expect(await rootUser('USER ${APP_USER:-root}')).toEqual([expect.stringMatching(/^2 high/)]);
    // Declared before FROM and again in the stage without a default: the global default applies.
    expect((await scanFiles({ Dockerfile: `ARG UID=0\n${PINNED}\nARG UID\nUSER \${UID}\n` })).findings.filter((f) => f.rule === 'docker-root-user').map((f) => f.line)).toEqual([4]);
    // A non-root default, an ARG with no default (the build must give one), an ENV that wins over an ARG: not root.
    expect(await rootUser('ARG APP_USER=app', 'USER ${APP_USER}')).toEqual([]);
    expect(await rootUser('ARG APP_USER', 'USER ${APP_USER}')).toEqual([]);
    expect(await rootUser('ENV APP_USER=app', 'ARG APP_USER=root', 'USER $APP_USER')).toEqual([]);
    expect(await rootUser('ARG APP_USER=root', 'USER ${APP_USER:-app}')).toEqual([expect.stringMatching(/^3 high/)]);
    expect(await rootUser('ARG APP_USER=root', 'USER ${APP_USER:+app}')).toEqual([]);
  });

  it('RUN piping a download into a shell or interpreter is reported; a download checked first, or piped into tar, is not', async () => {
    const PINNED = 'FROM python:3.12-slim@sha256:' + 'a'.repeat(64);
    const piped = async (...runs: string[]) => (await scanFiles({ Dockerfile: [PINNED, ...runs, 'USER app'].join('\n') + '\n' })).findings.filter((f) => f.rule === 'docker-pipe-to-shell').map((f) => f.line);
    expect(await piped(
      'RUN curl -sSL https://install.python-poetry.org | python3 -', // 2
      'RUN wget -O- https://get.example.sh | bash', // 3
      'RUN cd /tmp && curl -fsSL https://sh.rustup.rs | sudo -E sh -s -- -y', // 4
      'RUN bash <(curl -fsSL https://example.com/install.sh)', // 5
      'RUN sh -c "$(curl -fsSL https://example.com/install.sh)"', // 6
      'RUN curl -fsSL https://astral.sh/uv/install.sh | env UV_INSTALL_DIR=/opt/uv /bin/sh', // 7
      'RUN curl -fsSL https://get.example.com/install.sh | tee /tmp/install.sh | sh', // 8
      'RUN curl -fsSL https://get.example.com/install.sh | tee -a /tmp/log | tee /tmp/i.sh | bash -e -o pipefail', // 9
      'RUN wget -qO- https://example.com/x.pl | perl -w', // 10
      'RUN curl -sSL https://example.com/get.py | python3 -u -W ignore - --yes', // 11
    )).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(await piped(
      'RUN curl -fsSLo install.sh https://example.com/install.sh && echo "abc  install.sh" | sha256sum -c - && sh install.sh',
      'RUN curl -fsSL https://example.com/tool.tar.gz | tar -xz -C /opt',
      'RUN curl -fsSL https://example.com/health || sh -c "echo down"',
      'RUN pip install poetry==1.8.3',
      // Interpreters given their program by argument read the download as data.
      'RUN LATEST=$(curl -s https://api.github.com/repos/o/r/releases/latest | python3 -c "import sys, json; print(json.load(sys.stdin)[\'tag_name\'])")',
      'RUN curl -s https://example.com/data.json | python -m json.tool',
      'RUN wget -qO- https://example.com/v.json | node -e "let s=\'\';process.stdin.on(\'data\',d=>s+=d).on(\'end\',()=>console.log(JSON.parse(s).v))"',
      'RUN curl -s https://example.com/v.json | node --eval "process.stdin.pipe(process.stdout)"',
      "RUN curl -s https://example.com/list.txt | perl -ne 'print if /x/'",
      "RUN curl -s https://example.com/list.txt | ruby -e 'puts STDIN.read.size'",
      'RUN curl -s https://example.com/v.json | python3 /opt/parse_version.py',
      'RUN curl -s https://example.com/v.json | bash -o pipefail -c "read v; echo $v"',
      // `tee` passes the download on only within its own pipeline.
      'RUN curl -fsSL https://example.com/install.sh | tee /tmp/install.sh && echo saved | sh',
      'RUN curl -fsSL https://example.com/install.sh | tee /tmp/install.sh | sha256sum',
    )).toEqual([]);
  });

  it('RUN pipes into a shell however the shell\'s command ends: a comment, an operator, a redirection', async () => {
    const PINNED = 'FROM python:3.12-slim@sha256:' + 'a'.repeat(64);
    const piped = async (...runs: string[]) => (await scanFiles({ Dockerfile: [PINNED, ...runs, 'USER app'].join('\n') + '\n' })).findings.filter((f) => f.rule === 'docker-pipe-to-shell').map((f) => f.line);
    expect(await piped(
      'RUN curl -s https://x.example.com/i.sh | sh # installs the agent', // 2
      'RUN curl -s https://x.example.com/i.sh | bash; echo done', // 3
      'RUN curl -s https://x.example.com/i.sh | sh 2>&1', // 4
      'RUN curl -s https://x.example.com/i.sh | sh > /dev/null 2>&1', // 5
      'RUN curl -s https://x.example.com/i.sh | bash&& echo done', // 6
      'RUN (curl -s https://x.example.com/i.sh | sh)', // 7
      'RUN curl -s https://x.example.com/i.sh | sh -s -- -y >>/tmp/log 2>&1 || true', // 8
      'RUN curl -s https://x.example.com/i.sh | tee /tmp/i.sh 2>/dev/null | sh', // 9
      'RUN curl -s https://x.example.com/i.py | python3 &>/tmp/log', // 10
      'RUN curl -s https://x.example.com/i.sh | bash -o pipefail #-c "echo"', // 11
    )).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(await piped(
      // A comment is not the pipe: what follows `#` is not run.
      'RUN curl -fsSLo /tmp/i.sh https://x.example.com/i.sh # then | sh',
      // A script named after redirections, or stdin taken from a file, reads no download.
      'RUN curl -s https://x.example.com/v.json | sh 2>&1 /opt/parse.sh',
      'RUN curl -s https://x.example.com/v.json | sh < /opt/local.sh',
      'RUN curl -s https://x.example.com/v.json | sh -c "read v; echo $v" 2>&1',
      'RUN curl -s https://x.example.com/v.json | shellcheck -',
      'RUN curl -s https://x.example.com/v.json | tee /tmp/v.json; sh /opt/x.sh',
      // A `#` inside a word or quotes starts no comment.
      'RUN curl -s "https://x.example.com/#frag" | python3 -c "import sys # not a comment"',
    )).toEqual([]);
  });

  it('a comment in a here-document or an exec-form -c script ends at its line, as in a RUN', async () => {
    const PINNED = 'FROM python:3.12-slim@sha256:' + 'a'.repeat(64);
    const piped = async (...runs: string[]) => (await scanFiles({ Dockerfile: [PINNED, ...runs, 'USER app'].join('\n') + '\n' })).findings.filter((f) => f.rule === 'docker-pipe-to-shell').map((f) => f.line);
    expect(await piped(
      'RUN <<EOF', // 2
      '# fetch the agent',
      'curl -fsSL https://x.example.com/i.sh | sh # installs it',
      'EOF',
      'RUN ["/bin/sh", "-c", "curl -s https://x.example.com/i.sh | sh # why"]', // 6
    )).toEqual([2, 6]);
    expect(await piped(
      'RUN <<EOF',
      '# curl -fsSL https://x.example.com/i.sh | sh',
      'curl -fsSLo /tmp/i.sh https://x.example.com/i.sh # then | sh',
      'EOF',
      'RUN ["/bin/sh", "-c", "curl -fsSLo /tmp/i.sh https://x.example.com/i.sh # then | sh"]',
    )).toEqual([]);
  });

  it('RUN as a here-document a shell runs, or in exec form through sh -c, is read as the shell reads it', async () => {
    const PINNED = 'FROM python:3.12-slim@sha256:' + 'a'.repeat(64);
    const piped = async (...runs: string[]) => (await scanFiles({ Dockerfile: [PINNED, ...runs, 'USER app'].join('\n') + '\n' })).findings.filter((f) => f.rule === 'docker-pipe-to-shell').map((f) => f.line);
    expect(await piped(
      'RUN <<EOT', // 2
      'set -eux',
      'curl https://x.example.com/i.sh | sh',
      'EOT',
      'RUN ["/bin/sh", "-c", "curl https://x.example.com/i.sh | sh"]', // 6
      'RUN ["bash", "-ec", "curl -fsSL https://x.example.com/i.sh | bash"]', // 7
      'RUN --mount=type=cache,target=/root/.cache bash -e <<EOF', // 8
      'curl -fsSL https://x.example.com/i.sh \\',
      '  | sh',
      'EOF',
      'RUN <<EOF', // 12
      'curl -fsSL https://x.example.com/i.sh |',
      '  python3 -',
      'EOF',
    )).toEqual([2, 6, 7, 8, 12]);
    expect(await piped(
      // A here-document that is a file's content, or another program's input, is not run by a shell here.
      'RUN cat <<EOF > /opt/install.sh',
      'curl https://x.example.com/i.sh | sh',
      'EOF',
      'COPY <<EOF /opt/readme.txt',
      'curl https://x.example.com/i.sh | sh',
      'EOF',
      'RUN ["curl", "-o", "/tmp/i.sh", "https://x.example.com/i.sh | sh"]',
      'RUN ["/bin/sh", "/opt/run.sh", "curl x | sh"]',
      // Lines of a script are separate commands: the download is not piped into the next line's shell.
      'RUN <<EOF',
      'curl -fsSLo /tmp/i.sh https://x.example.com/i.sh',
      'sh /tmp/i.sh',
      'EOF',
    )).toEqual([]);
  });

  it('a last USER whose user part is root or 0 is root, whatever the group; a non-root user in the root group is not', async () => {
    const last = async (user: string) => (await scanFiles({ Dockerfile: `FROM python:3.12-slim\nUSER app\nUSER ${user}\n` })).findings.filter((f) => f.rule === 'docker-root-user').map((f) => `${f.line} ${f.severity}`);
    for (const user of ['0:1000', 'root:app', 'root', '0', '0:0', 'root:root', '000']) expect(await last(user), user).toEqual(['3 high']);
    for (const user of ['app:root', '1000:0', 'rooter', '10001', 'app']) expect(await last(user), user).toEqual([]);
    // BuildKit's lexer removes the quotes: `USER "root"` and `USER 'root':app` are root.
    for (const user of ['"root"', "'root':app", '"${NOBODY:-root}"', 'ro"ot"']) expect(await last(user), user).toEqual(['3 high']);
    expect(await last('"app"')).toEqual([]);
    // Single quotes expand nothing: the user is literally `$U`, not the ARG's root.
    const quoted = await scanFiles({ Dockerfile: "FROM python:3.12-slim\nARG U=root\nUSER '$U'\n" });
    expect(quoted.findings.filter((f) => f.rule === 'docker-root-user')).toEqual([]);
    const expanded = await scanFiles({ Dockerfile: 'FROM python:3.12-slim\nARG U=root\nUSER "$U"\n' });
    expect(expanded.findings.filter((f) => f.rule === 'docker-root-user').map((f) => f.line)).toEqual([3]);
  });

  it('parses continuations, comments and here-documents like docker does', () => {
    const df = parseDockerfile('# escape=`\nFROM mcr.microsoft.com/windows:ltsc2022\nRUN dir `\n  # note\n  c:\\\nUSER ContainerUser\n');
    expect(df.stages[0]!.instructions.map((i) => `${i.keyword}@${i.line}: ${i.args}`)).toEqual(['RUN@3: dir c:\\', 'USER@6: ContainerUser']);
  });
});

describe('Dockerfile here-documents, as BuildKit reads them', () => {
  const keywords = (text: string) => parseDockerfile(text).stages.flatMap((s) => s.instructions.map((i) => `${i.keyword}@${i.line}`));

  it('`<<` inside quotes, a here-string `<<<` and `<<` outside RUN, COPY and ADD open no here-document: the USER after them counts', async () => {
    expect(keywords('FROM python:3.12\nRUN python -c "print(1<<n)"\nUSER app\n')).toEqual(['RUN@2', 'USER@3']);
    expect(keywords("FROM python:3.12\nRUN python -c 'print(1 << n)'\nUSER app\n")).toEqual(['RUN@2', 'USER@3']);
    expect(keywords('FROM python:3.12\nRUN grep x <<< yes\nUSER app\n')).toEqual(['RUN@2', 'USER@3']);
    expect(keywords('FROM python:3.12\nRUN cat<<EOF\nUSER app\n')).toEqual(['RUN@2', 'USER@3']);
    expect(keywords('FROM python:3.12\nLABEL note=<<EOF\nENV SHIFT <<EOF\nUSER app\n')).toEqual(['LABEL@2', 'ENV@3', 'USER@4']);
    expect(keywords('FROM python:3.12\nRUN ["sh", "-c", "cat <<EOF"]\nUSER app\n')).toEqual(['RUN@2', 'USER@3']);
    const scanned = await scanFiles({ Dockerfile: 'FROM python:3.12-slim@sha256:' + 'a'.repeat(64) + '\nRUN python -c "print(1<<n)"\nUSER app\n' });
    expect(scanned.findings.filter((f) => f.rule === 'docker-root-user')).toEqual([]);
    expect(scanned.partial).toBe(false);
  });

  it('real here-documents are skipped to their delimiter: quoted, with <<- and tabs, several on one line, after a file descriptor, under ONBUILD', () => {
    const text = [
      'FROM python:3.12', // 1
      'COPY <<-"EOT" /etc/app.conf', // 2
      '\tUSER root',
      '\tEOT',
      'RUN 3<<A cat /dev/fd/3 && cat <<\'B\'', // 5
      'USER root',
      'A',
      'USER root',
      'B',
      'ONBUILD RUN <<EOF', // 10
      'USER root',
      'EOF',
      'RUN <<EOF', // 13
      '  EOF',
      'USER root',
      'EOF',
      'USER app', // 17
      '',
    ].join('\n');
    expect(keywords(text)).toEqual(['COPY@2', 'RUN@5', 'ONBUILD@10', 'RUN@13', 'USER@17']);
    expect(parseDockerfile(text).problems).toEqual([]);
  });

  it('a here-document that is never closed is one problem that makes the scan partial, not a silent end of the file', async () => {
    const text = 'FROM python:3.12-slim@sha256:' + 'a'.repeat(64) + '\nRUN cat <<EOF > /etc/motd\nhello\nUSER app\n';
    expect(parseDockerfile(text).problems).toEqual(['line 2: the here-document <<EOF is never closed (no line "EOF" follows it), so docker cannot build this file; nothing after line 2 was checked']);
    const result = await scanFiles({ 'docker/Dockerfile': text, '.gitignore': '.env\n*.env\n' });
    expect(result.partial).toBe(true);
    expect(result.notes).toEqual([
      { kind: 'incomplete', file: 'docker/Dockerfile', message: 'docker/Dockerfile: line 2: the here-document <<EOF is never closed (no line "EOF" follows it), so docker cannot build this file; nothing after line 2 was checked' },
    ]);
  });
});

describe('which files are Dockerfiles and compose files, by name', () => {
  it('the names hadolint and trivy read: Dockerfile in any case, Dockerfile.*, *.Dockerfile, Dockerfile-*, Dockerfile_*, Containerfile', () => {
    for (const name of ['Dockerfile', 'dockerfile', 'DOCKERFILE', 'Dockerfile.prod', 'Dockerfile-prod', 'dockerfile-dev', 'Dockerfile_prod', 'docker/Dockerfile_ci', 'Containerfile_dev', 'Dockerfile_prod.template', 'docker/api.Dockerfile', 'web.dockerfile', 'Containerfile', 'Containerfile.ci', 'build/app.Containerfile', 'Dockerfile.template']) {
      expect(isDockerfilePath(name), name).toBe(true);
    }
    // Documentation, data, scripts and ignore files named after a Dockerfile are not one.
    for (const name of ['dockerfile-lint.json', 'Dockerfile.md', 'docs/Dockerfile.rst', 'Dockerfile.dockerignore', 'app.Dockerfile.dockerignore', 'Dockerfile-build.sh', 'Dockerfile.yml', 'Dockerfile.txt', 'Dockerfiles', 'MyDockerfile', 'dockerfile.py', 'Dockerfile/notes', 'Dockerfile_notes.md', 'dockerfile_lint.json', 'Dockerfile_build.sh', 'Dockerfile_prod.dockerignore', 'dockerfile_parser.rs', 'dockerfile_test.go']) {
      expect(isDockerfilePath(name), name).toBe(false);
    }
  });

  it('compose files: docker-compose*.y(a)ml and compose*.y(a)ml, with any separator', () => {
    for (const name of ['docker-compose.yml', 'docker-compose.yaml', 'docker-compose-prod.yml', 'docker-compose.prod.yml', 'docker-compose_ci.yaml', 'deploy/Docker-Compose.override.yml', 'compose.yaml', 'compose-dev.yml', 'compose.prod.yaml']) {
      expect(isComposePath(name), name).toBe(true);
    }
    for (const name of ['composer.yml', 'composition.yaml', 'docker-compose.yml.j2', 'docker-compose.json', 'my-compose.yml', 'docker-composer.yml']) {
      expect(isComposePath(name), name).toBe(false);
    }
  });

  it('a scan reads Dockerfile-prod, Dockerfile_prod, dockerfile and docker-compose-prod.yml like the usual names', async () => {
    const result = await scanFiles({
      'Dockerfile-prod': 'FROM python:3.12-slim\nUSER root\n',
      'Dockerfile_prod': 'FROM python:3.12-slim\nUSER root\n',
      'dockerfile_lint.json': '{ "FROM": "x" }\n',
      'svc/dockerfile': 'FROM python:3.12-slim\nUSER root\n',
      'docker-compose-prod.yml': 'services:\n  web:\n    image: ghcr.io/acme/web:1.4.2\n    privileged: true\n',
      'dockerfile-lint.json': '{ "FROM": "x" }\n',
    });
    const runtime = of(result, 'runtime');
    expect(runtime).toContain('docker-root-user Dockerfile-prod:2');
    expect(runtime).toContain('docker-root-user Dockerfile_prod:2');
    expect(runtime.some((r) => r.includes('dockerfile_lint.json'))).toBe(false);
    expect(runtime).toContain('docker-root-user svc/dockerfile:2');
    expect(runtime).toContain('container-privileged docker-compose-prod.yml:4');
    expect(runtime.some((r) => r.includes('dockerfile-lint.json'))).toBe(false);
  });
});

describe('compose and Kubernetes', () => {
  it('compose: limits, read_only, privileged, user root', async () => {
    const result = await scanFiles({
      'docker-compose.yml': [
        'services:',
        '  web:', // 2
        '    image: ghcr.io/acme/web:1.4.2',
        '    privileged: true', // 4
        '    user: root', // 5
        '  worker:', // 6
        '    image: ghcr.io/acme/worker:1.4.2',
        '    read_only: true',
        '    user: "10001"',
        '    deploy:',
        '      resources:',
        '        limits: { cpus: "1.0", memory: 512M }',
      ].join('\n'),
    });
    expect(of(result, 'runtime')).toEqual([
      'container-no-resource-limits docker-compose.yml:2',
      'container-privileged docker-compose.yml:4',
      'container-run-as-root docker-compose.yml:5',
      'container-writable-root-fs docker-compose.yml:2',
    ]);
  });

  it('compose: a user of root or 0 with any group runs as root', async () => {
    const result = await scanFiles({
      'compose.yaml': [
        'services:',
        '  a: { image: "x:1", read_only: true, user: "0:1000", deploy: { resources: { limits: { cpus: "1", memory: 1G } } } }', // 2
        '  b: { image: "x:1", read_only: true, user: "root:app", deploy: { resources: { limits: { cpus: "1", memory: 1G } } } }', // 3
        '  c: { image: "x:1", read_only: true, user: "1000:0", deploy: { resources: { limits: { cpus: "1", memory: 1G } } } }',
        '  d: { image: "x:1", read_only: true, user: 0, deploy: { resources: { limits: { cpus: "1", memory: 1G } } } }', // 5
      ].join('\n'),
    });
    expect(of(result, 'runtime')).toEqual(['container-run-as-root compose.yaml:2', 'container-run-as-root compose.yaml:3', 'container-run-as-root compose.yaml:5']);
  });

  it('Kubernetes: workloads inside a `kind: List` (kubectl get -o yaml), lists in lists too', async () => {
    const result = await scanFiles({
      'k8s/export.yaml': [
        'apiVersion: v1',
        'kind: List',
        'items:',
        '  - apiVersion: apps/v1',
        '    kind: Deployment',
        '    metadata: { name: api }',
        '    spec:',
        '      template:',
        '        spec:',
        '          securityContext: { privileged: true, runAsUser: 0 }', // 10
        '          containers:',
        '            - name: app', // 12
        '              image: acme/api:2.0',
        '              resources: { limits: { cpu: 500m, memory: 256Mi } }',
        '              securityContext: { readOnlyRootFilesystem: true, privileged: true }', // 15
        '  - apiVersion: v1',
        '    kind: List',
        '    items:',
        '      - apiVersion: v1',
        '        kind: Pod',
        '        metadata: { name: debug }',
        '        spec:',
        '          containers:',
        '            - name: shell', // 24
        '              image: acme/shell:1.0',
        '              securityContext: { runAsNonRoot: false }', // 26
        '  - apiVersion: v1',
        '    kind: ConfigMap',
        '    metadata: { name: cfg }',
      ].join('\n'),
    });
    expect(of(result, 'runtime')).toEqual([
      'container-no-resource-limits k8s/export.yaml:24',
      'container-privileged k8s/export.yaml:15',
      'container-run-as-root k8s/export.yaml:10',
      'container-run-as-root k8s/export.yaml:26',
      'container-writable-root-fs k8s/export.yaml:24',
    ]);
  });

  it('Kubernetes lists nested past any sane depth are read to a bound, without recursion trouble', async () => {
    const depth = 2000;
    const lines: string[] = [];
    for (let i = 0; i < depth; i++) lines.push(`${'  '.repeat(i)}- apiVersion: v1`, `${'  '.repeat(i)}  kind: List`, `${'  '.repeat(i)}  items:`);
    const text = `apiVersion: v1\nkind: List\nitems:\n${lines.map((l) => `  ${l}`).join('\n')}\n`;
    const cpuMsSince = cpuStopwatch(); // CPU time: other test files share the cores
    const result = await scanFiles({ 'k8s/deep.yaml': text });
    expect(of(result, 'runtime')).toEqual([]);
    expect(cpuMsSince()).toBeLessThan(5000);
  });

  it('Kubernetes: every workload kind, init containers, pod-level runAsNonRoot: false; Helm templates noted, not fatal', async () => {
    const result = await scanFiles({
      'k8s/app.yaml': [
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata: { name: cfg }',
        '---',
        'apiVersion: apps/v1', // 5
        'kind: Deployment',
        'metadata:',
        '  name: api',
        'spec:',
        '  template:',
        '    spec:',
        '      securityContext:',
        '        runAsNonRoot: false', // 13
        '      containers:',
        '        - name: app', // 15
        '          image: acme/api:2.0',
        '          resources:',
        '            limits: { cpu: 500m, memory: 256Mi }',
        '          securityContext:',
        '            readOnlyRootFilesystem: true',
        '            privileged: true', // 21
        '---',
        'apiVersion: batch/v1',
        'kind: CronJob',
        'metadata: { name: nightly }',
        'spec:',
        '  jobTemplate:',
        '    spec:',
        '      template:',
        '        spec:',
        '          securityContext: { runAsNonRoot: true, runAsUser: 10001 }',
        '          containers:',
        '            - name: job', // 33
        '              image: acme/job:2.0',
      ].join('\n'),
      'chart/templates/deploy.yaml': 'apiVersion: apps/v1\nkind: Deployment\nspec:\n  replicas: {{ .Values.replicas }}\n  {{- with .Values.x }}\n',
    });
    expect(of(result, 'runtime')).toEqual([
      'container-no-resource-limits k8s/app.yaml:33',
      'container-privileged k8s/app.yaml:21',
      'container-run-as-root k8s/app.yaml:13',
      'container-writable-root-fs k8s/app.yaml:33',
    ]);
    expect(result.notes.some((n) => n.kind === 'syntax' && n.message.startsWith('chart/templates/deploy.yaml'))).toBe(true);
    expect(result.partial).toBe(false);
  });

  it('a compose file or Kubernetes manifest that is not valid YAML, and no template, makes the scan partial: its containers were not checked', async () => {
    const result = await scanFiles({
      '.gitignore': '.env\n*.env\n',
      'docker-compose.yml': 'services:\n  web:\n    image: ghcr.io/acme/web:1.4.2\n    privileged: true\n    command: [python, app.py\n',
      'k8s/api.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: "acme/api:2.0\n',
    });
    expect(result.partial).toBe(true);
    expect(result.notes).toEqual([
      {
        kind: 'incomplete',
        file: 'docker-compose.yml',
        message: 'docker-compose.yml: not valid YAML (Flow sequence in block collection must be sufficiently indented and end with a ] at line 6, column 1); runtime rules not applied to it',
      },
      { kind: 'incomplete', file: 'k8s/api.yaml', message: 'k8s/api.yaml: not valid YAML (Missing closing "quote at line 11, column 1); runtime rules not applied to it' },
    ]);
  });

  it('a manifest with several broken documents is one reason, naming the file once', async () => {
    const doc = 'apiVersion: v1\nkind: Pod\nmetadata: { name: [a }\n';
    const result = await scanFiles({ '.gitignore': '.env\n*.env\n', 'k8s/pods.yaml': `${doc}---\n${doc}---\n${doc}` });
    expect(result.partial).toBe(true);
    expect(result.notes).toEqual([{ kind: 'incomplete', file: 'k8s/pods.yaml', message: expect.stringMatching(/^k8s\/pods\.yaml: not valid YAML in 3 of its documents \(first: [^\n]+\); runtime rules not applied to them$/) }]);
  });
});

describe('kinds', () => {
  it('code, secret, file and runtime findings come from one scan', async () => {
    const result = await scanFiles({ 'app.py': 'import os\nos.system(input())\n', Dockerfile: 'FROM python:3.12\n', '.env': 'TOKEN=abc\n' });
    expect(new Set(result.findings.map((f) => f.kind))).toEqual(new Set(['code', 'file', 'runtime']));
    expect(hits(result)).toEqual(['py-os-system@2']);
  });
});

describe('Dockerfile ENV secret reported once', () => {
  it('a credential in ENV that the secret scanner also finds is one finding, the secret (with fingerprint)', async () => {
    const { scanFiles } = await import('./helpers.js');
    const result = await scanFiles({
      Dockerfile: 'FROM python:3.12-slim@sha256:' + 'a'.repeat(64) + '\nENV GITHUB_TOKEN=ghp_R8kq2ZxV7mT4pLw9NcY3bHs6JdF1aQe0Ug5K\nUSER app\n',
      '.gitignore': '.env\n*.env\n',
    });
    const onLine2 = result.findings.filter((f) => f.file === 'Dockerfile' && f.line === 2);
    expect(onLine2.length).toBe(1);
    expect(onLine2[0]!.kind).toBe('secret');
  });
});

describe('Dockerfiles take time linear in their size', () => {
  const SMALL = 30_000;
  const LARGE = 300_000;
  const keywords = (text: string) => parseDockerfile(text).stages.flatMap((s) => s.instructions.map((i) => i.keyword));
  /**
   * Null when `run` on a text ten times longer costs at most thirty times as much (plus a floor), as
   * test/hostile/linear-time.test.ts measures parsers, else what was measured. Quadratic work costs
   * a hundredfold; longer windows are tried before saying so, for a loaded machine.
   */
  function nonLinearGrowth(make: (length: number) => string, run: (text: string) => unknown): string | null {
    const small = make(SMALL);
    const large = make(LARGE);
    let verdict = '';
    for (const budgetMs of [0, 50, 200]) {
      const smallMs = bestCpuMs(() => void run(small), budgetMs);
      const largeMs = bestCpuMs(() => void run(large), budgetMs);
      if (largeMs <= 30 * smallMs + 10) return null;
      verdict = `${smallMs.toFixed(1)} ms at ${SMALL} characters, ${largeMs.toFixed(1)} ms at ${LARGE}`;
    }
    return verdict;
  }

  it('one instruction continued over thousands of lines', () => {
    const continued = (length: number) => 'FROM python:3.12\nRUN apt-get update \\\n' + '  && make \\\n'.repeat(length / 12) + '  && true\nUSER app\n';
    expect(parseDockerfile(continued(SMALL)).stages[0]!.instructions.map((i) => i.keyword)).toEqual(['RUN', 'USER']);
    expect(nonLinearGrowth(continued, parseDockerfile)).toBeNull();
  });

  it('here-documents by the thousand on one line, and quotes that never close', () => {
    const many = (length: number) => `FROM python:3.12\nRUN cat ${'<<A '.repeat(length / 8)}\n${'A\n'.repeat(length / 8)}USER app\n`;
    expect(keywords(many(SMALL))).toEqual(['RUN', 'USER']);
    expect(nonLinearGrowth(many, parseDockerfile)).toBeNull();
    const unclosed = (length: number) => `FROM python:3.12\nRUN echo "${'<<A \\"'.repeat(length / 6)}\nUSER app\n`;
    expect(keywords(unclosed(SMALL))).toEqual(['RUN', 'USER']);
    expect(nonLinearGrowth(unclosed, parseDockerfile)).toBeNull();
    const flags = (length: number) => `FROM python:3.12\nRUN ${'--mount=x '.repeat(length / 10)}<<A\nA\nUSER app\n`;
    expect(keywords(flags(SMALL))).toEqual(['RUN', 'USER']);
    expect(nonLinearGrowth(flags, parseDockerfile)).toBeNull();
  });

  it('downloads, pipes and shells by the thousand in RUN lines, and a USER variable after thousands of ENV lines', () => {
    const rules = (text: string) => scanRuntime('Dockerfile', text).findings.map((f) => f.info.id);
    const pipes = (length: number) => `FROM python:3.12\n${'RUN curl x | tee | sh -s | python -X y -c | tee  && wget || sh sh  $( <( | \n'.repeat(length / 76)}USER app\n`;
    expect(rules(pipes(SMALL))).toContain('docker-pipe-to-shell');
    expect(nonLinearGrowth(pipes, rules)).toBeNull();
    const oneLine = (length: number) => `FROM python:3.12\nRUN ${'curl sh  '.repeat(length / 9)}\nUSER app\n`;
    expect(nonLinearGrowth(oneLine, rules)).toBeNull();
    const tees = (length: number) => `FROM python:3.12\nRUN curl x ${'| tee -a -b '.repeat(length / 12)}| python3 ${'-u '.repeat(length / 3)}\nUSER app\n`;
    expect(rules(tees(1200))).toContain('docker-pipe-to-shell'); // RUN is looked at up to its first 20,000 characters
    expect(nonLinearGrowth(tees, rules)).toBeNull();
    // Redirections, quotes and `#` by the thousand in one command: each read once.
    const redirections = (length: number) => `FROM python:3.12\nRUN curl x | sh ${'2>&1 <&0 >"a#b" 2>\'c\' >>d#e 3< f '.repeat(length / 36)}# x "\nUSER app\n`;
    expect(rules(redirections(SMALL))).toContain('docker-pipe-to-shell');
    expect(nonLinearGrowth(redirections, rules)).toBeNull();
    const envs = (length: number) => `FROM python:3.12\n${'ENV A=$A B=${B:-x}\nARG C=root\n'.repeat(length / 30)}USER \${C}\n`;
    expect(rules(envs(SMALL))).toContain('docker-root-user');
    expect(nonLinearGrowth(envs, rules)).toBeNull();
  });

  it('a base image name made of "distroless" over and over, never :nonroot', () => {
    const image = (length: number) => `FROM ${'distroless'.repeat(length / 10)}\n`;
    const rules = (text: string) => scanRuntime('Dockerfile', text).findings.map((f) => f.info.id);
    expect(rules(image(SMALL))).toContain('docker-root-user');
    expect(nonLinearGrowth(image, rules)).toBeNull();
  });
});
