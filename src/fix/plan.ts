/**
 * Findings → planned edits, pure: the audit's result and the text of the files it read in, the new
 * texts and everything the user needs to know out. `depwatch fix` writes the new texts to disk; the
 * "Open fix PR" button (later) will commit the same texts to a branch. Nothing here reads or writes
 * a file, runs a tool or talks to a service.
 *
 * For each vulnerable release with a fix (the audit's `fix.version`, the smallest upgrade clearing
 * every advisory), the pins of that release are found in every file the audit read; each manifest
 * of the same project (installed with the pin: its folder, -r/-c includes, a workspace lock and its
 * members: projects.ts) gets the move, and its rewriter
 * changes the entries that admit the vulnerable release but not the fix. Lockfiles that pin it are
 * never edited: their regeneration command is listed. A result is only kept when the rewritten file
 * still reads, entry for entry, exactly as before except for the moved constraints.
 */
import { posix } from 'node:path';
import type { AuditResult } from '../audit/audit.js';
import type { Finding } from '../audit/findings.js';
import { formatModule } from '../python/formats/index.js';
import { specifierContains } from '../python/pep440.js';
import { excludesFix, notRewritableReason } from './hold-words.js';
import type { Dependency, ManifestFormat } from '../python/types.js';
import { applyEdits } from './edits.js';
import { rewriterFor } from './formats/index.js';
import { pushTo } from './group.js';
import { projectsOf, within } from './projects.js';
import { resolveInclude } from '../python/load.js';
import { unpinnedRequirements } from '../audit/context.js';
import { lockedByRye, toolName, uvPylockRemake, type PylockOrigin } from '../python/formats/created-by.js';
import { compiledBy, LOCK_TOOL, lockCommandsFor, pylockTool, type LockCommand, type LockPackage, type LockTool, type PylockCompile } from './lock-commands.js';
import type { EntryChange, FixTarget, LeftAlone, RewriteResult, TextEdit } from './types.js';
import { shellPath, shellWord } from '../shell-word.js';
import { lastHashesWhy, moveWithNewHashes, REFUSED_UNTIL_REHASHED, rehashWith } from '../python/hash-checking-words.js';
import { installedFrom, sourceInWords } from './left-alone.js';

/** A file the audit read, with the format it was read as and its text (BOM and line endings included). */
export interface FixFile {
  path: string;
  format: ManifestFormat;
  text: string;
  /** Why the file is read but never rewritten (its bytes would not be written back exactly: src/fix/encoding.ts); absent when it can be. */
  unwritable?: string;
}

export type FixStatus =
  /** Every pin of the vulnerable release was rewritten: the files as written no longer install it. */
  | 'fixed'
  /** The manifests allow the fix, but a lockfile still pins the vulnerable release: run its command. */
  | 'lock-pending'
  /** Something that pins it was left alone (see leftAlone). */
  | 'left-alone';

/** One vulnerable release and what became of it. */
export interface ReleaseFix {
  package: string;
  from: string;
  to: string;
  advisories: string[];
  status: FixStatus;
}

export interface FixPlan {
  fixes: ReleaseFix[];
  changes: EntryChange[];
  /** Edits of each changed file, in offsets of its original text, sorted, not overlapping. */
  edits: Map<string, TextEdit[]>;
  /** The whole new text of each changed file. */
  newTexts: Map<string, string>;
  leftAlone: LeftAlone[];
  lockCommands: LockCommand[];
  /** Things to do that are not commands (a file to re-hash with the tool that made it). */
  notes: { file: string; message: string }[];
}

const LOCK_FORMATS = new Set<ManifestFormat>(['uv-lock', 'poetry-lock', 'pipfile-lock', 'pdm-lock', 'pylock']);

/**
 * A file as the planner read it; `lockedBy` is the tool a lockfile names (pylock.toml `created-by`),
 * lower case; `origin` how a pylock.toml says it was made (its uv header).
 */
interface ReadFile {
  file: FixFile;
  dependencies: Dependency[];
  /** The files it includes (`-r` / `-c`), resolved as the loader resolves them. */
  includes: string[];
  lockedBy: string | null;
  origin: PylockOrigin;
}

/**
 * The tool that regenerates a lockfile: fixed per format, or for pylock.toml the one that wrote it,
 * the way it was made (null: none known), and for one compiled by `uv pip compile`, where and from what.
 */
function lockToolOf(read: ReadFile, byPath: ReadonlyMap<string, ReadFile>): { tool: LockTool | null; pylock?: PylockCompile } {
  if (read.file.format !== 'pylock') return { tool: LOCK_TOOL[read.file.format] ?? null };
  if (read.lockedBy !== 'uv') return { tool: pylockTool(read.lockedBy) };
  const remake = uvPylockRemake(read.file.path, read.origin, (p) => byPath.get(p)?.file.format);
  if (remake?.how === 'compile') return { tool: 'uv-pylock-compile', pylock: remake.run };
  return { tool: remake === null ? null : 'uv-pylock' };
}

export interface PlanOptions {
  /**
   * The plan is `depwatch fix`'s own, run against PyPI: a fix it leaves unverified is said with how
   * to run it again (or with --offline). Absent for the fix pull request, planned on a stored audit.
   */
  fixCommandOnline?: boolean;
}

export function planFixes(result: Pick<AuditResult, 'findings' | 'ignored'>, files: readonly FixFile[], options: PlanOptions = {}): FixPlan {
  const plan: FixPlan = { fixes: [], changes: [], edits: new Map(), newTexts: new Map(), leftAlone: [], lockCommands: [], notes: [] };
  const read: ReadFile[] = files.map((file) => {
    const result = formatModule(file.format).extract(file.text, { file: file.path });
    const includes = (result.includes ?? []).flatMap((i) => resolveInclude(file.path, i.path) ?? []);
    return { file, dependencies: result.dependencies, includes, lockedBy: toolName(result.lockedBy), origin: result.origin ?? null };
  });

  const { targets: found, leftAlone, resolved } = targetsOf(result);
  plan.leftAlone.push(...leftAlone);
  // Fail closed, as the audit does with what it did not check: online with PyPI unreachable, the
  // fix version is the advisory's fixed event as written, which may be yanked or never published
  // (pip then cannot install the file). Writing it would turn "not checked" into a broken or yanked
  // pin that looks fixed; it is left alone, counted as still vulnerable, until PyPI answers (or
  // the user asks for the advisory's version with --offline).
  // The audit marks the fixes it could not round (Fix.unverified, src/audit/rules/vulnerabilities.ts):
  // the fix pull request plans on a stored result, and `depwatch fix` on the audit it just ran.
  const unverified = new Set(result.findings.filter((f) => f.kind === 'vulnerability' && f.fix.unverified).map((f) => `${f.package}\u0000${f.version}`));
  const again = options.fixCommandOnline ? "run depwatch fix again when PyPI answers (or with --offline to take the advisory's fixed version as written)" : 'audit again when PyPI answers';
  const targets: FixTarget[] = [];
  for (const t of found) {
    if (!unverified.has(`${t.name}\u0000${t.from}`)) {
      targets.push(t);
      continue;
    }
    const pin = result.findings.find((f) => f.package === t.name && f.version === t.from);
    plan.leftAlone.push({
      ...aboutTarget(t, pin?.file ?? null, pin?.line ?? null),
      kind: 'unverified',
      reason: `not moved to ${t.to}: PyPI's releases of ${t.name} could not be read, so whether ${t.to} is published and not yanked was not checked; ${again}`,
    });
  }

  // Where each vulnerable release is pinned or locked, and which manifests belong to those projects.
  const byName = new Map<string, Dependency[]>();
  for (const { dependencies } of read) for (const d of dependencies) pushTo(byName, d.name, d);
  const locations = new Map<FixTarget, Dependency[]>();
  const perFile = new Map<string, FixTarget[]>();
  /** Constraints that exclude a release's fix and stay as written: no pin of their project moves. */
  const together = projectsOf(read.map((r) => ({ path: r.file.path, format: r.file.format, includes: r.includes })));
  const held = new Holds(together);
  const formatOf = new Map(read.map((r) => [r.file.path, r.file.format]));
  const unpinned = new Set(unpinnedRequirements(read.flatMap((r) => r.dependencies)));
  for (const target of targets) {
    const range = resolved.get(target);
    const installing = (byName.get(target.name) ?? []).filter((d) => d.version === target.from || (range !== undefined && resolvesHere(range, d, target, unpinned)));
    const at = installing.filter((d) => d.source === 'registry');
    locations.set(target, at);
    const outside = installing.find((d) => d.source !== 'registry');
    if (at.length === 0 && outside !== undefined) {
      // Rated by its version (a wheel URL, a git checkout, a local archive), but nothing here is a pin to move.
      plan.leftAlone.push({ ...aboutTarget(target, outside.file, outside.line), kind: 'non-registry', reason: installedFrom(outside.source) });
      continue;
    }
    if (at.length === 0) {
      const what = range === undefined ? `pins ${target.name} ${target.from}` : `has the range ${[...range.specifiers].map((s) => `${target.name}${s}`).join(', ')} that resolved to ${target.from}`;
      plan.leftAlone.push({ ...aboutTarget(target, range?.place?.file ?? null, range?.place?.line ?? null), kind: 'not-found', reason: `no file given ${what} any more (changed since the audit, or not read)` });
      continue;
    }
    const inProject = (path: string) => at.some((d) => together(path, d.file));
    // The same release from a URL, a VCS or a path beside the registry pins: fix cannot move it, and
    // moving the registry pins alone would ask for two releases of one package (pip refuses): it holds
    // them. In another project it holds nothing, and is listed all the same: it stays installed.
    for (const d of installing) {
      if (d.source === 'registry' || LOCK_FORMATS.has(formatOf.get(d.file)!)) continue;
      if (!inProject(d.file)) {
        plan.leftAlone.push({ ...aboutTarget(target, d.file, d.line), kind: 'non-registry', reason: installedFrom(d.source) });
        continue;
      }
      plan.leftAlone.push({ ...aboutTarget(target, d.file, d.line), kind: 'non-registry', reason: `${installedFrom(d.source)}; until then no pin of ${target.name} ${target.from} in this project is moved (pip refuses two releases of one package)` });
      held.add(target, d.file, d.line, d.source);
    }
    for (const { file, dependencies } of read) {
      if (!inProject(file.path)) continue;
      if (rewriterFor(file.format) !== null && !file.unwritable) {
        pushTo(perFile, file.path, target);
        continue;
      }
      // A file fix cannot rewrite (setup.cfg, setup.py, one it could not write back exactly) still
      // constrains the project: a range of it that excludes the fix holds the release there.
      // A Dockerfile is a project of its own (projects.ts): one it cannot write back holds nothing
      // else, and each of its pins is listed with why (statusOf).
      if (LOCK_FORMATS.has(file.format) || file.format === 'dockerfile') continue;
      for (const d of dependencies) {
        if (d.name !== target.name || d.source !== 'registry' || !excludesFix(d.specifier, target)) continue;
        plan.leftAlone.push({ ...aboutTarget(target, file.path, d.line), kind: 'unsupported-format', reason: notRewritableReason(file.path, d.specifier, target, file.unwritable) });
        held.add(target, file.path, d.line);
      }
    }
  }

  // Rewrite each file, keeping the result only if it reads as before apart from the moved
  // constraints. A release that some constraint of a project still excludes after the rewrite (one
  // refused, one in a file fix cannot write, the last hashes of a file) is not moved in that project:
  // moving only some of its pins would leave files pip cannot install together. The first pass moves
  // every release, so what each file says about it is known; each further pass holds more, so this ends.
  const fileOf = new Map(read.map((r) => [r.file.path, r.file]));
  const said = new Map<string, LeftAlone[]>();
  let rewritten = rewriteAll(read, perFile, new Holds(together), said);
  for (;;) {
    const added = held.merge(rewritten.holds);
    const movedWhereHeld = rewritten.changes.some((c) => rewritten.targetOf(c) !== undefined && held.at(rewritten.targetOf(c)!, c.file) !== undefined);
    if (!added && !movedWhereHeld) break;
    rewritten = rewriteAll(read, perFile, held, said);
  }
  // What the rewriters said, but once: a URL pin the planner listed as a hold is not listed again.
  const listedAt = new Set(plan.leftAlone.map(placeKey));
  for (const { file } of read) for (const target of perFile.get(file.path) ?? []) plan.leftAlone.push(...(said.get(pairKey(target, file.path)) ?? []).filter((l) => !listedAt.has(placeKey(l))));
  plan.leftAlone.push(...heldPins(held, locations, plan.leftAlone, fileOf));
  plan.changes.push(...rewritten.changes);
  for (const [path, edits] of rewritten.edits) plan.edits.set(path, edits);
  for (const [path, text] of rewritten.newTexts) plan.newTexts.set(path, text);
  const rehash = rewritten.rehash;

  const rewrittenAt = new Set(plan.changes.map((c) => `${c.file}\u0000${c.line}\u0000${c.package}\u0000${c.fromVersion}`));
  const movable = new Map<FixTarget, Dependency[]>();
  for (const target of targets) {
    const at = locations.get(target)!;
    movable.set(target, at.filter((d) => held.at(target, d.file) === undefined));
    if (at.length === 0) continue;
    const status = at.some((d) => held.at(target, d.file) !== undefined) ? 'left-alone' : statusOf(target, at, plan, fileOf, rewrittenAt);
    plan.fixes.push({ package: target.name, from: target.from, to: target.to, advisories: target.advisories, status });
  }
  const lockNotes: FixPlan['notes'] = [];
  // A lockfile of a project where the release is held is not asked to move it (its manifests forbid it).
  plan.lockCommands = lockCommands(targets, movable, plan, read, lockNotes, rehash);
  // A compiled file pip cannot install as written (its moved pins lost their hashes, or its input
  // moved too) is not fixed until its recompile runs: its releases wait for that command, as for a lockfile.
  const mustRecompile = new Set(plan.lockCommands.filter((c) => c.required).map((c) => c.lockfile));
  for (const fix of plan.fixes) {
    if (fix.status === 'fixed' && plan.changes.some((c) => c.package === fix.package && c.fromVersion === fix.from && mustRecompile.has(c.file))) fix.status = 'lock-pending';
  }
  plan.notes = [...recompileNotes(plan, files), ...rehashNotes(rehash, files, plan.lockCommands), ...lockNotes];
  return plan;
}

// ---------------------------------------------------------------------------------------------
// Findings → targets and what is left alone from the start
// ---------------------------------------------------------------------------------------------

/**
 * A release the audit resolved a range to (resolved-range.ts: `urllib3==1.24.*` installs 1.24.3
 * today): no file pins it, the range is what installs it, so the range is what moves (widened by the
 * rewriters as any other constraint that admits the release but not its fix: `==1.24.*` → `==1.26.*`).
 */
interface ResolvedRange {
  /** `file\0line` of each range the findings list. */
  places: Set<string>;
  /** The first place listed (for what is said when none is found). */
  place: { file: string | null; line: number | null } | null;
  specifiers: Set<string>;
  /** More ranges than a finding lists (MAX_LISTED_PLACES): every unpinned range that admits the release but not its fix counts. */
  omitted: boolean;
}

const lineKey = (file: string | null, line: number | null) => `${file}\u0000${line}`;

/** Whether `d` is a range that installs `target.from` by the audit's resolution (`range`), not a pin. */
function resolvesHere(range: ResolvedRange, d: Dependency, target: FixTarget, unpinned: ReadonlySet<Dependency>): boolean {
  if (d.version !== null || d.source !== 'registry' || !unpinned.has(d)) return false;
  if (range.places.has(lineKey(d.file, d.line))) return true;
  return range.omitted && specifierContains(d.specifier, target.from, { containsPrereleases: true }) && !specifierContains(d.specifier, target.to, { containsPrereleases: true });
}

function targetsOf(result: Pick<AuditResult, 'findings' | 'ignored'>): { targets: FixTarget[]; leftAlone: LeftAlone[]; resolved: Map<FixTarget, ResolvedRange> } {
  const targets = new Map<string, FixTarget>();
  const resolved = new Map<FixTarget, ResolvedRange>();
  const leftAlone: LeftAlone[] = [];
  const byRelease = new Map<string, LeftAlone>();
  const leave = (f: Finding, kind: LeftAlone['kind'], reason: string) => {
    const key = `${kind}\u0000${f.package}\u0000${f.version}\u0000${kind === 'ignored' ? f.id : ''}`;
    const existing = byRelease.get(key);
    if (existing) {
      if (f.id && !existing.advisories.includes(f.id)) existing.advisories.push(f.id);
      return;
    }
    const entry: LeftAlone = { kind, package: f.package, version: f.version, file: f.file, line: f.line, advisories: f.id ? [f.id] : [], reason };
    byRelease.set(key, entry);
    leftAlone.push(entry);
  };

  for (const f of result.findings) {
    if (f.package === null || f.version === null) continue;
    if (f.kind === 'malicious') {
      leave(f, 'malicious', `${f.id} reports ${f.package} as malicious: remove it, do not upgrade it`);
    } else if (f.kind === 'vulnerability') {
      if (f.fix.version === null) {
        leave(f, 'no-fix', noFixReason(f));
        continue;
      }
      const key = `${f.package}\u0000${f.version}`;
      const target = targets.get(key) ?? { name: f.package, from: f.version, to: f.fix.version, advisories: [] };
      if (f.id && !target.advisories.includes(f.id)) target.advisories.push(f.id);
      targets.set(key, target);
      const from = f.details?.resolved_from;
      if (typeof from === 'string') {
        const range = resolved.get(target) ?? { places: new Set<string>(), place: null, specifiers: new Set<string>(), omitted: false };
        range.specifiers.add(from);
        range.place ??= { file: f.file, line: f.line };
        range.places.add(lineKey(f.file, f.line));
        for (const l of f.locations ?? []) range.places.add(lineKey(l.file, l.line));
        range.omitted ||= (f.locationsOmitted ?? 0) > 0;
        resolved.set(target, range);
      }
    }
  }
  for (const f of result.ignored) {
    if ((f.kind !== 'vulnerability' && f.kind !== 'malicious') || !f.ignoredBy) continue;
    const until = f.ignoredBy.until ? ` until ${f.ignoredBy.until}` : '';
    // The release may move anyway, for advisories that are not ignored: as far as those need (the
    // audit's upgrade leaves ignored advisories out), which clears this one only when it is the
    // upgrade this finding itself names (the smallest clearing every advisory).
    const moving = targets.get(`${f.package}\u0000${f.version}`);
    const clearsToo = f.fix.version ? `${f.fix.version} would clear this one too` : 'no single release clears this one';
    const anyway = !moving ? '' : moving.to === f.fix.version ? `; ${f.package} moves to ${moving.to} anyway for its other advisories, which clears this one too` : `; ${f.package} moves to ${moving.to} for the advisories not ignored (${clearsToo})`;
    leave(f, 'ignored', `ignored${until} (${f.ignoredBy.source}): ${f.ignoredBy.reason}${anyway}`);
  }
  return { targets: [...targets.values()], leftAlone, resolved };
}

function noFixReason(f: Finding): string {
  const why = /\(([^)]*)\)/.exec(f.fix.text)?.[1];
  return why ? `no single upgrade fixes it: ${why}` : f.fix.text;
}

function aboutTarget(t: FixTarget, file: string | null, line: number | null): Omit<LeftAlone, 'kind' | 'reason'> {
  return { package: t.name, version: t.from, file, line, advisories: t.advisories };
}


// ---------------------------------------------------------------------------------------------
// Rewriting, and holding back a release that cannot move everywhere
// ---------------------------------------------------------------------------------------------

/** A constraint that excludes a release's fix and is left as written, or a pin of the release from elsewhere than the index. */
interface Hold {
  file: string;
  line: number | null;
  /** Where that pin installs the release from (`url`, `vcs`, `path`); absent for a constraint. */
  source?: Dependency['source'];
}

/** Where each release is held back: a hold covers the files of its project (projects.ts). */
class Holds {
  private readonly byTarget = new Map<FixTarget, Hold[]>();

  /** @param together whether two files are of one project (projects.ts): a hold covers its project's files. */
  constructor(readonly together: (a: string, b: string) => boolean) {}

  /** Whether this is a new hold. */
  add(target: FixTarget, file: string, line: number | null, source?: Dependency['source']): boolean {
    const holds = this.byTarget.get(target) ?? [];
    if (holds.some((h) => h.file === file && h.line === line)) return false;
    holds.push({ file, line, ...(source ? { source } : {}) });
    this.byTarget.set(target, holds);
    return true;
  }

  /** Whether any hold of `other` was new here. */
  merge(other: Holds): boolean {
    let added = false;
    for (const [target, holds] of other.byTarget) for (const h of holds) added = this.add(target, h.file, h.line, h.source) || added;
    return added;
  }

  /** The hold that keeps `target` from moving in `file`, if any. */
  at(target: FixTarget, file: string): Hold | undefined {
    return this.byTarget.get(target)?.find((h) => this.together(file, h.file));
  }

  entries(): [FixTarget, Hold[]][] {
    return [...this.byTarget];
  }
}

const placeOf = (h: Hold) => `${h.file}${h.line ? `:${h.line}` : ''}`;
const pairKey = (t: FixTarget, file: string) => `${t.name}\u0000${t.from}\u0000${file}`;
const placeKey = (l: LeftAlone) => `${l.package}\u0000${l.version}\u0000${l.file}\u0000${l.line}`;

/** Where a pin that is not the index's installs from, in words. */

interface Rewritten {
  changes: EntryChange[];
  edits: Map<string, TextEdit[]>;
  newTexts: Map<string, string>;
  rehash: Map<string, RewriteResult['rehash']>;
  /** Constraints this pass found still excluding a fix. */
  holds: Holds;
  /** The release a change moves. */
  targetOf(c: EntryChange): FixTarget | undefined;
}

/**
 * One pass of the rewriters over every file, leaving each release alone where it is `held`. What a
 * pass says about a release in a file is kept in `said` (by release and file), so a release held
 * after a pass keeps the reasons its files gave.
 */
function rewriteAll(read: readonly ReadFile[], perFile: Map<string, FixTarget[]>, held: Holds, said: Map<string, LeftAlone[]>): Rewritten {
  const moved = new Map<EntryChange, FixTarget>();
  const out: Rewritten = { changes: [], edits: new Map(), newTexts: new Map(), rehash: new Map(), holds: new Holds(held.together), targetOf: (c) => moved.get(c) };
  const targetOf = (wanted: readonly FixTarget[], pkg: string | null, version: string | null) => wanted.find((t) => t.name === pkg && t.from === version);
  for (const { file, dependencies } of read) {
    const wanted = (perFile.get(file.path) ?? []).filter((t) => held.at(t, file.path) === undefined);
    if (wanted.length === 0) continue;
    const leftAlone = rewriteFile(file, dependencies, wanted, out, moved);
    for (const l of leftAlone) {
      // A constraint left as it is that admits the vulnerable release but not the fix: a refused
      // `!=`, a split line, a `||`, a rewrite that would change more, the last hashes of a file.
      const target = targetOf(wanted, l.package, l.version);
      if (target && l.kind === 'not-understood') out.holds.add(target, file.path, l.line);
    }
    for (const t of wanted) said.set(pairKey(t, file.path), leftAlone.filter((l) => l.package === t.name && l.version === t.from));
  }
  return out;
}

/** One file's rewrite, added to `out` when it is kept; what it leaves alone. */
function rewriteFile(file: FixFile, dependencies: Dependency[], wanted: readonly FixTarget[], out: Rewritten, moved: Map<EntryChange, FixTarget>): LeftAlone[] {
  const targetOf = (c: EntryChange) => wanted.find((t) => t.name === c.package && t.from === c.fromVersion)!;
  const rewritten = rewriterFor(file.format)!.rewrite(file.text, file.path, wanted);
  const leftAlone = [...rewritten.leftAlone];
  if (rewritten.changes.length === 0) return leftAlone;
  const applied = applyEdits(file.text, rewritten.edits);
  const problem = applied === null ? 'its edits overlap' : rewriteProblem(file, dependencies, applied, rewritten.changes);
  if (problem !== null || applied === null) {
    for (const c of rewritten.changes) {
      leftAlone.push({ ...aboutTarget(targetOf(c), file.path, c.line), kind: 'not-understood', reason: `rewriting the file would change more than the constraint (${problem}); left alone` });
    }
    return leftAlone;
  }
  if (dropsLastHashes(file, dependencies, applied)) {
    // pip checks hashes only while a requirement has one (or --require-hashes is given): removing
    // the last ones would switch checking off for the whole file, silently. Refused, as a person
    // who hashed the file expects; the tool that made it moves the pin with new hashes.
    for (const c of rewritten.changes.filter((c) => c.hashesRemoved > 0)) {
      leftAlone.push({ ...aboutTarget(targetOf(c), file.path, c.line), kind: 'not-understood', reason: lastHashesReason(file, c) });
    }
    return leftAlone;
  }
  for (const c of rewritten.changes) moved.set(c, targetOf(c));
  out.changes.push(...rewritten.changes);
  out.edits.set(file.path, [...rewritten.edits].sort((a, b) => a.start - b.start));
  out.newTexts.set(file.path, applied);
  if (rewritten.rehash.length > 0) out.rehash.set(file.path, rewritten.rehash);
  return leftAlone;
}

/** Whether the rewrite takes away every `--hash` of a requirements file that does not ask for hashes otherwise. */
function dropsLastHashes(file: FixFile, before: readonly Dependency[], newText: string): boolean {
  if (file.format !== 'requirements' || !before.some((d) => (d.hashes ?? []).length > 0)) return false;
  if (/(^|\s)--require-hashes\b/m.test(newText)) return false;
  const after = formatModule(file.format).extract(newText, { file: file.path }).dependencies;
  return after.every((d) => (d.hashes ?? []).length === 0);
}

function lastHashesReason(file: FixFile, c: EntryChange): string {
  const tool = compiledBy(file.text);
  const how = moveWithNewHashes(c.package, c.toVersion, `${c.package}${c.after}`, [tool ?? 'by-hand']);
  return `not rewritten: ${lastHashesWhy(file.path)}. Move it with new hashes: ${how}`;
}

/** The pins of held releases that would otherwise have moved, each saying what holds it. */
function heldPins(held: Holds, locations: ReadonlyMap<FixTarget, Dependency[]>, listed: readonly LeftAlone[], fileOf: ReadonlyMap<string, FixFile>): LeftAlone[] {
  const out: LeftAlone[] = [];
  for (const [target] of held.entries()) {
    for (const d of locations.get(target) ?? []) {
      const hold = held.at(target, d.file);
      // A lockfile follows its manifests: the release's status says it still pins it.
      if (hold === undefined || LOCK_FORMATS.has(fileOf.get(d.file)!.format)) continue;
      if (listed.some((l) => l.file === d.file && l.line === d.line && l.package === target.name)) continue;
      out.push({
        ...aboutTarget(target, d.file, d.line),
        kind: 'not-understood',
        reason: `not moved to ${target.to}: ${placeOf(hold)} ${hold.source ? `installs ${target.name} ${target.from} from ${sourceInWords(hold.source)}` : 'still excludes it'} (listed here), and moving only some pins would leave files pip cannot install together; move them together by hand`,
      });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Applying and checking
// ---------------------------------------------------------------------------------------------

/**
 * Null when the new text reads as the old one, entry for entry, except that each changed entry now
 * admits its fix (and lost its hashes); otherwise what differs. The guard against corrupting a file.
 */
export function rewriteProblem(file: FixFile, before: readonly Dependency[], newText: string, changes: readonly EntryChange[]): string | null {
  const after = formatModule(file.format).extract(newText, { file: file.path });
  const errorsBefore = formatModule(file.format).extract(file.text, { file: file.path }).errors.map((e) => e.message).sort();
  const errorsAfter = after.errors.map((e) => e.message).sort();
  if (JSON.stringify(errorsBefore) !== JSON.stringify(errorsAfter)) return 'it would read with different errors';
  if (after.dependencies.length !== before.length) return 'it would hold a different number of requirements';
  const changed = new Map<string, EntryChange[]>();
  for (const c of changes) pushTo(changed, `${c.package}\u0000${c.line}`, c);
  for (let i = 0; i < before.length; i++) {
    const old = before[i]!;
    const now = after.dependencies[i]!;
    const same = (['name', 'extras', 'marker', 'source', 'editable', 'kind', 'group', 'direct', 'url'] as const).every((k) => JSON.stringify(old[k]) === JSON.stringify(now[k]));
    if (!same) return `${old.name} would read differently`;
    const moved = changed.get(`${old.name}\u0000${old.line}`) ?? [];
    if (moved.length === 0) {
      if (old.specifier !== now.specifier || old.version !== now.version || JSON.stringify(old.hashes) !== JSON.stringify(now.hashes)) return `${old.name} would change although it was not to be moved`;
    } else if (!moved.every((c) => specifierContains(now.specifier, c.toVersion, { containsPrereleases: true }))) {
      return `${old.name} would still exclude the fix`;
    }
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Status, lock commands, notes
// ---------------------------------------------------------------------------------------------

function statusOf(target: FixTarget, at: Dependency[], plan: FixPlan, fileOf: Map<string, FixFile>, rewrittenAt: Set<string>): FixStatus {
  let pendingLock = false;
  for (const d of at) {
    const { format, unwritable } = fileOf.get(d.file)!;
    if (LOCK_FORMATS.has(format)) {
      pendingLock = true;
      continue;
    }
    if (rewrittenAt.has(`${d.file}\u0000${d.line}\u0000${target.name}\u0000${target.from}`)) continue;
    if ((rewriterFor(format) === null || unwritable) && !plan.leftAlone.some((l) => l.file === d.file && l.line === d.line && l.package === target.name)) {
      plan.leftAlone.push({ ...aboutTarget(target, d.file, d.line), kind: 'unsupported-format', reason: unwritable ?? `${posix.basename(d.file)} is not rewritten by depwatch fix; change the pin by hand` });
    }
    return 'left-alone';
  }
  return pendingLock ? 'lock-pending' : 'fixed';
}

function lockCommands(targets: FixTarget[], locations: Map<FixTarget, Dependency[]>, plan: FixPlan, read: ReadFile[], notes: FixPlan['notes'], rehash: ReadonlyMap<string, unknown>): LockCommand[] {
  const byPath = new Map(read.map((r) => [r.file.path, r]));
  const wanted = new Map<string, LockPackage[]>();
  const want = (lockfile: string, p: LockPackage) => pushTo(wanted, lockfile, p);

  for (const target of targets) {
    for (const d of locations.get(target)!) {
      if (LOCK_FORMATS.has(byPath.get(d.file)!.file.format)) want(d.file, { name: target.name, version: target.to, group: d.group, reason: `it pins ${target.name} ${target.from}` });
    }
  }
  // A manifest whose constraint moved leaves its lockfile out of date, whatever the lock pins.
  for (const c of plan.changes) {
    const manifest = byPath.get(c.file)!.file;
    if (manifest.format !== 'pyproject' && manifest.format !== 'pipfile') continue;
    for (const { file } of read) {
      if (!LOCK_FORMATS.has(file.format)) continue;
      const covers = manifest.format === 'pipfile' ? file.format === 'pipfile-lock' && posix.dirname(file.path) === posix.dirname(c.file) : file.format !== 'pipfile-lock' && within(posix.dirname(c.file), posix.dirname(file.path));
      if (covers) want(file.path, { name: c.package, version: c.toVersion, group: groupIn(byPath.get(c.file)!.dependencies, c), reason: `${c.file} now asks for ${c.package} ${c.after}` });
    }
  }

  const commands: LockCommand[] = [];
  for (const [lockfile, packages] of [...wanted].sort(([a], [b]) => a.localeCompare(b))) {
    const lock = byPath.get(lockfile)!;
    const { tool, pylock } = lockToolOf(lock, byPath);
    if (tool === null) notes.push({ file: lockfile, message: regenerateInWords(lockfile, lock.lockedBy, lock.origin, packages) });
    else commands.push(...lockCommandsFor(lockfile, tool, packages, { required: true, ...(pylock ? { pylock } : {}) }));
    if (tool === 'uv-pylock-compile') {
      notes.push({ file: lockfile, message: `${lockfile} was compiled by \`uv pip compile\` from ${pylock!.inputs.join(', ')}: if it was compiled with other options (its header shows them: --universal, --python-version…), give them to the command again.` });
    }
    if (tool === 'uv-pylock' || tool === 'pdm-pylock') {
      const by = tool === 'uv-pylock' ? "uv's lock (uv.lock)" : "PDM's lock";
      notes.push({ file: lockfile, message: `${lockfile} is exported from ${by}: if it was exported with options (groups, extras, --no-dev, --no-hashes…), give them to the export again.` });
    }
  }
  commands.push(...recompileCommands(plan, byPath, rehash));
  return commands;
}

/**
 * A pylock.toml no known command regenerates (written by pip, another tool, or none named): what to
 * do, in words. The tool's name is repeated only when it is a plain word (it comes from the file).
 */
function regenerateInWords(lockfile: string, tool: string | null, origin: PylockOrigin, packages: readonly LockPackage[]): string {
  const moves = [...new Map(packages.map((p) => [p.name, `${p.name} ${p.version}`])).values()].sort().join(', ');
  const why = [...new Set(packages.map((p) => p.reason))].join('; ');
  const dontEdit = 'Do not edit it by hand: its hashes and file URLs belong to the old releases.';
  if (tool === 'pip') {
    const output = shellPath(posix.basename(lockfile));
    return `${lockfile} was written by \`pip lock\`, which cannot move one package and does not record what it locked: run it again on the same input (\`pip lock -e . -o ${output}\` for a project, \`pip lock -r requirements.txt -o ${output}\` for a requirements file) so that it locks ${moves} (${why}). ${dontEdit}`;
  }
  if (tool === 'uv') {
    const output = shellPath(posix.basename(lockfile));
    const moved = [...new Map(packages.map((p) => [p.name, `--upgrade-package ${shellWord(`${p.name}==${p.version}`)}`])).values()].sort().join(' ');
    const how =
      origin?.how === 'uv-pip-compile'
        ? `was compiled by \`uv pip compile\`, but its header does not name inputs among the files Depwatch read: run it again on the same input (\`uv pip compile ${moved} <input> -o ${output}\`)`
        : `was written by uv but does not say how (no \`uv pip compile\` or \`uv export\` header, and no uv.lock beside it): regenerate it the way it was made (\`uv pip compile ${moved} <input> -o ${output}\` for a compiled file, \`uv lock ${moved}\` then \`uv export --format pylock.toml -o ${output}\` in the project it was exported from)`;
    return `${lockfile} ${how} so that it locks ${moves} (${why}). ${dontEdit}`;
  }
  const plain = tool !== null && /^[a-z0-9][a-z0-9._-]{0,39}$/.test(tool);
  const who = plain ? `was written by ${tool}` : tool === null ? 'does not say which tool wrote it (no created-by)' : 'names a tool in created-by that is not a plain name';
  return `${lockfile} ${who}, and Depwatch knows no command that regenerates it: regenerate it with that tool so that it locks ${moves} (${why}). ${dontEdit}`;
}

/** Compiled requirements files whose input was not among the files read: say how to recompile them. */
function recompileNotes(plan: FixPlan, files: readonly FixFile[]): FixPlan['notes'] {
  const notes: FixPlan['notes'] = [];
  for (const path of [...plan.newTexts.keys()].sort()) {
    const file = files.find((f) => f.path === path)!;
    if (file.format === 'requirements' && lockedByRye(file.text)) {
      // Rye's lock: edited in place (its pins are requirements lines), then locked again by Rye from
      // the project so that it agrees; Rye moves a package with `--update name` (no version given).
      const names = [...new Set(plan.changes.filter((c) => c.file === path).map((c) => c.package))].sort();
      const update = names.map((name) => `--update ${shellWord(name)}`).join(' ');
      notes.push({ file: path, message: `${path} is Rye's lockfile and was edited in place; lock it again in its project with \`rye lock ${update}\` (or \`rye sync ${update}\`) so that it agrees with pyproject.toml.` });
      continue;
    }
    const tool = file.format === 'requirements' ? compiledBy(file.text) : null;
    if (tool === null || plan.lockCommands.some((c) => c.lockfile === path)) continue;
    const moved = [...new Set(plan.changes.filter((c) => c.file === path).map((c) => `--upgrade-package ${shellWord(`${c.package}==${c.toVersion}`)}`))].join(' ');
    const name = tool === 'pip-compile' ? 'pip-compile' : 'uv pip compile';
    notes.push({ file: path, message: `${path} was generated by ${name} and was edited in place; recompile it from its input with ${name} ${moved} so every pin agrees.` });
  }
  return notes;
}

function groupIn(dependencies: Dependency[], c: EntryChange): string {
  return dependencies.find((d) => d.name === c.package && d.line === c.line)?.group ?? 'main';
}

/**
 * Requirements files compiled by pip-tools or uv: edited in place, and recompiled so the whole file
 * agrees. Required (the fix is not done until it runs) when the file as written is not what pip
 * installs or what its input says: the moved pins lost their hashes while others keep hash-checking
 * on (pip refuses the file), or its `.in` was rewritten too (the contract: "its manifest changed").
 */
function recompileCommands(plan: FixPlan, byPath: Map<string, { file: FixFile }>, rehash: ReadonlyMap<string, unknown>): LockCommand[] {
  const commands: LockCommand[] = [];
  for (const path of [...plan.newTexts.keys()].sort()) {
    const file = byPath.get(path)!.file;
    if (file.format !== 'requirements') continue;
    const tool = compiledBy(file.text);
    const input = path.replace(/\.txt$/, '.in');
    if (tool === null || input === path || !byPath.has(input)) continue;
    const unhashed = rehash.has(path);
    const inputMoved = plan.newTexts.has(input);
    const reason = unhashed
      ? `compiled from ${input} and edited in place, which removed the old releases' hashes: pip refuses to install it until it is recompiled`
      : inputMoved
        ? `compiled from ${input}, which was rewritten too: recompile it so that it agrees with its input`
        : `compiled from ${input} and edited in place; recompile it so every pin agrees`;
    const moved = plan.changes.filter((c) => c.file === path);
    const packages = moved.map((c) => ({ name: c.package, version: c.toVersion, group: 'main', reason }));
    commands.push(...lockCommandsFor(path, tool, packages, { required: unhashed || inputMoved, compiled: { input, hashes: /--hash[=\s]/.test(file.text) } }));
  }
  return commands;
}

function rehashNotes(rehash: Map<string, RewriteResult['rehash']>, files: readonly FixFile[], commands: LockCommand[]): FixPlan['notes'] {
  const notes: FixPlan['notes'] = [];
  for (const [path, removed] of rehash) {
    const what = removed.map((r) => `${r.package} ${r.from} (line ${r.line}, ${r.removed})`).join(', ');
    const recompile = commands.find((c) => c.lockfile === path);
    const tool = compiledBy(files.find((f) => f.path === path)!.text);
    const how = recompile ? `\`${recompile.command}\`` : rehashWith(tool);
    notes.push({ file: path, message: `${path}: the hashes of the old releases were removed: ${what}. Re-hash the file with ${how}; ${REFUSED_UNTIL_REHASHED}.` });
  }
  return notes;
}
