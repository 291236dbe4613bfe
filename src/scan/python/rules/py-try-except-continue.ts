/**
 * `except:` / `except Exception:` whose whole body is `continue`: bandit's B112, the loop's form of
 * py-try-except-pass. Every failing item is skipped without a word, whatever the failure was.
 */
import { columnOf, lineOf } from '../file.js';
import type { PythonRule } from '../rule.js';
import { broadCatch, onlyStatement } from './py-try-except-pass.js';

export const rule: PythonRule = {
  info: {
    id: 'py-try-except-continue',
    kind: 'code',
    severity: 'low',
    confidence: 'high',
    title: 'Every exception caught and the item skipped (except: continue)',
    help: 'A bare except: or except Exception: whose body is only continue skips every item whose processing failed, for any reason (a bug, a refused permission, a half-written record), and says nothing. Catch the exceptions you expect; log the others with logger.exception() before moving on, or let them propagate.',
    bandit: ['B112'],
  },
  statements: ['except'],
  check(clause, file, report) {
    if (onlyStatement(clause)?.type !== 'continue_statement') return;
    const caught = broadCatch(clause, file);
    if (!caught) return;
    report({
      line: lineOf(clause),
      column: columnOf(clause),
      message: `This handler catches ${caught.startsWith('everything') ? caught : `any ${caught}`} and moves to the next item: every failure of the loop body, whatever it means, is silently skipped.`,
      fix: 'Catch only the exceptions you expect (except ValueError: continue), and log the rest with logger.exception(...) before continuing, or let them propagate.',
    });
  },
};
