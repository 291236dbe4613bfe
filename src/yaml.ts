/**
 * The YAML parser, loaded on first use. Only trees with a `.depwatch.yml`, a conda environment, a
 * CI workflow or Kubernetes/Compose files need it, and loading it cost every audit and scan about
 * 60 ms of start-up (see on-first-use.ts).
 */
import { onFirstUse } from './on-first-use.js';

export const yaml = onFirstUse<typeof import('yaml')>('yaml');
