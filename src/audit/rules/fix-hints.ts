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
import { toolName, uvPylockRemake, type PylockOrigin } from '../../python/formats/created-by.js';
import type { Dependency, ManifestFormat, ManifestOption } from '../../python/types.js';
import { shellWord } from '../../shell-word.js';
import type { EntryRewriter } from '../../fix/entry-text.js';
import { widenPep440 } from '../../fix/widen.js';
import { LOCK_TOOL, lockCommandsFor, pylockTool, type CompiledInput, type LockTool as FixLockTool, type PylockCompile } from '../../fix/lock-commands.js';
import { excludesFix, notRewritableReason } from '../../fix/hold-words.js';
import { projectsOf as fixProjects } from '../../fix/projects.js';
import type { AuditContext, PackageUse } from '../context.js';
import { MAX_LISTED_PLACES, type FindingLocation, type ProjectAdvice, type UpgradeAdvice } from '../findings.js';

/** What the advice needs to know about the project: each file's format and every declaration. */
export interface ProjectFiles {
  formatOf: Map<string, ManifestFormat>;
  /** The tool each lockfile names as its writer (pylock.toml `created-by`), lower case. */
  lockedBy: Map<string, string>;
  /** How each pylock.toml that says so was made (its uv header). */
  origins: Map<string, NonNullable<PylockOrigin>>;
  /** Registry requirements by name (pins and ranges, not lock entries). */
  declarations: Map<string, Dependency[]>;
  /** Registry constraints by name (a `-c` file's lines, uv's `constraint-dependencies` and `override-dependencies`): `depwatch fix` holds a release a constraint of its project refuses to widen. */
  constraintLines: Map<string, Dependency[]>;
  /** The text of each Pipfile and pyproject.toml (LoadedManifest.text): their edits are said as `depwatch fix` writes them. */
  texts: Map<string, string>;
  /** What `depwatch fix` writes for an entry of those texts (the audit's, see AuditContext.entryRewriter); without it, the requirement rebuilt. */
  rewriteEntry?: EntryRewriter;
  /**
   * Of each requirements file with hashes: whether it sets `--require-hashes`, and the packages
   * whose requirements carry `--hash`. pip checks hashes only while one of them is there, so moving
   * the only hashed package of a file without `--require-hashes` must keep its hashes (replaced,
   * never dropped), as `depwatch fix` does.
   */
  hashing: Map<string, { requireHashes: boolean; hashedNames: Set<string> }>;
  /** The compiler each requirements file's header names (`pip-compile` or `uv pip compile`, and how: `--generate-hashes` when it has hashes). */
  compiledBy: Map<string, 'pip-compile' | 'uv-pip-compile'>;
  /** Whether two files are of one project, as `depwatch fix` groups them (src/fix/projects.ts). */
  together: (a: string, b: string) => boolean;
}

export function projectFiles(
  manifests: readonly { path: string; format: ManifestFormat; includes: readonly string[]; dependencies: readonly Dependency[]; options?: readonly ManifestOption[]; lockedBy?: string; origin?: PylockOrigin; text?: string; compiledBy?: 'pip-compile' | 'uv-pip-compile' }[],
  rewriteEntry?: EntryRewriter,
): ProjectFiles {
  const texts = new Map<string, string>();
  const formatOf = new Map<string, ManifestFormat>();
  const lockedBy = new Map<string, string>();
  const origins = new Map<string, NonNullable<PylockOrigin>>();
  const declarations = new Map<string, Dependency[]>();
  const constraintLines = new Map<string, Dependency[]>();
  const hashing: ProjectFiles['hashing'] = new Map();
  const compiledBy: ProjectFiles['compiledBy'] = new Map();
  for (const m of manifests) {
    formatOf.set(m.path, m.format);
    if (m.compiledBy) compiledBy.set(m.path, m.compiledBy);
    if (m.format === 'requirements') {
      const hashed = m.dependencies.filter((d) => d.file === m.path && (d.hashes?.length ?? 0) > 0);
      if (hashed.length) hashing.set(m.path, { requireHashes: (m.options ?? []).some((o) => o.name === 'require-hashes'), hashedNames: new Set(hashed.map((d) => d.name ?? '')) });
    }
    const tool = toolName(m.lockedBy);
    if (tool !== null) lockedBy.set(m.path, tool);
    if (m.origin) origins.set(m.path, m.origin);
    if (m.text !== undefined) texts.set(m.path, m.text);
    for (const d of m.dependencies) {
      if (d.kind === 'constraint' && d.source === 'registry' && d.name) {
        const list = constraintLines.get(d.name);
        if (list) list.push(d);
        else constraintLines.set(d.name, [d]);
      }
      if (d.kind !== 'requirement' || d.source !== 'registry' || !d.name) continue;
      const list = declarations.get(d.name);
      if (list) list.push(d);
      else declarations.set(d.name, [d]);
    }
  }
  // Grouped on first use: only a release with advice asks what holds it.
  let projects: ((a: string, b: string) => boolean) | undefined;
  const together = (a: string, b: string) => (projects ??= fixProjects(manifests.map((m) => ({ path: m.path, format: m.format, includes: m.includes }))))(a, b);
  return { formatOf, lockedBy, origins, declarations, constraintLines, texts, hashing, compiledBy, together, ...(rewriteEntry ? { rewriteEntry } : {}) };
}

const ofAudit = new WeakMap<AuditContext, ProjectFiles>();

/** projectFiles of an audit's manifests, made once per audit: its vulnerability and registry rules and the ignored-advisory upgrades share it. */
export function auditProjectFiles(ctx: AuditContext): ProjectFiles {
  let project = ofAudit.get(ctx);
  if (project === undefined) {
    project = projectFiles(ctx.manifests, ctx.entryRewriter);
    ofAudit.set(ctx, project);
  }
  return project;
}

interface LockTool {
  owner: ManifestFormat;
  /** The files it is compiled from (`uv pip compile` of a pylock.toml): the declarations it resolves are theirs, not its project's. */
  inputs?: string[];
  /** The commands that move one package of one group to `to`, and where each runs. */
  commands: (name: string, to: string, group: string) => { run: string; dir: string }[];
}

/**
 * The commands `depwatch fix` prints for moving one package (src/fix/lock-commands.ts): the advice
 * says them from the same builder, so the two never disagree (`--upgrade-package name==version`,
 * `--generate-hashes` for a hashed compiled file, `--dev` for a Pipfile's dev packages).
 */
function fixCommands(lockfile: string, tool: FixLockTool, options: { compiled?: CompiledInput; pylock?: PylockCompile } = {}): LockTool['commands'] {
  return (name, to, group) => lockCommandsFor(lockfile, tool, [{ name, version: to, group, reason: '' }], { required: true, ...options }).map((c) => ({ run: c.command, dir: c.directory }));
}

/**
 * pylock.toml is regenerated by the tool that wrote it (`created-by`), the way it was made, as
 * `depwatch fix` decides (src/fix/lock-commands.ts, pylockTool): for uv, compiled again from its
 * inputs when its header says `uv pip compile` on files that were read, exported again from its
 * project when its header says `uv export` or a uv.lock is beside it. pip, unknown tools and a uv
 * file that says neither get no command (`pip lock` cannot move one package and does not record its
 * input; an export could lock another project and overwrite the file): the advice names the move without one.
 */
function pylockToolOf(lockfile: string, project: ProjectFiles): LockTool | undefined {
  const writer = project.lockedBy.get(lockfile) ?? null;
  const remake = writer === 'uv' ? uvPylockRemake(lockfile, project.origins.get(lockfile) ?? null, (p) => project.formatOf.get(p)) : null;
  const tool = pylockTool(writer, remake === null ? 'unknown' : remake.how === 'compile' ? 'compiled' : 'exported');
  if (tool === null) return undefined;
  if (remake?.how === 'compile') {
    const compiled = remake.run;
    const inputs = compiled.inputs.map((p) => posix.normalize(compiled.directory === '.' ? p : `${compiled.directory}/${p}`));
    return { owner: 'requirements', inputs, commands: fixCommands(lockfile, tool, { pylock: compiled }) };
  }
  return { owner: 'pyproject', commands: fixCommands(lockfile, tool) };
}

function lockToolFor(lockfile: string, project: ProjectFiles): LockTool | undefined {
  const format = project.formatOf.get(lockfile) ?? 'requirements';
  if (format === 'pylock') return pylockToolOf(lockfile, project);
  const tool = LOCK_TOOL[format];
  return tool === undefined ? undefined : { owner: format === 'pipfile-lock' ? 'pipfile' : 'pyproject', commands: fixCommands(lockfile, tool) };
}

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
  const seen = new Set<string>();
  for (const e of pkg.entries) {
    // One line listed for several groups (a list or an included file several extras share) is one place.
    if (seen.has(at(e))) continue;
    seen.add(at(e));
    add({ file: e.file, line: e.line, role: e.kind === 'locked' ? 'lock' : e.kind === 'constraint' ? 'constraint' : 'pin', ...(e.kind === 'locked' ? {} : { specifier: e.specifier }) });
  }
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
  const tool = lockToolFor(lock.file, project);
  if (!tool) return [];
  if (tool.inputs) {
    const inputs = tool.inputs;
    return (project.declarations.get(lock.name) ?? []).filter((d) => inputs.includes(d.file));
  }
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

/**
 * The input of a compiled requirements file (`requirements.in` beside `requirements.txt`), and the
 * command that compiles it again with one package moved: `depwatch fix`'s (fixCommands), by the
 * compiler its header names (pip-tools when none does), with `--generate-hashes` when it has hashes.
 */
function compiledFrom(pin: Dependency, project: ProjectFiles): { input: string; declaration: Dependency | null; commands: LockTool['commands'] } | null {
  if (project.formatOf.get(pin.file) !== 'requirements' || !pin.file.endsWith('.txt')) return null;
  const input = pin.file.replace(/\.txt$/, '.in');
  if (!project.formatOf.has(input)) return null;
  const commands = fixCommands(pin.file, project.compiledBy.get(pin.file) ?? 'pip-compile', { compiled: { input, hashes: project.hashing.has(pin.file) } });
  return { input, declaration: (project.declarations.get(pin.name) ?? []).find((d) => d.file === input) ?? null, commands };
}

/**
 * Whether a declared constraint admits `version`; null when it cannot be read as PEP 440. An exact
 * pin is a constraint like any other: one that already says the fix (`depwatch fix` wrote it, the
 * lock was not regenerated yet) admits it, and only the lock needs regenerating.
 */
function admits(specifier: string, version: string): boolean | null {
  if (!isValidSpecifier(specifier)) return null;
  return specifierContains(specifier, version, { prereleases: isPrerelease(version) });
}

/**
 * The advice for moving `pkg` to `to`, covering every place it is pinned, locked or compiled. When
 * those places belong to several projects (see projectsOf), the advice is also split per project:
 * a command regenerates one lock from its own manifests, and a pin elsewhere has nothing to do
 * with it ("set django==2.2.28 in st/setup.py, then run `uv lock`" sent users to the wrong file).
 */
export function upgradeAdvice(pkg: PackageUse, to: string, project: ProjectFiles): UpgradeAdvice {
  const advice = adviceFor(pkg, pkg.entries, to, project);
  // A release at one place is in one project: nothing to split (most releases of an audit).
  if (pkg.entries.length < 2) return advice;
  const projects = projectsOf(pkg, project);
  if (projects.length > 1) {
    advice.projects = projects.map(({ name, entries }): ProjectAdvice => {
      const { constraints, edits, commands, transitive, placesOmitted } = adviceFor(pkg, entries, to, project);
      return { project: name, constraints, edits, commands, transitive, ...(placesOmitted ? { placesOmitted } : {}) };
    });
  }
  return advice;
}

/**
 * The places of a release grouped by project: a lockfile with the manifests it resolves (a pin in
 * its pyproject.toml or Pipfile is its own), a compiled requirements file with its `.in`, a Rye
 * lock; and the pins nothing here regenerates, together (`project: null`, each edit names its
 * file). In the order of the entries: pins first, as the primary place is.
 */
function projectsOf(pkg: PackageUse, project: ProjectFiles): { name: string | null; entries: Dependency[] }[] {
  const locks = pkg.entries.filter((e) => e.kind === 'locked');
  const resolvedBy = new Map<string, string>();
  for (const lock of locks) for (const d of declarationsFor(lock, project)) if (!resolvedBy.has(at(d))) resolvedBy.set(at(d), lock.file);
  const groups = new Map<string | null, Dependency[]>();
  for (const e of pkg.entries) {
    let name: string | null;
    if (e.kind === 'locked') name = e.file;
    else if ((project.formatOf.get(e.file) === 'requirements' && project.lockedBy.get(e.file) === 'rye') || compiledFrom(e, project)) name = e.file;
    else name = resolvedBy.get(at(e)) ?? null;
    const group = groups.get(name);
    if (group) group.push(e);
    else groups.set(name, [e]);
  }
  return [...groups].map(([name, entries]) => ({ name, entries }));
}

/** The advice for the places `entries` of `pkg` (all of them, or one project's). */
function adviceFor(pkg: PackageUse, entries: readonly Dependency[], to: string, project: ProjectFiles): UpgradeAdvice {
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
    // Its hashes are the file's last: dropping them would switch hash-checking off for the file.
    const hashing = rehash ? project.hashing.get(d.file) : undefined;
    const hashedBy = rehash ? project.compiledBy.get(d.file) : undefined;
    const lastHashes = hashing !== undefined && !hashing.requireHashes && [...hashing.hashedNames].every((name) => name === d.name);
    if (advice.edits.length < MAX_LISTED_PLACES) {
      advice.edits.push({ file: d.file, line: d.line, write: entryText(d, pkg.version, to, style, project), ...(rehash ? { rehash, ...(hashedBy ? { hashedBy } : {}) } : {}), ...(lastHashes ? { lastHashes } : {}) });
    } else omitted++;
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

  const pins = entries.filter((e) => e.kind !== 'locked');
  const locks = entries.filter((e) => e.kind === 'locked');
  for (const pin of pins) {
    if (project.formatOf.get(pin.file) === 'requirements' && project.lockedBy.get(pin.file) === 'rye') {
      // Rye's lock (requirements.lock): the pyproject.toml beside it declares the range, and Rye
      // locks again from it; widen that range first when it excludes the fix.
      const pyproject = posix.join(dirOf(pin.file), 'pyproject.toml');
      for (const d of (project.declarations.get(pkg.name) ?? []).filter((d) => d.file === pyproject)) {
        const verdict = admits(d.specifier, to);
        constraint(d, verdict);
        if (verdict === false) edit(d, d.version !== null ? 'pin' : 'range');
      }
      command(`rye lock --update ${shellWord(pkg.name)}`, dirOf(pin.file));
      continue;
    }
    const compiled = compiledFrom(pin, project);
    if (compiled) {
      // The pinned file is generated: change its input when that excludes the fix, then recompile.
      if (compiled.declaration) {
        const verdict = admits(compiled.declaration.specifier, to);
        constraint(compiled.declaration, verdict);
        if (verdict === false) edit(compiled.declaration, compiled.declaration.version !== null ? 'pin' : 'range');
      }
      for (const c of compiled.commands(pkg.name, to, 'main')) command(c.run, c.dir);
      continue;
    }
    constraint(pin, false);
    edit(pin, 'pin');
  }
  for (const lock of locks) {
    const tool = lockToolFor(lock.file, project);
    if (!tool) continue;
    const declared = declarationsFor(lock, project);
    for (const d of declared) {
      const verdict = admits(d.specifier, to);
      constraint(d, verdict);
      if (verdict === false) edit(d, d.version !== null ? 'pin' : 'range');
    }
    // Not declared: transitive when the lockfile says so, or when its project file is there and does not name it.
    if (declared.length === 0 && (!lock.direct || tool.inputs !== undefined || hasOwnerBeside(lock, tool.owner, project))) advice.transitive = true;
    for (const c of tool.commands(pkg.name, to, lock.group)) command(c.run, c.dir);
  }
  if (omitted) advice.placesOmitted = omitted;
  const held = holdsOf(pkg, entries, to, project);
  if (held.length) advice.held = held;
  return advice;
}

/**
 * What holds the release back in its projects (the files installed with its pins and locks, as
 * `depwatch fix` groups them: src/fix/projects.ts): a requirement or constraint that excludes the fix
 * and that fix leaves as written. While one stays, fix moves no pin of the release there, and the
 * advice says so first, in fix's words, decided by fix's own code:
 * - in a requirements file (a pin, a range, a `-c` line): widenPep440's refusal (a `!=` of the fix,
 *   a lower bound above it), the function the requirements rewriter uses;
 * - in a pyproject.toml or Pipfile (uv's `constraint-dependencies` and `override-dependencies`
 *   among them): the fixer's rewriter run on the file's text (ProjectFiles.rewriteEntry);
 * - in setup.cfg or setup.py, which fix does not write: any range that excludes the fix
 *   (src/fix/hold-words.ts).
 */
function holdsOf(pkg: PackageUse, entries: readonly Dependency[], to: string, project: ProjectFiles): NonNullable<UpgradeAdvice['held']> {
  const files = [...new Set(entries.map((p) => p.file))];
  const move = { name: pkg.name, from: pkg.version, to };
  const held: NonNullable<UpgradeAdvice['held']> = [];
  // The places advised themselves are not holds: the advice already says what to write there.
  const seen = new Set(entries.map(at));
  for (const d of [...(project.declarations.get(pkg.name) ?? []), ...(project.constraintLines.get(pkg.name) ?? [])]) {
    if (seen.has(at(d)) || !files.some((f) => project.together(d.file, f))) continue;
    seen.add(at(d));
    const reason = holdReason(d, move, project);
    if (reason !== null) held.push({ file: d.file, line: d.line, reason });
  }
  return held;
}

/** Why `depwatch fix` leaves `d` as written although it excludes the fix, in fix's words; null when fix moves it or it allows the fix. */
function holdReason(d: Dependency, move: { name: string; from: string; to: string }, project: ProjectFiles): string | null {
  const format = project.formatOf.get(d.file);
  switch (format) {
    case 'requirements': {
      const widening = widenPep440(d.specifier, move.from, move.to);
      return widening.kind === 'refused' ? widening.reason : null;
    }
    case 'pyproject':
    case 'pipfile': {
      const text = project.texts.get(d.file);
      if (text === undefined || project.rewriteEntry === undefined) return null;
      const pep508 = format === 'pyproject' && !d.section?.startsWith('tool.poetry.');
      return project.rewriteEntry.refusal(text, d.file, format, { name: move.name, line: d.line, from: move.from, to: move.to, shape: pep508 ? 'string' : 'line' });
    }
    case 'setup-cfg':
    case 'setup-py':
      return excludesFix(d.specifier, move) ? notRewritableReason(d.file, d.specifier, move) : null;
    default:
      return null;
  }
}

/**
 * What to write for `d`: in a Pipfile or pyproject.toml, what `depwatch fix` writes (the entry as
 * written, its version moved: an inline table keeps its `index`, `optional`, `markers` and other
 * keys); elsewhere, or where the fixer would not rewrite the entry, the requirement rebuilt.
 */
function entryText(d: Dependency, from: string, to: string, style: 'pin' | 'range', project: ProjectFiles): string {
  const format = project.formatOf.get(d.file);
  const text = project.texts.get(d.file);
  if (text !== undefined && format !== undefined) {
    const pep508 = format === 'pyproject' && !d.section?.startsWith('tool.poetry.');
    const fixed = project.rewriteEntry?.(text, d.file, format, { name: d.name, line: d.line, from, to, shape: pep508 ? 'string' : 'line' });
    if (fixed !== undefined && fixed !== null) return fixed;
  }
  return requirementText(d, to, style, format);
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
