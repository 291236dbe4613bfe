/** `depwatch package <name>[==version]...`: a health card per package, before adding it. */
import { parseArgs } from 'node:util';
import { OfflineMirrorEmptyError, chooseAdvisorySource, type OfflineLimit } from '../advisories/select.js';
import type { AdvisorySource } from '../advisories/types.js';
import { createGitHubClient } from '../github/client.js';
import { buildCards, parsePackageArg, PackageArgumentError, type PackageCard, type PackageRequest } from '../packages/card.js';
import { FAMILY_TITLES } from '../packages/health/signal.js';
import { AdvisoriesSource } from '../packages/sources/advisories.js';
import { SourceCache } from '../packages/sources/cache.js';
import { GitHubSource } from '../packages/sources/github.js';
import { localPopularityIndex } from '../packages/sources/known-names.js';
import { PypiSource } from '../packages/sources/pypi.js';
import { TyposquatChecker } from '../packages/typosquat/check.js';
import type { Verdict } from '../packages/verdict.js';
import { CliError, EXIT, type CliIO } from './io.js';
import { MAX_DATA_AGE_OPTION, MAX_DATA_AGE_USAGE, offlineLimit } from './offline-limit.js';
import { openOnlineServices, type OnlineServices } from './services.js';
import { terminalLines, terminalSafe } from '../report/terminal-text.js';

export const PACKAGE_USAGE = `usage: depwatch package [--json] [--offline [--max-data-age DAYS]] [--fail-on avoid|caution] [--db PATH] <name[==version]>...
  A health card per package: releases, people, supply chain, weight, security, typosquatting,
  and a verdict (ok, caution, avoid) with its reasons.
  --offline  no network: only the shipped data, the local advisory mirror and answers cached earlier
${MAX_DATA_AGE_USAGE}
  --fail-on  exit 1 when a verdict is this bad or worse (default: avoid)
Exit status: 1 a verdict at or above --fail-on; otherwise 2 an argument refused or a card that
could not read everything (partial); otherwise 0.`;

const RANK: Record<Verdict, number> = { ok: 0, caution: 1, avoid: 2 };

export function cardJson(card: PackageCard) {
  return {
    name: card.name,
    normalized_name: card.normalizedName,
    requested_version: card.requestedVersion,
    version: card.version,
    latest_version: card.latestVersion,
    exists: card.exists,
    version_exists: card.versionExists,
    verdict: card.verdict,
    partial: card.partial,
    reasons: card.reasons,
    signals: Object.fromEntries(
      Object.entries(card.signals).map(([id, s]) => [id, { family: s.family, label: s.label, value: s.value, text: s.text, source: s.source, ...(s.unknown ? { unknown: s.unknown } : {}) }]),
    ),
    typosquat: { suspect: card.typosquat.suspect, similar_to: card.typosquat.similarTo },
    notices: card.notices,
  };
}

export function cardText(card: PackageCard): string {
  const head = card.exists === false ? `${card.name}: not on the index` : `${card.name}${card.version ? ` ${card.version}` : ''}`;
  const lines = [`${head}: ${card.verdict.toUpperCase()}${card.partial ? ' (partial)' : ''}`];
  for (const r of card.reasons) lines.push(`  ${r.verdict === 'avoid' ? '✗' : '!'} ${r.text}`);
  if (card.typosquat.suspect) lines.push(`  name: looks like ${card.typosquat.similarTo.map((s) => `${s.name} (${s.kind})`).join(', ')}`);
  if (card.exists !== false) {
    const families = [...new Set(Object.values(card.signals).map((s) => s.family))];
    for (const family of families) {
      lines.push(`  ${FAMILY_TITLES[family]}`);
      for (const s of Object.values(card.signals).filter((x) => x.family === family)) {
        lines.push(`    ${s.label}: ${s.text}  [${s.source.name}]`);
      }
    }
  }
  // What PyPI and the project's pages say, shown safe for a terminal.
  return terminalLines(lines);
}

/** The advisory source, or (offline with an empty mirror) one that says why it cannot answer. */
function advisorySource(services: OnlineServices, offline: false | OfflineLimit, now: Date): AdvisorySource {
  try {
    return chooseAdvisorySource({ offline, mirror: services.mirror, api: services.osv, now });
  } catch (err) {
    if (!(err instanceof OfflineMirrorEmptyError)) throw err;
    const fail = () => Promise.reject(err);
    return { kind: 'mirror', affecting: fail, forPackage: fail };
  }
}

export async function packageCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean' },
      offline: { type: 'boolean' },
      ...MAX_DATA_AGE_OPTION,
      db: { type: 'string' },
      'fail-on': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout(PACKAGE_USAGE + '\n');
    return EXIT.ok;
  }
  const failOn = (values['fail-on'] ?? 'avoid') as Verdict;
  if (failOn !== 'avoid' && failOn !== 'caution') throw new CliError(`package: --fail-on takes avoid or caution, not "${values['fail-on']}"`);
  if (positionals.length === 0) throw new CliError('package: give at least one name or name==version');
  const limit = offlineLimit(values['max-data-age'], io);

  const requests: PackageRequest[] = [];
  const errors: { argument: string; message: string }[] = [];
  for (const arg of positionals) {
    try {
      requests.push(parsePackageArg(arg));
    } catch (err) {
      if (!(err instanceof PackageArgumentError)) throw err;
      errors.push({ argument: arg.slice(0, 200), message: err.message });
      io.stderr(`depwatch package: ${terminalSafe(err.message)}\n`);
    }
  }

  const offline = Boolean(values.offline);
  // Offline only reads (the mirror and answers cached earlier): a missing database is not created.
  // Online, the answers are cached for later offline cards.
  const services = await openOnlineServices(io, values.db, { readOnly: offline });
  try {
    const now = new Date();
    const cache = new SourceCache(services.db, { offline });
    const index = localPopularityIndex(services.db);
    const { config } = services;
    const github = offline
      ? null
      : new GitHubSource({
          octokit: await createGitHubClient(config.github),
          authenticated: Boolean(config.github.token || config.github.app),
          apiUrl: config.github.apiUrl,
          cache,
        });
    const cards = await buildCards(requests, {
      pypi: new PypiSource({ baseUrl: config.pypi.url, cache }),
      advisories: new AdvisoriesSource({ source: advisorySource(services, offline && limit, now), cache, apiUrl: config.osv.apiUrl }),
      github,
      checker: new TyposquatChecker(index),
      now: () => now,
    });
    for (const notice of new Set(cards.flatMap((c) => c.notices))) io.stderr(`depwatch: ${terminalSafe(notice)}\n`);
    if (values.json) io.stdout(JSON.stringify({ packages: cards.map(cardJson), errors }, null, 2) + '\n');
    else io.stdout(cards.map(cardText).join('\n'));
    // As `audit` exits: a verdict that fails the gate says 1, whatever else is true (an "avoid"
    // found is the answer a CI job needs, and 2 would read as "could not tell"); otherwise an
    // argument refused or a card that could not read everything is not a pass (2).
    if (cards.some((c) => RANK[c.verdict] >= RANK[failOn])) return EXIT.findings;
    return errors.length > 0 || cards.some((c) => c.partial) ? EXIT.error : EXIT.ok;
  } finally {
    services.close();
  }
}
