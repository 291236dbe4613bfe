/**
 * Reads every manifest under a root (or the files asked for), follows `-r` / `-c` includes, and
 * guards against what should never be parsed: huge files, binary files, include cycles, paths that
 * leave the root. Pure parsing happens in the format modules; this is the only place that reads.
 */
import { posix } from 'node:path';
import { formatForPath, isManifestPath } from './discover.js';
import type { FileSource } from './files.js';
import { formatModule } from './formats/index.js';
import type { Dependency, ExtractError, ManifestFormat, ManifestOption } from './types.js';

export const MAX_MANIFEST_BYTES = 5 * 1024 * 1024;

export interface LoadedManifest {
  path: string;
  format: ManifestFormat;
  /** Files this one includes (`-r` / `-c`), resolved, relative to the root. */
  includes: string[];
  dependencies: Dependency[];
  options: ManifestOption[];
  requiresPython: string | null;
}

export interface LoadResult {
  manifests: LoadedManifest[];
  errors: ExtractError[];
}

export interface LoadOptions {
  /** Files to read (relative to the source root). Default: every manifest the source lists. */
  paths?: string[];
  /** Read the given paths as this format, whatever their names say. */
  format?: ManifestFormat;
}

interface IncludeEdge {
  from: string;
  to: string;
  kind: 'requirement' | 'constraint';
  line: number;
}

export async function loadManifests(source: FileSource, options: LoadOptions = {}): Promise<LoadResult> {
  const errors: ExtractError[] = [];
  const loaded = new Map<string, LoadedManifest>();
  const edges: IncludeEdge[] = [];

  const roots = options.paths ?? (await source.list()).filter(isManifestPath);
  const queue: { path: string; format: ManifestFormat | null }[] = roots.map((p) => ({
    path: p,
    format: options.format ?? formatForPath(p),
  }));

  while (queue.length > 0) {
    const { path, format } = queue.shift()!;
    if (loaded.has(path)) continue;
    if (!format) {
      errors.push({ file: path, line: null, message: 'not a known manifest format (use --format to say which)' });
      continue;
    }
    const text = await readText(source, path, errors);
    if (text === null) continue;

    const result = formatModule(format).extract(text, { file: path });
    const manifest: LoadedManifest = {
      path,
      format,
      includes: [],
      dependencies: result.dependencies,
      options: result.options ?? [],
      requiresPython: result.requiresPython ?? null,
    };
    loaded.set(path, manifest);
    errors.push(...result.errors);

    for (const inc of result.includes ?? []) {
      const target = resolveInclude(path, inc.path);
      if (target === null) {
        errors.push({ file: path, line: inc.line, message: `${inc.path}: leaves the scanned root, not followed` });
        continue;
      }
      manifest.includes.push(target);
      edges.push({ from: path, to: target, kind: inc.kind, line: inc.line });
      // Included files are requirements files whatever their name (pip reads them as such).
      queue.push({ path: target, format: 'requirements' });
    }
  }

  markConstraints(loaded, edges);
  errors.push(...findCycles(edges));
  return { manifests: [...loaded.values()], errors };
}

async function readText(source: FileSource, path: string, errors: ExtractError[]): Promise<string | null> {
  const size = source.size ? await source.size(path) : null;
  if (size !== null && size > MAX_MANIFEST_BYTES) {
    errors.push({ file: path, line: null, message: `file is ${formatMb(size)}, over the 5 MB limit for manifests; not read` });
    return null;
  }
  const bytes = await source.read(path);
  if (bytes === null) {
    errors.push({ file: path, line: null, message: 'file not found' });
    return null;
  }
  return decodeManifest(bytes, path, errors);
}

/** Text of a manifest, or null (with one error) when it is too big, binary or not UTF-8. */
export function decodeManifest(bytes: Buffer, path: string, errors: ExtractError[]): string | null {
  if (bytes.length > MAX_MANIFEST_BYTES) {
    errors.push({ file: path, line: null, message: `file is ${formatMb(bytes.length)}, over the 5 MB limit for manifests; not read` });
    return null;
  }
  if (bytes.subarray(0, 8192).includes(0)) {
    errors.push({ file: path, line: null, message: 'binary file (contains NUL bytes), not a manifest; not read' });
    return null;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    errors.push({ file: path, line: null, message: 'not valid UTF-8 text; not read' });
    return null;
  }
}

const formatMb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** Resolves an include relative to the including file; null when it would leave the root. */
export function resolveInclude(from: string, target: string): string | null {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) return null; // URLs are never fetched
  if (target.startsWith('/') || /^[a-zA-Z]:[\\/]/.test(target)) return null;
  const joined = posix.normalize(posix.join(posix.dirname(from), target.replace(/\\/g, '/')));
  if (joined === '..' || joined.startsWith('../')) return null;
  return joined;
}

/** Entries of files reached through `-c` (directly, or through `-r` below a `-c`) are constraints. */
function markConstraints(loaded: Map<string, LoadedManifest>, edges: IncludeEdge[]): void {
  const constrained = new Set<string>();
  const stack = edges.filter((e) => e.kind === 'constraint').map((e) => e.to);
  while (stack.length) {
    const path = stack.pop()!;
    if (constrained.has(path)) continue;
    constrained.add(path);
    for (const e of edges) if (e.from === path) stack.push(e.to);
  }
  for (const path of constrained) {
    const manifest = loaded.get(path);
    if (!manifest) continue;
    // A file reached both ways (-r from one file, -c from another) stays a requirement: pip installs it.
    const alsoRequired = edges.some((e) => e.to === path && e.kind === 'requirement' && !constrained.has(e.from));
    if (alsoRequired) continue;
    for (const dep of manifest.dependencies) dep.kind = 'constraint';
  }
}

/** One error per include cycle, on the include line that closes it. */
function findCycles(edges: IncludeEdge[]): ExtractError[] {
  const next = new Map<string, IncludeEdge[]>();
  for (const e of edges) next.set(e.from, [...(next.get(e.from) ?? []), e]);
  const errors: ExtractError[] = [];
  const state = new Map<string, 'active' | 'done'>();
  const reported = new Set<string>();
  const visit = (node: string, trail: string[]) => {
    state.set(node, 'active');
    for (const { to, line } of next.get(node) ?? []) {
      if (state.get(to) === 'active') {
        const start = trail.indexOf(to);
        const cycle = start >= 0 ? [...trail.slice(start), node, to] : [node, to];
        const key = [...new Set(cycle)].sort().join('|');
        if (!reported.has(key)) {
          reported.add(key);
          errors.push({ file: node, line, message: `include cycle: ${cycle.join(' → ')} (each file is read once)`, note: true });
        }
      } else if (!state.has(to)) {
        visit(to, [...trail, node]);
      }
    }
    state.set(node, 'done');
  };
  for (const from of next.keys()) if (!state.has(from)) visit(from, []);
  return errors;
}
