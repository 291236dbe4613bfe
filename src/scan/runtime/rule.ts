/**
 * Interfaces of the runtime rules: Dockerfile rules read parsed instructions, container rules read
 * normalised compose/Kubernetes containers, workflow rules read a GitHub Actions workflow's triggers and steps.
 */
import type { Report, RuleInfo } from '../rule.js';
import type { Dockerfile } from './dockerfile.js';
import type { FlowContext } from './gha-flows.js';
import type { Workflow } from './workflow.js';
import type { ContainerSpec } from './workloads.js';

export interface DockerfileRule {
  info: RuleInfo;
  check(dockerfile: Dockerfile, report: (r: Report) => void): void;
}

export interface ContainerRule {
  info: RuleInfo;
  check(container: ContainerSpec, report: (r: Report) => void): void;
}

/**
 * What a workflow rule knows of a file from the rest of the tree (gha-local-actions.ts): the inputs
 * a caller in the tree gives untrusted text (a composite action's, a reusable workflow's), and the
 * outputs of the local actions its steps use.
 */
export type WorkflowContext = FlowContext;

export interface WorkflowRule {
  info: RuleInfo;
  /** `unchecked` says, in one line, what the rule could not check in this file: the scan is then partial. */
  check(workflow: Workflow, report: (r: Report) => void, unchecked: (why: string) => void, context: WorkflowContext): void;
}
