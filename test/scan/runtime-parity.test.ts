/** Container rules added after a trial against checkov and KICS: the Docker socket mounted in, and the host network. */
import { describe, expect, it } from 'vitest';
import { scanFiles } from './helpers.js';

const RULES = new Set(['container-docker-socket', 'container-host-network']);
const found = (result: Awaited<ReturnType<typeof scanFiles>>) =>
  result.findings
    .filter((f) => RULES.has(f.rule))
    .map((f) => `${f.rule} ${f.file}:${f.line} ${f.severity}`)
    .sort();

describe('container-docker-socket and container-host-network', () => {
  it('compose: the socket by short and long volume syntax, read-only too, and network_mode: host', async () => {
    const result = await scanFiles({
      'docker-compose.yml': [
        'services:',
        '  agent:',
        '    image: portainer/agent:2.19.4',
        '    volumes:',
        '      - /var/run/docker.sock:/var/run/docker.sock:ro', // 5
        '      - agent-data:/data',
        '  ci:',
        '    image: ghcr.io/acme/runner:1.2',
        '    network_mode: host', // 9
        '    volumes:',
        '      - type: bind',
        '        source: /run/docker.sock', // 12
        '        target: /var/run/docker.sock',
        '  rootless:',
        '    image: ghcr.io/acme/tool:1.0',
        '    volumes: ["${DOCKER_SOCK:-/var/run/docker.sock}:/var/run/docker.sock"]', // 16
        '  web:',
        '    image: ghcr.io/acme/web:1.4.2',
        '    network_mode: bridge',
        '    volumes:',
        '      - ./proxy/docker.sock.d:/etc/proxy',
        '      - ./sockets/proxy.sock:/var/run/docker.sock',
        '      - /var/run/docker',
        '      - docker-sock:/var/run/docker.sock',
        '  worker:',
        '    image: ghcr.io/acme/worker:1.4.2',
        '    network_mode: "service:web"',
        'volumes:',
        '  agent-data: {}',
      ].join('\n'),
    });
    expect(found(result)).toEqual([
      'container-docker-socket docker-compose.yml:12 high',
      'container-docker-socket docker-compose.yml:16 high',
      'container-docker-socket docker-compose.yml:5 high',
      'container-host-network docker-compose.yml:9 medium',
    ]);
    const socket = result.findings.find((f) => f.rule === 'container-docker-socket' && f.line === 5)!;
    expect(socket.message).toContain('service agent mounts the Docker socket (/var/run/docker.sock)');
    expect(socket.message).toContain('read-only does not prevent that');
  });

  it('Kubernetes: a hostPath volume of the socket that a container mounts, and hostNetwork: true', async () => {
    const result = await scanFiles({
      'k8s/agent.yaml': [
        'apiVersion: apps/v1',
        'kind: DaemonSet',
        'metadata: { name: agent }',
        'spec:',
        '  template:',
        '    spec:',
        '      hostNetwork: true', // 7
        '      containers:',
        '        - name: agent',
        '          image: ghcr.io/acme/agent:1.0',
        '          volumeMounts:',
        '            - name: dockersock', // 12
        '              mountPath: /var/run/docker.sock',
        '        - name: sidecar',
        '          image: ghcr.io/acme/sidecar:1.0',
        '          volumeMounts:',
        '            - name: logs',
        '              mountPath: /var/log',
        '      volumes:',
        '        - name: dockersock',
        '          hostPath: { path: /var/run/docker.sock, type: Socket }',
        '        - name: logs',
        '          hostPath: { path: /var/log }',
        '---',
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata: { name: web }',
        'spec:',
        '  template:',
        '    spec:',
        '      hostNetwork: false',
        '      containers: [{ name: web, image: "ghcr.io/acme/web:1.0" }]',
      ].join('\n'),
    });
    expect(found(result)).toEqual([
      'container-docker-socket k8s/agent.yaml:12 high',
      'container-host-network k8s/agent.yaml:7 medium',
      'container-host-network k8s/agent.yaml:7 medium', // the sidecar shares the pod's network too
    ]);
  });
});
