/**
 * requests and httpx told not to check the server's certificate (`verify=False`, `session.verify =
 * False`): bandit's B501. Anyone on the network path (a café's Wi-Fi, a compromised proxy) can then
 * answer in the server's name, read the credentials sent and change the response.
 */
import type { Node } from 'web-tree-sitter';
import { columnOf, lineOf } from '../file.js';
import type { PythonRule } from '../rule.js';
import { HTTPX, REQUESTS } from './py-http-no-timeout.js';

/** Session attributes that switch verification off for every later request. */
const SESSION_VERIFY = new Set(['requests.Session().verify', 'requests.sessions.Session().verify', 'requests.session().verify']);

const FIX = 'Remove verify=False; for a private CA, pass its bundle (verify="/path/ca.pem", or REQUESTS_CA_BUNDLE / SSL_CERT_FILE) instead of turning checks off.';

const isFalse = (node: Node | null | undefined) => !!node && (node.type === 'false' || (node.type === 'integer' && node.text === '0'));

export const rule: PythonRule = {
  info: {
    id: 'py-tls-verify-disabled',
    kind: 'code',
    severity: 'high',
    confidence: 'high',
    title: 'TLS certificate verification disabled',
    help: 'With verify=False, requests and httpx accept any certificate, so anyone between the program and the server can pose as the server, read what is sent (tokens, passwords) and change the answer. Keep verification on; for a private certificate authority pass its bundle with verify="/path/ca.pem".',
    bandit: ['B501'],
  },
  calls: [...REQUESTS, ...HTTPX],
  statements: ['assign'],
  check(node, file, report, callee) {
    const at = { line: lineOf(node), column: columnOf(node), fix: FIX };
    if (node.type === 'call') {
      if (!isFalse(file.argumentsOf(node).keywords.get('verify'))) return;
      report({ ...at, message: `${callee}() with verify=False accepts any certificate: anyone on the network path can pose as the server, read what is sent and change the answer.` });
      return;
    }
    // `session.verify = False`: every later request of the session goes unchecked.
    if (node.type !== 'assignment') return;
    const left = node.childForFieldName('left');
    if (left?.type !== 'attribute' || !isFalse(node.childForFieldName('right'))) return;
    const target = file.qualify(left);
    if (!target || !SESSION_VERIFY.has(target)) return;
    report({ ...at, message: `${left.text} = False turns certificate checks off for every request of this requests session: anyone on the network path can pose as the server.` });
  },
};
