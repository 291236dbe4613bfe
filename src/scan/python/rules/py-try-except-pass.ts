/**
 * `except:` / `except Exception:` whose whole body is `pass`: bandit's B110. Every error of the
 * try block, a failed permission check or a half-written file among them, vanishes without a trace.
 * Narrow handlers (`except KeyError: pass`) say what is expected and are not reported.
 */
import type { Node } from 'web-tree-sitter';
import { columnOf, lineOf, type PythonFile } from '../file.js';
import type { PythonRule } from '../rule.js';

const BROAD = new Set(['Exception', 'BaseException', 'builtins.Exception', 'builtins.BaseException']);

/**
 * What a handler catches when it catches everything, as written (`except:`, `Exception`,
 * `(ValueError, Exception)`), or null for a narrower one.
 */
export function broadCatch(clause: Node, file: PythonFile): string | null {
  const caught = clause.namedChildren.find((c) => !!c && c.type !== 'block' && c.type !== 'comment');
  if (!caught) return 'everything (bare except:)';
  const types = caught.type === 'as_pattern' ? caught.firstNamedChild : caught;
  if (!types) return null;
  const names = types.type === 'tuple' || types.type === 'parenthesized_expression' ? types.namedChildren.filter((c): c is Node => !!c) : [types];
  const broad = names.find((t) => BROAD.has(file.qualify(t) ?? t.text));
  return broad ? broad.text : null;
}

/** The handler's only statement when its body is that one simple statement (comments aside): `pass`, `continue`… */
export function onlyStatement(clause: Node): Node | null {
  const body = clause.namedChildren.find((c) => c?.type === 'block');
  const statements = body?.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment') ?? [];
  return statements.length === 1 ? statements[0]! : null;
}

export const rule: PythonRule = {
  info: {
    id: 'py-try-except-pass',
    kind: 'code',
    severity: 'low',
    confidence: 'high',
    title: 'Every exception caught and ignored (except: pass)',
    help: 'A bare except: or except Exception: whose body is only pass hides every error of the try block, including the ones that mean a security check or a write did not happen, and leaves nothing to debug with. Catch the exceptions you expect (except FileNotFoundError: pass, or contextlib.suppress(FileNotFoundError)); for anything else, log it with logger.exception() or let it propagate.',
    bandit: ['B110'],
  },
  statements: ['except'],
  check(clause, file, report) {
    const only = onlyStatement(clause);
    if (only?.type !== 'pass_statement') return;
    const caught = broadCatch(clause, file);
    if (!caught) return;
    report({
      line: lineOf(clause),
      column: columnOf(clause),
      message: `This handler catches ${caught.startsWith('everything') ? caught : `any ${caught}`} and does nothing: every error of the try block, whatever it means, is silently dropped.`,
      fix: 'Catch only the exceptions you expect (except FileNotFoundError: pass, or with contextlib.suppress(FileNotFoundError):), and log the rest with logger.exception(...) or let them propagate.',
    });
  },
};
