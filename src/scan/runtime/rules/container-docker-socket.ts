/**
 * The Docker daemon's socket mounted into a container (KICS and checkov flag it). Whoever talks to the socket starts a privileged container with the host's
 * root filesystem mounted: root on the host. Read-only (`:ro`) does not help: it stops writes to the
 * socket file, not requests through it.
 */
import type { ContainerRule } from '../rule.js';

export const rule: ContainerRule = {
  info: {
    id: 'container-docker-socket',
    kind: 'runtime',
    severity: 'high',
    confidence: 'high',
    title: 'Docker socket mounted into a container',
    help: 'A container that can reach /var/run/docker.sock can ask the daemon for a privileged container with the host\'s / mounted: root on the host, so anyone who gets code running in it (a dependency, an injection) owns the machine. Mounting it read-only does not stop API calls. Mount it only into tools that must drive Docker, prefer a socket proxy that allows just the calls needed (e.g. read-only container listing), or rootless Docker.',
  },
  check(c, report) {
    if (!c.dockerSocket) return;
    report({
      line: c.dockerSocket.line,
      column: c.dockerSocket.column,
      message: `${c.name} mounts the Docker socket (${c.dockerSocket.source}): anything running in it can start a privileged container with the host's filesystem, which is root on the host (read-only does not prevent that).`,
      fix: 'Remove the socket mount; if the service must talk to Docker, put a socket proxy in between that allows only the API calls it needs, and keep such services off the internet.',
    });
  },
};
