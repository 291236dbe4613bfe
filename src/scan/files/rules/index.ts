/** The file-hygiene rules, one file each. */
import type { TreeRule } from '../../tree-rule.js';
import { rule as envCommitted } from './file-env-committed.js';
import { rule as gitignoreEnv } from './file-gitignore-env.js';
import { rule as gitignoreSecretConfig } from './file-gitignore-secret-config.js';
import { rule as notebookCheckpointsCommitted } from './file-notebook-checkpoints-committed.js';
import { rule as secretConfigCommitted } from './file-secret-config-committed.js';

export const FILE_RULES: readonly TreeRule[] = [envCommitted, secretConfigCommitted, gitignoreEnv, gitignoreSecretConfig, notebookCheckpointsCommitted];
