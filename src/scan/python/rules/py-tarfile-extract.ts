/**
 * A tar archive extracted without a `filter=`: bandit's B202. Before Python 3.14, tarfile writes a
 * member wherever its name says (`../../home/app/.ssh/authorized_keys`, `/etc/cron.d/x`) and
 * follows its symlinks and hard links out of the target folder, so whoever made the archive writes
 * files anywhere the process can. `filter="data"` (3.12+, backported to 3.8.17+ security releases)
 * refuses all of that. zipfile's extractall sanitises names itself, so it is not reported.
 */
import { columnOf, lineOf } from '../file.js';
import type { Node } from 'web-tree-sitter';
import type { PythonFile } from '../file.js';
import type { PythonRule } from '../rule.js';

/** What makes a TarFile: `tarfile.open(...)`, the class and its named openers. */
const TARFILE_MAKERS = ['tarfile.open', 'tarfile.TarFile', 'tarfile.TarFile.open', 'tarfile.TarFile.taropen', 'tarfile.TarFile.gzopen', 'tarfile.TarFile.bz2open', 'tarfile.TarFile.xzopen'];
const EXTRACTS = TARFILE_MAKERS.flatMap((m) => [`${m}().extractall`, `${m}().extract`]);
const UNPACK = ['shutil.unpack_archive'];

/** Filters that keep members inside the target folder (`"data"`, `"tar"`, tarfile's functions for them). */
const SAFE_FILTER_NAMES = new Set(['data', 'tar']);
const UNSAFE_FILTER_FUNCTIONS = new Set(['tarfile.fully_trusted_filter']);

const TAR_FORMATS = new Set(['tar', 'gztar', 'bztar', 'xztar', 'zstdtar']);
const TAR_NAME = /\.(?:tar|tgz|tbz2?|txz|tar\.(?:gz|bz2|xz|zst))$/i;

const FIX = 'Pass filter="data" (Python 3.12+, and 3.8.17+/3.9.17+/3.10.12+/3.11.4+ security releases): it refuses absolute paths, "..", links leaving the folder and device files.';

/** Why the filter given (or left out) lets members out of the folder, or null when it keeps them in. */
function unsafeFilter(file: PythonFile, filter: Node | undefined): string | null {
  if (!filter || filter.type === 'none') return filter ? 'filter=None' : 'no filter=';
  const name = file.constantString(filter);
  if (name !== null) return SAFE_FILTER_NAMES.has(name) ? null : `filter="${name.slice(0, 20)}"`;
  const q = filter.type === 'identifier' || filter.type === 'attribute' ? file.qualify(filter) : null;
  if (q && UNSAFE_FILTER_FUNCTIONS.has(q)) return `filter=${filter.text}`;
  // tarfile.data_filter / tar_filter, or the project's own callable: it decides, and is trusted to.
  return null;
}

export const rule: PythonRule = {
  info: {
    id: 'py-tarfile-extract',
    kind: 'code',
    severity: 'medium',
    confidence: 'high',
    title: 'tar archive extracted without filter="data"',
    help: 'Before Python 3.14, TarFile.extractall/extract and shutil.unpack_archive of a tar write each member where its name says (`../../etc/cron.d/x`, absolute paths) and follow its links out of the target folder: whoever made the archive can write files anywhere the process can. Pass filter="data" (Python 3.12+ and the 3.8-3.11 security releases), which refuses such members; filter="fully_trusted" keeps the old behaviour and is reported. zipfile sanitises names itself.',
    bandit: ['B202'],
  },
  calls: [...EXTRACTS, ...UNPACK],
  check(call, file, report, callee) {
    const args = file.argumentsOf(call);
    const filter = args.keywords.get('filter');
    if (args.hasSplat && !filter) return; // may come in **kwargs
    const why = unsafeFilter(file, filter);
    if (!why) return;
    const at = { line: lineOf(call), column: columnOf(call), fix: FIX };
    if (UNPACK.includes(callee!)) {
      // Only tars: zip members are sanitised. The format named, or the archive's name, says which.
      const format = file.constantString(args.keywords.get('format') ?? args.positional[2]);
      const name = file.constantString(args.keywords.get('filename') ?? args.positional[0]);
      const tar = format !== null ? TAR_FORMATS.has(format) : name !== null ? TAR_NAME.test(name) : null;
      if (tar === false) return;
      report({
        ...at,
        confidence: tar ? undefined : 'medium',
        message: `${callee}() with ${why} ${tar ? 'extracts a tar archive' : 'extracts the archive (when it is a tar)'} trusting its member names and links: an archive with ../ paths, absolute paths or links writes files outside the target folder.`,
      });
      return;
    }
    // `members=` chosen by the project's own code: it may check the names, but links still need the filter.
    const members = args.keywords.get('members') ?? (callee!.endsWith('.extractall') ? args.positional[1] : undefined);
    const method = callee!.slice(callee!.lastIndexOf('.') + 1);
    report({
      ...at,
      severity: members && members.type !== 'none' ? 'low' : undefined,
      message: `TarFile.${method}() with ${why} trusts the archive's member names and links (before Python 3.14): an archive with ../ paths, absolute paths or links writes files outside the target folder${members && members.type !== 'none' ? '; members= is filtered by this code, so check that it rejects those' : ''}.`,
    });
  },
};
