/**
 * The YAML parser, loaded on first use. Only trees with a `.depwatch.yml`, a conda environment, a
 * CI workflow or Kubernetes/Compose files need it, and loading it cost every audit and scan about
 * 60 ms of start-up. It ships CommonJS, so a synchronous require loads the same module an import
 * would (as ignores.ts does for `ignore`).
 */
import { createRequire } from 'node:module';

const requireOnUse = createRequire(import.meta.url);

let loaded: typeof import('yaml') | undefined;

export const yaml = (): typeof import('yaml') => (loaded ??= requireOnUse('yaml') as typeof import('yaml'));
