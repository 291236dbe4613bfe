/**
 * Socket Mode has no HTTP server of its own, so /healthz and /metrics get this one, on PORT (the port
 * HTTP mode would use): a container's HEALTHCHECK and a Prometheus scrape work the same in both modes.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { listenStartupError } from '../slack/startup.js';
import { serveOpsRoutes, type OpsRoute } from './routes.js';

export interface OpsServer {
  port: number;
  close(): Promise<void>;
}

/** Listens on `port` (all interfaces, like Bolt's receiver); a port that cannot be had is a StartupError. */
export async function startOpsServer(routes: readonly OpsRoute[], port: number, host?: string): Promise<OpsServer> {
  const server: Server = createServer(serveOpsRoutes(routes));
  // Probes and scrapes are short: an idle or slow client is not kept around.
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(listenStartupError(err, port)));
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
