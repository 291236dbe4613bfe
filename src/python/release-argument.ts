/**
 * `name==version` as people type one exact release (`depwatch check`, `depwatch package`, `/audit
 * package`): which versions name one release, and what an argument written the wrong way round
 * (`2.1.5==django`) meant. Shared so that every command reads the same argument the same way.
 */
import { isValidName } from './names.js';
import { isValidVersion } from './pep440.js';

/**
 * A release from before PEP 440 that PyPI still serves (`0.1-charmander`, `2.0.0-final`, a timestamp):
 * letters, digits and the separators such versions use (even first: jw.util has
 * `-class.-jw.util.version.Version-`, named by an advisory). Never `*` (a wildcard is many releases),
 * `;` (a marker), whitespace (an option such as `--hash` after it), `,` or comparison signs.
 */
const LEGACY_VERSION = /^[A-Za-z0-9._+!:-]*[A-Za-z0-9][A-Za-z0-9._+!:-]*$/;

/** What pip would take as one exact release: PEP 440 without a wildcard, or a legacy version. */
export function isExactVersion(version: string): boolean {
  return LEGACY_VERSION.test(version) || (isValidVersion(version) && !version.includes('*'));
}

/**
 * `django==2.1.5` when `name==version` reads the wrong way round: the name is a PEP 440 version and
 * the version is not one but is a project name. Such an argument would otherwise ask about a
 * project called `2.1.5` (which `2.1.5` at a legacy version `django` would be: nobody means that).
 * Null when the argument is not reversed (`2to3==1.0`, `django==2.1.5`).
 */
export function reversedRelease(name: string, version: string): string | null {
  return isValidVersion(name) && !isValidVersion(version) && isValidName(version) ? `${version}==${name}` : null;
}

/** The one line that refuses a reversed argument: what is wrong and what was meant. */
export function reversedMessage(shown: string, name: string, version: string, meant: string): string {
  return `"${shown}" is not name==version: "${version}" is not a version and "${name}" is one; did you mean ${meant}?`;
}
