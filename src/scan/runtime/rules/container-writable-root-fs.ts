/** A container whose root filesystem is writable. */
import type { ContainerRule } from '../rule.js';

export const rule: ContainerRule = {
  info: {
    id: 'container-writable-root-fs',
    kind: 'runtime',
    severity: 'low',
    confidence: 'high',
    title: 'Root filesystem not read-only',
    help: 'A writable root filesystem lets an attacker who gets code execution change binaries and configuration inside the container and keep a foothold. Make it read-only and mount writable volumes (tmpfs, emptyDir) only where the application writes.',
  },
  check(c, report) {
    if (c.readOnlyRootFilesystem) return;
    report({
      line: c.at.line,
      column: c.at.column,
      message: `${c.name} can write to its root filesystem; code that gets in can modify the image's binaries and settings.`,
      fix: c.platform === 'compose' ? 'Set read_only: true and add tmpfs: or volumes: for the paths the application writes.' : 'Set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the application writes (e.g. /tmp).',
    });
  },
};
