/**
 * The standard library's ssl module told not to check the server: `ssl._create_unverified_context()`
 * (bandit's B323), a context's `check_hostname = False` or `verify_mode = ssl.CERT_NONE`, and
 * `ssl.wrap_socket(..., cert_reqs=ssl.CERT_NONE)`. A sibling of py-tls-verify-disabled, which reads
 * the HTTP clients' own switches (verify=False, ssl=False): these are the contexts those clients
 * and urllib, smtplib, imaplib, http.client and raw sockets are built on. Anyone on the network
 * path can then answer in the server's name. Server-side contexts (`Purpose.CLIENT_AUTH`,
 * `PROTOCOL_TLS_SERVER`, `server_side=True`) do not verify clients by default, rightly: not reported.
 */
import type { Node } from 'web-tree-sitter';
import { PythonFile, attributeName, columnOf, lineOf, nameOf } from '../file.js';
import type { PythonRule } from '../rule.js';

const UNVERIFIED = new Set(['ssl._create_unverified_context', 'ssl._create_stdlib_context']);
const CONTEXT_MAKERS = ['ssl.create_default_context', 'ssl.SSLContext'];
/** Server-side contexts: not verifying the client's certificate is their normal state. */
const SERVER_SIDE = new Set(['ssl.Purpose.CLIENT_AUTH', 'ssl.PROTOCOL_TLS_SERVER']);

const FIX = 'Keep the default checks (ssl.create_default_context() verifies the certificate and the host name); for a private CA, pass cafile="/path/ca.pem" or call load_verify_locations() instead of turning checks off.';

/** Whether a context-making call builds a server's context (`create_default_context(ssl.Purpose.CLIENT_AUTH)`, `SSLContext(ssl.PROTOCOL_TLS_SERVER)`). */
function serverContext(file: PythonFile, call: Node | null | undefined): boolean {
  if (call?.type !== 'call') return false;
  const args = file.argumentsOf(call);
  const first = args.keywords.get('purpose') ?? args.keywords.get('protocol') ?? args.positional[0];
  const q = first && (first.type === 'attribute' || first.type === 'identifier') ? file.qualify(first) : null;
  return !!q && SERVER_SIDE.has(q);
}

/** For `ctx.verify_mode = …`: the call that made `ctx` in this scope, when the file says. */
function madeBy(file: PythonFile, receiver: Node): Node | null {
  if (receiver.type !== 'identifier') return null;
  return file.lastAssignment(nameOf(receiver), receiver).plain?.childForFieldName('right') ?? null;
}

export const rule: PythonRule = {
  info: {
    id: 'py-ssl-no-verify',
    kind: 'code',
    severity: 'high',
    confidence: 'high',
    title: 'ssl context that does not verify the server',
    help: 'ssl._create_unverified_context(), check_hostname = False, verify_mode = ssl.CERT_NONE and ssl.wrap_socket(cert_reqs=ssl.CERT_NONE) make a TLS client accept any certificate (or any valid certificate for any host): anyone between the program and the server can pose as the server, read what is sent and change the answer. Use ssl.create_default_context() as it comes; for a private certificate authority load its bundle (cafile=, load_verify_locations()).',
    bandit: ['B323'],
  },
  // The context makers' methods are listed so the engine follows `ctx = ssl.create_default_context()` to `ctx.check_hostname`.
  calls: [...UNVERIFIED, 'ssl.wrap_socket', ...CONTEXT_MAKERS.map((m) => `${m}().wrap_socket`)],
  statements: ['assign'],
  check(node, file, report, callee) {
    const at = { line: lineOf(node), column: columnOf(node), fix: FIX };
    if (node.type === 'call') {
      if (callee && UNVERIFIED.has(callee)) {
        report({ ...at, message: `${callee}() makes a context that accepts any certificate for any host: anyone on the network path can pose as the server, read what is sent and change the answer.` });
        return;
      }
      if (callee !== 'ssl.wrap_socket') return;
      const args = file.argumentsOf(node);
      const reqs = args.keywords.get('cert_reqs');
      const q = reqs && reqs.type === 'attribute' ? file.qualify(reqs) : null;
      if (q !== 'ssl.CERT_NONE' || PythonFile.isTrue(args.keywords.get('server_side'))) return;
      report({ ...at, message: 'ssl.wrap_socket() with cert_reqs=ssl.CERT_NONE accepts any certificate: anyone on the network path can pose as the server.' });
      return;
    }
    if (node.type !== 'assignment') return;
    const left = node.childForFieldName('left');
    const right = node.childForFieldName('right');
    if (left?.type !== 'attribute' || !right) return;
    const attribute = attributeName(left);
    const receiver = left.childForFieldName('object');
    if (!receiver) return;
    // `ssl._create_default_https_context = ssl._create_unverified_context`: every urllib request of the process unchecked.
    if (attribute === '_create_default_https_context' && file.qualify(receiver) === 'ssl') {
      const value = right.type === 'attribute' || right.type === 'identifier' ? file.qualify(right) : null;
      if (value && UNVERIFIED.has(value)) report({ ...at, message: 'ssl._create_default_https_context is replaced by the unverified context: every HTTPS request urllib (and libraries on it) makes in this process accepts any certificate.' });
      return;
    }
    if (attribute !== 'check_hostname' && attribute !== 'verify_mode') return;
    const target = file.qualify(left);
    const known = !!target && CONTEXT_MAKERS.some((m) => target === `${m}().${attribute}`);
    // An object the file did not make here: an ssl context if the file imports ssl (the names are ssl's own).
    if (!known && ![...file.aliases.values()].some((a) => a === 'ssl' || a.startsWith('ssl.'))) return;
    if (serverContext(file, madeBy(file, receiver))) return;
    if (attribute === 'check_hostname') {
      if (!PythonFile.isFalse(right)) return;
      report({ ...at, confidence: known ? undefined : 'medium', message: `${left.text} = False accepts a valid certificate issued for any host: anyone who can get one for their own domain can pose as the server.` });
      return;
    }
    const mode = right.type === 'attribute' || right.type === 'identifier' ? file.qualify(right) : null;
    if (mode !== 'ssl.CERT_NONE' && mode !== 'ssl.VerifyMode.CERT_NONE') return;
    report({ ...at, confidence: known ? undefined : 'medium', message: `${left.text} = ssl.CERT_NONE accepts any certificate: anyone on the network path can pose as the server, read what is sent and change the answer.` });
  },
};
