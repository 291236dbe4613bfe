/**
 * requests and httpx told not to check the server's certificate (`verify=False`, `session.verify =
 * False`), and aiohttp told the same with `ssl=False` (or its older `verify_ssl=False`) on a
 * session's request or a `TCPConnector`: bandit's B501. Anyone on the network path (a café's Wi-Fi, a compromised proxy) can then
 * answer in the server's name, read the credentials sent and change the response.
 */
import { PythonFile, columnOf, lineOf } from '../file.js';
import type { PythonRule } from '../rule.js';
import { HTTPX, REQUESTS } from './py-http-no-timeout.js';

/** Session attributes that switch verification off for every later request. */
const SESSION_VERIFY = new Set(['requests.Session().verify', 'requests.sessions.Session().verify', 'requests.session().verify']);

/** aiohttp's sessions, their requests, `aiohttp.request`, and connectors: each takes ssl= (and the deprecated verify_ssl=). */
const AIOHTTP_VERBS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'request', 'ws_connect'];
const AIOHTTP_SESSIONS = ['aiohttp.ClientSession', 'aiohttp.client.ClientSession'];
const AIOHTTP_CONNECTORS = ['aiohttp.TCPConnector', 'aiohttp.connector.TCPConnector'];
const AIOHTTP = [...AIOHTTP_SESSIONS.flatMap((s) => AIOHTTP_VERBS.map((v) => `${s}().${v}`)), 'aiohttp.request', 'aiohttp.client.request', ...AIOHTTP_CONNECTORS];

const AIOHTTP_FIX = 'Remove ssl=False / verify_ssl=False; for a private CA, pass ssl=ssl.create_default_context(cafile="/path/ca.pem") instead of turning checks off.';

const FIX = 'Remove verify=False; for a private CA, pass its bundle (verify="/path/ca.pem", or REQUESTS_CA_BUNDLE / SSL_CERT_FILE) instead of turning checks off.';

export const rule: PythonRule = {
  info: {
    id: 'py-tls-verify-disabled',
    kind: 'code',
    severity: 'high',
    confidence: 'high',
    title: 'TLS certificate verification disabled',
    help: 'With verify=False (requests, httpx) or ssl=False (aiohttp), the client accepts any certificate, so anyone between the program and the server can pose as the server, read what is sent (tokens, passwords) and change the answer. Keep verification on; for a private certificate authority pass its bundle with verify="/path/ca.pem" (aiohttp: an ssl.SSLContext loaded with it).',
    bandit: ['B501'],
  },
  calls: [...REQUESTS, ...HTTPX, ...AIOHTTP],
  statements: ['assign'],
  check(node, file, report, callee) {
    const at = { line: lineOf(node), column: columnOf(node), fix: FIX };
    if (node.type === 'call' && callee?.startsWith('aiohttp.')) {
      const keywords = file.argumentsOf(node).keywords;
      const off = PythonFile.isFalse(keywords.get('ssl')) ? 'ssl=False' : PythonFile.isFalse(keywords.get('verify_ssl')) ? 'verify_ssl=False' : null;
      if (!off) return;
      const what = AIOHTTP_CONNECTORS.includes(callee) ? 'makes every request through the connector accept' : 'accepts';
      report({ ...at, fix: AIOHTTP_FIX, message: `${callee}() with ${off} ${what} any certificate: anyone on the network path can pose as the server, read what is sent and change the answer.` });
      return;
    }
    if (node.type === 'call') {
      if (!PythonFile.isFalse(file.argumentsOf(node).keywords.get('verify'))) return;
      report({ ...at, message: `${callee}() with verify=False accepts any certificate: anyone on the network path can pose as the server, read what is sent and change the answer.` });
      return;
    }
    // `session.verify = False`: every later request of the session goes unchecked.
    if (node.type !== 'assignment') return;
    const left = node.childForFieldName('left');
    if (left?.type !== 'attribute' || !PythonFile.isFalse(node.childForFieldName('right'))) return;
    const target = file.qualify(left);
    if (!target || !SESSION_VERIFY.has(target)) return;
    report({ ...at, message: `${left.text} = False turns certificate checks off for every request of this requests session: anyone on the network path can pose as the server.` });
  },
};
