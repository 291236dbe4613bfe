/**
 * Bolt's receivers with a guard in front, so that no request can stop the process and nothing
 * malformed reaches a listener.
 *
 * HTTP mode (Bolt 5.1's HTTPReceiver), before Bolt reads the request:
 * - the timestamp must be within five minutes of now in EITHER direction (Bolt only refuses stale
 *   ones, so a request signed for next year would replay for a year) and the signature must match:
 *   401 otherwise;
 * - the body must parse to an object: Bolt's own handler reads `body.ssl_check` outside any
 *   try/catch, so `payload=null` would throw an unhandled rejection and end the process: 400.
 *   The body is buffered here and handed on; Bolt's reader reuses a buffered request.
 *
 * Both modes, around `app.processEvent` (the receiver's `init` gets a wrapped app):
 * - the payload must have the shape of a request we handle (payloads.ts): else refused, but for a
 *   slash command (authenticated, well-formed) whose text is too long, which is bad input like any
 *   other: acked with one ephemeral line saying so, as a command's other mistakes are;
 * - a request no listener acknowledged (an unknown action or callback id) is refused at once
 *   instead of timing out after 3 s. Refused means HTTP 400 (Socket Mode: acked and dropped).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import { defaultProcessEventErrorHandler, HTTPModuleFunctions, type CustomRoute, HTTPReceiver, SocketModeReceiver, verifySlackRequest, type App, type Logger as BoltLogger, type Receiver, type ReceiverEvent } from '@slack/bolt';
import { checkSlackPayload, MAX_COMMAND_TEXT, overlongCommand } from './payloads.js';

/** What the Socket Mode client's own Web API client takes (the base URL, retries). */
type SocketClientOptions = NonNullable<NonNullable<ConstructorParameters<typeof SocketModeReceiver>[0]['installerOptions']>['clientOptions']>;

/** Slack's replay window, applied both ways. */
export const MAX_CLOCK_SKEW_SECONDS = 5 * 60;
const EVENTS_PATH = '/slack/events';

/** A request refused before any listener ran. */
export class RefusedRequestError extends Error {
  override name = 'RefusedRequestError';
  constructor(readonly problem: string) {
    super(`refused request: ${problem}`);
  }
}

type Log = Pick<BoltLogger, 'warn' | 'error' | 'debug'>;

export interface GuardOptions {
  logger: Log;
  /** Clock for the timestamp window (tests); Date.now by default. */
  nowMs?: () => number;
}

/** The app as a receiver sees it: screened before, and checked for an ack after, every event. */
function guardedApp(app: App, logger: Log): App {
  const processEvent = async (event: ReceiverEvent): Promise<void> => {
    const overlong = overlongCommand(event.body);
    if (overlong) {
      logger.warn(`${overlong.command} text of ${overlong.length} characters answered as too long (at most ${MAX_COMMAND_TEXT})`);
      await event.ack({
        response_type: 'ephemeral',
        text: `That command is ${overlong.length.toLocaleString('en-US')} characters long; the most ${overlong.command} reads is ${MAX_COMMAND_TEXT.toLocaleString('en-US')}.`,
      });
      return;
    }
    const shape = checkSlackPayload(event.body);
    if (!shape.ok) throw new RefusedRequestError(shape.problem);
    let acked = false;
    const ack = event.ack;
    const tracked: ReceiverEvent = {
      ...event,
      ack: (response?: Parameters<ReceiverEvent['ack']>[0]) => {
        acked = true;
        return ack(response);
      },
    };
    await app.processEvent(tracked);
    if (!acked) {
      const body = event.body as { type?: unknown; actions?: { action_id?: unknown }[]; view?: { callback_id?: unknown }; command?: unknown };
      const what = body.command ?? body.actions?.[0]?.action_id ?? body.view?.callback_id ?? body.type;
      throw new RefusedRequestError(`nothing handles ${String(what).slice(0, 100)}`);
    }
  };
  logger.debug('request guard installed');
  return { processEvent } as unknown as App;
}

function refuseHttp(res: ServerResponse, status: number): void {
  if (res.headersSent) return;
  res.writeHead(status);
  res.end();
}

export interface GuardedHttpReceiverOptions extends GuardOptions {
  signingSecret: string;
  /** Served beside /slack/events without a Slack signature (GET /healthz, GET /metrics: src/ops/routes.ts). */
  customRoutes?: CustomRoute[];
}

export class GuardedHTTPReceiver extends HTTPReceiver {
  private readonly guardLogger: Log;

  constructor(options: GuardedHttpReceiverOptions & { boltLogger: BoltLogger }) {
    const log: Log = options.logger;
    super({
      signingSecret: options.signingSecret,
      logger: options.boltLogger,
      ...(options.customRoutes ? { customRoutes: options.customRoutes } : {}),
      processEventErrorHandler: async (args) => {
        if (args.error instanceof RefusedRequestError) {
          log.warn(args.error.message);
          refuseHttp(args.response, 400);
          return false;
        }
        return HTTPModuleFunctions.defaultProcessEventErrorHandler(args);
      },
      // A request refused above already has its answer; only a real silence deserves the 404 and a log line.
      unhandledRequestHandler: (args) => {
        if (args.response.headersSent) return;
        HTTPModuleFunctions.defaultUnhandledRequestHandler(args);
      },
    });
    this.guardLogger = log;
    const boltListener = this.requestListener;
    const nowMs = options.nowMs ?? Date.now;
    this.requestListener = (req, res) => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (path !== EVENTS_PATH || req.method?.toUpperCase() !== 'POST') {
        boltListener(req, res);
        return;
      }
      screenHttpRequest(req, res, { signingSecret: options.signingSecret, nowMs, logger: log }).then(
        (pass) => {
          if (!pass) return;
          try {
            boltListener(req, res);
          } catch (error) {
            log.error(`could not hand a request to Bolt: ${(error as Error).message}`);
            refuseHttp(res, 500);
          }
        },
        (error: unknown) => {
          log.error(`request guard failed: ${(error as Error).message}`);
          refuseHttp(res, 500);
        },
      );
    };
  }

  override init(app: App): void {
    super.init(guardedApp(app, this.guardLogger));
  }
}

/**
 * Reads, authenticates and parses one POST to /slack/events; answers it and returns false when it
 * must not reach Bolt. Mirrors Bolt's own reading (same content-type rule, same body limit) so that
 * what passes here parses the same way there.
 */
async function screenHttpRequest(req: IncomingMessage, res: ServerResponse, options: { signingSecret: string; nowMs: () => number; logger: Log }): Promise<boolean> {
  let buffered: Awaited<ReturnType<typeof HTTPModuleFunctions.bufferIncomingMessage>>;
  try {
    buffered = await HTTPModuleFunctions.bufferIncomingMessage(req, HTTPModuleFunctions.defaultBodyLimit);
  } catch (error) {
    const tooLarge = HTTPModuleFunctions.isRawBodyError(error) && (error as { statusCode?: number }).statusCode === 413;
    options.logger.warn(tooLarge ? 'request body over the limit' : `could not read a request body: ${(error as Error).message}`);
    refuseHttp(res, tooLarge ? 413 : 400);
    return false;
  }
  const raw = buffered.rawBody.toString('utf8');
  const form = req.headers['content-type'] === 'application/x-www-form-urlencoded';
  // Slack's SSL check is unsigned by design; Bolt strips anything else from it and answers 200.
  if (form && parseQuery(raw).ssl_check === '1') return true;

  const stamp = req.headers['x-slack-request-timestamp'];
  const signature = req.headers['x-slack-signature'];
  const seconds = typeof stamp === 'string' && /^\d{1,12}$/.test(stamp) ? Number(stamp) : NaN;
  const now = options.nowMs();
  if (!Number.isFinite(seconds) || Math.abs(now / 1000 - seconds) > MAX_CLOCK_SKEW_SECONDS) {
    options.logger.warn(`request refused: timestamp ${Number.isFinite(seconds) ? `${Math.round(seconds - now / 1000)} s from now` : 'missing'} (at most ${MAX_CLOCK_SKEW_SECONDS} s either way)`);
    refuseHttp(res, 401);
    return false;
  }
  try {
    verifySlackRequest({ signingSecret: options.signingSecret, body: raw, headers: { 'x-slack-signature': typeof signature === 'string' ? signature : '', 'x-slack-request-timestamp': seconds }, nowMilliseconds: now });
  } catch {
    options.logger.warn('request refused: bad signature');
    refuseHttp(res, 401);
    return false;
  }

  let body: unknown;
  try {
    body = HTTPModuleFunctions.parseHTTPRequestBody(buffered);
  } catch {
    body = undefined;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    options.logger.warn(`request refused: the body is ${body === null ? 'null' : body === undefined ? 'not JSON' : Array.isArray(body) ? 'an array' : typeof body}, not an object`);
    refuseHttp(res, 400);
    return false;
  }
  return true;
}

export class GuardedSocketModeReceiver extends SocketModeReceiver {
  private readonly guardLogger: Log;

  constructor(options: Omit<GuardOptions, 'nowMs'> & { appToken: string; boltLogger: BoltLogger; clientOptions?: SocketClientOptions }) {
    const log: Log = options.logger;
    super({
      appToken: options.appToken,
      // The Socket Mode client's Web API calls (apps.connections.open) go where the bot's do (SLACK_API_URL).
      ...(options.clientOptions ? { installerOptions: { clientOptions: options.clientOptions } } : {}),
      logger: options.boltLogger,
      processEventErrorHandler: async (args) => {
        if (args.error instanceof RefusedRequestError) {
          log.warn(args.error.message);
          // Acked, so Slack does not redeliver what would be refused again.
          return true;
        }
        return defaultProcessEventErrorHandler(args);
      },
    });
    this.guardLogger = log;
  }

  override init(app: App): void {
    super.init(guardedApp(app, this.guardLogger));
  }
}

/** The receiver for the configured mode. */
export function createGuardedReceiver(options: { appToken?: string | undefined; signingSecret?: string | undefined; logger: Log; boltLogger: BoltLogger; nowMs?: () => number; clientOptions?: SocketClientOptions; customRoutes?: CustomRoute[] }): Receiver {
  if (options.appToken) return new GuardedSocketModeReceiver({ appToken: options.appToken, logger: options.logger, boltLogger: options.boltLogger, ...(options.clientOptions ? { clientOptions: options.clientOptions } : {}) });
  if (!options.signingSecret) throw new Error('HTTP mode needs SLACK_SIGNING_SECRET');
  return new GuardedHTTPReceiver({ signingSecret: options.signingSecret, logger: options.logger, boltLogger: options.boltLogger, ...(options.nowMs ? { nowMs: options.nowMs } : {}), ...(options.customRoutes ? { customRoutes: options.customRoutes } : {}) });
}
