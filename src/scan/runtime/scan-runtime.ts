/** Runs the runtime rules over one file: a Dockerfile, a compose file or a Kubernetes manifest. */
import { isComposePath, isDockerfilePath } from '../paths.js';
import type { Report, RuleInfo } from '../rule.js';
import { parseDockerfile } from './dockerfile.js';
import { CONTAINER_RULES, DOCKERFILE_RULES } from './rules/index.js';
import { composeContainers, kubernetesContainers } from './workloads.js';

export interface RuntimeOutcome {
  findings: (Report & { info: RuleInfo })[];
  /** The file looked like a manifest but could not be read as YAML. */
  errors: string[];
  /** Parts of the file the rules did not see (a Dockerfile here-document never closed): the result is partial. */
  unchecked: string[];
}

export function scanRuntime(path: string, text: string): RuntimeOutcome {
  const findings: RuntimeOutcome['findings'] = [];
  if (isDockerfilePath(path)) {
    const df = parseDockerfile(text);
    for (const rule of DOCKERFILE_RULES) rule.check(df, (r) => findings.push({ ...r, info: rule.info }));
    return { findings, errors: [], unchecked: df.problems };
  }
  const parsed = isComposePath(path) ? composeContainers(text) : kubernetesContainers(text);
  for (const c of parsed.containers) {
    for (const rule of CONTAINER_RULES) rule.check(c, (r) => findings.push({ ...r, info: rule.info }));
  }
  return { findings, errors: parsed.errors, unchecked: [] };
}
