/** `depwatch audit <dir | file | owner/repo | github URL>`: everything the product finds, in a terminal. */
import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { atOrAbove, DEFAULT_UNKNOWN_AS, parseSeverity, parseUnknownAs, UNKNOWN_AS_LEVELS, type RatedSeverity, type Severity } from '../audit/findings.js';
import type { AuditResult } from '../audit/audit.js';
import { codeFindingsAtOrAbove, DEFAULT_CODE_FAIL_LEVEL, isCommittedCredential, withCodeScan } from '../audit/code-scan.js';
import { partialStderrLines, reasonsOf } from '../audit/partial.js';
import { auditTree, readTree, readTreeSettings, withSettingsNotes, type NamedManifest, type TreeAuditOptions, type TreeSettings } from '../audit/run.js';
import type { DepwatchFile } from '../audit/ignore-file.js';
import { isManifestPath, isProjectContextPath } from '../python/discover.js';
import { namedFileSource } from '../python/named-file-source.js';
import { directoryWalk, type DirectoryWalk } from '../python/directory-walk.js';
import { directorySource, type FileSource } from '../python/files.js';
import type { ChunkedRenderer, RenderedReport, ReportFormat, ReportOptions } from '../report/interface.js';
import type { ScanResult } from '../scan/types.js';
import type { Dependency } from '../python/types.js';
import type { LoadedManifest } from '../python/load.js';
import { fingerprintOptions } from './fingerprint-key.js';
import { MAX_DATA_AGE_OPTION, MAX_DATA_AGE_USAGE, offlineLimit } from './offline-limit.js';
import { CliError, EXIT, writeChunks, type CliIO } from './io.js';
import { advisorySourceFor, openOnlineServices, openServices, type OnlineServices, type Services } from './services.js';
import { sourceRootOf } from './source-root.js';
import { terminalSafe } from '../report/terminal-text.js';
import { missingOr } from './missing-path.js';
import { rootSettingsNote } from './root-settings.js';
import { namedManifestAt, namesManifest } from './manifest-file.js';

export const AUDIT_USAGE = `usage: depwatch audit [--json | --markdown | --sarif | --cyclonedx] [--offline [--max-data-age DAYS]] [--no-code] [--fail-on LEVEL] [--unknown-as LEVEL] [--show-ignored] [--db PATH] <dir | file | owner/repo[@branch] | github URL>
  Audits every manifest and lockfile: vulnerabilities, malicious packages, outdated and yanked
  releases, unpinned requirements, missing locks and hashes, VCS/URL sources, extra indexes, old Python.
  In a directory it also scans code and configuration, as "depwatch scan" does: risky Python,
  hardcoded credentials (never printed: kind and fingerprint only), committed .env files, containers.
  A file (requirements/prod.txt, pyproject.toml, uv.lock…) is audited alone, with its -r/-c includes
  inside its folder, as "pip-audit -r FILE" is: dependencies only, its code is not scanned.
  --json           the report as JSON (a contract scripts can rely on: docs/cli-contract.md)
  --markdown       the report as Markdown
  --sarif          the report as SARIF 2.1.0, for GitHub code scanning
  --cyclonedx      a CycloneDX 1.6 JSON BOM (SBOM) of the dependencies with their vulnerabilities
                   (as pip-audit --format cyclonedx-json); other findings are counted, not listed
  --fail-on LEVEL  exit 1 when a finding is at or above LEVEL (critical, high, medium, low, info);
                   default: any vulnerability, a credential in an index URL, or a code finding at high or above.
                   "never": findings never fail the run.
                   A partial result (a manifest not read, no manifests, a data source down,
                   a SARIF cut to GitHub's limits) exits 2 unless findings already exit 1.
  --unknown-as LEVEL  how advisories no source rated count for --fail-on and ordering
                   (critical, high, medium, low; default high)
  --offline        use only the local advisory mirror and skip PyPI (outdated/yanked checks);
                   a GitHub repository is then named only by its URL
${MAX_DATA_AGE_USAGE}
  --no-code        audit dependencies only: do not scan code and configuration
  --show-ignored   list ignored findings too
  --db PATH        the database of the advisory mirror and caches (default: DEPWATCH_DB, else
                   $XDG_DATA_HOME/depwatch/depwatch.db); audit never creates one
  DEPWATCH_FINGERPRINT_KEY (env): key for secret fingerprints, so they compare across runs.`;

/** A report and what it left out of the result (only SARIF leaves anything out: GitHub's limits). */
type ReportMaker = (result: AuditResult, options: ReportOptions) => RenderedReport;

/** A format that leaves nothing out. */
const whole =
  (render: ChunkedRenderer): ReportMaker =>
  (result, options) => ({ chunks: render(result, options), leftOut: [] });

// Reports are written piece by piece: tens of megabytes for a large tree, never held whole. Only
// the format asked for is loaded (each renderer brings modules of its own).
const RENDERERS: Record<ReportFormat, () => Promise<ReportMaker>> = {
  text: async () => whole((await import('../report/text.js')).renderTextChunks),
  json: async () => whole((await import('../report/json.js')).renderJsonChunks),
  markdown: async () => whole((await import('../report/markdown.js')).renderMarkdownChunks),
  sarif: async () => (await import('../report/sarif.js')).sarifReport,
  cyclonedx: async () => whole((await import('../report/cyclonedx.js')).renderCyclonedxChunks),
};

/** What audit's parser accepts; test/cli/help.test.ts holds AUDIT_USAGE and the top-level help to it. */
export const AUDIT_OPTIONS = {
  json: { type: 'boolean' },
  markdown: { type: 'boolean' },
  sarif: { type: 'boolean' },
  cyclonedx: { type: 'boolean' },
  offline: { type: 'boolean' },
  ...MAX_DATA_AGE_OPTION,
  'no-code': { type: 'boolean' },
  'fail-on': { type: 'string' },
  'unknown-as': { type: 'string' },
  'show-ignored': { type: 'boolean' },
  db: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function auditCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: AUDIT_OPTIONS,
  });
  if (values.help) {
    io.stdout(AUDIT_USAGE + '\n');
    return EXIT.ok;
  }
  if (positionals.length !== 1) throw new CliError('audit: give one directory, manifest file, owner/repo or GitHub URL');
  const chosen = (['json', 'markdown', 'sarif', 'cyclonedx'] as const).filter((f) => values[f]);
  if (chosen.length > 1) throw new CliError('audit: choose one of --json, --markdown, --sarif, --cyclonedx');
  const format: ReportFormat = chosen[0] ?? 'text';
  const failOn = parseFailOn(values['fail-on']);
  const unknownAs = parseUnknownAsFlag(values['unknown-as']);
  const scanCode = values['no-code'] ? null : fingerprintOptions(io);

  const offline = Boolean(values.offline);
  const limit = offlineLimit(values['max-data-age'], io);
  // Started now, beside the target's stat and the store's opening; awaited before the audit (see loadScanner).
  const rendering = RENDERERS[format]();
  rendering.catch(() => undefined); // awaited below; a usage error before then must not leave it unhandled
  const target = await auditTargetOf(io, positionals[0]!, offline);
  // An offline audit of a checkout talks to no service: it loads neither the configuration nor the
  // HTTP clients. A repository is read from GitHub, so it needs them even offline.
  const online = offline && target.kind !== 'repository' ? null : await openOnlineServices(io, values.db, { readOnly: true });
  const services: Services = online ?? openServices(io, values.db, { readOnly: true });
  try {
    const now = new Date();
    const options: TreeAuditOptions = {
      target: '',
      advisories: advisorySourceFor(services, offline && limit, now),
      registry: online && !offline ? online.pypi : null,
      now,
      unknownAs,
      ...(io.isTTY && format === 'text' ? { onProgress: (m: string) => io.stderr(`… ${terminalSafe(m)}\n`) } : {}),
    };
    // Loaded before the audit, for the reason given at loadScanner.
    const render = await rendering;
    // The BOM lists every dependency read; the result keeps only their count.
    const read: ReadDependencies = format === 'cyclonedx' ? { dependencies: [], manifests: [] } : null;
    const { result, report } =
      target.kind === 'repository'
        ? await auditRepository(target.given, online!, options, scanCode, read) // a repository always opens them
        : {
            result: target.kind === 'directory' ? await auditDirectory(target.dir, target.given, options, scanCode, read) : await auditManifestFile(target, options, scanCode, read),
            report: format === 'sarif' ? { sourceRoot: await sourceRootOf(target.dir) } : {},
          };
    const bom = read ? { bom: { dependencies: read.dependencies, manifests: read.manifests, project: projectOf(target, result), now } } : {};
    const { chunks, leftOut } = render(result, { ...report, ...bom, showIgnored: Boolean(values['show-ignored']) });
    await writeChunks(io, chunks);
    if (format !== 'text') {
      for (const line of partialStderrLines(reasonsOf(result))) io.stderr(line);
    }
    // A SARIF cut to GitHub's limits is not the whole result: said (the cut the SARIF made), and not a pass.
    for (const text of leftOut) io.stderr(`depwatch: PARTIAL: ${text}\n`);
    // Fail closed: findings that fail the gate say 1; otherwise a result that did not read or check
    // everything is not a pass (2), whatever --fail-on says.
    if (failing(result, failOn, unknownAs)) return EXIT.findings;
    return result.partial || leftOut.length > 0 ? EXIT.error : EXIT.ok;
  } finally {
    services.close();
  }
}

/**
 * Where the dependencies an audit read are kept, for a report that lists them (the CycloneDX BOM);
 * null when none does.
 */
type ReadDependencies = { dependencies: readonly Dependency[]; manifests: readonly LoadedManifest[] } | null;

/** The audit of a tree (auditFileSource), keeping what it read in `read` when asked. */
async function auditSource(source: FileSource, options: TreeAuditOptions, read: ReadDependencies, settings?: TreeSettings, manifest?: NamedManifest): Promise<AuditResult> {
  const contents = await readTree(source, settings, manifest);
  if (read) {
    read.dependencies = contents.load.manifests.flatMap((m) => m.dependencies);
    // The lockfiles among them say the dependency graph.
    read.manifests = contents.load.manifests;
  }
  return auditTree(contents, options);
}

/** The project a BOM describes: the folder audited (a file's folder), or the repository at its commit. */
function projectOf(target: AuditTarget, result: AuditResult): { name: string; version?: string } {
  if (target.kind !== 'repository') return { name: basename(target.dir) || target.dir };
  const at = result.target.lastIndexOf('@');
  return at > 0 ? { name: result.target.slice(0, at), version: result.target.slice(at + 1) } : { name: result.target };
}

/** Code scanning wanted (with the fingerprint key, if any), or null for --no-code. */
type ScanCode = { fingerprintKey?: string } | null;

/** A manifest given by its path: audited from its folder (`dir`), the root of its paths and includes. */
type FileTarget = { kind: 'file'; dir: string; given: string; manifest: NamedManifest };

type AuditTarget = { kind: 'directory'; dir: string; given: string } | FileTarget | { kind: 'repository'; given: string };

/**
 * What the argument names, looked at once, before anything is opened: a checkout or a GitHub
 * repository. A missing folder must not turn into someone else's repository: in CI a checkout
 * `services/api` that is not there would otherwise pass the gate on github.com/services/api. So with
 * --offline only a URL is a repository, and without it an `a/b` whose `a` is a local folder is a
 * mistyped path.
 */
async function auditTargetOf(io: CliIO, given: string, offline: boolean): Promise<AuditTarget> {
  const dir = resolve(io.cwd, given);
  const info = await stat(dir).catch(missingOr(given));
  if (info?.isDirectory()) return { kind: 'directory', dir, given };
  if (info) return { kind: 'file', given, ...namedManifestAt(dir, given) };
  if (/^https?:\/\//.test(given)) return { kind: 'repository', given };
  const repoLike = /^([\w.-]+)\/([\w.-]+)(?:@(.+))?$/.exec(given);
  // A manifest's name that is not there is a mistyped path (a folder's name, the file's), never a
  // repository to ask GitHub for: a repository named `requirements.txt` is named by its URL.
  const missingManifest = namesManifest(given);
  if (!repoLike) throw new CliError(missingManifest ? `no such file: ${given}` : `${given}: no such directory, and not owner/repo or a GitHub URL`);
  const [, owner, repo, branch] = repoLike;
  const url = `https://github.com/${owner}/${repo}${branch ? `/tree/${branch}` : ''}`;
  if (missingManifest) throw new CliError(`no such file: ${given} (to audit the GitHub repository ${owner}/${repo}, use ${url})`);
  if (offline) throw new CliError(`no such directory: ${given} (with --offline, a GitHub repository is audited only from its URL: ${url})`);
  const firstSegment = await stat(resolve(io.cwd, owner!)).catch(() => null);
  if (firstSegment?.isDirectory()) throw new CliError(`no such directory: ${given} (to audit the GitHub repository ${owner}/${repo}, use ${url})`);
  return { kind: 'repository', given };
}

/**
 * One manifest and what it includes, from its folder: its dependencies only. The code is not
 * scanned (a pip-audit user asks about dependencies; the folder's code is not "that file"), and,
 * unless --no-code asked for exactly that, the report says so.
 */
async function auditManifestFile(target: FileTarget, options: TreeAuditOptions, scanCode: ScanCode, read: ReadDependencies): Promise<AuditResult> {
  const source = await namedFileSource(target.dir);
  const audited = await auditSource(source, { ...options, target: target.given }, read, await settingsOf(source, target.dir, false), target.manifest);
  return scanCode ? { ...audited, notices: [...audited.notices, CODE_NOT_SCANNED_FOR_A_FILE] } : audited;
}

export const CODE_NOT_SCANNED_FOR_A_FILE = 'code and configuration were not scanned: a single manifest was audited (its dependencies only); audit its folder (depwatch audit DIR) to scan the code too';

async function auditDirectory(dir: string, target: string, options: TreeAuditOptions, scanCode: ScanCode, read: ReadDependencies): Promise<AuditResult> {
  const scanner = scanCode === null ? null : { scan: await loadScanner(), options: scanCode };
  // The scan reads the same tree while the audit waits on advisories and PyPI; both list it from one
  // walk, and both apply its `.depwatch.yml` as read and parsed once here (the audit says its notes).
  const walk = directoryWalk(dir);
  const source = directorySource(dir, walk);
  const settings = await settingsOf(source, dir, scanner !== null);
  const [audit, scan] = await Promise.all([
    auditSource(source, { ...options, target }, read, settings),
    scanner && settings ? scanner.scan(dir, { ...scanner.options, walk, settings: settings.parsed }) : null,
  ]);
  return scan ? withCodeScan(audit, scan) : audit;
}

/**
 * The audited folder's settings, read here when the code scan needs them too (read once for both)
 * or when a note must be said with them: the repository root's settings file, not read for a
 * subfolder (rootSettingsNote). Otherwise undefined: the audit reads them itself.
 */
async function settingsOf(source: FileSource, dir: string, scanned: boolean): Promise<TreeSettings | undefined> {
  const rootNote = await rootSettingsNote(dir, 'audit');
  if (!scanned && rootNote === null) return undefined;
  const settings = await readTreeSettings(source);
  return rootNote === null ? settings : withSettingsNotes(settings, [rootNote]);
}

async function auditRepository(target: string, services: OnlineServices, options: TreeAuditOptions, scanCode: ScanCode, read: ReadDependencies): Promise<{ result: AuditResult; report: ReportOptions }> {
  // GitHub's client (octokit and its plugins) loads only for a repository: a checkout never needs it.
  const [{ createGitHubClient }, { blobLineUrl }, { htmlHostFromApiUrl, parseRepoRef }, { snapshotErrors, snapshotSource, takeSnapshot }] = await Promise.all([
    import('../github/client.js'),
    import('../github/links.js'),
    import('../github/repo-ref.js'),
    import('../github/snapshot.js'),
  ]);

  const ref = parseRepoRef(target, { hosts: ['github.com', 'www.github.com', htmlHostFromApiUrl(services.config.github.apiUrl)] });
  const octokit = await createGitHubClient(services.config.github);
  if (options.onProgress) options.onProgress(`reading ${ref.owner}/${ref.repo} from GitHub`);
  const snapshot = await takeSnapshot(octokit, services.db, ref, { select: isManifestPath, selectInterpreter: isProjectContextPath });
  const audited = await auditSource(
    snapshotSource(snapshot),
    {
      ...options,
      target: `${snapshot.owner}/${snapshot.repo}@${snapshot.sha}`,
      extraErrors: snapshotErrors(snapshot),
    },
    read,
  );
  // Said, not hidden: the terminal reads a repository's manifests from GitHub, not its whole tree.
  const result = scanCode ? { ...audited, notices: [...audited.notices, CODE_NOT_SCANNED_REMOTELY] } : audited;
  return { result, report: { fileUrl: (file, line) => blobLineUrl(snapshot.htmlUrl, snapshot.sha, file, line) } };
}

export const CODE_NOT_SCANNED_REMOTELY = 'code and configuration were not scanned: from GitHub the terminal reads manifests only; audit a checkout (depwatch audit DIR) to scan its code too';

/**
 * The directory scanner, loaded only when code is scanned, and loaded whole before the audit
 * starts. Modules load a step at a time between other work: imported beside the audit, the
 * scanner's dozens of modules waited for the audit's synchronous matching to end, and their files'
 * closes, left queued, held the process open after the report was written.
 */
async function loadScanner(): Promise<(dir: string, options: { fingerprintKey?: string; walk?: DirectoryWalk; settings?: DepwatchFile | null }) => Promise<ScanResult>> {
  return (await import('../workers/parallel-scan.js')).scanDirectoryInParallel;
}

type FailOn = Severity | 'vulnerability' | 'never';

function parseFailOn(text: string | undefined): FailOn {
  if (text === undefined) return 'vulnerability';
  if (text === 'never' || text === 'none') return 'never';
  const level = parseSeverity(text);
  if (!level) throw new CliError(`--fail-on: "${text}" is not a level (critical, high, medium, low, info, never)`);
  return level;
}

function parseUnknownAsFlag(text: string | undefined): RatedSeverity {
  if (text === undefined) return DEFAULT_UNKNOWN_AS;
  const level = parseUnknownAs(text);
  if (!level) throw new CliError(`--unknown-as: "${text}" is not a level (${UNKNOWN_AS_LEVELS.join(', ')})`);
  return level;
}

function failing(result: AuditResult, failOn: FailOn, unknownAs: RatedSeverity): boolean {
  if (failOn === 'never') return false;
  if (failOn === 'vulnerability') {
    return result.findings.some((f) => f.kind === 'vulnerability' || f.kind === 'malicious' || isCommittedCredential(f)) || codeFindingsAtOrAbove(result.code, DEFAULT_CODE_FAIL_LEVEL).length > 0;
  }
  return result.findings.some((f) => atOrAbove(f.severity, failOn, unknownAs)) || codeFindingsAtOrAbove(result.code, failOn).length > 0;
}
