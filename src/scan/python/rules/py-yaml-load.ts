/** `yaml.load` / `load_all` without a safe loader can build arbitrary Python objects. */
import { columnOf, lineOf } from '../file.js';
import type { PythonRule } from '../rule.js';

const SAFE = new Set(['yaml.SafeLoader', 'yaml.CSafeLoader', 'yaml.BaseLoader', 'yaml.CBaseLoader', 'yaml.loader.SafeLoader', 'yaml.loader.BaseLoader', 'yaml.cyaml.CSafeLoader', 'yaml.cyaml.CBaseLoader']);
const UNSAFE = new Set(['yaml.Loader', 'yaml.UnsafeLoader', 'yaml.CLoader', 'yaml.CUnsafeLoader', 'yaml.FullLoader', 'yaml.CFullLoader', 'yaml.loader.Loader', 'yaml.loader.UnsafeLoader', 'yaml.loader.FullLoader']);

export const rule: PythonRule = {
  info: {
    id: 'py-yaml-load',
    kind: 'code',
    severity: 'high',
    confidence: 'high',
    title: 'YAML loaded without a safe loader',
    help: 'PyYAML\'s full and unsafe loaders build any Python object a document names (`!!python/object/apply:os.system`), so loading YAML from elsewhere runs code. Use yaml.safe_load(), or pass Loader=yaml.SafeLoader.',
    bandit: ['B506'],
  },
  calls: ['yaml.load', 'yaml.load_all', 'yaml.unsafe_load', 'yaml.unsafe_load_all', 'yaml.full_load', 'yaml.full_load_all'],
  check(call, file, report, callee) {
    const fix = 'Use yaml.safe_load() (or yaml.load(stream, Loader=yaml.SafeLoader)); it builds only plain data.';
    const at = { line: lineOf(call), column: columnOf(call), fix };
    if (callee !== 'yaml.load' && callee !== 'yaml.load_all') {
      report({ ...at, severity: callee!.includes('unsafe') ? 'high' : 'medium', message: `${callee}() builds Python objects named in the document (full and unsafe loaders); YAML from elsewhere can run code or misuse objects.` });
      return;
    }
    const args = file.argumentsOf(call);
    const loader = args.keywords.get('Loader') ?? args.positional[1];
    if (!loader) {
      if (args.hasSplat) return;
      report({ ...at, message: `${callee}() without a Loader uses PyYAML's unsafe default on versions before 5.1 (and fails on 6.0): a document can name any Python object to build.` });
      return;
    }
    const q = loader.type === 'identifier' || loader.type === 'attribute' ? file.qualify(loader) : null;
    if (q && SAFE.has(q)) return;
    const unsafe = q !== null && UNSAFE.has(q);
    report({
      ...at,
      confidence: unsafe ? 'high' : 'low',
      message: unsafe
        ? `${callee}() with ${q.replace(/^yaml\.(loader\.)?/, '')} builds Python objects named in the document; YAML from elsewhere can run code.`
        : `${callee}() with a loader that is not one of PyYAML's safe loaders; unless it derives from SafeLoader, a document can name Python objects to build.`,
    });
  },
};
