/**
 * Mako templates that do not escape HTML: `mako.template.Template(...)` and `TemplateLookup(...)`
 * without the `h` filter among `default_filters`: bandit's B702. Mako escapes nothing by default, so
 * every `${value}` from a user is written into the page as markup (XSS). Mako also renders text
 * (code generation, mails), and a template can turn escaping on itself (`<%page expression_filter="h"/>`),
 * so a missing default_filters is medium confidence; a list that leaves `h` out is high; an
 * expression is the program's decision and not reported.
 */
import type { Node } from 'web-tree-sitter';
import { columnOf, lineOf, type PythonFile } from '../file.js';
import type { PythonRule } from '../rule.js';

/**
 * The filters that HTML-escape: `h` is Mako's name for mako.filters.html_escape, and a template's
 * code has `filters` (Mako's module) in scope, so "filters.html_escape" is the same filter spelled out.
 */
const HTML_ESCAPING = new Set(['h', 'filters.html_escape', 'mako.filters.html_escape']);

/** Whether a literal list of filter names holds an HTML-escaping one; null when the value is not a literal list. */
function hasHtmlFilter(filters: Node, file: PythonFile): boolean | null {
  if (filters.type !== 'list' && filters.type !== 'tuple') return null;
  const names = filters.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment').map((c) => file.constantString(c));
  if (names.some((n) => n === null)) return null;
  return names.some((n) => HTML_ESCAPING.has(n!.trim()));
}

export const rule: PythonRule = {
  info: {
    id: 'py-mako-autoescape',
    kind: 'code',
    severity: 'high',
    confidence: 'medium',
    title: 'Mako templates without HTML escaping',
    help: 'Mako escapes nothing unless told to: a ${value} from a user is written into the page as markup and script (cross-site scripting). Create templates and lookups with default_filters=["h"] (add "str" first if values may be non-strings) and mark trusted values with | n; a template that renders plain text, not HTML, can be ignored by id.',
    bandit: ['B702'],
  },
  calls: ['mako.template.Template', 'mako.lookup.TemplateLookup'],
  check(call, file, report, callee) {
    const args = file.argumentsOf(call);
    const filters = args.keywords.get('default_filters');
    if (!filters && args.hasSplat) return; // may come in **kwargs
    const escaped = filters ? hasHtmlFilter(filters, file) : false;
    if (escaped !== false) return; // "h" is there, or the program computes its filters
    report({
      line: lineOf(call),
      column: columnOf(call),
      confidence: filters ? 'high' : undefined,
      message: filters
        ? `${callee}(default_filters=${filters.text.slice(0, 60)}) leaves out the "h" filter: values are written into the output unescaped, so in HTML a value from a user can add markup and scripts (XSS).`
        : `${callee}() without default_filters uses Mako's default, no escaping: if it renders HTML, a value from a user can add markup and scripts (XSS).`,
      fix: 'Pass default_filters=["h"] (or ["str", "h"]) so every ${value} is HTML-escaped, and mark the few trusted values with ${value | n}; leave it off only for templates that render plain text.',
    });
  },
};
