/** A compose service or Kubernetes container without CPU and memory limits. */
import type { ContainerRule } from '../rule.js';

export const rule: ContainerRule = {
  info: {
    id: 'container-no-resource-limits',
    kind: 'runtime',
    severity: 'low',
    confidence: 'high',
    title: 'Container without CPU/memory limits',
    help: 'Without limits one container (a leak, a loop, a crafted request) can take all the CPU and memory of its host and starve everything else there. Set CPU and memory limits: deploy.resources.limits in compose, resources.limits in Kubernetes.',
  },
  check(c, report) {
    const missing = [c.limits.cpu ? null : 'CPU', c.limits.memory ? null : 'memory'].filter((m): m is string => m !== null);
    if (missing.length === 0) return;
    report({
      line: c.at.line,
      column: c.at.column,
      severity: c.limits.memory ? 'low' : 'medium',
      message: `${c.name} has no ${missing.join(' or ')} limit; one runaway process can starve everything else on the host.`,
      fix: c.platform === 'compose' ? 'Set deploy.resources.limits.cpus and .memory (e.g. cpus: "1.0", memory: 512M).' : 'Set resources.limits.cpu and resources.limits.memory (and requests) on the container.',
    });
  },
};
