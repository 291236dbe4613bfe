/**
 * A CommonJS package loaded the first time it is needed, not when the module naming it loads: the
 * YAML parser and the CVSS calculator are needed by few commands and cost
 * every start-up that loads them. A synchronous require loads the same module an import would.
 */
import { createRequire } from 'node:module';

const requireHere = createRequire(import.meta.url);

export function onFirstUse<T>(specifier: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= requireHere(specifier) as T);
}
