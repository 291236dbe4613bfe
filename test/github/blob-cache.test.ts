/**
 * The GitHub blob cache keeps what the audit needs and no credentials: URL secrets are masked before
 * a blob is stored, the masked text audits exactly like the original, and rows stored before the
 * rule are dropped by a migration.
 */
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { AdvisoryMirror } from '../../src/advisories/mirror.js';
import { auditFileSource } from '../../src/audit/run.js';
import { BlobCache } from '../../src/github/blob-cache.js';
import { snapshotSource, takeSnapshot } from '../../src/github/snapshot.js';
import { memorySource } from '../../src/python/files.js';
import { loadManifests } from '../../src/python/load.js';
import { maskSecrets, redactSecrets } from '../../src/redact.js';
import { migrate, openDb, readMigrations } from '../../src/store/db.js';
import { ROUTES } from '../fakes/github.js';
import { startWorld, type World } from './helpers.js';

const SECRET = 'Hunter2SecretValue';

const FILES: Record<string, string> = {
  'requirements.txt': [
    `--index-url https://deploy:${SECRET}@pypi.corp.example/simple`,
    `--extra-index-url https://mirror.example/simple?token=${SECRET}`,
    `private-pkg @ https://files.example/private_pkg-1.0-py3-none-any.whl?X-Amz-Signature=${SECRET}&X-Amz-Date=20240101`,
    `git+https://${SECRET}@github.com/acme/internal.git@v1.2#egg=internal`,
    `broken @ https://u:${SECRET}@h/x.whl ;; ((`,
    'django==2.1.5',
    'requests>=2',
    '',
  ].join('\n'),
  'pyproject.toml': `[project]\nname = "app"\ndependencies = [\n  "ok==1.0",\n  "bad @ https://u:${SECRET}@h/x.whl ;; ((",\n]\n`,
  'Dockerfile': `FROM python:3.8\nRUN pip install -i https://ci:${SECRET}@pypi.corp.example/simple app\n`,
};

const cacheRows = (db: Database.Database) => db.prepare('SELECT sha, size, text FROM github_blob_cache').all() as { sha: string; size: number; text: string }[];

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('the blob cache', () => {
  it('stores manifests with URL secrets masked, and they audit exactly like the originals, fetched or cached', async () => {
    world = await startWorld({ repos: [{ owner: 'acme', name: 'app', files: FILES }] });
    const first = await takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'app' });
    expect(first.stats.blobsFetched).toBe(3);

    const rows = cacheRows(world.db);
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(row.text).not.toContain(SECRET);
    // Masked in place: same lines, same lengths, the size of the blob on GitHub.
    const requirements = rows.find((r) => r.text.startsWith('--index-url'))!;
    expect(requirements.text.split('\n').map((l) => l.length)).toEqual(FILES['requirements.txt']!.split('\n').map((l) => l.length));
    expect(requirements.size).toBe(Buffer.byteLength(FILES['requirements.txt']!));
    expect(requirements.text).toContain('--index-url https://******:******************@pypi.corp.example/simple');

    const second = await takeSnapshot(world.octokit, world.db, { owner: 'acme', repo: 'app' });
    expect(second.stats).toMatchObject({ blobsFetched: 0, blobsCached: 3 });
    expect(world.fake.count(ROUTES.blob)).toBe(3);

    const mirror = new AdvisoryMirror(openDb(':memory:'));
    const audit = (source: Parameters<typeof auditFileSource>[0]) =>
      auditFileSource(source, { target: 'acme/app', advisories: mirror, registry: null, now: new Date('2025-01-01T00:00:00Z') });
    const original = await audit(memorySource(FILES));
    const fetched = await audit(snapshotSource(first));
    const cached = await audit(snapshotSource(second));
    expect(fetched).toEqual(original);
    expect(cached).toEqual(original);
    expect(await loadManifests(snapshotSource(second))).toEqual(await loadManifests(memorySource(FILES)));
    // …and what they agree on holds no secret, while still saying what matters.
    expect(JSON.stringify(original)).not.toContain(SECRET);
    expect(original.findings.map((f) => f.kind)).toEqual(expect.arrayContaining(['extra-index-url', 'non-registry-source', 'unpinned']));
  });

  it('drops rows stored before the rule that quote a URL, and keeps the others (migration 009)', () => {
    const db = new Database(':memory:');
    const migrations = readMigrations();
    migrate(db, migrations.filter((m) => m.version <= 8));
    const insert = db.prepare("INSERT INTO github_blob_cache (sha, size, text, fetched_at, used_at) VALUES (?, ?, ?, '2024-01-01', '2024-01-01')");
    insert.run('a'.repeat(40), 10, `-i https://u:${SECRET}@h/simple\nflask==3.0.0\n`);
    insert.run('b'.repeat(40), 10, 'flask==3.0.0\n');
    migrate(db, migrations);
    expect(cacheRows(db).map((r) => r.sha)).toEqual(['b'.repeat(40)]);
    expect(new BlobCache(db).count()).toBe(1);
    db.close();
  });
  it('masks in place, since migration 039, the tokens in rows stored before tokens were masked, and leaves clean rows as they were', () => {
    const db = new Database(':memory:');
    const migrations = readMigrations();
    migrate(db, migrations.filter((m) => m.version <= 37));
    // Built from parts, so this file holds none whole.
    const stripeKey = 'sk_live_' + '4eC39HqLyjWDarjtT1zdp7dcQw8xZ9';
    const slackToken = 'xoxb-' + '80417326655-2957718340261-' + 'Qw3rTy7UiOp9AsDfGhJkLzXc';
    const stored = `flask==3.0.0\nstripe>=1 ; ${stripeKey}\nfoo ${slackToken} bar\n`;
    const insert = db.prepare("INSERT INTO github_blob_cache (sha, size, text, fetched_at, used_at) VALUES (?, ?, ?, '2024-01-01', '2024-01-01')");
    insert.run('a'.repeat(40), Buffer.byteLength(stored), stored);
    insert.run('b'.repeat(40), 13, 'flask==3.0.0\n');
    migrate(db, migrations);
    const rows = cacheRows(db);
    expect(rows.map((r) => r.sha)).toEqual(['a'.repeat(40), 'b'.repeat(40)]);
    expect(rows[0]!.text).toBe(maskSecrets(stored));
    expect(rows[0]!.text).not.toContain(stripeKey);
    expect(rows[0]!.text).not.toContain(slackToken);
    expect(rows[1]!.text).toBe('flask==3.0.0\n');
    db.close();
  });
});

describe('maskSecrets, what the cache stores', () => {
  // Built from parts, so this file holds none whole.
  const TOKENS = {
    stripe: 'sk_live_' + '4eC39HqLyjWDarjtT1zdp7dcQw8xZ9',
    aws: 'AKIA' + 'QWERTYUIOPASDFGH',
    slack: 'xoxb-' + '80417326655-2957718340261-' + 'Qw3rTy7UiOp9AsDfGhJkLzXc',
    github: 'ghp_' + 'Ba5el1neT0k3nV4lu3abcdefGHIJKLmnopq0',
  };
  const text = [
    'django==2.1.5',
    `stripe>=1 ; ${TOKENS.stripe}`,
    `${TOKENS.aws}==1.0 ;; x`,
    `foo ${TOKENS.slack} bar  # and ${TOKENS.github}`,
    `--extra-index-url https://mirror.example/simple?token=${SECRET}`,
    '',
  ].join('\n');

  it('overwrites the random part of every token with *, character for character: lines, columns and prefixes stay put', () => {
    const masked = maskSecrets(text);
    for (const token of Object.values(TOKENS)) expect(masked).not.toContain(token);
    expect(masked).not.toContain(SECRET);
    expect(masked.length).toBe(text.length);
    expect(masked.split('\n').map((l) => l.length)).toEqual(text.split('\n').map((l) => l.length));
    // Every character that is not masked is where it was.
    for (let i = 0; i < text.length; i++) if (masked[i] !== '*') expect(masked[i]).toBe(text[i]);
    const lines = masked.split('\n');
    expect(lines[0]).toBe('django==2.1.5');
    expect(lines[1]).toBe(`stripe>=1 ; sk_live_${'*'.repeat(TOKENS.stripe.length - 'sk_live_'.length)}`);
    expect(lines[2]).toBe(`AKIA${'*'.repeat(16)}==1.0 ;; x`);
    expect(lines[3]!.indexOf(' bar')).toBe(text.split('\n')[3]!.indexOf(' bar'));
    expect(lines[3]).toContain(`# and ghp_${'*'.repeat(36)}`);
  });

  it('is idempotent, and what it keeps redacts like the original for every report', () => {
    expect(maskSecrets(maskSecrets(text))).toBe(maskSecrets(text));
    expect(maskSecrets('flask==3.0.0\n')).toBe('flask==3.0.0\n');
    for (const token of Object.values(TOKENS)) expect(redactSecrets(maskSecrets(text))).not.toContain(token);
  });

  it('is what the cache stores', () => {
    const cache = new BlobCache(openDb(':memory:'));
    const stored = cache.put({ sha: 'c'.repeat(40), size: Buffer.byteLength(text), text });
    expect(stored.text).toBe(maskSecrets(text));
    expect(cache.getMany(['c'.repeat(40)]).get('c'.repeat(40))?.text).toBe(maskSecrets(text));
  });
});
