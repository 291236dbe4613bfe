/**
 * The shapes every manifest format produces. They mirror the `depwatch deps --json` contract
 * (see README "CLI JSON"): add fields freely, never rename or drop one.
 */
import type { PylockOrigin } from './formats/created-by.js';

export type ManifestFormat =
  | 'requirements'
  | 'pyproject'
  | 'poetry-lock'
  | 'pipfile'
  | 'pipfile-lock'
  | 'uv-lock'
  | 'pdm-lock'
  | 'pylock'
  | 'setup-cfg'
  | 'setup-py'
  | 'conda-env'
  | 'dockerfile';

/** Where a dependency is installed from: PyPI (or a mirror), a VCS, a URL, or a local path. */
export type DependencySource = 'registry' | 'vcs' | 'url' | 'path';

/** `requirement` (asked for), `constraint` (reached through `-c`, or uv's constraint and override lists), `locked` (a lockfile entry). */
export type DependencyKind = 'requirement' | 'constraint' | 'locked';

export interface Dependency {
  /** PEP 503 normalised name. */
  name: string;
  /**
   * The name as the file writes it (`zope.interface`, `Django`), when that is not already `name`;
   * absent when it is, or when the file gives no name of its own (one taken from a URL or a file
   * name). What a BOM shows (src/report/cyclonedx.ts); everything else goes by `name`.
   */
  writtenName?: string;
  /** Exact version when pinned (`==` without `*`, or `===`) or locked; otherwise null. */
  version: string | null;
  /** PEP 440 specifier, normalised (clauses without spaces, sorted as packaging prints them); "" when none. */
  specifier: string;
  /** Extras, PEP 685 normalised and sorted. */
  extras: string[];
  /** Environment marker as packaging prints it, or null. */
  marker: string | null;
  source: DependencySource;
  editable: boolean;
  kind: DependencyKind;
  /** `main`, or the extra / dependency group / dev section the entry belongs to. */
  group: string;
  /** False for lockfile entries that nothing in the project requires directly (when the lockfile says so). */
  direct: boolean;
  /** Path relative to the scanned root, `/` separators. */
  file: string;
  /** 1-based line where the entry starts; null when the format has none. */
  line: number | null;
  /** For vcs/url/path sources: the URL or path as written (credentials removed). */
  url?: string;
  /** Hashes given for the entry (`--hash`, lockfile hashes), as `algo:hex`. */
  hashes?: string[];
  /**
   * pyproject.toml only: the table or array the entry is declared in, dotted (`project.dependencies`,
   * `tool.poetry.group.dev.dependencies`), so fix advice can be written in that table's syntax.
   */
  section?: string;
}

/** A problem with one entry or one file. Never fatal for the rest of the file. */
export interface ExtractError {
  file: string;
  line: number | null;
  message: string;
  /**
   * True when the content was still read whole (an include cycle: each file read once). Anything
   * else means something was not read, and makes an audit partial (src/audit/partial.ts).
   */
  note?: true;
  /**
   * Set when `file` is a folder the walk could not list: why, in one line (`EACCES: permission
   * denied`). The code scan marks its own reason for the folder alike, so the reports can say the
   * two as one (partial.ts, forReaders). Not part of the JSON contract.
   */
  unlistedBecause?: string;
  /**
   * Set when `file` was reached through an include (`-r missing.txt`) and could not be read: the
   * file and line of the first include of it followed, also said at the end of `message`
   * (`(included by requirements.txt:3)`, load.ts includedBySuffix). JSON: `included_by`.
   */
  includedBy?: { file: string; line: number | null };
  /**
   * Set when the file was not read because a source was not reached (GitHub failing to hand over
   * a blob): reading it again may succeed (PartialReason.transient). Not part of the JSON contract.
   */
  transient?: true;
}

/** A file-level option that later findings need (`--index-url`, `--extra-index-url`, a Poetry source, …). */
export interface ManifestOption {
  /** Option name without dashes, e.g. `index-url`, `extra-index-url`, `find-links`, `trusted-host`, `no-binary`. */
  name: string;
  value: string;
  line: number | null;
  /**
   * Set when the URL as written carried credentials (`user:password@`, a token user, a secret query
   * value): `value` has them removed, and the audit reports that they are committed (the
   * extra-index-url rule), whether or not the code scan runs.
   */
  credentials?: true;
}

/**
 * A file whose requirements belong to this one, relative to this file's folder, not yet resolved:
 * a `-r` / `-c` line of a requirements file, or a requirements file a pyproject.toml or setup.cfg
 * names for its dependencies (setuptools' `file`, hatch-requirements-txt's `files`).
 */
export interface IncludeRef {
  path: string;
  kind: 'requirement' | 'constraint';
  line: number | null;
  /**
   * The group the included file's entries belong to (the extra that names it), when the includer
   * says; the loader gives the included file's entries that group (src/python/load.ts
   * applyIncludeGroups).
   */
  group?: string;
  /**
   * An environment marker the included file's entries take on as well (a setup.py `"extra:marker"`
   * key, whose marker its inline requirements get), normalised.
   */
  marker?: string;
}

export interface ExtractResult {
  dependencies: Dependency[];
  errors: ExtractError[];
  /** Other files read as requirements files (`-r` / `-c` lines, a pyproject's dynamic `file`), resolved by the loader. */
  includes?: IncludeRef[];
  options?: ManifestOption[];
  /** `requires-python` (or the equivalent) when the file declares one. */
  requiresPython?: string | null;
  /**
   * The tool that wrote a lockfile, when the file says (pylock.toml `created-by`: `uv`, `pip`,
   * `pdm`…): the one to regenerate it with.
   */
  lockedBy?: string | null;
  /**
   * The compiler a requirements file's header names (pip-tools' or uv's `# This file was
   * autogenerated by …`): the tool that re-hashes it, as `depwatch fix` and the audit's advice say.
   */
  compiledBy?: 'pip-compile' | 'uv-pip-compile';
  /** How a pylock.toml says it was made (the header uv writes: `uv pip compile …` or `uv export …`); absent or null when it does not. */
  origin?: PylockOrigin;
  /**
   * Errors among `errors` saying dynamic dependencies are setuptools' and come from setup.py, not
   * read (a pyproject.toml's `dynamic` with no file named for them). True of the file alone; the
   * loader drops them when the setup.py beside it is read (src/python/load.ts).
   */
  leftToSetupPy?: ExtractError[];
  /**
   * A pyproject.toml's `[tool.uv.workspace]`: the globs of its members' folders and of those left
   * out, relative to its folder. The loader tells members by them: uv reads `override-dependencies`
   * and `constraint-dependencies` only from the workspace root (src/python/load.ts).
   */
  uvWorkspace?: UvWorkspace;
  /**
   * A lockfile that records what each locked entry requires (uv.lock, poetry.lock, pdm.lock, and
   * pylock.toml when its writer fills `dependencies`; Pipfile.lock records none): for
   * `dependencies[i]`, that entry's list as the file writes it (a TOML value), or null when the file
   * records nothing for it. Kept as parsed and read into names only when a CycloneDX BOM asks
   * (src/python/formats/lock-graph.ts), so that reading a lock for an audit costs one lookup per entry.
   */
  requirementLists?: unknown[];
  /**
   * uv.lock only: what the project itself requires, as the lock says it (LockedProject); absent
   * when the lock holds no entry of the project (no workspace member, no `[manifest]` requirements).
   */
  lockedProject?: LockedProject;
  /**
   * What the file holds that is not audited and not a reason the result is partial, one line each
   * (a conda environment's conda packages: not PyPI's); the loader adds them to its notices.
   */
  notices?: string[];
}

/**
 * The project's own requirements as a lock records them (uv.lock: the workspace root and members,
 * which are entries of the lock but not third-party dependencies). Kept as parsed, like
 * requirementLists, and read into names only for a CycloneDX BOM (src/python/formats/lock-graph.ts).
 */
export interface LockedProject {
  /** The project's own packages (PEP 503): a requirement of one of them is of the project, not of a component. */
  members: string[];
  /** Each list of requirements as the file writes it: a member's `dependencies`, each extra's and dev group's, `[manifest]`'s. */
  requirementLists: unknown[];
}

export interface UvWorkspace {
  members: string[];
  exclude: string[];
}

export interface ExtractContext {
  /** Path of the file relative to the scanned root, `/` separators. Used for `file` on every entry. */
  file: string;
  /** For requirements files reached through `-c`: every entry becomes a `constraint`. */
  kind?: 'requirement' | 'constraint';
  /**
   * Line-based formats: offsets in the text, in order, of the characters that stand for bytes that
   * are not text (U+FFFD for an invalid UTF-8 sequence, and NUL; src/scan/text.ts decodeLines). A
   * line holding one where the format reads it is not read and gets one error; absent when none.
   */
  undecodable?: readonly number[];
}

/** One module per format implements this; `extract` is pure: text in, dependencies and errors out. */
export interface ManifestFormatModule {
  format: ManifestFormat;
  /** Whether a file (by its path relative to the root) is this format, for directory discovery. */
  matches(path: string): boolean;
  extract(text: string, context: ExtractContext): ExtractResult;
}
