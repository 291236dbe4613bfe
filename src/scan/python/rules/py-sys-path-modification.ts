/** `sys.path` or `PYTHONPATH` changed while the program runs. */
import type { Node } from 'web-tree-sitter';
import { columnOf, lineOf, type PythonFile } from '../file.js';
import type { Report } from '../../rule.js';
import type { PythonRule } from '../rule.js';

const FIX = 'Install the project (pip install -e .) and use package or relative imports; set the path once in the environment or the packaging, not in code.';

function pythonpathKey(node: Node | null | undefined, file: PythonFile): boolean {
  return !!node && file.isLiteral(node) && /PYTHONPATH/.test(node.text);
}

export const rule: PythonRule = {
  info: {
    id: 'py-sys-path-modification',
    kind: 'code',
    severity: 'low',
    confidence: 'high',
    title: 'Import path changed at run time',
    help: 'Changing sys.path or PYTHONPATH while the program runs makes imports depend on the working directory and on folders that may be writable by others: a file dropped there shadows a real module. Install the project and import it as a package instead.',
  },
  calls: ['sys.path.insert', 'sys.path.append', 'sys.path.extend', 'site.addsitedir', 'os.putenv', 'os.environ.update', 'os.environ.setdefault', 'os.environ.__setitem__'],
  statements: ['assign'],
  check(node, file, report: (r: Report) => void, callee) {
    const at = { line: lineOf(node), column: columnOf(node), fix: FIX };
    if (node.type === 'call') {
      if (callee === 'os.putenv' || callee === 'os.environ.setdefault' || callee === 'os.environ.__setitem__') {
        if (!pythonpathKey(file.argumentsOf(node).positional[0], file)) return;
        report({ ...at, message: `${callee}() sets PYTHONPATH at run time, so later imports (and child processes) search folders chosen here.` });
        return;
      }
      if (callee === 'os.environ.update') {
        const args = file.argumentsOf(node);
        if (!args.keywords.has('PYTHONPATH') && !args.positional.some((p) => /["']PYTHONPATH["']/.test(p.text.slice(0, 2000)))) return;
        report({ ...at, message: 'os.environ.update() sets PYTHONPATH at run time, so later imports (and child processes) search folders chosen here.' });
        return;
      }
      report({ ...at, message: `${callee}() adds a folder to the import path at run time; a module file placed there shadows the real one.` });
      return;
    }
    // Assignments: `sys.path = …`, `sys.path += …`, `sys.path[0:0] = …`, `os.environ["PYTHONPATH"] = …`.
    const left = node.childForFieldName('left');
    if (!left) return;
    const target = left.type === 'subscript' ? left.childForFieldName('value') : left;
    const q = target ? file.qualify(target) : null;
    if (q === 'sys.path') {
      report({ ...at, message: 'sys.path is replaced or extended at run time; a module file placed in an added folder shadows the real one.' });
    } else if (q === 'os.environ' && left.type === 'subscript' && pythonpathKey(left.childForFieldName('subscript'), file)) {
      report({ ...at, message: 'os.environ["PYTHONPATH"] is set at run time, so child processes search folders chosen here.' });
    }
  },
};
