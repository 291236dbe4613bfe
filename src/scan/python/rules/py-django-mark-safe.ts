/**
 * Django's `mark_safe()` / `SafeString()` on text built at run time: bandit's B308 and B703. The
 * template engine then inserts it unescaped, so a value inside it that came from a user is script
 * in the page (XSS). A literal is fixed markup and is not reported; neither is text an escaping
 * function just made (`mark_safe(format_html(...))`, `mark_safe(escape(x))`).
 */
import type { Node } from 'web-tree-sitter';
import { columnOf, lineOf, type PythonFile } from '../file.js';
import type { PythonRule } from '../rule.js';

const SAFESTRING = 'django.utils.safestring';
const MARKERS = [`${SAFESTRING}.mark_safe`, `${SAFESTRING}.SafeString`, `${SAFESTRING}.SafeText`, 'django.utils.html.mark_safe', 'django.utils.html.SafeString'];

/** Functions whose result is already escaped or sanitised HTML. */
const ESCAPED = new Set([
  'django.utils.html.escape',
  'django.utils.html.conditional_escape',
  'django.utils.html.format_html',
  'django.utils.html.format_html_join',
  'django.utils.html.json_script',
  'django.template.loader.render_to_string',
  'html.escape',
  'markupsafe.escape',
  'bleach.clean',
  'nh3.clean',
]);

function escapedCall(node: Node, file: PythonFile): boolean {
  if (node.type !== 'call') return false;
  const fn = node.childForFieldName('function');
  const q = fn ? file.qualify(fn) : null;
  return !!q && ESCAPED.has(q);
}

export const rule: PythonRule = {
  info: {
    id: 'py-django-mark-safe',
    kind: 'code',
    severity: 'medium',
    confidence: 'medium',
    title: 'mark_safe() on text built at run time',
    help: 'mark_safe() and SafeString tell Django not to escape the text, so any value inside it that came from a user becomes markup and script in the page (cross-site scripting). Build HTML with format_html() (it escapes each value), or escape() every value before marking the result safe; better, leave the markup in the template.',
    bandit: ['B308', 'B703'],
  },
  calls: MARKERS,
  check(call, file, report, callee) {
    const value = file.argument(call, 0, 's') ?? file.argumentsOf(call).keywords.get('seq');
    if (!value || file.isLiteral(value) || escapedCall(value, file)) return;
    const origin = file.originOf(value);
    const user = !!origin && !origin.startsWith('parameter');
    report({
      line: lineOf(call),
      column: columnOf(call),
      severity: user ? 'high' : undefined,
      confidence: user || value.type !== 'identifier' ? 'high' : undefined,
      message: `${callee}() marks text built at run time${origin ? ` (from ${origin})` : ''} as safe HTML, so Django inserts it unescaped: a value in it containing <script> or an onerror= attribute runs in the reader's browser.`,
      fix: 'Build the HTML with django.utils.html.format_html("<b>{}</b>", value), which escapes each value, or escape() each value before mark_safe(); keep markup in templates where possible.',
    });
  },
};
