/** Code loaded from a file path or archive instead of an installed package: `imp.load_source`, `SourceFileLoader`, zipimport. */
import { columnOf, lineOf } from '../file.js';
import type { PythonRule } from '../rule.js';

const LOADERS = [
  'imp.load_source',
  'imp.load_compiled',
  'imp.load_dynamic',
  'imp.load_module',
  'imp.load_package',
  'importlib.machinery.SourceFileLoader',
  'importlib.machinery.SourcelessFileLoader',
  'importlib.machinery.ExtensionFileLoader',
  'importlib.util.spec_from_file_location',
  'importlib.util.spec_from_loader',
  'zipimport.zipimporter',
  'runpy.run_path',
];

export const rule: PythonRule = {
  info: {
    id: 'py-import-from-path',
    kind: 'code',
    severity: 'medium',
    confidence: 'high',
    title: 'Code imported from a file path',
    help: 'Loading modules from a file path or a zip archive bypasses the installed, pinned packages: whoever can write to that path (or choose it) runs code in the process. Install the code as a package and import it normally; if plugins are needed, use entry points of installed distributions.',
  },
  calls: LOADERS,
  check(call, file, report, callee) {
    // The path is the second argument of the loaders that take (name, path), the first of the others.
    const takesName = /load_|SourceFileLoader|SourcelessFileLoader|ExtensionFileLoader|spec_from_file_location|spec_from_loader/.test(callee ?? '');
    const args = file.argumentsOf(call);
    const path = takesName ? args.keywords.get('location') ?? args.keywords.get('path') ?? args.positional[1] : args.positional[0];
    const literal = !!path && file.isLiteral(path);
    const origin = path && !literal ? file.originOf(path) : null;
    report({
      line: lineOf(call),
      column: columnOf(call),
      severity: literal ? 'low' : origin && !origin.startsWith('parameter') ? 'high' : undefined,
      confidence: literal ? 'medium' : undefined,
      message: `${callee}() loads code from ${literal ? 'a fixed file path' : `a path chosen at run time${origin ? ` (from ${origin})` : ''}`}, outside the installed packages; whoever can write or choose that file runs code here.`,
      fix: 'Install the code as a package and import it by name; for plugins, use entry points (importlib.metadata.entry_points) of installed distributions.',
    });
  },
};
