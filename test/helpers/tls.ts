/**
 * A certificate for loopback TLS fakes (127.0.0.1 and localhost), made with openssl. Processes
 * trust it through NODE_EXTRA_CA_CERTS, which Node reads when it starts: the test run's global
 * set-up (test/global-scratch.ts) and the benchmark runner make one and set it before starting
 * the processes that use it, so the product's own TLS code, untouched, talks to the fakes.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TlsFiles {
  keyFile: string;
  certFile: string;
}

/** Makes a self-signed certificate and key in `dir` (once: an existing pair is kept). */
export function makeTestCertificate(dir: string): TlsFiles {
  const files = { keyFile: join(dir, 'loopback-key.pem'), certFile: join(dir, 'loopback-cert.pem') };
  if (existsSync(files.keyFile) && existsSync(files.certFile)) return files;
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '30', '-subj', '/CN=127.0.0.1',
        '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', files.keyFile, '-out', files.certFile],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
  } catch (err) {
    throw new Error(`the loopback TLS fakes need openssl to make their certificate: ${(err as Error).message}`);
  }
  return files;
}

/** The certificate and key this run's processes trust (made by the test run's or the bench's set-up). */
export function testCertificate(): { key: Buffer; cert: Buffer } {
  const keyFile = process.env.DEPWATCH_TEST_TLS_KEY;
  const certFile = process.env.NODE_EXTRA_CA_CERTS;
  if (!keyFile || !certFile) throw new Error('no test certificate: run through npm test or npm run bench, whose set-up makes one');
  return { key: readFileSync(keyFile), cert: readFileSync(certFile) };
}
