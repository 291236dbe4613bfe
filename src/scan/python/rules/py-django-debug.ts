/**
 * `DEBUG = True` left in a Django settings module (no bandit test; Django's deployment checklist,
 * `manage.py check --deploy` W018). With DEBUG on, every error page shows the traceback, local
 * variables, the settings (secrets masked by name only) and the SQL run, to anyone who can make a
 * request fail. Only the last module-level value counts: `DEBUG = env.bool(...)` after it, or a
 * DEBUG set inside `if`/functions, is the program's decision.
 */
import type { Node } from 'web-tree-sitter';
import { PythonFile, columnOf, lineOf } from '../file.js';
import { baseName } from '../../paths.js';
import type { PythonRule } from '../rule.js';

/** A module of a settings package (`config/settings/production.py`), or a settings.py. */
const SETTINGS_PACKAGE = /(?:^|\/)settings\/[^/]+\.py$/;
/** Settings meant for a developer's machine: reported low. */
const DEVELOPMENT = /^(?:dev|develop|development|local|local_settings)\.py$/;
/** Settings for test runs and CI, where DEBUG does not matter. */
const TESTING = /^(?:tests?|testing|ci)(?:_[^/]*)?\.py$/;
/** What makes a settings.py Django's, not some tool's. */
const DJANGO = /\b(?:django|INSTALLED_APPS|MIDDLEWARE|ROOT_URLCONF|ALLOWED_HOSTS|DATABASES)\b/;

/** The names an assignment binds at the top (`DEBUG = TEMPLATE_DEBUG = True` binds both), and its value. */
function bound(assignment: Node): { names: string[]; value: Node | null } {
  const names: string[] = [];
  let node: Node | null = assignment;
  for (let i = 0; node?.type === 'assignment' && i < 16; i++) {
    const left = node.childForFieldName('left');
    if (left?.type === 'identifier') names.push(left.text);
    node = node.childForFieldName('right');
  }
  return { names, value: node?.type === 'assignment' ? null : node };
}

export const rule: PythonRule = {
  info: {
    id: 'py-django-debug',
    kind: 'code',
    severity: 'medium',
    confidence: 'medium',
    title: 'DEBUG = True in Django settings',
    help: 'With DEBUG on, Django answers every error with a page showing the traceback, local variables, settings and SQL queries, to anyone who can make a request fail, and keeps every query in memory. Read DEBUG from the environment (DEBUG = os.environ.get("DJANGO_DEBUG") == "1") so production runs with it off.',
  },
  statements: ['module'],
  check(root, file, report) {
    if (file.isTest) return;
    const base = baseName(file.path);
    const inPackage = SETTINGS_PACKAGE.test(file.path);
    if (!inPackage && base !== 'settings.py') return;
    if (inPackage && TESTING.test(base)) return;
    if (!inPackage && !DJANGO.test(file.text)) return;
    let last: { statement: Node; value: Node | null } | null = null;
    for (const statement of root.namedChildren) {
      const assignment = statement?.type === 'expression_statement' ? statement.firstNamedChild : null;
      if (assignment?.type !== 'assignment') continue;
      const { names, value } = bound(assignment);
      if (names.includes('DEBUG')) last = { statement: assignment, value };
    }
    if (!last || !PythonFile.isTrue(last.value)) return;
    const development = inPackage && DEVELOPMENT.test(base);
    report({
      line: lineOf(last.statement),
      column: columnOf(last.statement),
      severity: development ? 'low' : undefined,
      confidence: development ? 'low' : undefined,
      message: development
        ? `DEBUG = True in ${base}, settings for development: fine on a laptop, but if these settings are ever deployed, every error page shows tracebacks, local variables and settings.`
        : 'DEBUG = True in the settings: every error page shows the traceback, local variables, settings and SQL to whoever made the request fail.',
      fix: 'Read it from the environment, off by default: DEBUG = os.environ.get("DJANGO_DEBUG") == "1".',
    });
  },
};
