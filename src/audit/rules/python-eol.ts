/** `python-eol`: the project runs (or allows) a Python branch past, or close to, its end of life. */
import { detectPythonVersions, eolStatus, lowestAllowedPython } from '../../python/interpreter.js';
import { plural } from '../../plural.js';
import type { AuditContext } from '../context.js';
import type { Finding } from '../findings.js';

/** Warn this many days before a branch's end of life, so the upgrade can be planned. */
const WARN_DAYS = 180;

export function pythonEolFindings(ctx: AuditContext): Finding[] {
  const found = detectPythonVersions(ctx.contextFiles);
  for (const m of ctx.manifests) {
    if (!m.requiresPython) continue;
    const lowest = lowestAllowedPython(m.requiresPython);
    if (lowest && !found.some((f) => f.file === m.path)) found.push({ version: lowest, file: m.path, line: null, via: 'requires-python' });
  }
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const f of found) {
    const status = eolStatus(f.version, ctx.now);
    if (!status || status.daysLeft > WARN_DAYS) continue;
    const key = `${status.branch}|${f.file}|${f.line}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const allows = f.via === 'requires-python' || f.via === 'python_requires' || f.via === 'poetry' || f.via === 'pipfile';
    findings.push({
      kind: 'python-eol',
      severity: status.isEol ? (allows ? 'medium' : 'high') : 'low',
      package: 'python',
      version: f.version,
      file: f.file,
      line: f.line,
      fix: {
        version: null,
        text: status.isEol
          ? `Python ${status.branch} reached end of life on ${status.eol} and gets no security fixes: ${allows ? 'raise the minimum Python version' : 'move to a supported Python (3.12 or newer)'}.`
          : `Python ${status.branch} reaches end of life on ${status.eol} (${plural(status.daysLeft, 'day')}): plan the move to a newer Python.`,
      },
      details: { branch: status.branch, eol: status.eol, via: f.via, days_left: status.daysLeft },
    });
  }
  return findings;
}
