/**
 * A server bound to every network interface: `app.run(host="0.0.0.0")` (Flask), `uvicorn.run(...,
 * host="0.0.0.0")`, aiohttp's `web.run_app(..., host="0.0.0.0")`, `sock.bind(("0.0.0.0", port))` or
 * `("", port)`: bandit's B104. Low: inside a container it is how a service is reached at all (the
 * port mapping decides who can), but on a laptop or a VM it serves everyone on the network, often a
 * development server never meant to be public. Not reported in test code, where a fixture's server
 * binding all interfaces says nothing about the deployment.
 */
import type { Node } from 'web-tree-sitter';
import { codeName, columnOf, lineOf } from '../file.js';
import type { PythonFile } from '../file.js';
import type { PythonRule } from '../rule.js';
import { mayBeFlaskRun } from './py-flask-debug.js';

const ALL_INTERFACES = new Set(['0.0.0.0', '::', '[::]']);

const SERVERS = ['uvicorn.run', 'aiohttp.web.run_app', 'flask.Flask().run'];
const SOCKETS = ['socket.socket().bind', 'socket.create_server'];

/** `"0.0.0.0"`, `"::"` (and `""` for a socket address, which means the same), as written or through a module constant. */
function allInterfaces(file: PythonFile, host: Node | null | undefined, emptyToo: boolean): string | null {
  const value = file.constantString(host);
  if (value === null) return null;
  if (ALL_INTERFACES.has(value)) return value;
  return emptyToo && value === '' ? '""' : null;
}

const MESSAGE_TAIL = 'that is, every network interface. In a container this is normal (the port mapping decides who reaches it); elsewhere anyone on the network can connect, so check that a firewall or a reverse proxy stands in front, or bind 127.0.0.1.';

export const rule: PythonRule = {
  info: {
    id: 'py-bind-all-interfaces',
    kind: 'code',
    severity: 'low',
    confidence: 'medium',
    title: 'Server bound to all network interfaces',
    help: 'Binding 0.0.0.0 (or "::", or "" for a socket) listens on every interface: in a container that is normal and the port mapping decides who can connect, but on a host or VM the service (often a development server) is open to the whole network. Bind 127.0.0.1 and put a reverse proxy in front, or make sure a firewall or security group limits who reaches the port.',
    bandit: ['B104'],
  },
  calls: [...SERVERS, ...SOCKETS],
  // Flask apps from a factory and sockets the file did not make here: any .run() in a file importing flask, any .bind() of an address tuple.
  methods: ['run', 'bind'],
  check(call, file, report, callee) {
    if (file.isTest) return;
    const args = file.argumentsOf(call);
    const fn = call.childForFieldName('function');
    const method = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : null;
    let host: string | null = null;
    if (callee === 'socket.create_server' || callee === 'socket.socket().bind' || (method === 'bind' && !SERVERS.includes(callee ?? ''))) {
      // bind((host, port)) and create_server((host, port)): the address is a tuple literal, as written.
      const address = args.keywords.get('address') ?? args.positional[0];
      if (address?.type !== 'tuple' && address?.type !== 'parenthesized_expression') return;
      const first = address.namedChildren.find((c) => c && c.type !== 'comment');
      host = allInterfaces(file, first, true);
    } else {
      const given = args.keywords.get('host');
      // Any other .run(): a Flask app's only (py-flask-debug decides that, once per file).
      if (!given || (method === 'run' && !SERVERS.includes(callee ?? '') && !mayBeFlaskRun(file, callee))) return;
      host = allInterfaces(file, given, false);
    }
    if (!host) return;
    const name = SERVERS.includes(callee ?? '') || callee === 'socket.create_server' ? callee! : codeName(fn ?? call);
    report({
      line: lineOf(call),
      column: columnOf(call),
      message: `${name}() listens on ${host}, ${MESSAGE_TAIL}`,
      fix: 'Bind 127.0.0.1 unless the service must be reached from other machines (then: in a container, keep 0.0.0.0 and publish the port only where needed; on a host, a firewall or reverse proxy in front). Reading the host from configuration keeps it a deployment decision.',
    });
  },
};
