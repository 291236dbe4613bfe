/**
 * A jinja2 Environment that does not escape HTML: `autoescape=False`, or no autoescape at all (jinja2's
 * default is off): bandit's B701. Every `{{ value }}` from a user is then written into the page as
 * markup, a stored or reflected XSS. Environments that render text (mails, configs) legitimately
 * leave it off, so a missing autoescape is reported with medium confidence; an expression (a
 * callable, a setting) is the program's decision and not reported.
 */
import { PythonFile, columnOf, lineOf } from '../file.js';
import type { PythonRule } from '../rule.js';

export const rule: PythonRule = {
  info: {
    id: 'py-jinja2-autoescape',
    kind: 'code',
    severity: 'high',
    confidence: 'high',
    title: 'jinja2 templates without autoescaping',
    help: 'jinja2 does not escape HTML unless told to: with autoescape off, a value such as <script>… from a user is written into the page as markup (cross-site scripting). Create the Environment with autoescape=select_autoescape() (escapes .html and .xml templates) or autoescape=True, and mark the few trusted values with |safe.',
    bandit: ['B701'],
  },
  calls: ['jinja2.Environment', 'jinja2.environment.Environment'],
  check(call, file, report, callee) {
    const args = file.argumentsOf(call);
    const autoescape = args.keywords.get('autoescape');
    if (!autoescape && args.hasSplat) return; // may come in **kwargs
    const off = PythonFile.isFalse(autoescape) || autoescape?.type === 'none';
    if (autoescape && !off) return; // True, select_autoescape(...), a callable or a setting
    report({
      line: lineOf(call),
      column: columnOf(call),
      confidence: autoescape ? undefined : 'medium',
      message: autoescape
        ? `${callee}(autoescape=${autoescape.text}) writes template values into HTML unescaped: a value from a user can add markup and scripts (XSS).`
        : `${callee}() without autoescape uses jinja2's default, no escaping: if it renders HTML, a value from a user can add markup and scripts (XSS).`,
      fix: 'Pass autoescape=select_autoescape() (escapes .html/.xml templates) or autoescape=True; keep it off only for environments that render plain text.',
    });
  },
};
