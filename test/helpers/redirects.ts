/**
 * A server's handler that redirects as the transports' redirect tests need, over HTTP/1.1 or
 * HTTP/2 alike (HTTP/2's compatibility request and response): `/old` answers 307 to `/new`,
 * `/see-other` 303 to `/new`, `/loop…` 302 to another `/loop…` without end, anything else 200
 * `{"ok":true}`. Each request is recorded in `seen` as `METHOD path body`.
 */
interface Request {
  method?: string;
  url?: string;
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
}
interface Response {
  writeHead(status: number, headers: Record<string, string>): { end(): unknown; end(data: string): unknown };
}

export function redirectingHandler(seen: string[]): (req: Request, res: Response) => void {
  return (req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push(`${req.method} ${req.url} ${body}`);
      if (req.url === '/old') return res.writeHead(307, { location: '/new' }).end();
      if (req.url === '/see-other') return res.writeHead(303, { location: '/new' }).end();
      if (req.url?.startsWith('/loop')) return res.writeHead(302, { location: `/loop${seen.length}` }).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  };
}
