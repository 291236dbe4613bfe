/** `__import__(name)` / `importlib.import_module(name)` with a name the code does not fix. */
import { columnOf, lineOf } from '../file.js';
import type { PythonRule } from '../rule.js';

export const rule: PythonRule = {
  info: {
    id: 'py-dynamic-import',
    kind: 'code',
    severity: 'medium',
    confidence: 'medium',
    title: 'Module imported by a computed name',
    help: 'Importing a module whose name is computed at run time runs whatever module that name reaches: whoever controls the name controls the code. Map the allowed names to modules in a dict (or check the name against a fixed allow-list) before importing.',
  },
  calls: ['builtins.__import__', 'importlib.import_module', 'importlib.__import__', 'importlib.util.find_spec'],
  check(call, file, report, callee) {
    const name = file.argument(call, 0, callee === 'importlib.import_module' ? 'name' : 'name');
    if (!name || file.isLiteral(name)) return;
    const origin = file.originOf(name);
    const fromOutside = origin !== null && !origin.startsWith('parameter');
    const fn = callee === 'builtins.__import__' ? '__import__()' : `${callee}()`;
    report({
      line: lineOf(call),
      column: columnOf(call),
      severity: fromOutside ? 'high' : undefined,
      confidence: fromOutside ? 'high' : undefined,
      message: `${fn} imports a module whose name is not fixed in the code${origin ? ` (it comes from ${origin})` : ''}; whoever controls that name chooses which code runs.`,
      fix: 'Look the name up in a dict of allowed modules (or compare it with a fixed allow-list) and import only those.',
    });
  },
};
