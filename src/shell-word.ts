/**
 * The one way a word reaches a command Depwatch prints for a person to paste (fix advice, lock
 * commands, notes): file names come from the repository (`pylock.$(touch${IFS}x).toml` is a valid
 * pylock name), so every file name, package, group and folder in a command goes through here.
 */

/** A word for a POSIX shell: as is when it holds only safe characters, else single-quoted. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9._\/=+:-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * A file or folder operand: quoted as shellWord does, and `./`-prefixed when it starts with `-`,
 * which a command would read as an option (`--extra-index-url=https:/evil.example/r.txt` is a
 * valid relative path, and pasted bare it would point uv at another index).
 */
export function shellPath(path: string): string {
  return shellWord(path.startsWith('-') ? `./${path}` : path);
}
