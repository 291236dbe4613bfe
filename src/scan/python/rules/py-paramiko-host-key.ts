/**
 * paramiko told to accept unknown host keys: `client.set_missing_host_key_policy(AutoAddPolicy())`
 * (or `WarningPolicy`, which logs and connects all the same): bandit's B507. The first connection
 * to a host, and every connection after its key is removed, trusts whoever answers, so a
 * man-in-the-middle gets the password or the commands.
 */
import type { Node } from 'web-tree-sitter';
import { columnOf, lineOf, nameOf, type PythonFile } from '../file.js';
import type { PythonRule } from '../rule.js';

const ACCEPTING = new Map([
  ['paramiko.AutoAddPolicy', 'AutoAddPolicy'],
  ['paramiko.client.AutoAddPolicy', 'AutoAddPolicy'],
  ['paramiko.WarningPolicy', 'WarningPolicy'],
  ['paramiko.client.WarningPolicy', 'WarningPolicy'],
]);

/** The policy a value names (`AutoAddPolicy()`, the class itself, or a local name given one), and whether the file ties it to paramiko. */
function policyOf(value: Node | null | undefined, file: PythonFile, depth = 0): { name: string; sure: boolean } | null {
  if (!value || depth > 2) return null;
  if (value.type === 'identifier') {
    const assigned = file.lastAssignment(nameOf(value), value).plain?.childForFieldName('right');
    if (assigned) return policyOf(assigned, file, depth + 1);
  }
  const target = value.type === 'call' ? value.childForFieldName('function') : value;
  if (!target || (target.type !== 'identifier' && target.type !== 'attribute')) return null;
  const qualified = file.qualify(target);
  if (!qualified) return null;
  const known = ACCEPTING.get(qualified);
  if (known) return { name: known, sure: true };
  // The method is paramiko's own; a policy class the file does not import by that path is very likely paramiko's too.
  const last = qualified.slice(qualified.lastIndexOf('.') + 1);
  return last === 'AutoAddPolicy' || last === 'WarningPolicy' ? { name: last, sure: false } : null;
}

export const rule: PythonRule = {
  info: {
    id: 'py-paramiko-host-key',
    kind: 'code',
    severity: 'high',
    confidence: 'high',
    title: 'paramiko accepts unknown SSH host keys',
    help: 'With AutoAddPolicy (or WarningPolicy, which only logs) paramiko connects to a host whose key it has never seen, so whoever sits between the program and the server can answer in its place and receive the password, the key exchange and every command. Load the known keys (client.load_system_host_keys() or load_host_keys(path)) and keep the default RejectPolicy.',
    bandit: ['B507'],
  },
  methods: ['set_missing_host_key_policy'],
  check(call, file, report) {
    const policy = policyOf(file.argument(call, 0, 'policy'), file);
    if (!policy) return;
    report({
      line: lineOf(call),
      column: columnOf(call),
      confidence: policy.sure ? undefined : 'medium',
      message: `set_missing_host_key_policy(${policy.name}) makes paramiko ${policy.name === 'WarningPolicy' ? 'log a warning and connect' : 'trust and save the key of'} any host it has not seen before; a man-in-the-middle on the first connection gets the credentials and the session.`,
      fix: 'Call client.load_system_host_keys() (or client.load_host_keys(path) with a known_hosts file you ship) and keep the default paramiko.RejectPolicy().',
    });
  },
};
