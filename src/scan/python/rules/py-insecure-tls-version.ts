/**
 * SSL 2, SSL 3, TLS 1.0 and TLS 1.1 asked for by name: `ssl.wrap_socket(ssl_version=ssl.PROTOCOL_SSLv3)`,
 * `ssl.SSLContext(ssl.PROTOCOL_TLSv1)`, pyOpenSSL's `SSL.Context(SSL.TLSv1_METHOD)`,
 * `ctx.minimum_version = ssl.TLSVersion.TLSv1`, and the same as a parameter's default: bandit's B502
 * and B503. The constant is wrong wherever it is passed, so every use counts except a comparison
 * (`if ctx.protocol == ssl.PROTOCOL_TLSv1:` checks, it does not choose) and a lookup table (keys, indexes,
 * `.get`: it translates, it does not choose).
 *
 * Read once per file, from the constants' names in its text (each looked up in the tree where it
 * stands, no walk of the tree): calls are not the only place they go (defaults, keyword arguments of
 * any library, attributes).
 */
import type { Node } from 'web-tree-sitter';
import { columnOf, lineOf } from '../file.js';
import type { PythonRule } from '../rule.js';

/** Each constant's last part, with the protocol it picks. */
const PROTOCOLS = new Map([
  ['PROTOCOL_SSLv2', 'SSL 2'],
  ['PROTOCOL_SSLv3', 'SSL 3'],
  ['PROTOCOL_TLSv1', 'TLS 1.0'],
  ['PROTOCOL_TLSv1_1', 'TLS 1.1'],
  ['SSLv2_METHOD', 'SSL 2'],
  ['SSLv3_METHOD', 'SSL 3'],
  ['TLSv1_METHOD', 'TLS 1.0'],
  ['TLSv1_1_METHOD', 'TLS 1.1'],
]);
/** `ssl.TLSVersion` members (for minimum_version / maximum_version). */
const TLS_VERSIONS = new Map([
  ['SSLv3', 'SSL 3'],
  ['TLSv1', 'TLS 1.0'],
  ['TLSv1_1', 'TLS 1.1'],
]);
/** The modules that define them: the stdlib's ssl and pyOpenSSL. */
const OWNERS = new Set(['ssl', 'OpenSSL.SSL', 'ssl.TLSVersion']);

/**
 * The constants' names in the text; each is then looked up in the tree where it stands. Not followed
 * by a dot or a digit: "TLSv1.2" and "TLSv1.3" (in strings and comments) are other versions.
 */
const MENTION = /\b(?:PROTOCOL_(?:SSLv[23]|TLSv1(?:_1)?)|(?:SSLv[23]|TLSv1(?:_1)?)_METHOD|SSLv3|TLSv1(?:_1)?)\b(?![.\d])/g;
/**
 * At most this many names in code (identifiers) are looked at per file: each costs the qualification
 * of the name, and a generated file may repeat one without end. Real code names them a few times.
 * Names in strings and comments do not count (a table of cipher suites names "TLSv1.2" on every row
 * and is not a reason to give up). Past the cap the rule stops and fails (the engine makes the file's
 * scan partial, naming the rule), so a use after it is never passed over in silence.
 */
const MAX_MENTIONS = 500;

/** Whether the expression sits in a comparison a few levels up (`x == PROTOCOL_TLSv1`, `p in (PROTOCOL_SSLv3, …)`). */
function inComparison(node: Node): boolean {
  let n: Node | null = node.parent;
  for (let i = 0; n && i < 4; i++, n = n.parent) {
    if (n.type === 'comparison_operator') return true;
    if (n.type !== 'tuple' && n.type !== 'list' && n.type !== 'set' && n.type !== 'parenthesized_expression') return false;
  }
  return false;
}

/**
 * A string key that names a setting (`"ssl_version"`, `"protocol"`, `"minimum_version"`): the dict or
 * item it keys is keyword arguments or configuration handed to a library, so its value chooses. Any
 * other key (a constant, a label such as "tls1" or "TLSv1") makes the dict a translation table, which
 * lists versions without choosing one.
 */
function namesASetting(key: Node | null): boolean {
  if (key?.type !== 'string') return false;
  const content = key.namedChildren.filter((c) => c?.type === 'string_content').map((c) => c!.text).join('');
  return /^[A-Za-z_]*(?:version|protocol|method)[A-Za-z_]*$/i.test(content);
}

/** The methods of a mapping whose first argument is a key looked up, not a value stored. */
const LOOKUPS = new Set(['get', 'pop', 'setdefault']);

/**
 * Whether the expression only names a protocol in a table: the key or index of a lookup table
 * (`{ssl.PROTOCOL_TLSv1: "tls1"}`, `names[ssl.PROTOCOL_SSLv3]`, `del t[…]`, `names.get(…)`), a value
 * stored under such a key (`_openssl_versions[ssl.PROTOCOL_SSLv3] = SSL.SSLv3_METHOD`, as urllib3
 * does), or asked about (`hasattr(…)`). bandit's B502/B503 report only call arguments and defaults;
 * these keep the cases where a value is handed over under a setting's name.
 */
function inLookupTable(expression: Node): boolean {
  const parent = expression.parent;
  if (!parent) return false;
  if (parent.type === 'pair') {
    if (parent.childForFieldName('key')?.id === expression.id) return true;
    return !namesASetting(parent.childForFieldName('key'));
  }
  if (parent.type === 'subscript') return parent.childForFieldName('value')?.id !== expression.id;
  if (parent.type === 'delete_statement' || (parent.type === 'expression_list' && parent.parent?.type === 'delete_statement')) return true;
  if (parent.type === 'assignment' && parent.childForFieldName('right')?.id === expression.id) {
    const left = parent.childForFieldName('left');
    if (left?.type === 'subscript') {
      const index = left.childForFieldName('subscript');
      return !namesASetting(index);
    }
    return false;
  }
  if (parent.type === 'argument_list') {
    const call = parent.parent;
    const callee = call?.type === 'call' ? call.childForFieldName('function') : null;
    if (callee?.type === 'identifier' && callee.text === 'hasattr') return true;
    if (callee?.type === 'attribute' && LOOKUPS.has(callee.childForFieldName('attribute')?.text ?? '')) return parent.namedChildren[0]?.id === expression.id;
  }
  return false;
}

export const rule: PythonRule = {
  info: {
    id: 'py-insecure-tls-version',
    kind: 'code',
    severity: 'high',
    confidence: 'high',
    title: 'SSL 2/3 or TLS 1.0/1.1 chosen',
    help: 'SSL 2 and SSL 3 are broken (DROWN, POODLE) and TLS 1.0 and 1.1 are withdrawn (RFC 8996): a connection pinned to one can be downgraded or decrypted by someone on the path. Let the library negotiate (ssl.create_default_context(), or SSLContext(ssl.PROTOCOL_TLS_CLIENT)) and, if a floor is needed, set context.minimum_version = ssl.TLSVersion.TLSv1_2.',
    bandit: ['B502', 'B503'],
  },
  statements: ['module'],
  check(root, file, report) {
    let mentions = 0;
    for (const m of file.text.matchAll(MENTION)) {
      // The node at the mention: an identifier when it is code (not a comment or a string).
      const id = root.descendantForIndex(m.index, m.index + m[0].length);
      if (id?.type !== 'identifier' || id.startIndex !== m.index) continue;
      if (++mentions > MAX_MENTIONS) throw new Error(`more than ${MAX_MENTIONS} mentions of SSL/TLS protocol names in one file; those after the first ${MAX_MENTIONS} were not checked`);
      // `ssl.PROTOCOL_TLSv1` is an attribute whose last part is this identifier; a bare name was imported.
      const parent = id.parent;
      const expression = parent?.type === 'attribute' && parent.childForFieldName('attribute')?.id === id.id ? parent : id;
      if (expression === id && parent?.type === 'attribute') continue; // the object of an attribute, not a use
      if (parent?.type === 'aliased_import' || parent?.type === 'dotted_name') continue; // the import itself
      const qualified = file.qualify(expression);
      if (!qualified) continue;
      const dot = qualified.lastIndexOf('.');
      const owner = qualified.slice(0, dot);
      const last = qualified.slice(dot + 1);
      if (!OWNERS.has(owner)) continue;
      const protocol = owner === 'ssl.TLSVersion' ? TLS_VERSIONS.get(last) : PROTOCOLS.get(last);
      if (!protocol || inComparison(expression) || inLookupTable(expression)) continue;
      const broken = protocol.startsWith('SSL');
      report({
        line: lineOf(expression),
        column: columnOf(expression),
        severity: broken ? undefined : 'medium',
        message: `${qualified} chooses ${protocol}, which is ${broken ? 'broken (DROWN, POODLE): the traffic can be decrypted by someone on the path' : 'withdrawn (RFC 8996): weak ciphers and downgrade attacks come with it'}.`,
        fix: 'Let the library negotiate: ssl.create_default_context() (or SSLContext(ssl.PROTOCOL_TLS_CLIENT), pyOpenSSL\'s SSL.TLS_CLIENT_METHOD), and set context.minimum_version = ssl.TLSVersion.TLSv1_2 if a floor is needed.',
      });
    }
  },
};
