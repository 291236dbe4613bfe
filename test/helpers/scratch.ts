/**
 * A scratch directory for one test run or one benchmark: every temporary file its processes make
 * goes there (they get it as TMPDIR), with the loopback TLS fakes' certificate they trust
 * (NODE_EXTRA_CA_CERTS, read when a process starts; see tls.ts). Removed whole at the end: without
 * it each `npm test` left ~1,500 directories in /tmp, and each `npm run bench` ~100 MB.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTestCertificate } from './tls.js';

export interface Scratch {
  /** What the processes that use it are started with. */
  env: { TMPDIR: string; NODE_EXTRA_CA_CERTS: string; DEPWATCH_TEST_TLS_KEY: string };
  remove(): void;
}

export function makeScratch(prefix: string): Scratch {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  // As /tmp is: run as root, the embedded PostgreSQL runs as a user of its own and writes here too.
  chmodSync(dir, 0o1777);
  try {
    const tls = makeTestCertificate(dir);
    return {
      env: { TMPDIR: dir, NODE_EXTRA_CA_CERTS: tls.certFile, DEPWATCH_TEST_TLS_KEY: tls.keyFile },
      remove: () => rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 }),
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
