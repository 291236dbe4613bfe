/**
 * The linear rewrites give exactly what the patterns they replace gave. Each pattern that
 * backtracked on hostile text is kept here as the oracle, and fast-check compares the two on
 * short strings over the characters that matter to it (short, so the old pattern stays quick).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { withoutTrailingZeroReleases } from '../../src/advisories/match.js';
import { poetryClauseAt, wildcardSuffix } from '../../src/fix/widen.js';
import { eggName, editableTarget } from '../../src/python/formats/pyproject.js';
import { stripExtras, withoutComment } from '../../src/python/formats/requirements.js';
import { splitOption } from '../../src/python/formats/setup-cfg.js';
import { pythonRequiresValue } from '../../src/python/interpreter.js';
import { splitAlternatives } from '../../src/python/poetry-constraint.js';
import { pythonStrip, trimEndChar, trimEndRepeated } from '../../src/python/text.js';

/** Strings of up to `max` pieces drawn from `pieces`. */
const stringsOf = (pieces: string[], max = 14) => fc.array(fc.constantFrom(...pieces), { maxLength: max }).map((parts) => parts.join(''));

function sameAnswers<T>(input: fc.Arbitrary<string>, rewritten: (text: string) => T, oracle: (text: string) => T): void {
  fc.assert(
    fc.property(input, (text) => {
      expect(rewritten(text), JSON.stringify(text)).toEqual(oracle(text));
    }),
    { numRuns: 3_000 },
  );
}

const PY_SPACE = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const oldPythonStrip = (text: string) => text.replace(new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, 'g'), '');

describe('linear rewrites answer as the patterns they replace', () => {
  it("Python's strip (^\\s+|\\s+$ with the g flag)", () => {
    sameAnswers(stringsOf([' ', '\t', '\x1c', '\x85', '\u2028', '\ufeff', '\u00a0', 'a', 'b']), pythonStrip, oldPythonStrip);
  });

  it('trailing runs: c+$ and (\\.0)+$', () => {
    sameAnswers(stringsOf(['/', 'a', ',', ' ']), (t) => trimEndChar(t, '/'), (t) => t.replace(/\/+$/, ''));
    sameAnswers(stringsOf(['.0', '0', '.', '1', '00']), (t) => trimEndRepeated(t, '.0'), (t) => t.replace(/(\.0)+$/, ''));
  });

  it("pip's comment rule (^|\\s+)#.*$ then strip, on a logical line", () => {
    // Logical lines never hold the characters splitlines breaks at.
    sameAnswers(stringsOf(['#', ' ', '\t', 'a', '\ufeff', '\x1f', '\u00a0', '==1']), withoutComment, (t) =>
      oldPythonStrip(t.includes('#') ? t.replace(/(^|\s+)#.*$/, '') : t),
    );
  });

  it("pip's _strip_extras: ^(.+)(\\[[^\\]]+\\])$", () => {
    sameAnswers(stringsOf(['a', '[', ']', 'x', '.', ' ', '\n', '\u2028', '/']), stripExtras, (t) => {
      const m = /^(.+)(\[[^\]]+\])$/.exec(t);
      return m ? { path: m[1], extras: m[2] } : { path: t, extras: null };
    });
  });

  it("configparser's key = value split: ^(.*?)\\s*([=:])\\s*(.*)$ on a stripped line", () => {
    sameAnswers(
      stringsOf(['a', 'b', ' ', '\t', '=', ':', '==', ';']).map((t) => t.trim()),
      splitOption,
      (t) => {
        const m = /^(.*?)\s*([=:])\s*(.*)$/.exec(t);
        return m ? { key: m[1], value: m[3] } : null;
      },
    );
  });

  it('PDM editables: ^\\s*(-e|--editable)\\s+(.+)$, and #(?:.*&)?egg=(name)', () => {
    sameAnswers(stringsOf(['-e', '--editable', ' ', '\t', '\n', '\u2028', 'x', '#', './p']), editableTarget, (t) => {
      const m = /^\s*(-e|--editable)\s+(.+)$/.exec(t);
      return m ? m[2]!.trim() : null;
    });
    sameAnswers(stringsOf(['#', '&', 'egg=', 'a', 'B.c', '-', 'x', '/', '=']), eggName, (t) => /#(?:.*&)?egg=([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(t)?.[1] ?? null);
  });

  it("Poetry's union split: \\s*\\|\\|?\\s*", () => {
    sameAnswers(stringsOf(['|', '||', ' ', '\t', 'a', ',', '^1']), splitAlternatives, (t) => t.split(/\s*\|\|?\s*/));
  });

  it('setup.cfg python_requires: ^\\s*python_requires\\s*[=:]\\s*(.*?)\\s*$', () => {
    sameAnswers(stringsOf(['python_requires', ' ', '=', ':', '\r', '\u2028', '>=3.8', 'x', '\t']), pythonRequiresValue, (t) => {
      const m = /^\s*python_requires\s*[=:]\s*(.*?)\s*$/.exec(t);
      return m ? m[1]! : null;
    });
  });

  it('a Poetry clause being widened: (op)?(\\s*)(v?[0-9][0-9A-Za-z.!+_-]*?(?:\\.[xX*])*|[xX*](?:\\.[xX*])*)(?=[\\s,]|$) with the y flag', () => {
    const oldClause = /(\^|~=|~|===|==|!=|<>|<=|>=|<|>|=)?(\s*)(v?[0-9][0-9A-Za-z.!+_-]*?(?:\.[xX*])*|[xX*](?:\.[xX*])*)(?=[\s,]|$)/y;
    const pieces = ['1', '0', '.', '.x', '.X', '.*', 'x', '*', 'v', 'V', '^', '~', '=', '<', '>', '!', ' ', '\t', '\u00a0', ',', '+', '-', '_', 'a', '|', '@'];
    // Read from every position, as the widening reads a clause after each separator.
    const everywhere = <T>(read: (t: string, at: number) => T) => (t: string) => Array.from({ length: t.length + 1 }, (_, at) => read(t, at));
    sameAnswers(
      stringsOf(pieces),
      everywhere(poetryClauseAt),
      everywhere((t, at) => {
        oldClause.lastIndex = at;
        const m = oldClause.exec(t);
        return m && m[0] !== '' ? { op: m[1] ?? '', space: m[2] ?? '', version: m[3] ?? '', end: oldClause.lastIndex } : null;
      }),
    );
  });

  it('the wildcard tail of a Poetry version: (\\.[xX*])+$', () => {
    sameAnswers(stringsOf(['1', '.', '.x', '.X', '.*', 'x', '*', 'a']), wildcardSuffix, (t) => /(\.[xX*])+$/.exec(t)?.[0] ?? '');
  });

  it("the equality key's release: ^((?:\\d+!)?\\d+(?:\\.\\d+)*?)(?:\\.0+)*(?=$|[a-z+]|\\.[a-z])", () => {
    sameAnswers(stringsOf(['1', '0', '.', '!', 'a', '+', 'rc1', '.post', '00', '.dev', '-']), withoutTrailingZeroReleases, (t) =>
      t.replace(/^((?:\d+!)?\d+(?:\.\d+)*?)(?:\.0+)*(?=$|[a-z+]|\.[a-z])/, '$1'),
    );
  });
});
