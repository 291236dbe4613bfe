/** A container told to run as root: `runAsNonRoot: false`, `runAsUser: 0`, compose `user: root`. */
import type { ContainerRule } from '../rule.js';

export const rule: ContainerRule = {
  info: {
    id: 'container-run-as-root',
    kind: 'runtime',
    severity: 'high',
    confidence: 'high',
    title: 'Container set to run as root',
    help: 'Running as root inside a container turns any container escape or mounted-volume mistake into root on the host. Run as an unprivileged user: runAsNonRoot: true with a non-zero runAsUser in Kubernetes, user: "10001" in compose.',
  },
  check(c, report) {
    if (!c.runsAsRoot) return;
    report({
      line: c.runsAsRoot.line,
      column: c.runsAsRoot.column,
      message: `${c.name} is set to run as root (${c.runsAsRoot.how}); an escape from the container or a writable mount becomes root on the host.`,
      fix: c.platform === 'compose' ? 'Set user: "10001" (a non-root UID the image knows) instead.' : 'Set securityContext.runAsNonRoot: true and runAsUser to a non-zero UID.',
    });
  },
};
