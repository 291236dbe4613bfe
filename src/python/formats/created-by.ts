/**
 * The tool named by a lockfile's `created-by` (pylock.toml), in a module of its own: the audit's
 * fix advice and the fixer need the name, and importing it must not load the lockfile readers (an
 * audit of a requirements file loads no TOML code, see test/cli/startup.test.ts).
 */

/** The tool of a `created-by` value (`uv`, `pip`, `pdm`…): its first word, lower case; null when there is none. */
export function toolName(createdBy: string | null | undefined): string | null {
  if (createdBy === null || createdBy === undefined) return null;
  const word = createdBy.trim().toLowerCase().split(/[\s/@=(]/, 1)[0] ?? '';
  return word === '' ? null : word;
}
