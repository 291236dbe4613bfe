/**
 * docker compose services and Kubernetes containers, normalised to what the least-privilege rules
 * ask: limits, read-only root filesystem, privileged, running as root. YAML is read with the
 * project's `yaml` library (core schema), aliases and merge keys as compose and kubectl read them
 * (resolved-yaml.ts); every position points at the YAML line.
 *
 * A value that comes through an alias or a merge key is placed where it is written, at its anchor
 * (`privileged: true` inside `x-common: &common`), not at the `*common` that brings it in: that is
 * the line to change, and the line whose text shows the setting. Each service or container that
 * shares it still gets its own finding, naming it.
 */
import type { Document, LineCounter, Node as YamlNode, YAMLMap } from 'yaml';
import { QUIET_YAML, strayFlowClosers, withoutErrorStacks, yaml, yamlErrorLine, yamlMayNestDeeperThan } from '../../yaml.js';
import { ResolvedDocument } from './resolved-yaml.js';
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
function composeVolumeSource(view: ResolvedDocument, item: unknown): { source: string; node: YamlNode } | null {
  if (yaml().isScalar(item) && typeof item.value === 'string') {
    // The host side ends at the first `:` outside a `${…}`; a lone `/data` is an anonymous volume.
    const host = /^(\$\{[^}]{0,200}\}|[^:]*):/.exec(item.value);
    return host ? { source: host[1]!, node: item } : null;
  }
  if (yaml().isMap(item)) {
    const source = scalarAt(view, item, ['source']);
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

/**
 * Real compose files and manifests nest a few dozen levels and hold no bracket that closes nothing;
 * the YAML library's memory grows with depth and with errors (it keeps each one), so hostile text
 * past these bounds is refused before it is parsed: a megabyte of `[` held 860 MB, of `]` 330 MB,
 * while a 5 MB file may be scanned. Refused, the file is one partial reason, never a crash.
 */
const MAX_WORKLOAD_NESTING = 200;
const MAX_STRAY_CLOSERS = 1_000;

/** Why the text is not handed to the parser at all, or null. */
function refused(text: string): string | null {
  if (yamlMayNestDeeperThan(text, MAX_WORKLOAD_NESTING)) return `nests deeper than ${MAX_WORKLOAD_NESTING} levels, which no compose file or manifest does`;
  const stray = strayFlowClosers(text);
  if (stray > MAX_STRAY_CLOSERS) return `holds ${stray.toLocaleString('en-US')} closing brackets (] }) that close nothing`;
  return null;
}

function docs(text: string): { documents: Document.Parsed[]; counter: LineCounter } | { refused: string } {
  const why = refused(text);
  if (why !== null) return { refused: why };
  const counter = new (yaml().LineCounter)();
  return { documents: withoutErrorStacks(() => yaml().parseAllDocuments(text, { ...QUIET_YAML, lineCounter: counter, schema: 'core', uniqueKeys: false })) as Document.Parsed[], counter };
}

/** The parser's first complaint about a document, in one line, with where it is. */
const yamlError = (doc: Document.Parsed, counter: LineCounter): string => yamlErrorLine(doc.errors[0]!, counter);

const whereOf = (counter: LineCounter, node: YamlNode | null | undefined, fallback: Where): Where => {
  const offset = node?.range?.[0];
  if (offset === undefined) return fallback;
  const pos = counter.linePos(offset);
  return { line: pos.line, column: pos.col };
};

/** A scalar's value at a path inside a map, through aliases and merge keys. */
function scalarAt(view: ResolvedDocument, map: YAMLMap | null | undefined, path: string[]): { value: unknown; node: YamlNode } | null {
  let node: unknown = map;
  for (const key of path) {
    if (!yaml().isMap(node)) return null;
    node = view.get(node, key);
  }
  if (node === undefined || node === null || yaml().isMap(node) || yaml().isSeq(node)) return null;
  const scalar = node as YamlNode & { value?: unknown };
  return { value: scalar.value, node: scalar };
}

function mapAt(view: ResolvedDocument, map: YAMLMap | null | undefined, path: string[]): YAMLMap | null {
  let node: unknown = map;
  for (const key of path) {
    if (!yaml().isMap(node)) return null;
    node = view.get(node, key);
  }
  return yaml().isMap(node) ? node : null;
}

/** A document's resolved reading, or why compose and kubectl would not read it (a parse error, an alias with no anchor). */
function readable(doc: Document.Parsed, counter: LineCounter): ResolvedDocument | string {
  if (doc.errors.length) return yamlError(doc, counter);
  const view = new ResolvedDocument(doc, (offset) => counter.linePos(offset));
  return view.error ?? view;
}

/** Services of a docker compose file. */
export function composeContainers(text: string): WorkloadParse {
  const parsed = docs(text);
  if ('refused' in parsed) return { containers: [], errors: [parsed.refused] };
  const { documents, counter } = parsed;
  const containers: ContainerSpec[] = [];
  const errors: string[] = [];
  for (const doc of documents) {
    const view = readable(doc, counter);
    if (typeof view === 'string') {
      errors.push(view);
      continue;
    }
    const found: ContainerSpec[] = [];
    const services = mapAt(view, doc.contents as YAMLMap, ['services']);
    for (const { key, value: service } of services ? view.entries(services) : []) {
      if (!yaml().isMap(service)) continue;
      const name = String((key as { value?: unknown })?.value ?? key);
      const at = whereOf(counter, key as YamlNode, { line: 1, column: 1 });
      const limit = (key: string, legacy: string[]) =>
        scalarAt(view, service, ['deploy', 'resources', 'limits', key]) !== null || legacy.some((l) => scalarAt(view, service, [l]) !== null);
      const privileged = scalarAt(view, service, ['privileged']);
      const user = scalarAt(view, service, ['user']);
      const volumes = view.get(service, 'volumes');
      const socket = yaml().isSeq(volumes) ? view.items(volumes).map((v) => composeVolumeSource(view, v)).find((v) => v !== null && isDockerSocket(v.source)) : undefined;
      const networkMode = scalarAt(view, service, ['network_mode']);
      found.push({
        platform: 'compose',
        name: `service ${name}`,
        at,
        limits: { cpu: limit('cpus', ['cpus', 'cpu_quota']), memory: limit('memory', ['mem_limit']) },
        readOnlyRootFilesystem: scalarAt(view, service, ['read_only'])?.value === true,
        privileged: privileged?.value === true ? whereOf(counter, privileged.node, at) : null,
        runsAsRoot: user && isRootUser(user.value) ? { ...whereOf(counter, user.node, at), how: `user: ${String(user.value)}` } : null,
        dockerSocket: socket ? { ...whereOf(counter, socket.node, at), source: socket.source } : null,
        hostNetwork: networkMode?.value === 'host' ? { ...whereOf(counter, networkMode.node, at), how: 'network_mode: host' } : null,
      });
    }
    // A merge key given something other than maps is known only once a lookup went through it.
    if (view.error) errors.push(view.error);
    else containers.push(...found);
  }
  return { containers, errors };
}

/** Containers (and init containers) of Kubernetes workloads, in every document of a manifest. */
export function kubernetesContainers(text: string): WorkloadParse {
  const parsed = docs(text);
  if ('refused' in parsed) return { containers: [], errors: [parsed.refused] };
  const { documents, counter } = parsed;
  const containers: ContainerSpec[] = [];
  const errors: string[] = [];
  for (const doc of documents) {
    const view = readable(doc, counter);
    if (typeof view === 'string') {
      errors.push(view);
      continue;
    }
    const root = doc.contents;
    if (!yaml().isMap(root)) continue;
    const found: ContainerSpec[] = [];
    // `kind: List` (what `kubectl get -o yaml` writes, and typed lists such as DeploymentList) holds its
    // objects under `items`; lists inside lists are read to a few levels, each object once (an
    // object named by an alias twice is the same object: read once, so aliases of lists of
    // aliases cannot multiply the work).
    const objects: { map: YAMLMap; depth: number }[] = [{ map: root, depth: 0 }];
    const read = new Set<YAMLMap>();
    while (objects.length > 0) {
      const { map, depth } = objects.pop()!;
      if (read.has(map)) continue;
      read.add(map);
      const items = /List$/.test(String(scalarAt(view, map, ['kind'])?.value)) ? view.get(map, 'items') : undefined;
      if (!yaml().isSeq(items)) {
        workloadContainers(view, map, counter, found);
        continue;
      }
      if (depth >= MAX_LIST_DEPTH) continue;
      // Pushed last to first, so objects are read in the file's order.
      const list = view.items(items);
      for (let i = list.length - 1; i >= 0; i--) {
        const item = list[i];
        if (yaml().isMap(item)) objects.push({ map: item, depth: depth + 1 });
      }
    }
    if (view.error) errors.push(view.error);
    else containers.push(...found);
  }
  return { containers, errors };
}

/** The containers of one Kubernetes object, when it is a workload. */
function workloadContainers(view: ResolvedDocument, root: YAMLMap, counter: LineCounter, containers: ContainerSpec[]): void {
  const kind = scalarAt(view, root, ['kind'])?.value;
  if (typeof kind !== 'string' || !scalarAt(view, root, ['apiVersion'])) return;
  const podPath = POD_TEMPLATES[kind];
  if (!podPath) return;
  const pod = mapAt(view, root, podPath);
  if (!pod) return;
  const workload = `${kind} ${String(scalarAt(view, root, ['metadata', 'name'])?.value ?? '?')}`;
  const podNonRoot = scalarAt(view, pod, ['securityContext', 'runAsNonRoot']);
  const hostNetwork = scalarAt(view, pod, ['hostNetwork']);
  // Pod volumes that are the Docker socket on the node, by name: a container has it when it mounts that name.
  const socketVolumes = new Map<string, { source: string; node: YamlNode }>();
  const podVolumes = view.get(pod, 'volumes');
  if (yaml().isSeq(podVolumes)) {
    for (const v of view.items(podVolumes)) {
      if (!yaml().isMap(v)) continue;
      const name = scalarAt(view, v, ['name'])?.value;
      const path = scalarAt(view, v, ['hostPath', 'path']);
      if (typeof name === 'string' && path && typeof path.value === 'string' && isDockerSocket(path.value)) socketVolumes.set(name, { source: path.value, node: path.node });
    }
  }
  const podUser = scalarAt(view, pod, ['securityContext', 'runAsUser']);
  for (const listKey of ['containers', 'initContainers']) {
    const list = view.get(pod, listKey);
    if (!yaml().isSeq(list)) continue;
    // `- *app` twice is one container written twice (Kubernetes refuses two of one name): checked once.
    const read = new Set<YAMLMap>();
    for (const item of view.items(list)) {
      if (!yaml().isMap(item) || read.has(item)) continue;
      read.add(item);
      const name = String(scalarAt(view, item, ['name'])?.value ?? '?');
      const at = whereOf(counter, item as YamlNode, { line: 1, column: 1 });
      const privileged = scalarAt(view, item, ['securityContext', 'privileged']);
      // The container's own setting wins over the pod's.
      const nonRoot = scalarAt(view, item, ['securityContext', 'runAsNonRoot']) ?? podNonRoot;
      const user = scalarAt(view, item, ['securityContext', 'runAsUser']) ?? podUser;
      let runsAsRoot: ContainerSpec['runsAsRoot'] = null;
      if (nonRoot?.value === false) runsAsRoot = { ...whereOf(counter, nonRoot.node, at), how: 'runAsNonRoot: false' };
      else if (user && Number(user.value) === 0 && user.value !== null && user.value !== '') runsAsRoot = { ...whereOf(counter, user.node, at), how: 'runAsUser: 0' };
      containers.push({
        platform: 'kubernetes',
        name: `${workload}, ${listKey === 'initContainers' ? 'init container' : 'container'} ${name}`,
        at,
        limits: { cpu: scalarAt(view, item, ['resources', 'limits', 'cpu']) !== null, memory: scalarAt(view, item, ['resources', 'limits', 'memory']) !== null },
        readOnlyRootFilesystem: scalarAt(view, item, ['securityContext', 'readOnlyRootFilesystem'])?.value === true,
        privileged: privileged?.value === true ? whereOf(counter, privileged.node, at) : null,
        runsAsRoot,
        dockerSocket: mountedSocket(view, item, socketVolumes, counter, at),
        hostNetwork: hostNetwork?.value === true ? { ...whereOf(counter, hostNetwork.node, at), how: 'hostNetwork: true' } : null,
      });
    }
  }
}

/** The Docker socket volume a Kubernetes container mounts (volumeMounts naming a hostPath volume of the socket), placed at the mount. */
function mountedSocket(view: ResolvedDocument, container: YAMLMap, socketVolumes: Map<string, { source: string; node: YamlNode }>, counter: LineCounter, at: Where): ContainerSpec['dockerSocket'] {
  if (socketVolumes.size === 0) return null;
  const mounts = view.get(container, 'volumeMounts');
  if (!yaml().isSeq(mounts)) return null;
  for (const m of view.items(mounts)) {
    if (!yaml().isMap(m)) continue;
    const name = scalarAt(view, m, ['name']);
    const volume = typeof name?.value === 'string' ? socketVolumes.get(name.value) : undefined;
    if (volume) return { ...whereOf(counter, name!.node, at), source: volume.source };
  }
  return null;
}
