/** Builds the data sources a command needs from the configuration: store, mirror, OSV, PyPI. */
import { AdvisoryMirror } from '../advisories/mirror.js';
import { OsvApi } from '../advisories/osv-api.js';
import { chooseAdvisorySource } from '../advisories/select.js';
import type { AdvisorySource } from '../advisories/types.js';
import { PyPIClient } from '../python/pypi.js';
import type { Config } from '../config.js';
import { cliConfig } from './config.js';
import type { CliIO } from './io.js';
import { openStore, type OpenOptions, type Store } from './store.js';

export { cliDbPath, type OpenOptions } from './store.js';

export interface Services extends Store {
  mirror: AdvisoryMirror;
  config: Config;
  osv: OsvApi;
  pypi: PyPIClient;
}

export function openServices(io: CliIO, dbOverride?: string, options: OpenOptions = {}): Services {
  // Settings first: a bad one is reported before anything is opened.
  const config = cliConfig(io);
  const store = openStore(io, dbOverride, options);
  return {
    ...store,
    mirror: new AdvisoryMirror(store.db),
    config,
    osv: new OsvApi({ baseUrl: config.osv.apiUrl, db: store.db }),
    pypi: new PyPIClient({ baseUrl: config.pypi.url, db: store.db }),
  };
}

export function advisorySourceFor(services: Services, offline: boolean, now: Date): AdvisorySource {
  return chooseAdvisorySource({ offline, mirror: services.mirror, api: services.osv, now });
}
