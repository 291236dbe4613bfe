/** The contract's JSON (see README, "CLI JSON"): add fields freely, never rename or drop one. */
import { findingJson } from '../audit/findings.js';
import type { Renderer } from './interface.js';

export const renderJson: Renderer = (result) =>
  JSON.stringify(
    {
      target: result.target,
      dependencies: result.dependencies,
      findings: result.findings.map(findingJson),
      ignored: result.ignored.map(findingJson),
      notes: result.notes.map((n) => ({ kind: n.kind, message: n.message })),
      errors: result.errors,
      warnings: result.warnings,
      notices: result.notices,
      partial: result.partial,
      advisory_source: result.advisorySource,
    },
    null,
    2,
  ) + '\n';
