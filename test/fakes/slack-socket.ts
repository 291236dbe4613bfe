/**
 * A loopback fake of Slack's Socket Mode WebSocket (ws://127.0.0.1, random port), beside the fake Web
 * API (slack-api.ts): it registers its URL there, so `apps.connections.open` with an app-level token
 * hands it out, as Slack hands out its wss:// URL.
 *
 * Wire format, as Slack documents it and @slack/socket-mode 3.x reads it (SocketModeClient.js):
 * - on connect the server sends `{"type":"hello", "num_connections", "debug_info", "connection_info"}`;
 *   the client counts as connected only then;
 * - requests arrive as envelopes `{"envelope_id", "type", "payload", "accepts_response_payload"}` with
 *   `type` one of `slash_commands`, `interactive` (block_actions, view_submission…) or `events_api`
 *   (plus `retry_attempt` and `retry_reason`); the payload is what HTTP mode would POST, as JSON;
 * - the app acks with `{"envelope_id", "payload"}` (payload: the ack's response body, often `{}`);
 * - `{"type":"disconnect","reason":…}` asks the client to reconnect (a fresh apps.connections.open).
 *
 * `send()` resolves with the ack matched by envelope_id, and how long it took.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { blockAction, slashCommand, type BlockActionInput, type SlashCommandInput } from '../helpers/slack-requests.js';
import { FAKE_BOT, type FakeSlack } from './slack-api.js';

export type EnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

export interface SocketAck {
  envelopeId: string;
  /** The ack's response body (`{}` for a bare ack()). */
  payload: Record<string, unknown>;
  /** Milliseconds from sending the envelope to receiving its ack. */
  ms: number;
}

export interface FakeSocketMode {
  /** The ws:// URL handed out by apps.connections.open. */
  url: string;
  /** Connections opened so far (a reconnect opens another). */
  readonly connections: number;
  /** Messages the app sent that were not acks of a known envelope (should stay empty). */
  readonly unexpected: unknown[];
  /** Resolves once a client is connected and has been sent `hello`. */
  connected(timeoutMs?: number): Promise<void>;
  /** Sends an envelope to the connected app; resolves with its ack (rejects after `timeoutMs`). */
  send(type: EnvelopeType, payload: Record<string, unknown>, options?: { timeoutMs?: number; acceptsResponsePayload?: boolean }): Promise<SocketAck>;
  /** A slash command envelope (fields as in HTTP mode). */
  slashCommand(input: SlashCommandInput, timeoutMs?: number): Promise<SocketAck>;
  /** A block_actions envelope (a button click). */
  blockActions(input: BlockActionInput, timeoutMs?: number): Promise<SocketAck>;
  /** Asks the connected app to reconnect. */
  disconnect(reason?: string): void;
  close(): Promise<void>;
}

export async function startFakeSocketMode(slack: FakeSlack): Promise<FakeSocketMode> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `ws://127.0.0.1:${port}/link/?ticket=${randomUUID()}&app_id=${FAKE_BOT.appId}`;
  slack.socketModeUrl = url;

  let current: WebSocket | null = null;
  let connections = 0;
  const unexpected: unknown[] = [];
  const waitingForAck = new Map<string, { sentAt: number; resolve: (ack: SocketAck) => void }>();
  const waitingForConnection: (() => void)[] = [];

  server.on('connection', (socket) => {
    connections += 1;
    current = socket;
    socket.on('message', (data, isBinary) => {
      let message: unknown;
      try {
        message = JSON.parse(isBinary ? '' : data.toString());
      } catch {
        unexpected.push(data.toString());
        return;
      }
      const envelopeId = (message as { envelope_id?: unknown }).envelope_id;
      const waiting = typeof envelopeId === 'string' ? waitingForAck.get(envelopeId) : undefined;
      if (!waiting || typeof envelopeId !== 'string') {
        unexpected.push(message);
        return;
      }
      waitingForAck.delete(envelopeId);
      const payload = (message as { payload?: unknown }).payload;
      waiting.resolve({ envelopeId, payload: typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : {}, ms: Date.now() - waiting.sentAt });
    });
    socket.on('close', () => {
      if (current === socket) current = null;
    });
    socket.send(
      JSON.stringify({
        type: 'hello',
        num_connections: 1,
        debug_info: { host: 'applink-fake-1', build_number: 1, approximate_connection_time: 18060 },
        connection_info: { app_id: FAKE_BOT.appId },
      }),
    );
    for (const resolve of waitingForConnection.splice(0)) resolve();
  });

  const send: FakeSocketMode['send'] = (type, payload, options = {}) => {
    const socket = current;
    if (!socket) return Promise.reject(new Error('no Socket Mode client is connected'));
    const envelopeId = randomUUID();
    const timeoutMs = options.timeoutMs ?? 10_000;
    return new Promise<SocketAck>((resolve, reject) => {
      const timer = setTimeout(() => {
        waitingForAck.delete(envelopeId);
        reject(new Error(`no ack for ${type} envelope ${envelopeId} within ${timeoutMs} ms`));
      }, timeoutMs);
      waitingForAck.set(envelopeId, {
        sentAt: Date.now(),
        resolve: (ack) => {
          clearTimeout(timer);
          resolve(ack);
        },
      });
      socket.send(
        JSON.stringify({
          envelope_id: envelopeId,
          type,
          payload,
          accepts_response_payload: options.acceptsResponsePayload ?? type !== 'events_api',
          ...(type === 'events_api' ? { retry_attempt: 0, retry_reason: '' } : {}),
        }),
      );
    });
  };

  return {
    url,
    get connections() {
      return connections;
    },
    unexpected,
    connected: (timeoutMs = 20_000) =>
      current
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`no Socket Mode connection within ${timeoutMs} ms`)), timeoutMs);
            waitingForConnection.push(() => {
              clearTimeout(timer);
              resolve();
            });
          }),
    send,
    // The same fields HTTP mode form-encodes, as the JSON payload of the envelope.
    slashCommand: (input, timeoutMs) => send('slash_commands', Object.fromEntries(new URLSearchParams(slashCommand(input).body)), timeoutMs ? { timeoutMs } : {}),
    blockActions: (input, timeoutMs) => send('interactive', JSON.parse(new URLSearchParams(blockAction(input).body).get('payload') ?? '{}') as Record<string, unknown>, timeoutMs ? { timeoutMs } : {}),
    disconnect: (reason = 'refresh_requested') => current?.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'applink-fake-1' } })),
    close: () =>
      new Promise<void>((resolve) => {
        slack.socketModeUrl = null;
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}
