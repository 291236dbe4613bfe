/**
 * A loopback proxy in front of a fake service that cuts its first answer off after a few bytes
 * (the connection destroyed mid-body), then passes every later one whole: how a client is shown
 * asking again for an answer lost half-way.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CuttingProxy {
  url: string;
  /** Requests the proxy has taken, the cut one included. */
  attempts(): number;
  close(): Promise<void>;
}

export async function startCuttingProxy(upstream: string): Promise<CuttingProxy> {
  let attempts = 0;
  const proxy = createServer((req, res) => {
    attempts += 1;
    const first = attempts === 1;
    void fetch(`${upstream}${req.url ?? '/'}`).then(async (answer) => {
      const body = await answer.text();
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      if (first) res.write(body.slice(0, 20), () => req.socket.destroy());
      else res.end(body);
    });
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    attempts: () => attempts,
    close: async () => {
      proxy.closeAllConnections();
      await new Promise((r) => proxy.close(r));
    },
  };
}
