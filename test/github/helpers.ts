import type { Finding } from '../../src/audit/findings.js';
/** Shared set-up for the GitHub tests: a loopback fake, a client pointed at it, a fresh database. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Octokit } from 'octokit';
import { createGitHubClient, type GitHubClientOptions } from '../../src/github/client.js';
import { openDb, type Db } from '../../src/store/db.js';
import { startFakeGitHub, type FakeGitHub, type FakeGitHubOptions } from '../fakes/github.js';

/** Token-shaped on purpose, so redaction and "never in a message" checks mean something. */
export const TOKEN = `ghp_${'Zx9'.repeat(12)}`;

/** Retries stay real but take milliseconds: one "second" of octokit's waits is 1 ms here. */
export const FAST: GitHubClientOptions = { retries: 2, retryUnitMs: 1 };

export function fixture(path: string): string {
  return readFileSync(join(import.meta.dirname, '..', 'fixtures', 'manifests', path), 'utf8');
}

export interface World {
  fake: FakeGitHub;
  octokit: Octokit;
  db: Db;
  close(): Promise<void>;
}

export async function startWorld(options: FakeGitHubOptions = {}, client: GitHubClientOptions = FAST, token: string | null = TOKEN): Promise<World> {
  const fake = await startFakeGitHub({ tokens: [TOKEN], ...options });
  const octokit = await createGitHubClient({ apiUrl: fake.url, ...(token ? { token } : {}) }, client);
  const db = openDb(':memory:');
  return {
    fake,
    octokit,
    db,
    close: async () => {
      db.close();
      await fake.close();
    },
  };
}

/** The django 2.1.5 advisory the fix-PR tests fix to 2.1.11, pinned at `line` of requirements.txt. */
export function djangoPinFinding(line: number): Finding {
  return {
    kind: 'vulnerability',
    severity: 'high',
    package: 'django',
    version: '2.1.5',
    file: 'requirements.txt',
    line,
    id: 'PYSEC-2019-13',
    fix: { version: '2.1.11', text: 'Upgrade django to 2.1.11' },
  };
}
