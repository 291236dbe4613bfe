/**
 * What Depwatch says about the `--hash` options of a requirements file when a pin moves: the same
 * words in `depwatch fix` (src/fix/plan.ts: its notes and what it leaves alone) and in the audit's
 * fix advice (src/audit/fix-wording.ts), so the two never disagree about what pip does.
 *
 * pip checks hashes for a whole file as soon as one requirement has a `--hash` (or the file sets
 * `--require-hashes`): a moved requirement without new hashes is then refused, and removing the
 * file's last hashes switches checking off for every requirement, silently.
 */
import { shellWord } from '../shell-word.js';

/** Why the re-hash cannot wait, when the file still checks hashes after the old ones go. */
export const REFUSED_UNTIL_REHASHED =
  'until then pip refuses to install it: the file still holds other hashes (or --require-hashes), so pip checks hashes for every requirement, and the moved ones have none';

/** Why the last `--hash` options of a file must not be dropped (the sentence goes on with how to move the pin). */
export function lastHashesWhy(file: string): string {
  return `its --hash options are the last of ${file}, and pip checks hashes only while the file holds one: removing them would switch hash-checking off for the whole file`;
}

/** Who writes a requirements file's hashes: the compiler named in its header, or a person. */
export type HashWriter = 'pip-compile' | 'uv-pip-compile' | 'by-hand';

/**
 * How to move `name` to `version` with new hashes, for each writer the file may have (the fixer
 * knows the one its header names; the audit, which does not keep the file's text, offers each):
 * "`pip-compile --generate-hashes --upgrade-package django==2.2.28` on its input", or "write
 * django==2.2.28 with the --hash of each of its files (`pip hash FILE` on the files `pip download
 * --no-deps django==2.2.28` fetches, or `hashin django==2.2.28`)". `code` marks a command up.
 */
export function moveWithNewHashes(name: string, version: string, write: string, writers: readonly HashWriter[], code: (command: string) => string = (c) => `\`${c}\``): string {
  const pin = shellWord(`${name}==${version}`);
  const compilers = writers.flatMap((w) =>
    w === 'pip-compile' ? [code(`pip-compile --generate-hashes --upgrade-package ${pin}`)] : w === 'uv-pip-compile' ? [code(`uv pip compile --generate-hashes --upgrade-package ${pin}`)] : [],
  );
  const ways = compilers.length ? [`${compilers.join(' or ')} on its input`] : [];
  if (writers.includes('by-hand')) {
    ways.push(`write ${write} with the --hash of each of its files (${code('pip hash FILE')} on the files ${code(`pip download --no-deps ${pin}`)} fetches, or ${code(`hashin ${pin}`)})`);
  }
  return ways.join(', or ');
}

/**
 * What re-hashes a file whose moved requirements lost their old hashes: the compiler its header
 * names, or, when none does, the usual ones: "the tool that made it (`uv pip compile
 * --generate-hashes`)". `depwatch fix`'s note and the audit's advice say the same.
 */
export function rehashWith(writer: Exclude<HashWriter, 'by-hand'> | null, code: (command: string) => string = (c) => `\`${c}\``): string {
  if (writer === 'uv-pip-compile') return `the tool that made it (${code('uv pip compile --generate-hashes')})`;
  if (writer === 'pip-compile') return `the tool that made it (${code('pip-compile --generate-hashes')})`;
  return `the tool that made it (e.g. ${code('pip-compile --generate-hashes')}, or ${code('hashin')})`;
}
