/**
 * The project and version a distribution file's name states: a wheel (PEP 427,
 * `{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl`) or an sdist (`{name}-{version}.tar.gz`,
 * and the other archive kinds pip installs). pip installs from such a file the release its name
 * says (it refuses a wheel whose name disagrees with its metadata), so the name's version is the
 * one to match advisories against, wherever the file comes from.
 *
 * Linear: names are split at dashes and compared, never matched by a backtracking pattern.
 */
import { normalizeName } from './names.js';
import { isValidVersion } from './pep440.js';
import { exactPin, parsePep508 } from './pep508.js';
import { trimEndChar } from './text.js';

/** The archive kinds pip installs from a link (pip's `ARCHIVE_EXTENSIONS`). */
export const ARCHIVE_EXTENSIONS = ['.zip', '.whl', '.tar.bz2', '.tbz', '.tar.xz', '.txz', '.tlz', '.tar.lz', '.tar.lzma', '.tar.gz', '.tgz', '.tar'] as const;

/** The archive extension a file name ends with (case-insensitively), or null. */
export function archiveExtension(fileName: string): string | null {
  const lower = fileName.toLowerCase();
  return ARCHIVE_EXTENSIONS.find((ext) => lower.endsWith(ext)) ?? null;
}

/** The last segment of a URL or path, without its query or fragment (not decoded). */
export function lastSegment(location: string): string {
  let end = location.length;
  const hash = location.indexOf('#');
  if (hash !== -1) end = hash;
  const query = location.indexOf('?');
  if (query !== -1 && query < end) end = query;
  const path = location.slice(0, end);
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}

/** Whether a URL or path (`wheels/x-1.0-py3-none-any.whl`, `https://…/x-1.0.tar.gz#sha256=…`) names a distribution file rather than a folder. */
export const isArchiveLocation = (location: string | undefined): boolean => location !== undefined && archiveExtension(lastSegment(location)) !== null;

/** A name and version as the file name writes them (a wheel's `_` read as pip reads it, `-`). */
export interface ArchiveRelease {
  name: string;
  version: string;
}

const hasSpace = (text: string) => /\s/.test(text);

/**
 * A wheel file name's project and version, as pip's wheel name pattern reads them: five or six
 * dash-separated parts, the optional build tag starting with a digit, none with a space. Null when
 * the name is not one of a wheel.
 */
export function wheelRelease(fileName: string): ArchiveRelease | null {
  if (!fileName.toLowerCase().endsWith('.whl')) return null;
  const parts = fileName.slice(0, -'.whl'.length).split('-');
  if (parts.length !== 5 && parts.length !== 6) return null;
  if (parts.some((part, i) => hasSpace(part) || (part === '' && i !== 1))) return null;
  if (parts.length === 6 && !/^\d/.test(parts[2]!)) return null;
  return { name: parts[0]!.replace(/_/g, '-'), version: parts[1]!.replace(/_/g, '-') };
}

/**
 * An sdist file name's project and version (`Django-2.2.0.tar.gz`, `python-dateutil-2.8.0.tar.gz`,
 * `zope.interface-5.0.zip`): the name ends at the first dash before a digit (as pip derives a name
 * from a link) or at the last dash, whichever leaves a PEP 440 version after it and, when `project`
 * is given, a name that is that project's (PEP 503). Null otherwise.
 */
export function sdistRelease(fileName: string, project?: string): ArchiveRelease | null {
  const extension = archiveExtension(fileName);
  if (extension === null || extension === '.whl') return null;
  const stem = fileName.slice(0, fileName.length - extension.length);
  if (hasSpace(stem)) return null;
  const firstBeforeDigit = stem.search(/-\d/);
  for (const at of [firstBeforeDigit, stem.lastIndexOf('-')]) {
    if (at <= 0) continue;
    const name = stem.slice(0, at);
    const version = stem.slice(at + 1);
    if (!isValidVersion(version)) continue;
    if (project !== undefined && normalizeName(name) !== project) continue;
    return { name, version };
  }
  return null;
}

/**
 * The version of `project` a distribution file name states (wheel or sdist), or null: when the file
 * is not a distribution's, or names another project (pip refuses to install it as this one).
 */
export function archiveVersionOf(fileName: string, project: string): string | null {
  const wheel = wheelRelease(fileName);
  if (wheel !== null) return normalizeName(wheel.name) === project ? wheel.version : null;
  return sdistRelease(fileName, project)?.version ?? null;
}

/** pip's `Link.filename`: the last path segment of a URL, without query or fragment, percent-decoded. */
export function linkFilename(url: string): string {
  const withoutFragment = url.split('#')[0] ?? '';
  const withoutQuery = withoutFragment.split('?')[0] ?? '';
  const path = withoutQuery.replace(/^[a-zA-Z][a-zA-Z0-9+.-]*:(?:\/\/[^/]*)?/, '');
  // trimEndChar, not /\/+$/: the pattern rescans a long run of slashes from each of its positions.
  const segments = trimEndChar(path, '/').split('/');
  const last = segments[segments.length - 1] ?? '';
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

/** `==version` for the release of `project` a distribution file's name states, normalised as a written pin is; null when it states none. */
export function archivePin(project: string, fileName: string): string | null {
  const version = archiveVersionOf(fileName, project);
  if (version === null) return null;
  const parsed = parsePep508(`${project}==${version}`);
  return parsed.ok ? parsed.requirement.specifier : null;
}

const hasScheme = (location: string) => /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(location) && !/^[a-zA-Z]:[\\/]/.test(location);

/**
 * The release of `project` a direct reference installs when it points at a distribution file
 * (`urllib3 @ https://…/urllib3-1.24.1-py2.py3-none-any.whl`, Poetry's `{ path = "wheels/x-1.0.tar.gz" }`),
 * as the version a pin would give (exactPin); null for a folder (the project's own code, built from
 * the checkout), a file of another project, or a file name that states no version. Every format
 * that reads such a reference asks here, so they all rate the same files.
 */
export function archiveVersionAt(project: string, location: string): string | null {
  const fileName = hasScheme(location) ? linkFilename(location) : lastSegment(location);
  const pin = archivePin(project, fileName);
  return pin === null ? null : exactPin(pin);
}
