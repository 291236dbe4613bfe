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
      containers.push({
        platform: 'compose',
        name: `service ${name}`,
        at,
        limits: { cpu: limit('cpus', ['cpus', 'cpu_quota']), memory: limit('memory', ['mem_limit']) },
        readOnlyRootFilesystem: scalarAt(service, ['read_only'])?.value === true,
        privileged: privileged?.value === true ? whereOf(counter, privileged.node, at) : null,
        runsAsRoot: user && isRootUser(user.value) ? { ...whereOf(counter, user.node, at), how: `user: ${String(user.value)}` } : null,
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
      });
    }
  }
}
