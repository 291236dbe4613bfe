/** `depwatch db import <file> | sync | status`: the local advisory mirror. */
import { plural } from '../plural.js';
import { parseArgs } from 'node:util';
import { dataAge } from '../advisories/freshness.js';
import type { AdvisoryMirror, ImportSummary } from '../advisories/mirror.js';
import { MirrorStatusReader } from '../advisories/mirror-status.js';
import { CliError, EXIT, type CliIO } from './io.js';
import { openStore, type Store } from './store.js';
import { rmSync } from 'node:fs';
import { terminalSafe } from '../report/terminal-text.js';
import { describeIncompleteUpdate, incompleteUpdateFix, type IncompleteUpdate } from '../advisories/incomplete-update.js';

export const DB_USAGE = `usage: depwatch db <import FILE | sync [--full] | status> [--json] [--db PATH]
  import FILE  load an OSV all.zip, a directory of OSV JSON files, or a JSON Lines file (.jsonl, .jsonl.gz)
  sync         download OSV's PyPI advisories ($OSV_BULK_URL/PyPI/all.zip, then only what changed)
  status       how many advisories the mirror holds, the newest, and when it was last synced or imported;
               with DATABASE_URL also the PostgreSQL store's schema version (the database's and this build's)`;

function summaryLines(s: ImportSummary): string {
  let out = `added ${s.added}, updated ${s.updated}, unchanged ${s.unchanged}, rejected ${s.rejected}\n`;
  for (const r of s.rejections) out += `${terminalSafe(`  rejected ${r.where}${r.id ? ` (${r.id})` : ''}: ${r.reason}`)}\n`;
  if (s.rejected > s.rejections.length) out += `  … and ${s.rejected - s.rejections.length} more\n`;
  if (s.unreadableRanges) {
    const ids = s.unreadableRangeIds ?? [];
    const more = s.unreadableRanges > ids.length ? `, … and ${s.unreadableRanges - ids.length} more` : '';
    out += `${terminalSafe(`${plural(s.unreadableRanges, 'record has a range', 'records have a range')} that cannot be read (an introduced version that is not PEP 440, or none), taken to affect every release of its package, and an audit matching one says so: ${ids.join(', ')}${more}`)}\n`;
  }
  if (s.matchersDerived) out += `derived the matchers and descriptions of ${plural(s.matchersDerived, 'advisory package entry', 'advisory package entries')} stored by an earlier version (once, after an upgrade)\n`;
  return out;
}

/** The line for records whose `modified` is in the future (mirror-status.ts), or nothing. */
function futureLine(futureModified: number): string {
  if (futureModified === 0) return '';
  return `${plural(futureModified, 'record has', 'records have')} a modified over a day from now (a fixture, a hand-written record, a wrong clock): held and matched, but not taken as the newest modified, so neither the age of the data nor where the next sync starts\n`;
}

/** The line for an import or sync that stopped early (incomplete-update.ts), or nothing. */
function incompleteLine(update: IncompleteUpdate | null): string {
  if (update === null) return '';
  return `${terminalSafe(`INCOMPLETE: ${describeIncompleteUpdate(update)}; audits answered from the mirror are partial until you ${incompleteUpdateFix(update)}`)}\n`;
}

const accepted = (s: ImportSummary) => s.added + s.updated + s.unchanged;

/**
 * Imports a file, failing (one line, exit 2) when nothing in it was accepted, and when the source
 * broke off (a cut zip, gzip or download) saying how many records were kept before the damage.
 * An import is never a sync (markImported): the file may be a backup, an old bundle or a fixture,
 * so online audits ask OSV until the next `db sync`. One that broke off after keeping records is
 * recorded as an incomplete import (AdvisoryMirror.importOrMarkIncomplete).
 */
async function importFile(mirror: AdvisoryMirror, file: string): Promise<ImportSummary> {
  const [{ ImportSourceError, readImportSource }, { emptyImportSummary }] = await Promise.all([import('../advisories/import-sources.js'), import('../advisories/mirror.js')]);
  const summary = emptyImportSummary();
  try {
    await mirror.importOrMarkIncomplete(readImportSource(file), { source: file, kind: 'import', reasonPrefix: `${file}: ` }, summary);
  } catch (err) {
    if (!(err instanceof ImportSourceError)) throw err;
    const kept = accepted(summary);
    throw new CliError(
      `import: ${err.message}; ${kept > 0 ? `kept the ${kept} records read before that (added ${summary.added}, updated ${summary.updated}, unchanged ${summary.unchanged}), rejected ${summary.rejected}` : 'nothing was imported'}`,
    );
  }
  if (accepted(summary) === 0) {
    const first = summary.rejections[0];
    throw new CliError(
      `import: nothing imported from ${file}: ${summary.rejected > 0 ? `all ${summary.rejected} records were rejected${first ? ` (first: ${first.where}${first.id ? ` (${first.id})` : ''}: ${first.reason})` : ''}` : 'it holds no OSV records'}`,
    );
  }
  return summary;
}

/** Closes and deletes a database file this command created (with SQLite's -wal and -shm files beside it). */
function removeNewDatabase(store: Store): void {
  store.close();
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(store.dbPath + suffix, { force: true });
}

export async function dbCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { json: { type: 'boolean' }, db: { type: 'string' }, full: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  const [action, ...rest] = positionals;
  if (values.help) {
    io.stdout(DB_USAGE + '\n');
    return EXIT.ok;
  }
  if (!action) throw new CliError('give an action: import FILE, sync or status (depwatch db --help shows the usage)');
  if (!['import', 'sync', 'status'].includes(action)) throw new CliError(`db: unknown action "${action}" (import, sync or status)`);
  if (action === 'import' && rest.length !== 1) throw new CliError('db import: give one file or directory');

  // Looking at the mirror never creates one; importing and syncing do. `status` reads a few rows:
  // the mirror itself (matcher, version parser) and the importers (zip reader, HTTP client) load
  // only for import and sync.
  // Only sync reads settings (the bulk URL): checked before the database is opened or created.
  const config = action === 'sync' ? (await import('./config.js')).cliConfig(io) : null;
  const services = openStore(io, values.db, { readOnly: action === 'status' });
  try {
    if (action === 'status') {
      const now = new Date();
      const status = new MirrorStatusReader(services.db).status(now);
      const { ageDays } = dataAge(status, now);
      // With DATABASE_URL the shared state is in PostgreSQL: its schema is part of the answer (pg loads only then).
      const databaseUrl = io.env.DATABASE_URL?.trim();
      const shared = databaseUrl ? await (await import('./postgres-status.js')).postgresStatus(databaseUrl) : null;
      if (shared?.error) io.stderr(`depwatch: cannot reach the PostgreSQL database ${shared.url} (DATABASE_URL): ${shared.error}\n`);
      const exit = shared?.state === 'unreachable' ? EXIT.error : EXIT.ok;
      if (values.json) {
        io.stdout(JSON.stringify({ ...status, dataAgeDays: ageDays, path: services.dbPath, exists: services.dbExists, postgres: shared }, null, 2) + '\n');
      } else {
        io.stdout(
          `${plural(status.records, 'advisory', 'advisories')} (${status.withdrawn} withdrawn) for ${plural(status.packages, 'package')}\n` +
            `newest modified: ${status.newestModified ?? '-'}${ageDays === null ? '' : ` (data ${plural(ageDays, 'day')} old)`}\n` +
            (status.lastSyncKind === 'import'
              ? `last update: imported ${status.lastSync} from ${status.lastSyncSource} (not a sync: audits without --offline ask OSV until depwatch db sync)\n`
              : `last synced: ${status.lastSync ?? 'never'}${status.lastSyncSource ? ` from ${status.lastSyncSource}` : ''}\n`) +
            incompleteLine(status.lastUpdateIncomplete) +
            futureLine(status.futureModified) +
            `database: ${services.dbPath}${services.dbExists ? '' : ' (not created yet: depwatch db sync or depwatch db import creates it)'}\n` +
            (shared ? `${(await import('./postgres-status.js')).postgresStatusLine(shared)}\n` : ''),
        );
      }
      return exit;
    }
    const mirror = new (await import('../advisories/mirror.js')).AdvisoryMirror(services.db);
    if (action === 'import') {
      let summary: ImportSummary;
      try {
        summary = await importFile(mirror, rest[0]!);
      } catch (err) {
        // An import that kept nothing (a missing or unreadable file) leaves no database it created.
        if (!services.dbExists && mirror.status().records === 0) removeNewDatabase(services);
        throw err;
      }
      const now = new Date();
      mirror.markImported(now, rest[0]!);
      // Counted over the whole mirror: a future record imported earlier defeats freshness just the same.
      const { futureModified } = mirror.status(now);
      io.stdout(values.json ? JSON.stringify({ ...summary, futureModified }, null, 2) + '\n' : summaryLines(summary) + futureLine(futureModified));
      return EXIT.ok;
    }
    const { syncMirror } = await import('../advisories/sync.js');
    const bulkUrl = config!.osv.bulkUrl;
    if (io.isTTY) io.stderr(`syncing from ${bulkUrl}…\n`);
    const now = new Date();
    const summary = await syncMirror({ bulkUrl, mirror, now, full: Boolean(values.full) });
    const { futureModified } = mirror.status(now);
    io.stdout(
      values.json
        ? JSON.stringify({ ...summary, futureModified }, null, 2) + '\n'
        : `${summary.mode} sync${summary.fallbackReason ? ` (${summary.fallbackReason})` : ''}: ${summaryLines(summary)}` +
            `downloaded ${(summary.bytes / 1024 / 1024).toFixed(1)} MB; newest record ${summary.highWaterMark ?? '-'}\n` +
            futureLine(futureModified),
    );
    return EXIT.ok;
  } finally {
    services.close();
  }
}
