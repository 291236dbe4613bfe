#!/usr/bin/env node
// The container's HEALTHCHECK: GET http://127.0.0.1:$PORT/healthz, exit 0 on 200 and 1 on anything
// else (a 503 and its one-line reason, no answer within 4 s, nothing listening). In Node so that the
// image needs neither curl nor wget. It reads only PORT: no secret passes through it.
const port = process.env.PORT && process.env.PORT.trim() !== '' ? process.env.PORT.trim() : '3000';
try {
  const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(4000) });
  const body = (await res.text()).split('\n')[0].slice(0, 200);
  if (res.status === 200) process.exit(0);
  process.stderr.write(`depwatch healthcheck: ${res.status} ${body}\n`);
} catch (err) {
  process.stderr.write(`depwatch healthcheck: no answer on port ${port} (${err instanceof Error ? (err.cause?.code ?? err.name) : String(err)})\n`);
}
process.exit(1);
