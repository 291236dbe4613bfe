/**
 * The one way a word reaches a command Depwatch prints for a person to paste (fix advice, lock
 * commands, notes): file names come from the repository (`pylock.$(touch${IFS}x).toml` is a valid
 * pylock name), so every file name, package, group and folder in a command goes through here.
 */

/** A word for a POSIX shell: as is when it holds only safe characters, else single-quoted. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9._\/=+:-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
