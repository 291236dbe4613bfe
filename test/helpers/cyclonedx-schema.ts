/**
 * The official CycloneDX 1.6 JSON schema, as @cyclonedx/cyclonedx-library ships it (a devDependency,
 * read from disk: no network), compiled with ajv as that library's own JSON validator compiles it:
 * the same options, the schemas it references registered under the ids it gives them, ajv-formats'
 * formats, and `iri-reference` taken as any string (the library does the same). `idn-email` is too:
 * the library checks it with a plugin we do not install, and Depwatch writes no e-mail address.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';

const require = createRequire(import.meta.url);
const Ajv = require('ajv') as typeof import('ajv').default;
const addFormats = require('ajv-formats') as typeof import('ajv-formats').default;

const SCHEMAS = join(dirname(require.resolve('@cyclonedx/cyclonedx-library/package.json')), 'res', 'schema');
const read = (file: string): object => JSON.parse(readFileSync(join(SCHEMAS, file), 'utf8')) as object;

let validate: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (validate) return validate;
  const ajv = new Ajv({
    useDefaults: false,
    strict: false,
    strictSchema: false,
    addUsedSchema: false,
    loadSchema: (uri: string) => {
      throw new Error(`remote schemas are not fetched: ${uri}`);
    },
    schemas: {
      'http://cyclonedx.org/schema/spdx.SNAPSHOT.schema.json': read('spdx.SNAPSHOT.schema.json'),
      'http://cyclonedx.org/schema/cryptography-defs.SNAPSHOT.schema.json': read('cryptography-defs.SNAPSHOT.schema.json'),
      'http://cyclonedx.org/schema/jsf-0.82.SNAPSHOT.schema.json': read('jsf-0.82.SNAPSHOT.schema.json'),
    },
  });
  addFormats(ajv);
  ajv.addFormat('iri-reference', true);
  ajv.addFormat('idn-email', true);
  validate = ajv.compile(read('bom-1.6.SNAPSHOT.schema.json'));
  return validate;
}

/** The schema's complaints about a BOM (its JSON text): empty when it is a valid CycloneDX 1.6 BOM. */
export function cyclonedxSchemaErrors(text: string): ErrorObject[] {
  const check = validator();
  return check(JSON.parse(text)) ? [] : [...(check.errors ?? [])];
}
