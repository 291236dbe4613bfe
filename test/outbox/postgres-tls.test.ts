/**
 * DATABASE_URL with TLS, as managed PostgreSQL providers hand it out (`?sslmode=require`) against a
 * server whose certificate a private CA signed: pg's meaning (verify-full) is kept, without pg's
 * multi-line warning on stderr, and a certificate that is not trusted is one line saying what to
 * set in the URL. The server is a loopback fake that answers PostgreSQL's SSLRequest and then
 * speaks TLS with a certificate nobody trusts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openPostgres, sslModeNote, withPgSslMode } from '../../src/store/postgres.js';
import { makeTestCertificate } from '../helpers/tls.js';

let dir: string;
let server: Server;
let port: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'depwatch-pg-tls-'));
  const { keyFile, certFile } = makeTestCertificate(dir); // a fresh self-signed pair: no CA of this run trusts it
  const key = readFileSync(keyFile);
  const cert = readFileSync(certFile);
  server = createServer((socket) => {
    socket.once('data', () => {
      // The 8-byte SSLRequest: say yes, then TLS on the same socket.
      socket.write('S');
      const tls = new TLSSocket(socket, { isServer: true, key, cert });
      tls.on('error', () => undefined);
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

describe('DATABASE_URL with sslmode=require', () => {
  it('fails on a certificate nobody trusts in one line naming what to set, with no warning from pg on stderr', async () => {
    const warnings = vi.spyOn(process, 'emitWarning');
    try {
      const err = (await openPostgres(`postgres://depwatch:Pa%23Secret99@127.0.0.1:${port}/depwatch?sslmode=require`).catch((e: Error) => e)) as Error;
      expect(err.message).toBe(
        'cannot open the PostgreSQL database: self-signed certificate (the server\'s TLS certificate is not trusted: add sslrootcert=/path/to/ca.pem, the CA your PostgreSQL provider gives, to DATABASE_URL; ' +
          'or, to encrypt without verifying the server as libpq\'s sslmode=require does, uselibpqcompat=true&sslmode=require)',
      );
      expect(err.message).not.toContain('Secret99');
      expect(warnings).not.toHaveBeenCalled();
    } finally {
      warnings.mockRestore();
    }
  });

  it('keeps verifying: require, prefer and verify-ca are asked of pg as verify-full, said in one line; libpq compatibility is left as written', () => {
    expect(withPgSslMode('postgres://u:p%23w@db/x?sslmode=require')).toBe('postgres://u:p%23w@db/x?sslmode=verify-full');
    expect(withPgSslMode('postgres://u:pw@db/x?sslmode=verify-ca&sslrootcert=%2Fca.pem')).toBe('postgres://u:pw@db/x?sslmode=verify-full&sslrootcert=%2Fca.pem');
    for (const kept of ['postgres://u:pw@db/x', 'postgres://u:pw@db/x?sslmode=disable', 'postgres://u:pw@db/x?sslmode=verify-full', 'postgres://u:pw@db/x?uselibpqcompat=true&sslmode=require']) {
      expect(withPgSslMode(kept)).toBe(kept);
      expect(sslModeNote(kept)).toBeNull();
    }
    expect(sslModeNote('postgres://u:s3cret@db/x?sslmode=require')).toBe(
      "DATABASE_URL: sslmode=require is verified as sslmode=verify-full (the server's certificate and host name are checked); for a private CA add sslrootcert=/path/to/ca.pem",
    );
  });
});
