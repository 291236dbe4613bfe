/** Builds the data sources a command needs from the configuration: store, mirror, OSV, PyPI. */
import { OsvApi } from '../advisories/osv-api.js';
import { chooseAdvisorySource } from '../advisories/select.js';
import type { AdvisorySource } from '../advisories/types.js';
import { PyPIClient } from '../python/pypi.js';
import type { CliIO } from './io.js';
import { openStore, type OpenOptions, type Store } from './store.js';

export { cliDbPath, type OpenOptions } from './store.js';

export interface Services extends Store {
  osv: OsvApi;
  pypi: PyPIClient;
}

export function openServices(io: CliIO, dbOverride?: string, options: OpenOptions = {}): Services {
  const store = openStore(io, dbOverride, options);
  return {
    ...store,
    osv: new OsvApi({ baseUrl: store.config.osv.apiUrl, db: store.db }),
    pypi: new PyPIClient({ baseUrl: store.config.pypi.url, db: store.db }),
  };
}

export function advisorySourceFor(services: Services, offline: boolean, now: Date): AdvisorySource {
  return chooseAdvisorySource({ offline, mirror: services.mirror, api: services.osv, now });
}
