/**
 * `depwatch watch affected <ADVISORY-ID>`: every watched repository whose last audit found the
 * advisory, from the bot's own store (PostgreSQL with DATABASE_URL, as the bot opens it; else its
 * SQLite database, --db or DEPWATCH_DB), without asking GitHub or OSV. What a Slack alert counts
 * ("and 250 more repositories"), listed whole, with the channels watching each. Only reads: a
 * PostgreSQL schema this build does not read is said, never migrated from here.
 *
 * Fail closed: a watched repository never audited, or whose last audit was partial or failed, may
 * have the advisory unseen; the answer is then partial (exit 2 unless an affected repository gives 1).
 */
import { parseArgs } from 'node:util';
import { plural } from '../plural.js';
import { terminalSafe } from '../report/terminal-text.js';
import type { WatchStateStore } from '../store/watch-state/types.js';
import { advisoryIdOf, type FindingRow } from '../store/watches.js';
import { notFullyChecked } from '../watch/partial-state.js';
import { CliError, EXIT, type CliIO } from './io.js';

export const WATCH_USAGE = `usage: depwatch watch affected <ADVISORY-ID> [--json] [--db PATH]
  affected ID  the watched repositories whose last audit found the advisory (its OSV id, or an alias:
               CVE-…, GHSA-…), with the version, file and line of each pin and the channels watching it.
               Read from the bot's store: PostgreSQL with DATABASE_URL, else the SQLite database
               (--db PATH, DEPWATCH_DB). Exit 1 when a repository is affected, 2 when some watched
               repository was not fully checked (and none is affected), else 0.`;

/** An advisory id as OSV and its aliases spell them: a few letters, digits and separators. */
const ADVISORY_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;

/** What the answer depends on: a repository whose manifests, advisories or data were not all read. */
const CONCERNS = { kinds: new Set(['unread', 'no-manifests', 'data-source', 'advisories'] as const), sweepProblems: true };

interface AffectedPin {
  repository: string;
  advisory: string;
  package: string | null;
  version: string | null;
  file: string | null;
  line: number | null;
  fix: string;
  first_seen: string;
  channels: string[];
}

/** The open findings of the advisory (by its id or an alias, in any case) across the watched repositories. */
function affectedPins(rows: readonly FindingRow[], id: string): FindingRow[] {
  const wanted = id.toUpperCase();
  return rows.filter((r) => r.fixedAt === null && (advisoryIdOf(r)?.toUpperCase() === wanted || (r.finding.aliases ?? []).some((a) => a.toUpperCase() === wanted)));
}

/** The bot's store, opened only to read; `close` lets it go. */
async function openWatchState(io: CliIO, dbOverride: string | undefined): Promise<{ state: WatchStateStore; where: string; close: () => Promise<void> }> {
  const databaseUrl = io.env.DATABASE_URL?.trim();
  if (databaseUrl) {
    const { postgresStatus, postgresStatusLine } = await import('./postgres-status.js');
    const status = await postgresStatus(databaseUrl);
    if (status.state === 'unreachable') throw new CliError(`affected: cannot reach the PostgreSQL database ${status.url} (DATABASE_URL): ${status.error}`);
    if (status.state !== 'current') throw new CliError(`affected: ${postgresStatusLine(status)}: not read`);
    const [{ postgresPool }, { PostgresWatchState }] = await Promise.all([import('../store/postgres.js'), import('../store/watch-state/postgres.js')]);
    // Only read: the schema was checked above, and is never migrated from here.
    const pool = postgresPool(databaseUrl, 2);
    return { state: new PostgresWatchState(pool), where: `PostgreSQL ${status.url}`, close: () => pool.end().catch(() => undefined) };
  }
  const [{ openStore }, { WatchStore }, { SqliteWatchState }] = await Promise.all([import('./store.js'), import('../store/watches.js'), import('../store/watch-state/sqlite.js')]);
  const store = openStore(io, dbOverride, { readOnly: true });
  if (!store.dbExists) {
    store.close();
    throw new CliError(`affected: no database at ${store.dbPath}: give the bot's database with --db PATH or DEPWATCH_DB (or DATABASE_URL for its PostgreSQL store)`);
  }
  return { state: new SqliteWatchState(new WatchStore(store.db)), where: store.dbPath, close: async () => store.close() };
}

export async function watchCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: 'boolean' }, db: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    io.stdout(WATCH_USAGE + '\n');
    return EXIT.ok;
  }
  const [action, ...rest] = positionals;
  if (!action) throw new CliError('give an action: affected ADVISORY-ID (depwatch watch --help shows the usage)');
  if (action !== 'affected') throw new CliError(`watch: unknown action "${action}" (affected)`);
  if (rest.length !== 1) throw new CliError('watch affected: give one advisory id (PYSEC-…, GHSA-…, CVE-…)');
  const id = rest[0]!;
  if (!ADVISORY_ID.test(id)) throw new CliError(`watch affected: "${id.slice(0, 100)}" is not an advisory id (PYSEC-…, GHSA-…, CVE-…)`);

  const { state, where, close } = await openWatchState(io, values.db);
  try {
    const watches = await state.allWatches();
    // The CLI's own database (an advisory mirror) is not the bot's: "0 of 0 affected" would read as all clear.
    if (watches.length === 0) throw new CliError(`affected: no watched repositories in ${where}: is it the bot's store? (--db PATH or DEPWATCH_DB as the bot sets it, or DATABASE_URL)`);
    const repos = [...new Set(watches.map((w) => w.repo))].sort();
    const channelsOf = new Map<string, string[]>();
    for (const w of watches) channelsOf.set(w.repo, [...(channelsOf.get(w.repo) ?? []), w.channel].sort());
    const summaries = await state.repoSummaries(repos);
    const display = (repo: string) => summaries.get(repo)?.display ?? repo;
    const rows = affectedPins(await state.findingsFor(repos, ['vulnerability', 'malicious']), id);
    const pins: AffectedPin[] = rows
      .map((r) => ({ repository: display(r.repo), advisory: advisoryIdOf(r) ?? id, package: r.package, version: r.version, file: r.finding.file, line: r.finding.line, fix: r.finding.fix.text, first_seen: r.firstSeen, channels: channelsOf.get(r.repo) ?? [] }))
      .sort((a, b) => a.repository.localeCompare(b.repository) || (a.file ?? '').localeCompare(b.file ?? '') || (a.line ?? 0) - (b.line ?? 0));
    const affectedRepos = new Set(rows.map((r) => r.repo)).size;
    const notChecked = notFullyChecked(repos, summaries, display, await state.sweepProblems(), CONCERNS);
    const partialReasons = [
      ...(notChecked?.sweep ? [{ kind: 'sweep', repository: null, message: `sweeps since ${notChecked.sweep.since} could not check every repository for new advisories: ${notChecked.sweep.problems.join('; ')}` }] : []),
      ...(notChecked?.repos ?? []).map((r) => ({ kind: 'not-checked', repository: r.repo, message: r.why })),
    ];
    const exit = affectedRepos > 0 ? EXIT.findings : partialReasons.length ? EXIT.error : EXIT.ok;
    if (values.json) {
      io.stdout(JSON.stringify({ advisory: id, store: where, watched_repositories: repos.length, affected_repositories: affectedRepos, affected: pins, partial: partialReasons.length > 0, partial_reasons: partialReasons }, null, 2) + '\n');
      return exit;
    }
    const lines = [`${id}: ${affectedRepos} of ${plural(repos.length, 'watched repository', 'watched repositories')} affected (${where})`];
    for (const p of pins) {
      const place = p.file ? ` in ${p.file}${p.line ? `:${p.line}` : ''}` : '';
      const other = p.advisory.toUpperCase() === id.toUpperCase() ? '' : ` (as ${p.advisory})`;
      lines.push(`${p.repository}  ${p.package ?? '?'} ${p.version ?? '?'}${place}${other}  watched in ${p.channels.join(', ') || 'no channel'}`);
    }
    for (const r of partialReasons) lines.push(`PARTIAL: ${r.repository ? `${r.repository} not fully checked: ` : ''}${r.message}`);
    io.stdout(lines.map(terminalSafe).join('\n') + '\n');
    return exit;
  } finally {
    await close();
  }
}
