/**
 * Compose files and Kubernetes manifests are read through YAML aliases and merge keys, as compose
 * and kubectl read them: a service that gets `privileged: true` from `<<: *common` runs privileged,
 * and one that gets its limits there has limits. A finding is placed where the value is written
 * (its anchor). An alias with no anchor before it is a file docker refuses: partial. Aliases are
 * never expanded, so a billion-laughs file costs no more than its text.
 */
import { describe, expect, it } from 'vitest';
import { composeContainers, kubernetesContainers } from '../../src/scan/runtime/workloads.js';
import { bestCpuMs, cpuStopwatch } from '../helpers/cpu-time.js';
import { scanFiles } from './helpers.js';

const runtime = (result: Awaited<ReturnType<typeof scanFiles>>) =>
  result.findings
    .filter((f) => f.kind === 'runtime')
    .map((f) => `${f.rule} ${f.file}:${f.line}`)
    .sort();

const LIMITED = 'deploy: { resources: { limits: { cpus: "1", memory: 512M } } }';

describe('compose: aliases and merge keys', () => {
  it('settings merged in from an anchor are read, each reported at the line that writes it; limits and read_only merged in count too', async () => {
    const result = await scanFiles({
      'docker-compose.yml': [
        'x-common: &common',
        '  privileged: true', // 2
        '  network_mode: host', // 3
        '  user: root', // 4
        '  volumes:',
        '    - /var/run/docker.sock:/var/run/docker.sock', // 6
        '  read_only: true',
        `  ${LIMITED}`,
        'services:',
        '  a:',
        '    <<: *common',
        '    image: nginx:1.25',
        '  b:',
        '    <<: *common',
        '    image: nginx:1.25',
      ].join('\n'),
    });
    expect(runtime(result)).toEqual([
      'container-docker-socket docker-compose.yml:6',
      'container-docker-socket docker-compose.yml:6',
      'container-host-network docker-compose.yml:3',
      'container-host-network docker-compose.yml:3',
      'container-privileged docker-compose.yml:2',
      'container-privileged docker-compose.yml:2',
      'container-run-as-root docker-compose.yml:4',
      'container-run-as-root docker-compose.yml:4',
    ]);
    // One finding for each service that shares the setting, naming it.
    expect(result.findings.filter((f) => f.rule === 'container-privileged').map((f) => f.message.split(' runs ')[0])).toEqual(['service a', 'service b']);
    expect(result.partial).toBe(false);
  });

  it('a scalar alias is its anchor\'s value: privileged: *yes, volumes: [*sock]', async () => {
    const result = await scanFiles({
      'docker-compose.yml': [
        'x-yes: &yes true', // 1
        'x-sock: &sock /var/run/docker.sock:/var/run/docker.sock', // 2
        'services:',
        '  b:',
        '    image: nginx:1.25',
        '    read_only: true',
        `    ${LIMITED}`,
        '    privileged: *yes',
        '    volumes: [*sock]',
      ].join('\n'),
    });
    expect(runtime(result)).toEqual(['container-docker-socket docker-compose.yml:2', 'container-privileged docker-compose.yml:1']);
  });

  it('a key the service gives itself wins over a merged one, and an earlier map in a merge list over a later one', () => {
    const { containers, errors } = composeContainers(
      [
        'x-loose: &loose { privileged: true, user: root, read_only: false }',
        'x-tight: &tight { privileged: false, user: "1000", read_only: true }',
        'services:',
        '  own:',
        '    <<: *loose',
        '    privileged: false',
        '    user: "1000"',
        '  tight-first:',
        '    <<: [*tight, *loose]',
        '  loose-first:',
        '    <<: [*loose, *tight]',
      ].join('\n'),
    );
    expect(errors).toEqual([]);
    expect(containers.map((c) => [c.name, c.privileged !== null, c.runsAsRoot !== null, c.readOnlyRootFilesystem])).toEqual([
      ['service own', false, false, false],
      ['service tight-first', false, false, true],
      ['service loose-first', true, true, false],
    ]);
  });

  it('services merged into `services:` are services; a `<<` is none, and a quoted "<<" is an ordinary key', () => {
    const { containers } = composeContainers(
      ['x-base: &base', '  db: { image: "postgres:16", privileged: true }', 'services:', '  <<: *base', '  web: { image: "web:1" }', '  "<<": { image: "odd:1" }'].join('\n'),
    );
    expect(containers.map((c) => [c.name, c.privileged?.line ?? null])).toEqual([
      ['service web', null],
      ['service <<', null],
      ['service db', 2],
    ]);
  });

  it('merge chains and a map that merges itself end: each key is looked for once', () => {
    const { containers, errors } = composeContainers(
      ['x-a: &a { privileged: true }', 'x-b: &b { <<: *a }', 'x-c: &c { <<: [*b, *a] }', 'x-self: &self { user: root, <<: *self }', 'services:', '  s: { <<: [*c, *self] }'].join('\n'),
    );
    expect(errors).toEqual([]);
    expect(containers.map((c) => [c.privileged?.line, c.runsAsRoot?.how])).toEqual([[1, 'user: root']]);
  });
});

describe('Kubernetes: aliases and merge keys', () => {
  it('a container written by alias or merged from another is checked; one alias given twice is one container', () => {
    const { containers, errors } = kubernetesContainers(
      [
        'apiVersion: v1',
        'kind: Pod',
        'metadata: {name: x}',
        'spec:',
        '  containers:',
        '  - &c',
        '    name: a',
        '    image: nginx:1.25',
        '    securityContext:',
        '      privileged: true', // 10
        '  - *c',
        '  - <<: *c',
        '    name: b',
        '  initContainers: [*c]',
      ].join('\n'),
    );
    expect(errors).toEqual([]);
    expect(containers.map((c) => `${c.name} privileged at ${c.privileged?.line}`)).toEqual([
      'Pod x, container a privileged at 10',
      'Pod x, container b privileged at 10',
      'Pod x, init container a privileged at 10',
    ]);
  });

  it('a pod spec and objects of a List given by alias are read, each object once', () => {
    const { containers, errors } = kubernetesContainers(
      [
        'apiVersion: v1',
        'kind: List',
        'x-pod: &pod { containers: [{ name: app, image: "x:1", securityContext: { runAsUser: 0 } }] }',
        'items:',
        '  - &deploy { apiVersion: apps/v1, kind: Deployment, metadata: { name: api }, spec: { template: { spec: *pod } } }',
        '  - *deploy',
      ].join('\n'),
    );
    expect(errors).toEqual([]);
    expect(containers.map((c) => `${c.name}: ${c.runsAsRoot?.how} at ${c.runsAsRoot?.line}`)).toEqual(['Deployment api, container app: runAsUser: 0 at 3']);
  });
});

describe('files compose and kubectl refuse', () => {
  it('an alias with no anchor before it makes the scan partial, naming the alias; the other documents are still read', async () => {
    const result = await scanFiles({
      '.gitignore': '.env\n*.env\n',
      'docker-compose.yml': 'services:\n  b:\n    image: nginx:1.25\n    privileged: *undefined\n  c:\n    image: nginx:1.25\n    privileged: true\n',
      'k8s/pods.yaml': 'apiVersion: v1\nkind: Pod\nmetadata: {name: late}\nspec:\n  containers: [*c]\nx: &c { name: a }\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: ok}\nspec:\n  containers: [{ name: a, securityContext: { privileged: true } }]\n',
    });
    expect(result.partial).toBe(true);
    expect(result.notes).toEqual([
      {
        kind: 'incomplete',
        file: 'docker-compose.yml',
        message: 'docker-compose.yml: not valid YAML (Unresolved alias *undefined (no anchor &undefined before it) at line 4, column 17); runtime rules not applied to it',
      },
      {
        kind: 'incomplete',
        file: 'k8s/pods.yaml',
        message: 'k8s/pods.yaml: not valid YAML (Unresolved alias *c (no anchor &c before it) at line 5, column 16); runtime rules not applied to it',
      },
    ]);
    expect(runtime(result).filter((r) => r.startsWith('container-privileged'))).toEqual(['container-privileged k8s/pods.yaml:12']);
  });

  it('a merge key given something other than maps makes the document unread', () => {
    expect(composeContainers('x-p: &p true\nservices:\n  a:\n    <<: *p\n    privileged: true\n')).toEqual({
      containers: [],
      errors: ['a merge key (<<) takes a map or a list of maps at line 4, column 9'],
    });
  });
});

describe('aliases cost no more than their text', () => {
  /** Ten anchors, each a list of ten aliases of the one before: a billion items if expanded. */
  const laughs = (item: string) =>
    [`x0: &a0 [${Array(10).fill(item).join(', ')}]`, ...Array.from({ length: 9 }, (_, i) => `x${i + 1}: &a${i + 1} [${Array(10).fill(`*a${i}`).join(', ')}]`)].join('\n');

  it('billion laughs in a service, in a pod\'s containers and in nested Lists', async () => {
    const cpuMsSince = cpuStopwatch(); // CPU time: other test files share the cores
    const compose = `${laughs('lol')}\nservices:\n  web: { image: "nginx:1.25", environment: *a9, volumes: *a9 }\n`;
    expect(composeContainers(compose).containers.map((c) => c.name)).toEqual(['service web']);
    const pod = `${laughs('{ name: c, securityContext: { privileged: true } }')}\napiVersion: v1\nkind: Pod\nmetadata: { name: x }\nspec: { containers: *a9, initContainers: *a9 }\n`;
    expect(kubernetesContainers(pod).containers.map((c) => c.name)).toEqual([]);
    const lists = [
      'x0: &l0 { apiVersion: v1, kind: Pod, metadata: { name: p }, spec: { containers: [{ name: c, securityContext: { privileged: true } }] } }',
      ...Array.from({ length: 9 }, (_, i) => `x${i + 1}: &l${i + 1} { apiVersion: v1, kind: List, items: [${Array(10).fill(`*l${i}`).join(', ')}] }`),
      'apiVersion: v1',
      'kind: List',
      `items: [${Array(1000).fill('*l9').join(', ')}]`,
    ].join('\n');
    expect(kubernetesContainers(lists).containers).toEqual([]); // deeper than the List bound
    const shallow = lists.replace(/items: \[(\*l9, )*\*l9\]$/, `items: [${Array(1000).fill('*l2').join(', ')}]`);
    expect(kubernetesContainers(shallow).containers.map((c) => c.name)).toEqual(['Pod p, container c']);
    expect(cpuMsSince()).toBeLessThan(5000);
  });

  it('merge diamonds and chains by the thousand: linear, and a chain past any real depth is an error, not a stack overflow', () => {
    const diamonds = (n: number) =>
      ['x0: &m0 { privileged: true }', ...Array.from({ length: n }, (_, i) => `x${i + 1}: &m${i + 1} { <<: [*m${i}, *m${i}], k${i}: v }`), 'services:', `  s: { <<: *m${n} }`].join('\n');
    const small = diamonds(60);
    expect(composeContainers(small).containers.map((c) => c.privileged?.line)).toEqual([1]);
    const deep = composeContainers(diamonds(500));
    expect(deep.containers).toEqual([]);
    expect(deep.errors).toEqual([expect.stringMatching(/^merge keys \(<<\) nested more than \d+ deep at line \d+, column \d+$/)]);
    // Services that each merge a map of many keys: each key of each map is looked up once.
    const wide = (n: number) => ['x: &big', ...Array.from({ length: n }, (_, i) => `  k${i}: v`), 'services:', ...Array.from({ length: n }, (_, i) => `  s${i}: { <<: *big }`)].join('\n');
    const [smallText, largeText] = [wide(300), wide(3_000)];
    const smallMs = bestCpuMs(() => void composeContainers(smallText), 0);
    const largeMs = bestCpuMs(() => void composeContainers(largeText), 0);
    expect(largeMs).toBeLessThan(30 * smallMs + 20);
  });
});
