/**
 * A third-party action (or reusable workflow) used by a tag or branch (`uses: owner/repo@v4`): its
 * owner, or whoever takes over their account or release process, can move the tag to other code,
 * and every workflow that names it runs that code next time, with its token and secrets. That is
 * how tj-actions/changed-files put the secrets of the repositories using it in their logs in March 2025. Only
 * a full commit SHA names code that cannot change (GitHub's "Security hardening for GitHub Actions":
 * "Pin actions to a full length commit SHA"). Low: a pin is hygiene, and the default gate (high)
 * does not fail on it.
 *
 * Exempt: actions under `actions/` and `github/` (checkout, setup-python, codeql-action…). GitHub
 * publishes them and runs the runner they run on, so a compromise of their tags is a compromise of
 * the platform itself, which a pin does not protect against; pinning them is churn with little gain,
 * and zizmor's default policy allows them by tag too. Also fine: local actions (`./…`), and Docker
 * actions by digest (`docker://image@sha256:…`); a Docker action by tag is reported, as the tag
 * moves the same way.
 */
import { clipInput } from '../../../quoted-input.js';
import type { Report } from '../../rule.js';
import type { WorkflowRule } from '../rule.js';
import type { WorkflowValue } from '../workflow.js';

/** Owners whose actions GitHub publishes (see above). */
const GITHUB_OWNERS = new Set(['actions', 'github']);

const FULL_SHA = /^[0-9a-f]{40}$/i;

/** Why a `uses:` is not pinned, or null when it is (or is not a remote action at all). */
function unpinned(uses: string): { name: string; ref: string; docker: boolean } | null {
  const spec = uses.trim();
  // Expressions are not allowed in uses:, so GitHub refuses such a step; local actions are the repository's own code.
  if (spec.startsWith('./') || spec.includes('${{')) return null;
  if (spec.startsWith('docker://')) {
    if (spec.includes('@sha256:')) return null;
    const image = spec.slice('docker://'.length);
    const slash = image.lastIndexOf('/');
    const colon = image.lastIndexOf(':');
    return { name: spec, ref: colon > slash ? image.slice(colon + 1) : 'latest', docker: true };
  }
  const at = spec.lastIndexOf('@');
  if (at === -1) return null; // GitHub refuses a remote action without a ref.
  const path = spec.slice(0, at);
  const ref = spec.slice(at + 1);
  const owner = path.split('/')[0]!.toLowerCase();
  if (GITHUB_OWNERS.has(owner) || FULL_SHA.test(ref)) return null;
  return { name: path, ref, docker: false };
}

function reportUses(uses: WorkflowValue, kind: 'workflow' | 'action', report: (r: Report) => void): void {
  const found = unpinned(uses.value);
  if (!found) return;
  const name = clipInput(found.name, 120);
  const ref = clipInput(found.ref, 60);
  report({
    line: uses.line,
    column: uses.column,
    message: found.docker
      ? `uses: ${name} names a Docker image by tag, which its publisher can point at another image at any time; the job would run that image with its token and secrets.`
      : `uses: ${name}@${ref} is a tag or branch, not a commit: the action's owner (or whoever takes over their account) can move it to other code, which this ${kind} then runs with its token and secrets.`,
    fix: found.docker
      ? `Pin the image by digest: uses: docker://<image>@sha256:<digest>.`
      : `Pin the full commit SHA the tag points at, with the tag in a comment: uses: ${name}@<40-character SHA> # ${ref} (Dependabot and Renovate keep such pins up to date).`,
  });
}

export const rule: WorkflowRule = {
  info: {
    id: 'gha-unpinned-action',
    kind: 'runtime',
    severity: 'low',
    confidence: 'high',
    title: 'Third-party action not pinned to a commit',
    help: 'A tag or branch of a third-party action can be moved to other code by its owner or by whoever takes over their account (tj-actions/changed-files, March 2025), and every workflow that uses it runs the new code with its token and secrets. Pin the full 40-character commit SHA, with the tag in a comment (uses: owner/repo@<sha> # v4); Dependabot and Renovate update such pins. Actions under actions/ and github/ are not reported.',
  },
  check(workflow, report) {
    // Each written `uses:` once: a step given to several jobs by an alias is one line to change.
    const seen = new Set<WorkflowValue>();
    const uses = [...workflow.jobs.map((j) => j.uses), ...workflow.steps.map((s) => s.uses)];
    for (const u of uses) {
      if (!u || seen.has(u)) continue;
      seen.add(u);
      reportUses(u, workflow.kind, report);
    }
  },
};
