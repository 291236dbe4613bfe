/**
 * Compose files and Kubernetes manifests come from the repository being scanned, up to the scan's
 * 5 MiB a file. The YAML library keeps every error it meets and grows with nesting, so a run of `[`
 * or `]` was hundreds of megabytes a megabyte (and, before errors stopped being prettified, minutes
 * a megabyte): such text is refused before parsing, as one partial reason, and what is parsed is
 * parsed without copying a line per error.
 */
import { describe, expect, it } from 'vitest';
import { scanRuntime } from '../../src/scan/runtime/scan-runtime.js';
import { hits, scanFiles } from './helpers.js';

const MB = 1 << 20;
const cpuMs = (work: () => void): number => {
  const start = process.cpuUsage();
  work();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
};

describe('hostile YAML in compose files and manifests', () => {
  it('a megabyte of `[` (nesting) is refused before parsing: one partial reason, no parse', () => {
    let outcome: ReturnType<typeof scanRuntime> | undefined;
    const ms = cpuMs(() => (outcome = scanRuntime('docker-compose.yml', `services:\n  a:\n    image: x\n${'['.repeat(MB)}`)));
    expect(outcome!.unchecked).toEqual(['not valid YAML (nests deeper than 200 levels, which no compose file or manifest does); runtime rules not applied to it']);
    expect(ms).toBeLessThan(1_000);
  });

  it('a megabyte of `]` (a parse error each) in a manifest is refused, saying how many close nothing', () => {
    const outcome = scanRuntime('k8s/deploy.yaml', `apiVersion: v1\nkind: Pod\n${']'.repeat(MB)}`);
    expect(outcome.unchecked).toEqual([`not valid YAML (holds ${MB.toLocaleString('en-US')} closing brackets (] }) that close nothing); runtime rules not applied to it`]);
  });

  it('a few stray brackets are the parser\'s to judge: it says where the first problem is', () => {
    const outcome = scanRuntime('docker-compose.yml', `services:\n  a:\n    image: x\n${']'.repeat(500)}`);
    expect(outcome.unchecked).toEqual([expect.stringMatching(/^not valid YAML \(.+ at line 4, column 1\); runtime rules not applied to it$/)]);
  });

  it('a long line of parse errors costs linear time (a copy of the line per error was quadratic)', () => {
    // A node given thousands of anchors: an error each, all on one line.
    const line = (n: number) => `services:\n  a:\n    image: ${'&a '.repeat(n)}x\n`;
    scanRuntime('docker-compose.yml', line(1_000));
    const small = cpuMs(() => scanRuntime('docker-compose.yml', line(20_000)));
    const large = cpuMs(() => scanRuntime('docker-compose.yml', line(200_000)));
    expect(large).toBeLessThan(small * 30 + 50);
  });

  it('a real compose file with brackets in commands and strings is read as before', () => {
    const outcome = scanRuntime('docker-compose.yml', 'services:\n  web:\n    image: nginx\n    privileged: true\n    command: ["sh", "-c", "[ -f /x ] && echo ok }"]\n');
    expect(outcome.unchecked).toEqual([]);
    expect(outcome.findings.map((f) => f.info.id)).toContain('container-privileged');
  });
});

describe('hostile YAML in a local action a workflow uses', () => {
  it('half a megabyte of `[` as the action.yml a workflow gives untrusted text is refused before parsing, once: partial for that file, the workflow still scanned', async () => {
    const workflow = [
      'on: pull_request_target',
      'jobs:',
      '  a:',
      '    runs-on: x',
      '    steps:',
      '      - uses: ./.github/actions/greet',
      '        with: { name: "${{ github.event.pull_request.title }}" }',
      '      - run: echo "${{ github.event.pull_request.body }}"', // 8
    ].join('\n');
    const start = process.cpuUsage();
    const result = await scanFiles({ '.gitignore': '.env\n*.env\n', '.github/workflows/ci.yml': workflow, '.github/actions/greet/action.yml': `runs:\n  using: composite\n  steps: ${'['.repeat(MB / 2)}` });
    const spent = process.cpuUsage(start);
    expect(result.partial).toBe(true);
    expect(result.notes).toEqual([{ kind: 'incomplete', file: '.github/actions/greet/action.yml', message: '.github/actions/greet/action.yml: nests deeper than 200 levels, which no action does; workflow rules not applied to it' }]);
    expect(hits(result, 'gha-script-injection')).toEqual(['gha-script-injection@8']);
    expect((spent.user + spent.system) / 1000).toBeLessThan(2_000);
  });
});
