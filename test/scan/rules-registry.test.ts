/** Every rule has a stable, unique id, a severity, a confidence, and help that says why and what to do; rule-ids.ts lists them all. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FILE_RULES } from '../../src/scan/files/rules/index.js';
import { PYTHON_RULES } from '../../src/scan/python/rules/index.js';
import type { RuleInfo } from '../../src/scan/rule.js';
import { SCAN_RULE_IDS, isScanIgnoreId } from '../../src/scan/rule-ids.js';
import { CONTAINER_RULES, DOCKERFILE_RULES, WORKFLOW_RULES } from '../../src/scan/runtime/rules/index.js';
import { SECRET_RULES } from '../../src/scan/secrets/rules.js';
import { TOKEN_FORMATS } from '../../src/scan/secrets/formats.js';

const ALL: RuleInfo[] = [...PYTHON_RULES.map((r) => r.info), ...SECRET_RULES, ...FILE_RULES.map((r) => r.info), ...DOCKERFILE_RULES.map((r) => r.info), ...CONTAINER_RULES.map((r) => r.info), ...WORKFLOW_RULES.map((r) => r.info)];

describe('rule registry', () => {
  it('rule-ids.ts lists exactly the rules that exist, by kind', () => {
    for (const kind of ['code', 'secret', 'file', 'runtime'] as const) {
      expect(ALL.filter((r) => r.kind === kind).map((r) => r.id).sort()).toEqual([...SCAN_RULE_IDS[kind]].sort());
    }
    expect(new Set(ALL.map((r) => r.id)).size).toBe(ALL.length);
  });

  it('each rule says why and what to do, with a severity and a confidence', () => {
    for (const r of ALL) {
      expect(r.id).toMatch(/^[a-z][a-z0-9-]+$/);
      expect(['critical', 'high', 'medium', 'low', 'info']).toContain(r.severity);
      expect(['high', 'medium', 'low']).toContain(r.confidence);
      expect(r.title.length).toBeGreaterThan(5);
      expect(r.help.length).toBeGreaterThan(60);
    }
  });

  it('docs/cli-contract.md lists every rule id, and the bandit tests each Python rule answers for', () => {
    const doc = readFileSync(new URL('../../docs/cli-contract.md', import.meta.url), 'utf8');
    for (const id of Object.values(SCAN_RULE_IDS).flat()) expect(doc, id).toContain(`\`${id}\``);
    for (const r of PYTHON_RULES) for (const b of r.info.bandit ?? []) expect(doc, `${r.info.id} ${b}`).toMatch(new RegExp(`\`${r.info.id}\`[^\\n]*\\b${b}\\b`));
  });

  it('every token format reports under a secret rule that exists', () => {
    for (const f of TOKEN_FORMATS) expect(SECRET_RULES.some((r) => r.id === f.rule)).toBe(true);
  });

  it('ignores route scan rule ids and kinds to the scanner, advisory ids to the audit', () => {
    expect(isScanIgnoreId('py-eval-exec')).toBe(true);
    expect(isScanIgnoreId('secret')).toBe(true);
    expect(isScanIgnoreId('PYSEC-2019-13')).toBe(false);
    expect(isScanIgnoreId('outdated')).toBe(false);
  });
});
