/**
 * Vitest global set-up: every temporary directory the run makes (databases, trees, fake homes; a
 * few hundred per run) goes under one directory of the run's own, removed when the run ends. Test
 * files and the processes they start inherit TMPDIR, so `mkdtempSync(join(tmpdir(), …))` needs no
 * clean-up of its own; without this each `npm test` left ~1,500 directories in /tmp. The loopback
 * TLS fakes' certificate is made there too, and trusted by the run's processes (helpers/tls.ts).
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTestCertificate } from './helpers/tls.js';

export default function setup(): () => void {
  const scratch = mkdtempSync(join(tmpdir(), 'depwatch-test-run-'));
  // As /tmp is: run as root, the embedded PostgreSQL's own user reads and writes files here too.
  chmodSync(scratch, 0o1777);
  const previous = { TMPDIR: process.env.TMPDIR, NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS, DEPWATCH_TEST_TLS_KEY: process.env.DEPWATCH_TEST_TLS_KEY };
  process.env.TMPDIR = scratch;
  // The loopback TLS fakes' certificate, trusted by every test process (they start after this).
  const tls = makeTestCertificate(scratch);
  process.env.NODE_EXTRA_CA_CERTS = tls.certFile;
  process.env.DEPWATCH_TEST_TLS_KEY = tls.keyFile;
  return () => {
    for (const [name, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    rmSync(scratch, { recursive: true, force: true });
  };
}
