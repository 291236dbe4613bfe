/** A privileged container: root on the host in all but name. */
import type { ContainerRule } from '../rule.js';

export const rule: ContainerRule = {
  info: {
    id: 'container-privileged',
    kind: 'runtime',
    severity: 'high',
    confidence: 'high',
    title: 'Privileged container',
    help: 'A privileged container gets every capability and the host\'s devices: escaping it to the host is trivial. Remove privileged and grant only the specific capability needed (cap_add / capabilities.add).',
  },
  check(c, report) {
    if (!c.privileged) return;
    report({
      line: c.privileged.line,
      column: c.privileged.column,
      message: `${c.name} runs privileged: it has every capability and the host's devices, so escaping to the host is trivial.`,
      fix: c.platform === 'compose' ? 'Remove privileged: true; add only the capability needed with cap_add.' : 'Remove securityContext.privileged: true; add only the capability needed under securityContext.capabilities.add.',
    });
  },
};
