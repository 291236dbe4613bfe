/**
 * SARIF 2.1.0 for GitHub code scanning and other SARIF viewers. Rules carry `security-severity`
 * (a CVSS-like number as a string), which GitHub maps to critical / high / medium / low.
 */
import type { Finding, FindingLocation, Severity } from '../audit/findings.js';
import type { Renderer } from './interface.js';

const SCORE: Record<Severity, number> = { critical: 9.5, high: 8.0, medium: 5.5, unknown: 5.0, low: 3.0, info: 0.0 };
const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { critical: 'error', high: 'error', medium: 'warning', unknown: 'warning', low: 'note', info: 'note' };

const ruleId = (f: Finding) => f.id ?? `depwatch/${f.kind}`;

const ROLE_TEXT: Record<FindingLocation['role'], string> = { pin: 'also pinned here', constraint: 'constrained here', lock: 'locked here', declaration: 'declared here' };

const physicalLocation = (file: string, line: number | null) => ({ physicalLocation: { artifactLocation: { uri: file }, ...(line ? { region: { startLine: line } } : {}) } });

/** A description ends with a full stop before the fix follows (some already end with one). */
const sentence = (text: string) => (/[.!?…]$/.test(text) ? text : `${text}.`);

function securitySeverity(f: Finding): string {
  // GitHub reads this as a string; a CVSS score beats the coarse level when we have one.
  return (f.cvss ?? SCORE[f.severity]).toFixed(1);
}

export const renderSarif: Renderer = (result) => {
  const rules = new Map<string, object>();
  for (const f of result.findings) {
    const id = ruleId(f);
    if (rules.has(id)) continue;
    rules.set(id, {
      id,
      name: f.kind,
      shortDescription: { text: f.summary || f.kind },
      ...(f.id ? { helpUri: `https://osv.dev/vulnerability/${encodeURIComponent(f.id)}` } : {}),
      help: { text: f.fix.text },
      properties: { 'security-severity': securitySeverity(f), tags: ['security', 'dependency', f.kind], ...(f.aliases?.length ? { aliases: f.aliases } : {}) },
    });
  }
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'depwatch', informationUri: 'https://github.com/depwatch/depwatch', rules: [...rules.values()] } },
        results: result.findings.map((f) => ({
          ruleId: ruleId(f),
          level: LEVEL[f.severity],
          message: { text: `${f.package ? `${f.package}${f.version ? ` ${f.version}` : ''}: ` : ''}${f.summary ? `${sentence(f.summary)} ` : ''}${f.fix.text}` },
          ...(f.file ? { locations: [physicalLocation(f.file, f.line)] } : {}),
          // The other places the same release is pinned, locked or declared (the primary is `locations`).
          ...((f.locations?.length ?? 0) > 1
            ? { relatedLocations: f.locations!.slice(1).map((l, i) => ({ id: i + 1, ...physicalLocation(l.file, l.line), message: { text: ROLE_TEXT[l.role] } })) }
            : {}),
          partialFingerprints: { depwatchFinding: [f.kind, f.id ?? '', f.package ?? '', f.version ?? ''].join('|') },
        })),
      },
    ],
  };
  return JSON.stringify(sarif, null, 2) + '\n';
};
