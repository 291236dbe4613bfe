/**
 * `python-eol`: the project runs (or allows) a Python branch past, or close to, its end of life.
 *
 * One constraint is one finding, however many files write it: a lockfile repeats its project's
 * requirement (uv.lock's and pdm.lock's `requires-python`, poetry.lock's `python-versions`,
 * Pipfile.lock's `python_version`), and raising the minimum in the project moves the lock with it.
 * The same requirement, as written, in one folder is one finding naming every place (`locations`,
 * the declaring file first); different requirements stay apart, as do interpreter pins (a
 * Dockerfile, `.python-version`), which say which Python runs rather than which is allowed.
 */
import { posix } from 'node:path';
import type { DetectedPython } from '../../python/interpreter.js';
import { plural } from '../../plural.js';
import { clipInput } from '../../quoted-input.js';
import { poetryToPep440 } from '../../python/poetry-constraint.js';
import type { ManifestFormat } from '../../python/types.js';
import { compareText } from '../../text-order.js';
import { LOCK_FORMATS, type AuditContext } from '../context.js';
import { MAX_LISTED_PLACES, type Finding, type FindingLocation } from '../findings.js';

/** The oldest branch advised as a move: supported for a few years yet. */
const SUPPORTED_PYTHON = '3.12';

/**
 * The move in conda's words: the environment file's `python` spec is what installs the
 * interpreter, and `conda env update --prune` makes an existing environment match the file again.
 */
function condaAdvice(place: Place): string {
  const spec = place.constraint === undefined ? 'the `python` entry' : `\`${clipInput(place.constraint).replace(/`/g, "'")}\``;
  return `change ${spec} in its \`dependencies\` to \`python=${SUPPORTED_PYTHON}\` or newer, then update the environment with \`conda env update --file ${clipInput(place.file)} --prune\``;
}

/** Warn this many days before a branch's end of life, so the upgrade can be planned. */
const WARN_DAYS = 180;

/** Ways of finding the version that name a lowest allowed Python, not the one that runs. */
const ALLOWS = new Set(['requires-python', 'python_requires', 'poetry', 'pipfile']);

interface Place extends DetectedPython {
  /** Written by a lockfile, repeating what its project declares. */
  locked: boolean;
}

/**
 * The requirement as compared: blanks dropped and each alternative's clauses in one order, so uv's
 * `>=3.8, <4` repeats a pyproject's `>=3.8,<4`. Linear but for the sort of the clauses.
 */
function comparable(constraint: string): string {
  return constraint
    .replace(/\s+/g, '')
    .split('||')
    .map((alternative) => alternative.split(',').sort().join(','))
    .join('||');
}

/**
 * poetry.lock keeps `python-versions` in Poetry's syntax (`^3.8`) while the pyproject.toml reader
 * gives `[tool.poetry.dependencies] python` as PEP 440 (`>=3.8,<4.0`): compared in one language.
 */
function asPep440(requiresPython: string, format: ManifestFormat): string {
  if (format !== 'poetry-lock') return requiresPython;
  const translated = poetryToPep440(requiresPython);
  return translated.ok ? translated.specifier : requiresPython;
}

/**
 * Pipfile.lock copies its Pipfile's `[requires]` as written (`python_version = "3.8"`), which the
 * Pipfile reader gives as PEP 440 (`==3.8.*`; `python_full_version = "3.8.10"` as `==3.8.10`): the
 * lock's bare version is the requirement of the Pipfile beside it when that is what it reads as, so
 * the two are one finding.
 */
function asPipfileWrites(locked: string, pipfile: string | undefined): string {
  return pipfile !== undefined && (pipfile === `==${locked}` || pipfile === `==${locked}.*`) ? pipfile : locked;
}

/**
 * Whether the rule has anything to read: a file that may pin the interpreter (a Dockerfile, CI
 * file, `.python-version`, conda environment…) or a manifest declaring the Python it allows. Without
 * either it finds nothing, and the audit does not load python/interpreter.ts (the branch table, the
 * readers of those files and the YAML and TOML modules they bring): an audit of requirements files
 * loaded five modules for a rule with nothing to read.
 */
export const pythonEolReads = (ctx: Pick<AuditContext, 'contextFiles' | 'manifests'>): boolean =>
  ctx.contextFiles.length > 0 || ctx.manifests.some((m) => Boolean(m.requiresPython));

export function pythonEolFindings(ctx: AuditContext): Finding[] {
  if (!pythonEolReads(ctx)) return [];
  // Never a silent pass: a caller that has something for the rule to read and did not load the reader is a bug, said loudly.
  if (ctx.interpreter === undefined) throw new Error('python-eol: interpreter files to read, but no reader was loaded (see pythonEolReads)');
  const { detectPythonVersions, eolStatus, lowestAllowedPython } = ctx.interpreter;
  const places: Place[] = detectPythonVersions(ctx.contextFiles).map((d) => ({ ...d, locked: false }));
  const pipfiles = new Map(ctx.manifests.filter((m) => m.format === 'pipfile' && m.requiresPython).map((m) => [posix.dirname(m.path), m.requiresPython!]));
  for (const m of ctx.manifests) {
    if (!m.requiresPython) continue;
    const lowest = lowestAllowedPython(m.requiresPython);
    if (lowest && !places.some((f) => f.file === m.path)) {
      const constraint = m.format === 'pipfile-lock' ? asPipfileWrites(m.requiresPython, pipfiles.get(posix.dirname(m.path))) : asPep440(m.requiresPython, m.format);
      places.push({ version: lowest, file: m.path, line: null, via: 'requires-python', constraint, locked: LOCK_FORMATS.has(m.format) });
    }
  }

  // The places of each constraint, in the order they were found; an interpreter pin is its own.
  const groups = new Map<string, Place[]>();
  for (const place of places) {
    const status = eolStatus(place.version, ctx.now);
    if (!status || status.daysLeft > WARN_DAYS) continue;
    const key =
      place.constraint !== undefined && ALLOWS.has(place.via)
        ? `constraint|${status.branch}|${posix.dirname(place.file)}|${comparable(place.constraint)}`
        : `pin|${status.branch}|${place.file}|${place.line}`;
    const group = groups.get(key);
    if (!group) groups.set(key, [place]);
    else if (!group.some((p) => p.file === place.file && p.line === place.line)) group.push(place);
  }

  const findings: Finding[] = [];
  for (const group of groups.values()) {
    // The declaring file first (what to edit), then its lockfiles: file order decides among equals.
    const sorted = [...group].sort((a, b) => Number(a.locked) - Number(b.locked) || compareText(a.file, b.file) || (a.line ?? 0) - (b.line ?? 0));
    const f = sorted[0]!;
    const status = eolStatus(f.version, ctx.now)!;
    const allows = ALLOWS.has(f.via);
    const locations: FindingLocation[] = sorted
      .slice(0, MAX_LISTED_PLACES)
      .map((p) => (p.locked ? { file: p.file, line: p.line, role: 'lock' } : { file: p.file, line: p.line, role: 'declaration', specifier: p.constraint }));
    findings.push({
      kind: 'python-eol',
      severity: status.isEol ? (allows ? 'medium' : 'high') : 'low',
      package: 'python',
      version: f.version,
      file: f.file,
      line: f.line,
      // Listed only when the constraint is written in more than one place: one place is `file`/`line`.
      ...(sorted.length > 1 ? { locations, ...(sorted.length > MAX_LISTED_PLACES ? { locationsOmitted: sorted.length - MAX_LISTED_PLACES } : {}) } : {}),
      fix: {
        version: null,
        text: status.isEol
          ? `Python ${status.branch} reached end of life on ${status.eol} and gets no security fixes: ${f.via === 'conda' ? condaAdvice(f) : allows ? 'raise the minimum Python version' : `move to a supported Python (${SUPPORTED_PYTHON} or newer)`}.`
          : `Python ${status.branch} reaches end of life on ${status.eol} (${plural(status.daysLeft, 'day')}): plan the move to a newer Python${f.via === 'conda' ? ` (${condaAdvice(f)})` : ''}.`,
      },
      details: { branch: status.branch, eol: status.eol, via: f.via, days_left: status.daysLeft },
    });
  }
  return findings;
}
