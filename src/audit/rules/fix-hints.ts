/**
 * How to apply an upgrade, in the words of the tool that owns each file: what to write where (in
 * that file's own syntax) and which command regenerates the lock. Pure: it reads the parsed
 * manifests and returns data; `src/audit/fix-wording.ts` turns it into a sentence, and each report
 * format renders that sentence in its own syntax.
 *
 * A release that is both pinned in a manifest and locked gets one piece of advice covering both.
 * For a lock entry, the constraint its project declares decides the advice: when it is known to
 * exclude the fixed version the advice says so and how to widen it, when it admits it only the
 * lock needs regenerating.
 */
import { posix } from 'node:path';
import { isValidSpecifier, isPrerelease, specifierContains } from '../../python/pep440.js';
import type { Dependency, ManifestFormat } from '../../python/types.js';
import type { PackageUse } from '../context.js';
import { MAX_LISTED_PLACES, type FindingLocation, type UpgradeAdvice } from '../findings.js';

/** What the advice needs to know about the project: each file's format and every declaration. */
export interface ProjectFiles {
  formatOf: Map<string, ManifestFormat>;
  /** Registry requirements by name (pins and ranges, not lock entries). */
  declarations: Map<string, Dependency[]>;
}

export function projectFiles(manifests: readonly { path: string; format: ManifestFormat; dependencies: readonly Dependency[] }[]): ProjectFiles {
  const formatOf = new Map<string, ManifestFormat>();
  const declarations = new Map<string, Dependency[]>();
  for (const m of manifests) {
    formatOf.set(m.path, m.format);
    for (const d of m.dependencies) {
      if (d.kind !== 'requirement' || d.source !== 'registry' || !d.name) continue;
      const list = declarations.get(d.name);
      if (list) list.push(d);
      else declarations.set(d.name, [d]);
    }
  }
  return { formatOf, declarations };
}

/** The lock tools: which manifest format declares what they lock, and how to re-lock. */
const LOCK_TOOLS: Partial<Record<ManifestFormat, { owner: ManifestFormat; afterEdit: (name: string) => string; upgrade: (name: string) => string }>> = {
  'poetry-lock': { owner: 'pyproject', afterEdit: () => 'poetry lock', upgrade: (n) => `poetry update ${n}` },
  'uv-lock': { owner: 'pyproject', afterEdit: (n) => `uv lock --upgrade-package ${n}`, upgrade: (n) => `uv lock --upgrade-package ${n}` },
  'pdm-lock': { owner: 'pyproject', afterEdit: (n) => `pdm update ${n}`, upgrade: (n) => `pdm update ${n}` },
  'pipfile-lock': { owner: 'pipfile', afterEdit: () => 'pipenv lock', upgrade: (n) => `pipenv upgrade ${n}` },
};

const dirOf = (file: string) => posix.dirname(file);
const at = (d: { file: string; line: number | null }) => `${d.file}:${d.line ?? ''}`;

/**
 * Every place a release is pinned or locked, and the ranges its lockfiles resolve; the primary first.
 * At most MAX_LISTED_PLACES are listed, the rest counted in `omitted`.
 */
export function locationsOf(pkg: PackageUse, project: ProjectFiles): { locations: FindingLocation[]; omitted: number } {
  const locations: FindingLocation[] = [];
  let omitted = 0;
  const add = (l: FindingLocation) => {
    if (locations.length < MAX_LISTED_PLACES) locations.push(l);
    else omitted++;
  };
  for (const e of pkg.entries) add({ file: e.file, line: e.line, role: e.kind === 'locked' ? 'lock' : e.kind === 'constraint' ? 'constraint' : 'pin', ...(e.kind === 'locked' ? {} : { specifier: e.specifier }) });
  const seen = new Set(pkg.entries.map(at));
  for (const lock of pkg.entries) {
    if (lock.kind !== 'locked') continue;
    for (const d of declarationsFor(lock, project)) {
      if (seen.has(at(d))) continue;
      seen.add(at(d));
      add({ file: d.file, line: d.line, role: 'declaration', specifier: d.specifier });
    }
  }
  return { locations, omitted };
}

/** The declarations (pins and ranges) that a lock entry resolves: same name, in its project. */
function declarationsFor(lock: Dependency, project: ProjectFiles): Dependency[] {
  const tool = LOCK_TOOLS[project.formatOf.get(lock.file) ?? 'requirements'];
  if (!tool) return [];
  const lockDir = dirOf(lock.file);
  return (project.declarations.get(lock.name) ?? []).filter((d) => {
    if (project.formatOf.get(d.file) !== tool.owner) return false;
    // The nearest lockfile of this tool at or above the declaring file is the one that resolves it
    // (a uv or PDM workspace member is locked at the workspace root).
    for (let dir = dirOf(d.file); ; dir = dirOf(dir)) {
      if (lockFileIn(dir, project, lock) !== null) return dir === lockDir;
      if (dir === '.' || dir === '/' || dir === '') return false;
    }
  });
}

function lockFileIn(dir: string, project: ProjectFiles, like: Dependency): string | null {
  const format = project.formatOf.get(like.file);
  const name = like.file.split('/').pop()!;
  const path = dir === '.' ? name : `${dir}/${name}`;
  return project.formatOf.get(path) === format ? path : null;
}

function hasOwnerBeside(lock: Dependency, owner: ManifestFormat, project: ProjectFiles): boolean {
  const dir = dirOf(lock.file);
  const name = owner === 'pipfile' ? 'Pipfile' : 'pyproject.toml';
  return project.formatOf.get(dir === '.' ? name : `${dir}/${name}`) === owner;
}

/** pip-tools' input for a compiled requirements file: `requirements.in` beside `requirements.txt`. */
function compiledFrom(pin: Dependency, project: ProjectFiles): { input: string; declaration: Dependency | null } | null {
  if (project.formatOf.get(pin.file) !== 'requirements' || !pin.file.endsWith('.txt')) return null;
  const input = pin.file.replace(/\.txt$/, '.in');
  if (!project.formatOf.has(input)) return null;
  return { input, declaration: (project.declarations.get(pin.name) ?? []).find((d) => d.file === input) ?? null };
}

/** Whether a declared constraint admits `version`; null when it cannot be read as PEP 440 (a Poetry `||` union). */
function admits(specifier: string, version: string): boolean | null {
  if (!isValidSpecifier(specifier)) return null;
  return specifierContains(specifier, version, { prereleases: isPrerelease(version) });
}

/** The advice for moving `pkg` to `to`, covering every place it is pinned, locked or compiled. */
export function upgradeAdvice(pkg: PackageUse, to: string, project: ProjectFiles): UpgradeAdvice {
  const advice: UpgradeAdvice = { package: pkg.name, from: pkg.version, to, constraints: [], edits: [], commands: [], transitive: false };
  const edited = new Set<string>();
  const constrained = new Set<string>();
  // Listed up to MAX_LISTED_PLACES each; the places beyond are counted (placesOmitted).
  let omitted = 0;
  const edit = (d: Dependency, style: 'pin' | 'range') => {
    if (edited.has(at(d))) return;
    edited.add(at(d));
    // A hand-hashed requirement: its `--hash` options are the old release's and must be replaced.
    const rehash = project.formatOf.get(d.file) === 'requirements' && (d.hashes?.length ?? 0) > 0;
    if (advice.edits.length < MAX_LISTED_PLACES) advice.edits.push({ file: d.file, line: d.line, write: requirementText(d, to, style, project.formatOf.get(d.file)), ...(rehash ? { rehash } : {}) });
    else omitted++;
  };
  const constraint = (d: Dependency, verdict: boolean | null) => {
    if (constrained.has(at(d))) return;
    constrained.add(at(d));
    // Ranges (few, and they decide the wording) are always kept; exact pins only up to the cap.
    if (d.version === null || advice.constraints.length < MAX_LISTED_PLACES) advice.constraints.push({ file: d.file, line: d.line, specifier: d.specifier, admits: verdict, pin: d.version !== null });
  };
  const commands = new Set<string>();
  const command = (run: string, dir: string) => {
    if (commands.has(`${dir}\n${run}`)) return;
    commands.add(`${dir}\n${run}`);
    advice.commands.push({ run, dir });
  };

  const pins = pkg.entries.filter((e) => e.kind !== 'locked');
  const locks = pkg.entries.filter((e) => e.kind === 'locked');
  for (const pin of pins) {
    const compiled = compiledFrom(pin, project);
    if (compiled) {
      // The pinned file is generated: change its input when that excludes the fix, then recompile.
      if (compiled.declaration) {
        const verdict = compiled.declaration.version !== null ? false : admits(compiled.declaration.specifier, to);
        constraint(compiled.declaration, verdict);
        if (verdict === false) edit(compiled.declaration, compiled.declaration.version !== null ? 'pin' : 'range');
      }
      command(`pip-compile --upgrade-package ${pkg.name} ${compiled.input}`, '.');
      continue;
    }
    constraint(pin, false);
    edit(pin, 'pin');
  }
  for (const lock of locks) {
    const tool = LOCK_TOOLS[project.formatOf.get(lock.file) ?? 'requirements'];
    const dir = dirOf(lock.file);
    if (!tool) continue;
    const declared = declarationsFor(lock, project);
    let changed = false;
    for (const d of declared) {
      const verdict = d.version !== null ? false : admits(d.specifier, to);
      constraint(d, verdict);
      if (verdict === false) {
        edit(d, d.version !== null ? 'pin' : 'range');
        changed = true;
      }
    }
    // Not declared: transitive when the lockfile says so, or when its project file is there and does not name it.
    if (declared.length === 0 && (!lock.direct || hasOwnerBeside(lock, tool.owner, project))) advice.transitive = true;
    command(changed ? tool.afterEdit(pkg.name) : tool.upgrade(pkg.name), dir);
  }
  if (omitted) advice.placesOmitted = omitted;
  return advice;
}

/** The requirement to write, in the syntax of the file (and table) that declares it. */
function requirementText(d: Dependency, to: string, style: 'pin' | 'range', format: ManifestFormat | undefined): string {
  const extras = d.extras.length ? `[${d.extras.join(',')}]` : '';
  const pep440 = `${style === 'pin' ? '==' : '>='}${to}`;
  const tomlList = (items: string[]) => `[${items.map((e) => JSON.stringify(e)).join(', ')}]`;
  if (format === 'pyproject' && d.section?.startsWith('tool.poetry.')) {
    const constraint = style === 'pin' ? to : `^${to}`;
    if (d.marker) return `version = "${constraint}"`;
    return d.extras.length ? `${d.name} = { version = "${constraint}", extras = ${tomlList(d.extras)} }` : `${d.name} = "${constraint}"`;
  }
  if (format === 'pipfile') {
    if (d.marker) return `version = "${pep440}"`;
    return d.extras.length ? `${d.name} = { version = "${pep440}", extras = ${tomlList(d.extras)} }` : `${d.name} = "${pep440}"`;
  }
  if (format === 'pyproject') {
    // A PEP 508 string inside a TOML basic string: the marker's quotes become single quotes.
    return `"${d.name}${extras}${pep440}${d.marker ? `; ${d.marker.replace(/"/g, "'")}` : ''}"`;
  }
  return `${d.name}${extras}${pep440}${d.marker ? ` ; ${d.marker}` : ''}`;
}
