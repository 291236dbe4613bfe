/** `assert` guarding permissions: `python -O` removes it. */
import { columnOf, lineOf } from '../file.js';
import type { PythonRule } from '../rule.js';

const ACCESS = /\b(?:is_(?:admin|superuser|staff|authenticated|authorized|authorised|owner|active)|has_perms?|has_permission|has_role|has_access|check_password|check_permission|can_[a-z_]+|permissions?|authori[sz]ed|logged_in|is_allowed|allowed|role|roles|groups|owner|csrf|token)\b/;

export const rule: PythonRule = {
  info: {
    id: 'py-assert-access-control',
    kind: 'code',
    severity: 'medium',
    confidence: 'medium',
    title: 'assert used for access control',
    help: 'Python removes assert statements when run with -O (or PYTHONOPTIMIZE), so a permission check written as assert disappears in that deployment. Check with if and raise PermissionError (or return 403) instead.',
    bandit: ['B101'],
  },
  statements: ['assert'],
  check(statement, file, report) {
    if (file.isTest) return; // asserts are how tests check things
    const condition = statement.firstNamedChild;
    if (!condition || !ACCESS.test(condition.text.slice(0, 1000))) return;
    report({
      line: lineOf(statement),
      column: columnOf(statement),
      message: 'An assert checks permissions here; python -O (or PYTHONOPTIMIZE) removes asserts, and the check with them.',
      fix: 'Use if not …: raise PermissionError(...) (or return 403 in a web handler); keep assert for internal invariants.',
    });
  },
};
