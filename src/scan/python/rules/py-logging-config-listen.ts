/**
 * `logging.config.listen()`: bandit's B612. It opens a socket on localhost and applies whatever
 * logging configuration arrives there; a configuration can name any class and callable to build
 * (and the file format reaches eval()), so any local user, or a request forged through an SSRF,
 * runs code in the process. A `verify=` callable that checks the bytes (a signature) is the
 * documented defence: given one, the call is not reported.
 */
import { PythonFile, columnOf, lineOf } from '../file.js';
import type { PythonRule } from '../rule.js';

export const rule: PythonRule = {
  info: {
    id: 'py-logging-config-listen',
    kind: 'code',
    severity: 'medium',
    confidence: 'high',
    title: 'logging.config.listen() without verify=',
    help: 'logging.config.listen() accepts a logging configuration from anyone who can reach its port (on localhost: every local user and process, and any request forged to it), and a configuration can make the process import and call what it names: code execution. Configure logging from a file the service owns; if a listener is truly needed, pass verify= a function that checks a signature (or decrypts) before anything is applied.',
    bandit: ['B612'],
  },
  calls: ['logging.config.listen'],
  check(call, file, report, callee) {
    const args = file.argumentsOf(call);
    if (args.hasSplat) return; // verify may be in **kwargs
    const verify = args.keywords.get('verify') ?? args.positional[1];
    if (verify && verify.type !== 'none' && !PythonFile.isFalse(verify)) return;
    report({
      line: lineOf(call),
      column: columnOf(call),
      message: `${callee}() applies any logging configuration sent to its port, unchecked; a configuration can make the process import and call what it names, so whoever reaches the port runs code here.`,
      fix: 'Load logging settings from a file the service owns (logging.config.dictConfig at start-up); if a listener is needed, pass verify= a function that checks a signature over the bytes and returns None for anything unsigned.',
    });
  },
};
