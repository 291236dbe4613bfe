/**
 * A container sharing the host's network namespace (compose `network_mode: host`, Kubernetes
 * `hostNetwork: true`; checkov and KICS flag both). Its ports are the host's, published past the
 * port mapping and any network policy, and it can reach services the host listens on at 127.0.0.1
 * (databases, metadata endpoints, admin ports) that were meant for the host alone.
 */
import type { ContainerRule } from '../rule.js';

export const rule: ContainerRule = {
  info: {
    id: 'container-host-network',
    kind: 'runtime',
    severity: 'medium',
    confidence: 'high',
    title: 'Container uses the host network',
    help: 'With the host network a container listens on the host\'s interfaces directly (no port mapping or network policy in between) and reaches everything the host serves on 127.0.0.1, which such services trust as local. Use the default network with published ports (compose `ports:`, a Kubernetes Service); keep the host network for the few agents (node monitoring, CNI) that need it.',
  },
  check(c, report) {
    if (!c.hostNetwork) return;
    report({
      line: c.hostNetwork.line,
      column: c.hostNetwork.column,
      message: `${c.name} uses the host network (${c.hostNetwork.how}): its ports open on the host past any port mapping or network policy, and it reaches services the host keeps on 127.0.0.1.`,
      fix: c.platform === 'compose' ? 'Remove network_mode: host and publish the ports needed with ports:.' : 'Remove hostNetwork: true and expose the port through a Service.',
    });
  },
};
