/**
 * `extra-index-url`: more than one package index consulted for the same names. pip (and Pipenv, PDM,
 * Poetry's supplemental sources) pick the best version from every index, so anyone who registers an
 * internal package's name on PyPI can take over the install (dependency confusion, CVE-2018-20225).
 * Indexes over plain HTTP are flagged too: anyone on the path can change what is installed. So are
 * pip's `--find-links` pages (merged with the indexes like an extra index; a local folder is the
 * project's own, and a `${VAR}` from the environment may be either, so it is said as unknown) and
 * `--trusted-host` (pip then checks no certificate for that host). So are credentials written into
 * an index or page URL (`--index-url https://user:pass@…`, a `[[tool.uv.index]]`, Poetry, PDM or
 * Pipfile source): committed, anyone who can read the repository can use them. The audit reads them
 * itself, so they are reported when the code scan does not run; when it does, its
 * `secret-url-password` finding on the same line gives way to this one (withCodeScan). One finding
 * per line, saying all that is wrong there (oneFindingPerLine).
 */
// Parsers strip credentials already; stripping again here keeps a report safe from any format that forgets.
import { INDEX_OPTIONS, packageSourceKind, type PackageSourceKind } from '../../python/index-options.js';
import { stripUrlCredentials } from '../../python/urls.js';
import type { ManifestOption } from '../../python/types.js';
import type { AuditContext } from '../context.js';
import { fileFinding, type Finding } from '../findings.js';

/**
 * How each format's index options behave (option names come from the format modules):
 * - `extra-index-url` (pip, Pipfile's later sources, Poetry lock's legacy sources): merged with the main index;
 * - `poetry-source-supplemental`: searched alongside the primary source;
 * - `pdm-source`, `poetry-source`: PDM merges every source, and several primary Poetry sources are all searched;
 * - `uv-index`: uv stops at the first index that has a name (its default strategy), a smaller risk.
 */
const MERGED = new Set(['extra-index-url', 'poetry-source-supplemental', 'find-links']);
const SEVERAL_ARE_MERGED = new Set(['pdm-source', 'poetry-source']);
const FIRST_MATCH = new Set(['uv-index']);
/** A merged source the rule reports: a local `--find-links` folder is the project's own, and passed over. */
type Where = Exclude<PackageSourceKind, 'folder'>;

function riskyIndexes(options: ManifestOption[]): { option: ManifestOption; firstMatch: boolean; where: Where }[] {
  const out: { option: ManifestOption; firstMatch: boolean; where: Where }[] = [];
  for (const option of options) {
    if (!MERGED.has(option.name)) continue;
    // A `${VAR}` the environment fills in may be a page: said as one might be (fail closed), in words that say so.
    const where = packageSourceKind(option);
    if (where !== null && where !== 'folder') out.push({ option, firstMatch: false, where });
  }
  for (const name of SEVERAL_ARE_MERGED) {
    const all = options.filter((o) => o.name === name);
    for (const option of all.slice(1)) out.push({ option, firstMatch: false, where: 'index' as const });
  }
  for (const option of options) if (FIRST_MATCH.has(option.name)) out.push({ option, firstMatch: true, where: 'index' as const });
  return out;
}

/** One thing wrong with an index option: what it does (after the file's name) and what to do. */
interface IndexProblem {
  line: number | null;
  severity: 'high' | 'medium' | 'low';
  what: string;
  fix: string;
  details: Record<string, unknown>;
}

const MERGED_FIX = 'Serve internal and public packages through one index you control, or tie internal packages to their index (explicit sources) and pin with hashes.';

function mergedWhat(url: string, where: Where): string {
  if (where === 'unknown') {
    return `adds the package source ${url}, set from the environment: whether it is a local folder or a page on the web is unknown, and a page is merged like an extra index (the installer takes the highest version from any index or page, so a public package with an internal name wins)`;
  }
  return `adds ${where === 'page' ? 'the package page' : 'the index'} ${url}: the installer takes the highest version from any index${where === 'page' ? ' or page' : ''}, so a public package with an internal name wins`;
}

function indexProblems(options: ManifestOption[]): IndexProblem[] {
  const problems: IndexProblem[] = [];
  const seen = new Set<string>();
  for (const { option, firstMatch, where } of riskyIndexes(options)) {
    const url = stripUrlCredentials(option.value);
    if (seen.has(url)) continue;
    seen.add(url);
    problems.push(
      firstMatch
        ? {
            line: option.line,
            severity: 'low',
            what: `adds the index ${url}. uv takes each package from the first index that has it, which limits dependency confusion`,
            fix: 'Mark internal-only indexes `explicit = true` and pin their packages to them.',
            details: { url, option: option.name },
          }
        : { line: option.line, severity: 'medium', what: mergedWhat(url, where), fix: MERGED_FIX, details: { url, option: option.name, ...(where === 'unknown' ? { unresolved: true } : {}) } },
    );
  }
  for (const o of options.filter((x) => x.credentials === true)) {
    const url = stripUrlCredentials(o.value);
    problems.push({
      line: o.line,
      severity: 'high',
      what: `writes credentials into the URL of ${url} (a user and password, or a token): anyone who can read the repository can use them`,
      fix: 'Remove the credentials from the URL: give them through the environment (a ${VAR} in the URL, PIP_INDEX_URL, keyring or .netrc), and change them.',
      details: { url, option: o.name, credentials: true },
    });
  }
  for (const o of options.filter((x) => x.name === 'trusted-host')) {
    problems.push({
      line: o.line,
      severity: 'medium',
      what: `marks ${o.value} as a trusted host: pip checks no certificate for it (and accepts plain HTTP), so anyone on the path can change what is installed from it`,
      fix: 'Serve it over HTTPS with a valid certificate and drop --trusted-host.',
      details: { host: o.value, option: o.name, insecure: true },
    });
  }
  for (const o of options.filter((x) => INDEX_OPTIONS.has(x.name) && /^http:\/\//i.test(x.value))) {
    const url = stripUrlCredentials(o.value);
    problems.push({
      line: o.line,
      severity: 'medium',
      what: `uses an index over plain HTTP (${url}): anyone on the path can change what is installed`,
      fix: 'Use HTTPS.',
      details: { url, option: o.name, insecure: true },
    });
  }
  return problems;
}

/**
 * One finding per line of a manifest, saying every problem of its index options there: a watched
 * repository, an ignore and a pull-request review know a finding by its file and line (findingKey),
 * so two findings on one line (`--find-links http://…`: a page, and plain HTTP) would be kept as one
 * and the other lost. The worst severity; the details of the first problem, with `insecure` (and
 * the trusted `host`) when any of them says so.
 */
function oneFindingPerLine(path: string, problems: readonly IndexProblem[]): Finding[] {
  const byLine = new Map<number | null, IndexProblem[]>();
  for (const p of problems) {
    const same = byLine.get(p.line);
    if (same) same.push(p);
    else byLine.set(p.line, [p]);
  }
  return [...byLine.values()].map((same) => {
    const [first, ...more] = same as [IndexProblem, ...IndexProblem[]];
    const fixes = [...new Set(same.map((p) => p.fix))];
    const text = `${path} ${first.what}.${more.map((p) => ` It also ${p.what}.`).join('')} ${fixes.join(' ')}`;
    // Later problems add what the first does not say (`insecure`, `host`); the first's `url` and `option` stay.
    const details = same.reduceRight<Record<string, unknown>>((all, p) => ({ ...all, ...p.details }), {});
    const severity = same.some((p) => p.severity === 'high') ? 'high' : same.some((p) => p.severity === 'medium') ? 'medium' : 'low';
    return fileFinding({ kind: 'extra-index-url', severity, file: path, line: first.line, text, details });
  });
}

export function extraIndexUrlFindings(ctx: AuditContext): Finding[] {
  return ctx.manifests.flatMap((m) => oneFindingPerLine(m.path, indexProblems(m.options)));
}
