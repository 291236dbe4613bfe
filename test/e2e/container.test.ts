/**
 * The Dockerfile and compose.yaml, checked without Docker (the test machine has no daemon):
 * - the rules the image promises (base pinned by digest, non-root USER, HEALTHCHECK without curl,
 *   no secret in ENV or ARG, .env kept out of the build context, compose read-only with a tmpfs);
 * - the runtime stage's files are enough: the layout its COPY lines describe is assembled in a
 *   temporary directory, made read-only, and the bot is started from it with its database on a
 *   separate "volume"; bin/healthcheck.js, as HEALTHCHECK runs it, must then report it healthy.
 */
import { spawn } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { FAKE_BOT_TOKEN, startFakeSlack, type FakeSlack } from '../fakes/slack-api.js';
import { buildIfStale, freePort, ROOT, startNode, waitFor } from './bot-process.js';

const DOCKERFILE = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const DOCKERIGNORE = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
// Merge keys (<<: *depwatch) as docker compose applies them.
const COMPOSE = parseYaml(readFileSync(join(ROOT, 'compose.yaml'), 'utf8'), { merge: true }) as { services: Record<string, Record<string, unknown>> };

/** Dockerfile instructions with their continuation lines joined, comments dropped. */
const instructions = DOCKERFILE.replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));
const runtimeStage = instructions.slice(instructions.findIndex((l) => /^FROM .* AS runtime$/.test(l)));

describe('Dockerfile and compose.yaml', () => {
  it('pins the base image by digest, runs as a non-root user, checks health with Node and bakes in no secret', () => {
    const image = /^ARG NODE_IMAGE=(\S+)$/m.exec(DOCKERFILE)?.[1];
    expect(image).toMatch(/^node:20\.\d+-bookworm-slim@sha256:[0-9a-f]{64}$/);
    // Every stage starts from that image or from an earlier stage: nothing unpinned is pulled.
    const stages: string[] = [];
    for (const from of instructions.filter((l) => l.startsWith('FROM '))) {
      const [, base, name] = /^FROM (\S+) AS (\S+)$/.exec(from) ?? [];
      expect(base === '${NODE_IMAGE}' || stages.includes(base!), from).toBe(true);
      stages.push(name!);
    }
    expect(runtimeStage.filter((l) => l.startsWith('USER ')).at(-1)).toBe('USER 1000:1000');
    expect(runtimeStage.find((l) => l.startsWith('HEALTHCHECK '))).toContain('CMD ["node", "bin/healthcheck.js"]');
    // Build tools and npm stay out of the runtime stage: it installs one font (the monthly chart's
    // labels, test/ops/image-fonts.test.ts) and git (scan --history, test/ops/image-git.test.ts),
    // without recommended packages, and nothing else.
    const runs = runtimeStage.filter((l) => l.startsWith('RUN ')).join('\n');
    expect(runs).not.toMatch(/npm |build-essential|python3|gcc|make/);
    expect([...runs.matchAll(/apt-get install ([^&]*)/g)].map((m) => m[1]!.trim())).toEqual(['-y --no-install-recommends fonts-dejavu-core git']);
    const settings = instructions.filter((l) => /^(ENV|ARG) /.test(l)).join('\n');
    expect(settings).not.toMatch(/TOKEN|SECRET|PRIVATE_KEY|PASSWORD/);
    for (const kept of ['.env', '*.db', 'node_modules', '.git']) expect(DOCKERIGNORE).toContain(kept);
  });

  it('compose: the sqlite profile runs one replica with its database on a volume; every Depwatch container is read-only, non-root and health-checked', () => {
    const service = COMPOSE.services.depwatch!;
    expect(service.profiles).toEqual(['sqlite']);
    expect(service.tmpfs).toEqual([expect.stringMatching(/^\/tmp:/)]);
    expect(service.volumes).toEqual(['depwatch-data:/data']);
    expect((service.environment as Record<string, string>).DEPWATCH_DB).toBe('/data/depwatch.db');
    for (const name of ['depwatch', 'depwatch-replica']) {
      const bot = COMPOSE.services[name]!;
      expect(bot.read_only, name).toBe(true);
      expect(bot.user, name).toBe('1000:1000');
      expect(bot.cap_drop, name).toEqual(['ALL']);
      expect(bot.env_file, name).toBe('.env');
      expect((bot.healthcheck as { test: string[] }).test, name).toEqual(['CMD', 'node', 'bin/healthcheck.js']);
    }
  });

  it('compose: the replicas profile runs two replicas on one PostgreSQL, each with only caches of its own', () => {
    const replica = COMPOSE.services['depwatch-replica']!;
    const postgres = COMPOSE.services.postgres!;
    expect(replica.profiles).toEqual(['replicas']);
    expect(postgres.profiles).toEqual(['replicas']);
    expect((replica.deploy as { replicas: number }).replicas).toBe(2);
    const env = replica.environment as Record<string, string>;
    expect(env.DATABASE_URL).toMatch(/^postgres:\/\/depwatch:\$\{POSTGRES_PASSWORD:\?[^}]+\}@postgres:5432\/depwatch$/);
    // The local SQLite file holds caches only: a tmpfs, no volume shared between the replicas.
    expect(env.DEPWATCH_DB).toBe('/cache/depwatch.db');
    expect(replica.volumes).toBeUndefined();
    expect(replica.tmpfs).toContainEqual(expect.stringMatching(/^\/cache:.*uid=1000/));
    expect(replica.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    // No password in the file: it comes from .env, and compose refuses to start without it.
    expect((postgres.environment as Record<string, string>).POSTGRES_PASSWORD).toMatch(/^\$\{POSTGRES_PASSWORD:\?/);
    expect(postgres.read_only).toBe(true);
    expect((postgres.healthcheck as { test: string[] }).test).toEqual(['CMD', 'pg_isready', '-U', 'depwatch', '-d', 'depwatch']);
  });

  describe('the runtime stage, assembled from its COPY lines', () => {
    let slack: FakeSlack;
    let work: string;

    beforeAll(async () => {
      buildIfStale();
      slack = await startFakeSlack();
      work = mkdtempSync(join(tmpdir(), 'depwatch-image-'));
    }, 300_000);

    afterAll(async () => {
      await slack?.close();
      if (work) {
        chmodTree(join(work, 'app'), true);
        rmSync(work, { recursive: true, force: true });
      }
    });

    it('starts read-only with its database on a volume, and bin/healthcheck.js says healthy', async () => {
      const app = join(work, 'app');
      const volume = join(work, 'data');
      mkdirSync(app);
      mkdirSync(volume);
      for (const line of runtimeStage.filter((l) => l.startsWith('COPY '))) {
        const [source, target] = line.split(/\s+/).slice(-2) as [string, string];
        const to = target.endsWith('/') ? join(app, target, basename(source)) : join(app, target);
        mkdirSync(dirname(to), { recursive: true });
        if (line.includes('--from=deps')) symlinkSync(join(ROOT, 'node_modules'), to);
        else if (line.includes('--from=build')) cpSync(join(ROOT, 'dist'), to, { recursive: true });
        else cpSync(join(ROOT, source), to, { recursive: true });
      }
      // Not a read-only mount (a test cannot make one), but the bot must not need to write here either.
      chmodTree(app, false);

      const port = await freePort();
      const env = { SLACK_BOT_TOKEN: FAKE_BOT_TOKEN, SLACK_SIGNING_SECRET: 'image-signing-secret-0123456789', SLACK_API_URL: slack.url, DEPWATCH_DB: join(volume, 'depwatch.db'), PORT: String(port), TZ: 'UTC' };
      const bot = startNode(join(app, 'dist', 'main.js'), env, app);
      try {
        await waitFor(() => bot.stderr().includes('listening on'), `"listening on" (stderr so far: ${bot.stderr()})`);
        const check = spawn(process.execPath, ['bin/healthcheck.js'], { cwd: app, env: { PATH: process.env.PATH ?? '', PORT: String(port) }, stdio: 'ignore' });
        expect(await new Promise((resolve) => check.on('exit', resolve))).toBe(0);
      } finally {
        bot.child.kill('SIGTERM');
      }
      expect(await bot.exited).toBe(0);
    });
  });
});

/** Read-only (0555 directories, 0444 files) or writable again (0755 / 0644), symlinks left alone. */
function chmodTree(path: string, writable: boolean): void {
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const full = join(path, entry.name);
    if (entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) chmodTree(full, writable);
    else chmodSync(full, writable ? 0o644 : 0o444);
  }
  chmodSync(path, writable ? 0o755 : 0o555);
}
