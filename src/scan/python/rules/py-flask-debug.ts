/**
 * A Flask app started with `debug=True`: bandit's B201. Flask's debug mode serves the Werkzeug
 * debugger, whose error pages run any Python typed into them (its PIN is derivable from files a
 * path traversal can read), so an app that reaches production this way hands out a shell.
 */
import { PythonFile, codeName, columnOf, lineOf } from '../file.js';
import type { PythonRule } from '../rule.js';

const isFlask = (name: string) => name === 'flask' || name.startsWith('flask.') || name.startsWith('flask_');

/** Whether a file imports flask (or a flask_ extension), asked once per file however many .run() calls it has. */
const importsFlask = new WeakMap<PythonFile, boolean>();
function fileImportsFlask(file: PythonFile): boolean {
  let found = importsFlask.get(file);
  if (found === undefined) {
    found = [...file.aliases.values()].some(isFlask);
    importsFlask.set(file, found);
  }
  return found;
}

/**
 * Whether a `.run()` call may be a Flask app's: one the file builds (`flask.Flask().run`), or, as
 * bandit reads it, any in a file importing flask whose receiver is not another imported module
 * (`subprocess.run`, `asyncio.run`). Shared with py-bind-all-interfaces.
 */
export function mayBeFlaskRun(file: PythonFile, callee: string | null): boolean {
  if (callee === 'flask.Flask().run') return true;
  const head = callee?.split('.')[0];
  if (head && file.aliases.get(head) === head && !isFlask(head)) return false;
  return fileImportsFlask(file);
}

export const rule: PythonRule = {
  info: {
    id: 'py-flask-debug',
    kind: 'code',
    severity: 'high',
    confidence: 'medium',
    title: 'Flask app run with debug=True',
    help: 'Flask\'s debug mode serves the Werkzeug debugger: anyone who can trigger an error (and get or guess its PIN) runs Python on the server from the error page. Leave debug out of the code and turn it on locally with flask run --debug or FLASK_DEBUG=1; serve production with gunicorn or uWSGI.',
    bandit: ['B201'],
  },
  // A Flask() the file builds is followed; an app from a factory is any .run() in a file importing flask, as bandit reads it.
  calls: ['flask.Flask().run'],
  methods: ['run'],
  check(call, file, report, callee) {
    if (!PythonFile.isTrue(file.argumentsOf(call).keywords.get('debug'))) return;
    const known = callee === 'flask.Flask().run';
    if (!mayBeFlaskRun(file, callee)) return;
    report({
      line: lineOf(call),
      column: columnOf(call),
      confidence: known ? 'high' : undefined,
      message: `${codeName(call.childForFieldName('function') ?? call)}(debug=True) starts Flask's debugger: anyone who triggers an error and gets its PIN runs Python on the server from the error page.`,
      fix: 'Remove debug=True; enable debugging locally with flask run --debug (or FLASK_DEBUG=1) and serve production with gunicorn or uWSGI.',
    });
  },
};
