/**
 * GET /healthz and GET /metrics, as plain node:http handlers: Bolt's HTTP receiver serves them as
 * custom routes beside /slack/events, and in Socket Mode the small server in server.ts does.
 *
 * /healthz is open (a load balancer or Docker probes it without credentials) and says only "ok" or one
 * line naming what is wrong. /metrics carries no secret (see metrics.ts), but it does tell how busy
 * the bot is; when METRICS_TOKEN is set it asks for `Authorization: Bearer <token>`, compared in
 * constant time, so an HTTP-mode port that faces the internet does not publish it to everyone.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Health, HealthCheck } from './health.js';
import type { Metrics } from './metrics.js';

export interface OpsRoute {
  path: string;
  method: string[];
  handler: (req: IncomingMessage, res: ServerResponse) => void;
}

export interface OpsRoutesOptions {
  health: HealthCheck;
  metrics: Metrics;
  /** METRICS_TOKEN; /metrics is open without it. */
  metricsToken?: string | undefined;
  onError?: (message: string) => void;
}

export const HEALTH_PATH = '/healthz';
export const METRICS_PATH = '/metrics';

function answer(res: ServerResponse, status: number, body: string, contentType = 'text/plain; charset=utf-8', headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store', ...headers });
  res.end(body);
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Hashing both sides first gives equal lengths, so the comparison leaks neither content nor length. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match !== null && timingSafeEqual(digest(match[1]!), digest(token));
}

export function opsRoutes(options: OpsRoutesOptions): OpsRoute[] {
  return [
    {
      path: HEALTH_PATH,
      method: ['GET', 'HEAD'],
      handler: (_req, res) => {
        // Not errorLine (src/error-line.ts): the reason is one line of the health answer whatever was thrown, so a non-Error's text is cut too, and capped.
        void Promise.resolve()
          .then(options.health)
          .catch((err: unknown): Health => ({ ok: false, reason: `store: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 200)}` }))
          .then((health) => answer(res, health.ok ? 200 : 503, `${health.ok ? 'ok' : health.reason}\n`));
      },
    },
    {
      path: METRICS_PATH,
      method: ['GET'],
      handler: (req, res) => {
        if (options.metricsToken && !bearerMatches(req.headers.authorization, options.metricsToken)) {
          answer(res, 401, 'unauthorized\n', undefined, { 'www-authenticate': 'Bearer' });
          return;
        }
        options.metrics.text().then(
          (text) => answer(res, 200, text, options.metrics.contentType),
          (err: unknown) => {
            options.onError?.(`metrics could not be collected: ${err instanceof Error ? err.message : String(err)}`);
            answer(res, 500, 'metrics could not be collected\n');
          },
        );
      },
    },
  ];
}

/** For a server of our own: routes a request, or answers 404 / 405 the way Bolt's receiver does. */
export function serveOpsRoutes(routes: readonly OpsRoute[]): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const route = routes.find((r) => r.path === path);
    if (!route) return answer(res, 404, 'not found\n');
    if (!route.method.includes(req.method?.toUpperCase() ?? '')) return answer(res, 405, 'method not allowed\n', undefined, { allow: route.method.join(', ') });
    route.handler(req, res);
  };
}
