/** HTTP calls that can wait forever: requests and urllib without a timeout, httpx with timeout=None. */
import { columnOf, lineOf } from '../file.js';
import type { PythonRule } from '../rule.js';

const VERBS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'request'];
/** requests' calls, on the module and on sessions (shared with py-tls-verify-disabled). */
export const REQUESTS = [...VERBS.map((v) => `requests.${v}`), ...VERBS.map((v) => `requests.api.${v}`), ...VERBS.map((v) => `requests.Session().${v}`), ...VERBS.map((v) => `requests.sessions.Session().${v}`), ...VERBS.map((v) => `requests.session().${v}`)];
const URLLIB = ['urllib.request.urlopen', 'urllib2.urlopen', 'six.moves.urllib.request.urlopen'];
const HTTPX_VERBS = [...VERBS, 'stream'];
/** httpx's calls and clients (shared with py-tls-verify-disabled). */
export const HTTPX = [...HTTPX_VERBS.map((v) => `httpx.${v}`), ...HTTPX_VERBS.map((v) => `httpx.Client().${v}`), ...HTTPX_VERBS.map((v) => `httpx.AsyncClient().${v}`), 'httpx.Client', 'httpx.AsyncClient'];

export const rule: PythonRule = {
  info: {
    id: 'py-http-no-timeout',
    kind: 'code',
    severity: 'medium',
    confidence: 'high',
    title: 'HTTP request without a timeout',
    help: 'requests and urllib wait forever by default: a server that accepts the connection and never answers hangs the worker (and, under load, all of them). Pass a timeout to every call (requests.get(url, timeout=10)); httpx has a 5 s default unless you pass timeout=None.',
    bandit: ['B113'],
  },
  calls: [...REQUESTS, ...URLLIB, ...HTTPX],
  check(call, file, report, callee) {
    const args = file.argumentsOf(call);
    const timeout = args.keywords.get('timeout');
    const httpx = callee!.startsWith('httpx.');
    if (httpx) {
      if (timeout?.type !== 'none') return; // httpx times out after 5 s unless told not to
    } else {
      if (args.hasSplat && !timeout) return; // may come in **kwargs
      if (timeout && timeout.type !== 'none') return;
      // urlopen(url, data, timeout) and requests.request(method, url, …) take it positionally too.
      if (!timeout && URLLIB.includes(callee!) && args.positional.length >= 3) return;
    }
    report({
      line: lineOf(call),
      column: columnOf(call),
      message: timeout
        ? `${callee}() with timeout=None waits forever on a server that never answers, holding the worker.`
        : `${callee}() has no timeout, so it waits forever on a server that accepts the connection and never answers, holding the worker.`,
      fix: httpx ? 'Remove timeout=None (httpx defaults to 5 s) or pass an explicit httpx.Timeout.' : 'Pass timeout= (e.g. timeout=10, or (3.05, 27) for connect and read) to every call.',
    });
  },
};
