/**
 * docker compose services and Kubernetes containers, normalised to what the least-privilege rules
 * ask: limits, read-only root filesystem, privileged, running as root. YAML is read with the
 * project's `yaml` library (core schema, bounded aliases); every position points at the YAML line.
 */
import type { Document, LineCounter, Node as YamlNode, YAMLMap } from 'yaml';
import { errorLine } from '../../error-line.js';
import { QUIET_YAML, yaml } from '../../yaml.js';
import { isRootUser } from './users.js';

export interface Where {
  line: number;
  column: number;
}

export interface ContainerSpec {
  platform: 'compose' | 'kubernetes';
  /** `service web`, `Deployment api, container app`. */
  name: string;
  at: Where;
  limits: { cpu: boolean; memory: boolean };
  readOnlyRootFilesystem: boolean;
  privileged: Where | null;
  /** Set when the spec says it runs as root: `runAsNonRoot: false`, `runAsUser: 0`, compose `user: root`. */
  runsAsRoot: (Where & { how: string }) | null;
  /** The Docker daemon's socket mounted in (compose volume, Kubernetes hostPath), with the host path as written. */
  dockerSocket: (Where & { source: string }) | null;
  /** The host's network namespace shared: compose `network_mode: host`, Kubernetes `hostNetwork: true`. */
  hostNetwork: (Where & { how: string }) | null;
}

/**
 * A host path that is the Docker daemon's socket: `/var/run/docker.sock`, `/run/docker.sock`, a
 * rootless daemon's `$XDG_RUNTIME_DIR/docker.sock`, Windows' `//var/run/docker.sock`. Judged by
 * the host side only: a proxy's socket mounted where clients look for Docker's is not the daemon.
 */
export function isDockerSocket(source: string): boolean {
  // `${DOCKER_SOCK:-/var/run/docker.sock}`: the default is what runs unless the variable is set.
  const path = source.trim().replace(/^\$\{[A-Za-z_][A-Za-z0-9_]*:?-(.*)\}$/, '$1');
  return /(?:^|\/)docker\.sock$/.test(path);
}

/** The host side of a compose volume: `src:dst[:mode]` or `{ type: bind, source: … }`; null for named volumes and anonymous ones. */
function composeVolumeSource(item: unknown): { source: string; node: YamlNode } | null {
  if (yaml().isScalar(item) && typeof item.value === 'string') {
    // The host side ends at the first `:` outside a `${…}`; a lone `/data` is an anonymous volume.
    const host = /^(\$\{[^}]{0,200}\}|[^:]*):/.exec(item.value);
    return host ? { source: host[1]!, node: item } : null;
  }
  if (yaml().isMap(item)) {
    const source = scalarAt(item, ['source']);
    return source && typeof source.value === 'string' ? { source: source.value, node: source.node } : null;
  }
  return null;
}

export interface WorkloadParse {
  containers: ContainerSpec[];
  /**
   * Why each document that could not be read as YAML (a template, a broken file) was not: the
   * parser's first line, `Missing closing "quote at line 11, column 1`, one per document.
   */
  errors: string[];
}

/** How many `kind: List` objects deep a manifest is read (kubectl nests none; 4 is plenty). */
const MAX_LIST_DEPTH = 4;

const POD_TEMPLATES: Record<string, string[]> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  ReplicationController: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

function docs(text: string): { documents: Document.Parsed[]; counter: LineCounter } {
  const counter = new (yaml().LineCounter)();
  return { documents: yaml().parseAllDocuments(text, { ...QUIET_YAML, lineCounter: counter, schema: 'core', uniqueKeys: false }) as Document.Parsed[], counter };
}

/** The parser's first complaint about a document, in one line without the colon that introduced its excerpt. */
const yamlError = (doc: Document.Parsed): string => errorLine(doc.errors[0]!).replace(/:$/, '');

const whereOf = (counter: LineCounter, node: YamlNode | null | undefined, fallback: Where): Where => {
  const offset = node?.range?.[0];
  if (offset === undefined) return fallback;
  const pos = counter.linePos(offset);
  return { line: pos.line, column: pos.col };
};

/** A scalar's value at a path inside a map (no alias expansion beyond the node itself). */
function scalarAt(map: YAMLMap | null | undefined, path: string[]): { value: unknown; node: YamlNode } | null {
  let node: unknown = map;
  for (const key of path) {
    if (!yaml().isMap(node)) return null;
    node = node.get(key, true);
  }
  if (node === undefined || node === null || yaml().isMap(node) || yaml().isSeq(node)) return null;
  const scalar = node as YamlNode & { value?: unknown };
  return { value: scalar.value, node: scalar };
}

function mapAt(map: YAMLMap | null | undefined, path: string[]): YAMLMap | null {
  let node: unknown = map;
  for (const key of path) {
    if (!yaml().isMap(node)) return null;
    node = node.get(key, true);
  }
  return yaml().isMap(node) ? node : null;
}

/** Services of a docker compose file. */
export function composeContainers(text: string): WorkloadParse {
  const { documents, counter } = docs(text);
  const containers: ContainerSpec[] = [];
  const errors: string[] = [];
  for (const doc of documents) {
    if (doc.errors.length) {
      errors.push(yamlError(doc));
      continue;
    }
    const services = mapAt(doc.contents as YAMLMap, ['services']);
    if (!services) continue;
    for (const pair of services.items) {
      const service = pair.value;
      if (!yaml().isMap(service)) continue;
      const name = String((pair.key as { value?: unknown })?.value ?? pair.key);
      const at = whereOf(counter, pair.key as YamlNode, { line: 1, column: 1 });
      const limit = (key: string, legacy: string[]) => scalarAt(service, ['deploy', 'resources', 'limits', key]) !== null || legacy.some((l) => scalarAt(service, [l]) !== null);
      const privileged = scalarAt(service, ['privileged']);
      const user = scalarAt(service, ['user']);
      const volumes = service.get('volumes', true);
      const socket = yaml().isSeq(volumes) ? volumes.items.map(composeVolumeSource).find((v) => v !== null && isDockerSocket(v.source)) : undefined;
      const networkMode = scalarAt(service, ['network_mode']);
      containers.push({
        platform: 'compose',
        name: `service ${name}`,
        at,
        limits: { cpu: limit('cpus', ['cpus', 'cpu_quota']), memory: limit('memory', ['mem_limit']) },
        readOnlyRootFilesystem: scalarAt(service, ['read_only'])?.value === true,
        privileged: privileged?.value === true ? whereOf(counter, privileged.node, at) : null,
        runsAsRoot: user && isRootUser(user.value) ? { ...whereOf(counter, user.node, at), how: `user: ${String(user.value)}` } : null,
        dockerSocket: socket ? { ...whereOf(counter, socket.node, at), source: socket.source } : null,
        hostNetwork: networkMode?.value === 'host' ? { ...whereOf(counter, networkMode.node, at), how: 'network_mode: host' } : null,
      });
    }
  }
  return { containers, errors };
}

/** Containers (and init containers) of Kubernetes workloads, in every document of a manifest. */
export function kubernetesContainers(text: string): WorkloadParse {
  const { documents, counter } = docs(text);
  const containers: ContainerSpec[] = [];
  const errors: string[] = [];
  for (const doc of documents) {
    if (doc.errors.length) {
      errors.push(yamlError(doc));
      continue;
    }
    const root = doc.contents;
    if (!yaml().isMap(root)) continue;
    // `kind: List` (what `kubectl get -o yaml` writes, and typed lists such as DeploymentList) holds its
    // objects under `items`; lists inside lists are read to a few levels, each object once.
    const objects: { map: YAMLMap; depth: number }[] = [{ map: root, depth: 0 }];
    while (objects.length > 0) {
      const { map, depth } = objects.pop()!;
      const items = /List$/.test(String(scalarAt(map, ['kind'])?.value)) ? map.get('items', true) : undefined;
      if (!yaml().isSeq(items)) {
        workloadContainers(map, counter, containers);
        continue;
      }
      if (depth >= MAX_LIST_DEPTH) continue;
      // Pushed last to first, so objects are read in the file's order.
      for (let i = items.items.length - 1; i >= 0; i--) {
        const item = items.items[i];
        if (yaml().isMap(item)) objects.push({ map: item, depth: depth + 1 });
      }
    }
  }
  return { containers, errors };
}

/** The containers of one Kubernetes object, when it is a workload. */
function workloadContainers(root: YAMLMap, counter: LineCounter, containers: ContainerSpec[]): void {
  const kind = scalarAt(root, ['kind'])?.value;
  if (typeof kind !== 'string' || !scalarAt(root, ['apiVersion'])) return;
  const podPath = POD_TEMPLATES[kind];
  if (!podPath) return;
  const pod = mapAt(root, podPath);
  if (!pod) return;
  const workload = `${kind} ${String(scalarAt(root, ['metadata', 'name'])?.value ?? '?')}`;
  const podNonRoot = scalarAt(pod, ['securityContext', 'runAsNonRoot']);
  const hostNetwork = scalarAt(pod, ['hostNetwork']);
  // Pod volumes that are the Docker socket on the node, by name: a container has it when it mounts that name.
  const socketVolumes = new Map<string, { source: string; node: YamlNode }>();
  const podVolumes = pod.get('volumes', true);
  if (yaml().isSeq(podVolumes)) {
    for (const v of podVolumes.items) {
      if (!yaml().isMap(v)) continue;
      const name = scalarAt(v, ['name'])?.value;
      const path = scalarAt(v, ['hostPath', 'path']);
      if (typeof name === 'string' && path && typeof path.value === 'string' && isDockerSocket(path.value)) socketVolumes.set(name, { source: path.value, node: path.node });
    }
  }
  const podUser = scalarAt(pod, ['securityContext', 'runAsUser']);
  for (const listKey of ['containers', 'initContainers']) {
    const list = pod.get(listKey, true);
    if (!yaml().isSeq(list)) continue;
    for (const item of list.items) {
      if (!yaml().isMap(item)) continue;
      const name = String(scalarAt(item, ['name'])?.value ?? '?');
      const at = whereOf(counter, item as YamlNode, { line: 1, column: 1 });
      const privileged = scalarAt(item, ['securityContext', 'privileged']);
      // The container's own setting wins over the pod's.
      const nonRoot = scalarAt(item, ['securityContext', 'runAsNonRoot']) ?? podNonRoot;
      const user = scalarAt(item, ['securityContext', 'runAsUser']) ?? podUser;
      let runsAsRoot: ContainerSpec['runsAsRoot'] = null;
      if (nonRoot?.value === false) runsAsRoot = { ...whereOf(counter, nonRoot.node, at), how: 'runAsNonRoot: false' };
      else if (user && Number(user.value) === 0 && user.value !== null && user.value !== '') runsAsRoot = { ...whereOf(counter, user.node, at), how: 'runAsUser: 0' };
      containers.push({
        platform: 'kubernetes',
        name: `${workload}, ${listKey === 'initContainers' ? 'init container' : 'container'} ${name}`,
        at,
        limits: { cpu: scalarAt(item, ['resources', 'limits', 'cpu']) !== null, memory: scalarAt(item, ['resources', 'limits', 'memory']) !== null },
        readOnlyRootFilesystem: scalarAt(item, ['securityContext', 'readOnlyRootFilesystem'])?.value === true,
        privileged: privileged?.value === true ? whereOf(counter, privileged.node, at) : null,
        runsAsRoot,
        dockerSocket: mountedSocket(item, socketVolumes, counter, at),
        hostNetwork: hostNetwork?.value === true ? { ...whereOf(counter, hostNetwork.node, at), how: 'hostNetwork: true' } : null,
      });
    }
  }
}

/** The Docker socket volume a Kubernetes container mounts (volumeMounts naming a hostPath volume of the socket), placed at the mount. */
function mountedSocket(container: YAMLMap, socketVolumes: Map<string, { source: string; node: YamlNode }>, counter: LineCounter, at: Where): ContainerSpec['dockerSocket'] {
  if (socketVolumes.size === 0) return null;
  const mounts = container.get('volumeMounts', true);
  if (!yaml().isSeq(mounts)) return null;
  for (const m of mounts.items) {
    if (!yaml().isMap(m)) continue;
    const name = scalarAt(m, ['name']);
    const volume = typeof name?.value === 'string' ? socketVolumes.get(name.value) : undefined;
    if (volume) return { ...whereOf(counter, name!.node, at), source: volume.source };
  }
  return null;
}
