/** `depwatch deps <path>...`: lists the Python dependencies found (see README, "CLI JSON"). */
import { realpath, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, posix, relative, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { describeExclusion } from '../audit/exclude.js';
import { describeReason, extractErrorJson, partialReasonJson, partialReasons, partialStderrLines } from '../audit/partial.js';
import { manifestExclusions, readTreeExcludes } from '../audit/tree-excludes.js';
import { formatForPath } from '../python/discover.js';
import { directorySource } from '../python/files.js';
import { includedBySuffix, loadManifests, messageWithoutIncluder, type LoadResult } from '../python/load.js';
import type { Dependency, ManifestFormat } from '../python/types.js';
import { plural } from '../plural.js';
import { placeOf } from '../place.js';
import { shortProblemMessage } from '../report/shorten.js';
import { terminalLines } from '../report/terminal-text.js';
import { CliError, EXIT, writeChunks, type CliIO } from './io.js';
import { packageVersion } from '../version.js';
import { renderTable } from './table.js';
import { fileProblem } from '../file-error.js';

const FORMATS: ManifestFormat[] = ['requirements', 'pyproject', 'poetry-lock', 'pipfile', 'pipfile-lock', 'uv-lock', 'pdm-lock', 'pylock', 'setup-cfg', 'setup-py', 'conda-env', 'dockerfile'];

export const DEPS_USAGE = `usage: depwatch deps [--json | --cyclonedx] [--format FORMAT] <path>...
  Lists the Python dependencies in each directory (every manifest and lockfile found) or file.
  --json           the list as JSON (a contract scripts can rely on: docs/cli-contract.md)
  --cyclonedx      the list as a CycloneDX 1.6 JSON BOM (SBOM): one component per exact release,
                   requirements that are not one release without a version; a partial list says so
  --format FORMAT  read files as ${FORMATS.join(', ')}`;

const toPosix = (p: string) => p.split(sep).join('/');

/**
 * Loads every path given. A file given directly is reported as given (normalised, `/` separators),
 * and what it includes beside it (`-r ../base.txt` from `requirements/dev.txt` is `base.txt`). A
 * directory's files are relative to it when it is the only path given; with several paths, each
 * directory's are prefixed with the directory as given (`two/a/requirements.txt`), so that files of
 * the same name in two folders stay two files. A file reached twice (a folder and a file in it, the
 * same folder named twice) is the same file by its real path, and is listed once, under the name it
 * was first reached by.
 */
export async function collectDependencies(paths: string[], cwd: string, format?: ManifestFormat): Promise<DepsResult> {
  const all: DepsResult = { manifests: [], errors: [], notices: [] };
  const seenFiles = new Set<string>();
  const seenErrors = new Set<string>();
  for (const given of paths) {
    const full = resolve(cwd, given);
    const info = await stat(full).catch((err: unknown) => {
      throw new CliError(`${given}: ${fileProblem(err)}`);
    });
    let result: LoadResult;
    /** The folder the loaded paths are relative to. */
    let root: string;
    /** The loaded path, absolute, as the user will read it. */
    let shown: (abs: string) => string;
    if (info.isDirectory()) {
      root = full;
      // A directory is a tree: its own `.depwatch.yml` may exclude paths from discovery, as in an audit.
      const source = directorySource(full);
      const { excludedBy, notes } = await readTreeExcludes(source);
      result = await loadManifests(source, { ...(format ? { format } : {}), exclude: (path) => excludedBy(path) !== null });
      const said = paths.length > 1 ? (m: string) => `${toPosix(given)}: ${m}` : (m: string) => m;
      for (const note of notes) all.notices.push(said(note));
      for (const e of manifestExclusions(await source.list(), excludedBy, result, source.folder)) all.notices.push(said(describeExclusion(e)));
      for (const notice of result.notices ?? []) all.notices.push(said(notice));
      const prefix = paths.length > 1 ? toPosix(given) : '';
      shown = (abs) => (prefix ? posix.join(prefix, toPosix(relative(full, abs))) : toPosix(relative(full, abs)));
    } else {
      // Read the file from the working directory when it lies inside it, so that `-r ../base.txt`
      // from requirements/dev.txt can reach requirements' siblings; otherwise from its own folder.
      const inside = !relative(cwd, full).startsWith('..') && !isAbsolute(relative(cwd, full));
      root = inside ? cwd : dirname(full);
      const rel = toPosix(relative(root, full));
      // A file named explicitly is read even when its name says nothing (dev.txt is a requirements file).
      const fileFormat = format ?? formatForPath(rel) ?? (/\.(txt|in|pip)$/.test(rel) ? 'requirements' : undefined);
      result = await loadManifests(directorySource(root), { paths: [rel], ...(fileFormat ? { format: fileFormat } : {}) });
      // Beside the file as given: its folder as written, then the way from there.
      const givenFolder = toPosix(dirname(given));
      shown = (abs) => posix.join(givenFolder, toPosix(relative(dirname(full), abs)));
    }
    const absolute = (p: string) => resolve(root, p);
    const rename = (p: string) => shown(absolute(p));
    // Every file's real path asked at once, not one awaited round trip per manifest.
    const reals = await Promise.all(result.manifests.map((m) => realpath(absolute(m.path)).catch(() => absolute(m.path))));
    for (const [i, m] of result.manifests.entries()) {
      const real = reals[i]!;
      if (seenFiles.has(real)) continue;
      seenFiles.add(real);
      m.path = rename(m.path);
      m.includes = m.includes.map(rename);
      for (const d of m.dependencies) d.file = rename(d.file);
      all.manifests.push(m);
    }
    for (const e of result.errors) {
      const key = JSON.stringify([absolute(e.file), e.line, e.message]);
      if (seenErrors.has(key)) continue;
      seenErrors.add(key);
      if (e.includedBy === undefined) all.errors.push({ ...e, file: rename(e.file) });
      else {
        // The includer is named in the message too: both said as the other paths are.
        const includedBy = { file: rename(e.includedBy.file), line: e.includedBy.line };
        const message = `${messageWithoutIncluder(e)} ${includedBySuffix(includedBy)}`;
        all.errors.push({ ...e, file: rename(e.file), message, includedBy });
      }
    }
  }
  return all;
}

/** The contract's JSON for one dependency (extra fields allowed, none renamed). */
export function dependencyJson(d: Dependency) {
  return {
    name: d.name,
    version: d.version,
    specifier: d.specifier,
    extras: d.extras,
    marker: d.marker,
    source: d.source,
    editable: d.editable,
    kind: d.kind,
    group: d.group,
    direct: d.direct,
    file: d.file,
    line: d.line,
    ...(d.url !== undefined ? { url: d.url } : {}),
    ...(d.hashes?.length ? { hashes: d.hashes } : {}),
  };
}

/** What `deps` found: the manifests and problems, and what each directory's `exclude:` left unread (and notes on it). */
export type DepsResult = LoadResult & { notices: string[] };

const reasonsFor = (result: LoadResult) => partialReasons({ errors: result.errors, manifestsRead: result.manifests.length, warnings: [] });

export function depsJson(result: DepsResult) {
  const reasons = reasonsFor(result);
  return {
    manifests: result.manifests.map((m) => ({
      path: m.path,
      format: m.format,
      includes: m.includes,
      ...(m.requiresPython ? { requires_python: m.requiresPython } : {}),
      dependencies: m.dependencies.map(dependencyJson),
    })),
    errors: result.errors.map(extractErrorJson),
    /** What `exclude:` in a directory's `.depwatch.yml` left unread, and notes on its entries: said, not partial. */
    notices: result.notices,
    /** True when a manifest (or part of one) was not read, or none was found: the list may be incomplete. */
    partial: reasons.length > 0,
    partial_reasons: reasons.map(partialReasonJson),
  };
}

export function depsTable(result: DepsResult): string {
  // Paths, names and problems come from the files read: every line is made safe for a terminal.
  const lines: string[] = [];
  let out = '';
  const flush = () => {
    out += terminalLines(lines);
    lines.length = 0;
  };
  for (const m of result.manifests) {
    lines.push('', `${m.path} (${m.format}, ${m.dependencies.length} ${m.dependencies.length === 1 ? 'dependency' : 'dependencies'})`);
    if (m.dependencies.length === 0) continue;
    flush();
    out += renderTable(
      ['line', 'name', 'version', 'specifier', 'group', 'kind', 'source'],
      m.dependencies.map((d) => [
        d.line === null ? '' : String(d.line),
        d.name + (d.extras.length ? `[${d.extras.join(',')}]` : ''),
        d.version ?? '',
        d.specifier + (d.marker ? ` ; ${d.marker}` : ''),
        d.group,
        d.kind + (d.direct ? '' : ' (indirect)'),
        d.source + (d.editable ? ' (editable)' : ''),
      ]),
    );
  }
  const count = result.manifests.reduce((n, m) => n + m.dependencies.length, 0);
  lines.push('', `${plural(count, 'dependency', 'dependencies')} in ${plural(result.manifests.length, 'file')}${result.errors.length ? `, ${plural(result.errors.length, 'problem')}:` : ''}`);
  for (const e of result.errors) lines.push(`  ${placeOf(e.file, e.line)}: ${shortProblemMessage(e)}`);
  for (const n of result.notices) lines.push(`note: ${n}`);
  const reasons = reasonsFor(result);
  if (reasons.length) lines.push('PARTIAL: not everything was read, so this list may be incomplete:', ...reasons.map((r) => `  - ${describeReason(r)}`));
  flush();
  return out;
}

/** What deps's parser accepts; test/cli/help.test.ts holds DEPS_USAGE and the top-level help to it. */
export const DEPS_OPTIONS = {
  json: { type: 'boolean' },
  cyclonedx: { type: 'boolean' },
  format: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * The project a BOM describes: the folder given (a file's folder), or the folder holding every path
 * given. Its name is the BOM's metadata.component.
 */
async function projectName(paths: string[], cwd: string): Promise<string> {
  const folders = await Promise.all(
    paths.map(async (given) => {
      const full = resolve(cwd, given);
      return (await stat(full)).isDirectory() ? full : dirname(full);
    }),
  );
  let common = folders[0]!.split(sep);
  for (const folder of folders.slice(1)) {
    const parts = folder.split(sep);
    let same = 0;
    while (same < common.length && same < parts.length && common[same] === parts[same]) same++;
    common = common.slice(0, same);
  }
  return basename(common.join(sep)) || sep;
}

export async function depsCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: DEPS_OPTIONS,
  });
  if (values.help) {
    io.stdout(DEPS_USAGE + '\n');
    return EXIT.ok;
  }
  if (positionals.length === 0) throw new CliError('deps: give at least one directory or file (try: depwatch deps .)');
  if (values.json && values.cyclonedx) throw new CliError('deps: choose one of --json, --cyclonedx');
  const format = values.format as ManifestFormat | undefined;
  if (format && !FORMATS.includes(format)) throw new CliError(`--format: unknown format "${format}" (one of ${FORMATS.join(', ')})`);
  // The BOM's writer loads only when asked for, beside the reading.
  const bom = values.cyclonedx ? import('../report/cyclonedx.js') : null;
  bom?.catch(() => undefined); // awaited below; a missing path must not leave it unhandled
  const result = await collectDependencies(positionals, io.cwd, format);
  const reasons = reasonsFor(result);
  if (bom) {
    const { cyclonedxChunks } = await bom;
    const dependencies = result.manifests.flatMap((m) => m.dependencies);
    const project = { name: await projectName(positionals, io.cwd) };
    await writeChunks(io, cyclonedxChunks({ project, dependencies, manifests: result.manifests, reasons, toolVersion: packageVersion(), now: new Date() }));
  } else io.stdout(values.json ? JSON.stringify(depsJson(result), null, 2) + '\n' : depsTable(result));
  if (reasons.length === 0) return EXIT.ok;
  // One line per reason, as audit prints them (the contract): "and 1 more" hid which file was not read.
  for (const line of partialStderrLines(reasons, 'depwatch deps')) io.stderr(line);
  return EXIT.error;
}
