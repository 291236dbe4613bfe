/** The runtime rules (least privilege of containers, GitHub Actions workflows), one file each. */
import type { ContainerRule, DockerfileRule, WorkflowRule } from '../rule.js';
import { rule as dockerSocket } from './container-docker-socket.js';
import { rule as hostNetwork } from './container-host-network.js';
import { rule as noLimits } from './container-no-resource-limits.js';
import { rule as privileged } from './container-privileged.js';
import { rule as runAsRoot } from './container-run-as-root.js';
import { rule as writableRoot } from './container-writable-root-fs.js';
import { rule as addRemote } from './docker-add-remote-url.js';
import { rule as latestTag } from './docker-latest-tag.js';
import { rule as pipeToShell } from './docker-pipe-to-shell.js';
import { rule as rootUser } from './docker-root-user.js';
import { rule as secretInBuild } from './docker-secret-in-build.js';
import { rule as unpinned } from './docker-unpinned-base-image.js';
import { rule as githubEnvInjection } from './gha-github-env-injection.js';
import { rule as scriptInjection } from './gha-script-injection.js';
import { rule as unpinnedAction } from './gha-unpinned-action.js';
import { rule as untrustedCheckout } from './gha-untrusted-checkout.js';

export const DOCKERFILE_RULES: readonly DockerfileRule[] = [rootUser, unpinned, latestTag, addRemote, secretInBuild, pipeToShell];
export const CONTAINER_RULES: readonly ContainerRule[] = [noLimits, writableRoot, privileged, runAsRoot, dockerSocket, hostNetwork];
export const WORKFLOW_RULES: readonly WorkflowRule[] = [scriptInjection, githubEnvInjection, untrustedCheckout, unpinnedAction];
