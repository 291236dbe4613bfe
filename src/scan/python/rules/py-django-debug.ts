/**
 * `DEBUG = True` left in a Django settings module (no bandit test; Django's deployment checklist,
 * `manage.py check --deploy` W018). With DEBUG on, every error page shows the traceback, local
 * variables, the settings (secrets masked by name only) and the SQL run, to anyone who can make a
 * request fail. Only the last module-level value counts: `DEBUG = env.bool(...)` after it, or a
 * DEBUG set inside `if`/functions, is the program's decision. A value read from the environment
 * whose default turns DEBUG on when the variable is unset (`env.bool("DEBUG", default=True)`,
 * `os.environ.get("DEBUG", "True") == "True"`, or `env("DEBUG")` after django-environ's scheme
 * `env = environ.Env(DEBUG=(bool, True))`) is reported low: a deployment that forgets the variable
 * runs with DEBUG on.
 */
import type { Node } from 'web-tree-sitter';
import { PythonFile, attributeName, columnOf, lineOf, nameOf } from '../file.js';
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
    if (left?.type === 'identifier') names.push(nameOf(left));
    node = node.childForFieldName('right');
  }
  return { names, value: node?.type === 'assignment' ? null : node };
}

/** A value the evaluation below knows, or undefined when it does not (a name, a call it does not follow). */
type Value = { v: boolean | number | string | null } | undefined;

/** The words django-environ and python-decouple read as true when they cast a string to bool. */
const TRUE_WORDS = new Set(['true', 'on', 'ok', 'y', 'yes', '1']);
/** Calls of django-environ (`env.bool`, `env(...)`) and python-decouple (`config(...)`) by how settings name them. */
const ENV_FUNCTION = /^(?:env|config)$/;
const ENV_METHOD = /^(?:\w+\.)*\w*(?:env|environ|config)\w*\.(?:bool|str|int)$/i;
const OS_READ = new Set(['os.environ.get', 'os.getenv']);
const MAX_DEPTH = 12;

function literal(node: Node): Value {
  switch (node.type) {
    case 'true':
      return { v: true };
    case 'false':
      return { v: false };
    case 'none':
      return { v: null };
    case 'integer':
      return /^\d+$/.test(node.text) ? { v: Number(node.text) } : undefined;
    case 'string':
      if (node.namedChildren.some((c) => c?.type === 'interpolation')) return undefined;
      return { v: node.namedChildren.filter((c) => c?.type === 'string_content').map((c) => c!.text).join('') };
    default:
      return undefined;
  }
}

const truthy = (x: boolean | number | string | null) => (typeof x === 'string' ? x.length > 0 : !!x);
const asBool = (x: boolean | number | string | null): boolean => (typeof x === 'string' ? TRUE_WORDS.has(x.trim().toLowerCase()) : truthy(x));

/**
 * What an expression is when no environment variable is set: environment reads give their default,
 * and literals, comparisons, `in`, `not`, bool()/int()/str(), strtobool() and .lower()/.strip() are
 * worked out. Anything else is unknown, and unknown is never reported.
 */
function unsetValue(node: Node | null | undefined, file: PythonFile, depth = 0): Value {
  if (!node || depth > MAX_DEPTH) return undefined;
  const known = literal(node);
  if (known) return known;
  switch (node.type) {
    case 'parenthesized_expression': {
      const inner = node.namedChildren.filter((c) => c?.type !== 'comment');
      return inner.length === 1 ? unsetValue(inner[0], file, depth + 1) : undefined;
    }
    case 'not_operator': {
      const x = unsetValue(node.childForFieldName('argument'), file, depth + 1);
      return x && { v: !truthy(x.v) };
    }
    case 'comparison_operator': {
      const operands = node.namedChildren.filter((c) => c?.type !== 'comment');
      const operators = node.children.filter((c) => c && !c.isNamed).map((c) => c!.text);
      if (operands.length !== 2 || operators.length < 1) return undefined;
      const op = operators.join(' ');
      const left = unsetValue(operands[0], file, depth + 1);
      if (!left) return undefined;
      if (op === 'in' || op === 'not in') {
        const group = operands[1]!;
        if (!['tuple', 'list', 'set'].includes(group.type)) return undefined;
        const items = group.namedChildren.filter((c) => c?.type !== 'comment').map((c) => literal(c!));
        if (items.some((i) => !i)) return undefined;
        const found = items.some((i) => i!.v === left.v);
        return { v: op === 'in' ? found : !found };
      }
      const right = unsetValue(operands[1], file, depth + 1);
      if (!right) return undefined;
      if (op === '==' || op === 'is') return { v: left.v === right.v };
      if (op === '!=' || op === 'is not') return { v: left.v !== right.v };
      return undefined;
    }
    case 'call':
      return callValue(node, file, depth);
    default:
      return undefined;
  }
}

function callValue(call: Node, file: PythonFile, depth: number): Value {
  const fn = call.childForFieldName('function');
  if (!fn) return undefined;
  const args = file.argumentsOf(call);
  if (args.hasSplat) return undefined;
  // `os.getenv("DEBUG", "true").lower()`: string methods on a value we know.
  if (fn.type === 'attribute') {
    const method = attributeName(fn);
    if ((method === 'lower' || method === 'upper' || method === 'strip') && args.positional.length === 0) {
      const x = unsetValue(fn.childForFieldName('object'), file, depth + 1);
      if (!x || typeof x.v !== 'string') return undefined;
      return { v: method === 'lower' ? x.v.toLowerCase() : method === 'upper' ? x.v.toUpperCase() : x.v.trim() };
    }
  }
  const name = file.qualify(fn) ?? nameOf(fn);
  if (OS_READ.has(name)) {
    const fallback = args.keywords.get('default') ?? args.positional[1];
    return fallback ? unsetValue(fallback, file, depth + 1) : { v: null };
  }
  const text = nameOf(fn);
  const scheme = environScheme(fn, file);
  if (scheme || ENV_FUNCTION.test(text) || ENV_METHOD.test(text)) {
    // django-environ and decouple raise when the variable is unset and there is no default.
    const given = args.keywords.get('default') ?? (text.endsWith('.bool') || text.endsWith('.str') || text.endsWith('.int') ? args.positional[1] : undefined);
    const declared = given || !scheme ? undefined : schemeDefault(scheme, args.positional[0], file);
    const fallback = given ?? declared?.fallback;
    const x = fallback ? unsetValue(fallback, file, depth + 1) : undefined;
    if (!x) return undefined;
    const cast = args.keywords.get('cast')?.text ?? declared?.cast;
    return text.endsWith('.bool') || cast === 'bool' ? { v: asBool(x.v) } : x;
  }
  if (args.positional.length !== 1 || args.keywords.size > 0) return undefined;
  const x = unsetValue(args.positional[0], file, depth + 1);
  if (!x) return undefined;
  // bool, int and str: qualify() leaves builtins it does not follow as they are written.
  switch (name === 'bool' || name === 'int' || name === 'str' ? `builtins.${name}` : name) {
    case 'builtins.bool':
      return { v: truthy(x.v) };
    case 'builtins.str':
      return { v: x.v === null ? 'None' : x.v === true ? 'True' : x.v === false ? 'False' : String(x.v) };
    case 'builtins.int':
      if (typeof x.v === 'boolean' || typeof x.v === 'number') return { v: Number(x.v) };
      return typeof x.v === 'string' && /^\s*[+-]?\d+\s*$/.test(x.v) ? { v: Number(x.v) } : undefined;
    case 'distutils.util.strtobool':
    case 'str2bool':
    case 'strtobool':
      return typeof x.v === 'string' ? { v: asBool(x.v) } : undefined;
    default:
      return undefined;
  }
}

const ENVIRON_ENV = new Set(['environ.Env', 'environ.environ.Env']);

/**
 * The `Env(...)` call a django-environ reader is bound to (`env` in `env("DEBUG")` and
 * `env.bool("DEBUG")`, whatever its name), or null. Followed only when the name is bound once, at
 * module level, to the call itself: a name bound twice holds whichever scheme the program chose.
 */
function environScheme(fn: Node, file: PythonFile): Node | null {
  const reader = fn.type === 'attribute' ? fn.childForFieldName('object') : fn;
  if (reader?.type !== 'identifier') return null;
  const bound = file.moduleConstant(nameOf(reader), fn);
  const constructor = bound?.type === 'call' ? bound.childForFieldName('function') : null;
  return constructor && ENVIRON_ENV.has(file.qualify(constructor) ?? '') ? bound! : null;
}

/**
 * The default a django-environ scheme declares: `Env(DEBUG=(bool, True))` says that `env("DEBUG")`
 * reads True when DEBUG is unset. A bare cast (`DEBUG=bool`) declares no default.
 */
function schemeDefault(scheme: Node, variable: Node | undefined, file: PythonFile): { fallback: Node; cast: string } | undefined {
  const name = variable ? literal(variable) : undefined;
  if (typeof name?.v !== 'string') return undefined;
  const declared = file.argumentsOf(scheme).keywords.get(name.v);
  const parts = declared?.type === 'tuple' ? declared.namedChildren.filter((c) => c?.type !== 'comment') : [];
  return parts.length === 2 ? { fallback: parts[1]!, cast: parts[0]!.text } : undefined;
}

/** Whether the value DEBUG gets with the variable unset turns debug on: True, a non-zero number, or a string reading as true. */
function onWhenUnset(value: Node | null, file: PythonFile): boolean {
  if (!value || value.type !== 'call' && value.type !== 'comparison_operator' && value.type !== 'not_operator' && value.type !== 'parenthesized_expression') return false;
  const x = unsetValue(value, file);
  if (!x) return false;
  return typeof x.v === 'string' ? TRUE_WORDS.has(x.v.trim().toLowerCase()) : x.v !== null && truthy(x.v);
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
    if (!last) return;
    if (!PythonFile.isTrue(last.value)) {
      if (!onWhenUnset(last.value, file)) return;
      report({
        line: lineOf(last.statement),
        column: columnOf(last.statement),
        severity: 'low',
        confidence: 'medium',
        message: `DEBUG defaults to True in ${base}: it is read from the environment, but when the variable is unset (a deployment that forgets it) DEBUG is on and every error page shows tracebacks, local variables and settings.`,
        fix: 'Make the default off: env.bool("DEBUG", default=False), or DEBUG = os.environ.get("DJANGO_DEBUG") == "1", and set it on only where you develop.',
      });
      return;
    }
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
