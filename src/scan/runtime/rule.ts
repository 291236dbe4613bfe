/**
 * Interfaces of the runtime rules: Dockerfile rules read parsed instructions, container rules read
 * normalised compose/Kubernetes containers, workflow rules read a GitHub Actions workflow's triggers and steps.
 */
import type { Report, RuleInfo } from '../rule.js';
import type { Dockerfile } from './dockerfile.js';
import type { Tainted } from './gha-flows.js';
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

/** What a workflow rule knows of a file from the rest of the tree. */
export interface WorkflowContext {
  /** A composite action's inputs that a caller in the tree gives untrusted text (gha-local-actions.ts); none for a workflow. */
  inputs: Tainted;
}

export interface WorkflowRule {
  info: RuleInfo;
  /** `unchecked` says, in one line, what the rule could not check in this file: the scan is then partial. */
  check(workflow: Workflow, report: (r: Report) => void, unchecked: (why: string) => void, context: WorkflowContext): void;
}
