/**
 * The installed releases of a watched tree in the compact form the store keeps (StoredPackage), and
 * back: unchanged repositories are re-matched from this form without reading them again. Pure, so
 * it also runs in the worker that audits the tree (src/workers/jobs/).
 */
import { installedPackages, type PackageUse } from '../audit/context.js';
import type { Dependency } from '../python/types.js';
import type { StoredPackage } from '../store/watches.js';

/** The installed releases of a tree, compact, primary place first. */
export function storedPackagesOf(dependencies: Dependency[]): StoredPackage[] {
  return installedPackages(dependencies).map((p) => ({
    name: p.name,
    version: p.version,
    direct: p.direct,
    entries: p.entries.map((e) => ({ file: e.file, line: e.line, kind: e.kind, direct: e.direct, specifier: e.specifier, group: e.group })),
    // Only when true: the stored text of every registry package stays as it was.
    ...(p.fromRegistry === false ? { outsideIndex: true as const } : {}),
  }));
}

/** Back from the compact form to what the vulnerability rule reads. */
export function packageUsesOf(packages: StoredPackage[]): PackageUse[] {
  return packages
    .filter((p) => p.entries.length > 0)
    .map((p) => {
      const entries: Dependency[] = p.entries.map((e) => ({
        name: p.name,
        version: p.version,
        specifier: e.specifier,
        extras: [],
        marker: null,
        source: 'registry',
        editable: false,
        kind: e.kind,
        group: e.group,
        direct: e.direct,
        file: e.file,
        line: e.line,
      }));
      // Re-matched as the audit rates it: an upgrade of a release from outside the index is said as the audit says it.
      return { name: p.name, version: p.version, primary: entries[0]!, entries, direct: p.direct, fromRegistry: p.outsideIndex !== true };
    });
}
