/**
 * A loopback fake of Slack's Web API (127.0.0.1, random port) for tests of the Bolt app and of
 * anything that posts. It answers the methods Depwatch uses the way Slack does (ok/error JSON,
 * realistic increasing `ts` values, 429 with Retry-After), keeps what was posted per channel and
 * thread so a test can read the channel as a user would, and runs the Block Kit limit checker on
 * EVERY `blocks` and `view` it receives: a violation is answered `invalid_blocks` (or
 * `msg_blocks_too_long`) like Slack and recorded in `violations`, so
 * `expect(fake.violations).toEqual([])` proves that no message would have been rejected.
 *
 * Give `url` to Bolt as `clientOptions.slackApiUrl` (or to a WebClient as `slackApiUrl`).
 * `responseUrl(id)` is a loopback `response_url` for slash commands and button clicks; what is
 * POSTed there lands in `responses`, checked like any message.
 *
 * Behaviour chosen where Slack's is unclear, on the strict side so bugs show up:
 * - a missing or unknown token answers `invalid_auth`, a revoked one `token_revoked` (any method);
 * - `apps.connections.open` takes only an app-level token (a bot token is `not_allowed_token_type`)
 *   and hands out `socketModeUrl`;
 * - `thread_ts` must name a message in that channel (`thread_not_found`); a reply's ts means its parent;
 * - views with limit violations answer `invalid_arguments` with `response_metadata.messages` (what
 *   Slack does for views) and are recorded in `violations` all the same;
 * - a response_url accepts 5 posts, then answers HTTP 404 `used_url`; invalid blocks answer HTTP 400;
 * - chat.postMessage takes about one message a second per channel with short bursts: more than
 *   `postBurst` (default POST_BURST) to one channel within any second answer HTTP 429 with
 *   `Retry-After: 1`, as Slack does to a bot flooding a channel.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkMessage, checkView, type LimitViolation } from '../../src/slack/blocks/limits.js';

export const FAKE_BOT_TOKEN = 'xoxb-depwatch-fake-bot-token';
/** The app-level token (Socket Mode) the fake accepts for `apps.connections.open` by default. */
export const FAKE_APP_TOKEN = 'xapp-depwatch-fake-app-token';
/**
 * chat.postMessage calls one channel takes within any second before the fake answers 429. Slack
 * documents one a second with "short bursts >1 allowed" and no number; people who measured it report
 * a few dozen before the 429s start. Twenty is on the safe side of that: a product that paces itself
 * never meets it, and one that posts a long thread at once (dozens of parts in a second) does.
 */
export const POST_BURST = 20;

export const FAKE_TEAM = { id: 'T0DEPWATCH1', domain: 'depwatch-test', name: 'Depwatch Test' } as const;
export const FAKE_BOT = { userId: 'U0DEPBOT001', botId: 'B0DEPBOT001', appId: 'A0DEPWATCH1' } as const;

export interface FakeUser {
  id: string;
  name: string;
  real_name: string;
  tz: string;
  tz_offset: number;
  is_bot: boolean;
  is_admin: boolean;
  /** A deactivated account (users.info says `deleted: true`; conversations.open, user_disabled). */
  deleted?: boolean;
}

export interface FakeSlackOptions {
  /** Tokens accepted; anything else is `invalid_auth`. Defaults to [FAKE_BOT_TOKEN]. */
  tokens?: string[];
  /** Tokens that were valid once: every method answers `token_revoked`, as Slack does after an uninstall. */
  revokedTokens?: string[];
  /** App-level tokens accepted by `apps.connections.open` (and nothing else). Defaults to [FAKE_APP_TOKEN]. */
  appTokens?: string[];
  latencyMs?: number;
  /** Channel names by id, for conversations.info; unknown C/G ids get a made-up name. */
  channels?: Record<string, { name: string; is_private?: boolean; is_archived?: boolean }>;
  /** users.info answers; any other U/W id gets a made-up user in UTC. */
  users?: Record<string, Partial<FakeUser>>;
  /** Seconds part of the first `ts` handed out. */
  startTs?: number;
  /** chat.postMessage calls one channel takes within a second before 429 (default POST_BURST). */
  postBurst?: number;
}

export interface SlackCall {
  method: string;
  /** Form or JSON parameters; JSON-valued ones (blocks, view, files, attachments, metadata) decoded. */
  params: Record<string, unknown>;
  token: string | undefined;
  time: number;
  /** What the fake answered: the JSON body, or `{ok:false, error:'ratelimited'}` for a 429. */
  response: Record<string, unknown>;
  /** The HTTP status answered; 0 when the connection was closed instead (dropNext). */
  status: number;
}

export interface FakeViolation extends LimitViolation {
  /** The Web API method, or `response_url`. */
  method: string;
}

export interface StoredMessage {
  type: 'message';
  channel: string;
  ts: string;
  thread_ts?: string;
  text: string;
  blocks?: unknown[];
  user: string;
  bot_id: string;
  app_id: string;
  team: string;
  reply_broadcast?: boolean;
  reply_count?: number;
  reactions?: { name: string; users: string[]; count: number }[];
  files?: { id: string; title: string; name: string }[];
  edited?: { user: string; ts: string };
  metadata?: unknown;
  /** How it arrived: chat.postMessage, files.completeUploadExternal or response_url. */
  via: string;
}

export interface EphemeralMessage {
  channel: string;
  user: string | undefined;
  text: string;
  blocks?: unknown[];
  message_ts: string;
  thread_ts?: string;
  via: string;
}

export interface ResponseUrlPost {
  id: string;
  body: Record<string, unknown>;
  time: number;
  status: number;
}

export interface StoredView {
  id: string;
  view: Record<string, unknown>;
  hash: string;
  user?: string;
}

export interface UploadedFile {
  id: string;
  filename: string;
  length: number;
  title?: string;
  content?: Buffer;
  completed: boolean;
  channel?: string;
  thread_ts?: string;
}

/** What the next call to a method answers instead of its usual answer. */
type Script = { kind: 'fail'; error: string; extra: Answer } | { kind: 'rate'; seconds: number } | { kind: 'http'; status: number; handled: boolean } | { kind: 'drop'; handled: boolean } | { kind: 'hang'; handled: boolean } | { kind: 'pass' };

export interface FakeSlack {
  /** `http://127.0.0.1:PORT/api/`, for `slackApiUrl`. */
  url: string;
  origin: string;
  readonly calls: SlackCall[];
  readonly violations: FakeViolation[];
  readonly responses: ResponseUrlPost[];
  latencyMs: number;
  callsTo(method: string): SlackCall[];
  /** The next call to `method` answers `{ok:false, error}` (plus `extra` fields). */
  failNext(method: string, error: string, extra?: Record<string, unknown>): void;
  /** Calls to `method` after the next `after` (answered as usual) answer `{ok:false, error}`, `times` of them. */
  failLater(method: string, error: string, options: { after: number; times?: number }): void;
  /** Drops what was scripted for `method` and not used yet: its calls are answered as usual again. */
  unscript(method: string): void;
  /** Every chat.update of this one message answers `{ok:false, error}` (a message Slack will not let the app edit any more). */
  refuseEditsOf(channel: string, ts: string, error: string): void;
  /** The next call to `method` answers HTTP 429 with `Retry-After: retryAfterSeconds`. */
  rateLimitNext(method: string, retryAfterSeconds: number): void;
  /**
   * The next call to `method` answers HTTP `status` (a 5xx); with `handled`, after doing what was
   * asked (a post is in the channel: the answer, not the request, was lost).
   */
  serverErrorNext(method: string, status: number, options?: { handled?: boolean }): void;
  /**
   * The next call to `method` gets no answer: the connection is closed under it (a timeout or a
   * network failure as the client sees it); with `handled`, after doing what was asked.
   */
  dropNext(method: string, options?: { handled?: boolean }): void;
  /**
   * The next call to `method` is never answered: the connection stays open until the client gives
   * up (its timeout) or the fake closes; with `handled`, after doing what was asked.
   */
  hangNext(method: string, options?: { handled?: boolean }): void;
  /**
   * The WebSocket URL `apps.connections.open` hands out (a loopback Socket Mode fake, see
   * slack-socket.ts); until it is set, the method answers as if Socket Mode were off for the app.
   */
  socketModeUrl: string | null;
  /**
   * While true, every response_url post answers HTTP 404 `expired_url`, as Slack does after 30
   * minutes (or `used_url` after five posts): a reply that can only go through it is lost.
   */
  responseUrlsExpired: boolean;
  /**
   * A loopback response_url; with `channel`, in_channel posts also land in `messages(channel)`.
   * With `messageTs` (a button click's url), `replace_original` edits that message, as Slack does.
   */
  responseUrl(id: string, options?: { channel?: string; user?: string; messageTs?: string }): string;
  /** Top-level messages of a channel (and broadcast replies), oldest first. */
  messages(channel: string): StoredMessage[];
  /** The replies under `ts` (not the parent), oldest first. */
  thread(channel: string, ts: string): StoredMessage[];
  message(channel: string, ts: string): StoredMessage | undefined;
  ephemerals(channel?: string): EphemeralMessage[];
  view(id: string): StoredView | undefined;
  homeView(userId: string): StoredView | undefined;
  files(): UploadedFile[];
  close(): Promise<void>;
}

type Params = Record<string, unknown>;
type Answer = Record<string, unknown>;

const JSON_PARAMS = ['blocks', 'view', 'files', 'attachments', 'metadata'] as const;

class BadJson extends Error {
  constructor(readonly param: string) {
    super(`${param} is not valid JSON`);
  }
}

function decodeParams(raw: Params): Params {
  const params: Params = { ...raw };
  for (const key of JSON_PARAMS) {
    const value = params[key];
    if (typeof value !== 'string') continue;
    try {
      params[key] = JSON.parse(value) as unknown;
    } catch {
      throw new BadJson(key);
    }
  }
  return params;
}

function str(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function isTrue(value: unknown): boolean {
  return value === true || value === 'true' || value === '1' || value === 1;
}

function jsonPointer(path: string): string {
  return '/' + path.replace(/\[(\d+)\]/g, '.$1').split('.').filter(Boolean).join('/');
}

function slackErrors(violations: LimitViolation[]): string[] {
  return violations.map((v) => `${v.message} [json-pointer:${jsonPointer(v.path)}]`);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function parseParams(req: IncomingMessage, body: Buffer): Params {
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  const query = Object.fromEntries(new URL(req.url ?? '/', 'http://x').searchParams);
  if (type.startsWith('application/json')) {
    const parsed: unknown = body.length > 0 ? JSON.parse(body.toString('utf8')) : {};
    return { ...query, ...(typeof parsed === 'object' && parsed !== null ? (parsed as Params) : {}) };
  }
  return { ...query, ...Object.fromEntries(new URLSearchParams(body.toString('utf8'))) };
}

function send(res: ServerResponse, status: number, body: Answer | string, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8',
    ...headers,
  });
  res.end(text);
}

export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  const tokens = new Set(options.tokens ?? [FAKE_BOT_TOKEN]);
  const revokedTokens = new Set(options.revokedTokens ?? []);
  const appTokens = new Set(options.appTokens ?? [FAKE_APP_TOKEN]);
  let socketModeUrl: string | null = null;
  let responseUrlsExpired = false;
  const calls: SlackCall[] = [];
  const violations: FakeViolation[] = [];
  const responses: ResponseUrlPost[] = [];
  const scripted = new Map<string, Script[]>();
  /** `channel ts` of messages whose edits are refused, with the error (refuseEditsOf). */
  const refusedEdits = new Map<string, string>();
  const channels = new Map<string, StoredMessage[]>();
  const ephemerals: EphemeralMessage[] = [];
  const views = new Map<string, StoredView>();
  // A trigger_id opens one view: Slack answers a second views.open or views.push with it `exchanged_trigger_id`.
  const exchangedTriggers = new Set<string>();
  const exchangeTrigger = (params: Params): Answer | null => {
    const trigger = str(params.trigger_id);
    if (!trigger) return { ok: false, error: 'invalid_trigger_id' };
    if (exchangedTriggers.has(trigger)) return { ok: false, error: 'exchanged_trigger_id' };
    return null;
  };
  const homeViews = new Map<string, string>();
  const files = new Map<string, UploadedFile>();
  const dms = new Map<string, string>();
  const responseTargets = new Map<string, { channel?: string; user?: string; uses: number; lastTs?: string }>();
  let tsMicros = (options.startTs ?? 1732780000) * 1_000_000;
  const postBurst = options.postBurst ?? POST_BURST;
  /** Per channel, when its recent chat.postMessage calls were taken (ms). */
  const recentPosts = new Map<string, number[]>();
  /** Whether one more chat.postMessage to `channel` is within Slack's pace; taken when it is. */
  const takePost = (channel: string): boolean => {
    const now = Date.now();
    const recent = (recentPosts.get(channel) ?? []).filter((t) => now - t < 1000);
    recentPosts.set(channel, recent);
    if (recent.length >= postBurst) return false;
    recent.push(now);
    return true;
  };
  let idCounter = 0;
  let origin = '';

  const nextTs = (): string => {
    tsMicros += 100;
    return `${Math.floor(tsMicros / 1_000_000)}.${String(tsMicros % 1_000_000).padStart(6, '0')}`;
  };
  const nextId = (prefix: string): string => `${prefix}0${String(++idCounter).padStart(9, '0')}`;
  const channelMessages = (channel: string): StoredMessage[] => {
    let list = channels.get(channel);
    if (!list) {
      list = [];
      channels.set(channel, list);
    }
    return list;
  };
  const findMessage = (channel: string, ts: string): StoredMessage | undefined => channels.get(channel)?.find((m) => m.ts === ts);
  const dmFor = (users: string): string => {
    const key = users.split(',').map((u) => u.trim()).filter(Boolean).sort().join(',');
    let id = dms.get(key);
    if (!id) {
      id = nextId('D');
      dms.set(key, id);
    }
    return id;
  };
  const userFor = (id: string): FakeUser | undefined => {
    const configured = options.users?.[id];
    if (!configured && !/^[UW][A-Z0-9]+$/.test(id)) return undefined;
    const name = configured?.name ?? id.toLowerCase();
    return { id, name, real_name: name, tz: 'UTC', tz_offset: 0, is_bot: false, is_admin: false, ...configured };
  };

  /** Runs the limit checker; returns the error answer to give, or undefined when the blocks pass. */
  const checkBlocks = (method: string, params: Params): Answer | undefined => {
    if (params.blocks === undefined) return undefined;
    const found = checkMessage({ text: params.text, blocks: params.blocks });
    if (found.length === 0) return undefined;
    violations.push(...found.map((v) => ({ ...v, method })));
    const onlyTooLong = found.every((v) => v.rule === 'message.textBudget');
    const errors = slackErrors(found);
    return { ok: false, error: onlyTooLong ? 'msg_blocks_too_long' : 'invalid_blocks', errors, response_metadata: { messages: errors.map((e) => `[ERROR] ${e}`) } };
  };
  const checkAView = (method: string, view: unknown): Answer | undefined => {
    const found = checkView(view);
    if (found.length === 0) return undefined;
    violations.push(...found.map((v) => ({ ...v, method })));
    const errors = slackErrors(found);
    return { ok: false, error: 'invalid_arguments', errors, response_metadata: { messages: errors.map((e) => `[ERROR] ${e}`) } };
  };
  /** A channel id, with a user id standing for the DM with that user (as chat.postMessage allows). */
  const resolveChannel = (value: unknown): string | undefined => {
    const id = str(value);
    if (!id) return undefined;
    if (/^[UW][A-Z0-9]+$/.test(id)) return dmFor(id);
    return /^[CGD][A-Z0-9]+$/.test(id) ? id : undefined;
  };
  const storedMessage = (channel: string, params: Params, via: string): StoredMessage => ({
    type: 'message',
    channel,
    ts: nextTs(),
    text: str(params.text) ?? '',
    ...(Array.isArray(params.blocks) ? { blocks: params.blocks } : {}),
    ...(params.metadata !== undefined ? { metadata: params.metadata } : {}),
    user: FAKE_BOT.userId,
    bot_id: FAKE_BOT.botId,
    app_id: FAKE_BOT.appId,
    team: FAKE_TEAM.id,
    via,
  });
  /** Stores a post; answers an error when the thread does not exist. */
  const post = (channel: string, params: Params, via: string): StoredMessage | { ok: false; error: string } => {
    const message = storedMessage(channel, params, via);
    const threadTs = str(params.thread_ts);
    if (threadTs) {
      const target = findMessage(channel, threadTs);
      if (!target) return { ok: false, error: 'thread_not_found' };
      const parent = target.thread_ts && target.thread_ts !== target.ts ? findMessage(channel, target.thread_ts) ?? target : target;
      message.thread_ts = parent.ts;
      if (parent.thread_ts === undefined) parent.thread_ts = parent.ts;
      parent.reply_count = (parent.reply_count ?? 0) + 1;
      if (isTrue(params.reply_broadcast)) message.reply_broadcast = true;
    }
    channelMessages(channel).push(message);
    return message;
  };
  const publicMessage = (m: StoredMessage): Answer => {
    const { channel: _channel, via: _via, ...rest } = m;
    return rest;
  };
  const permalink = (channel: string, m: StoredMessage): string => {
    const base = `https://${FAKE_TEAM.domain}.slack.com/archives/${channel}/p${m.ts.replace('.', '')}`;
    return m.thread_ts && m.thread_ts !== m.ts ? `${base}?thread_ts=${m.thread_ts}&cid=${channel}` : base;
  };
  const viewAnswer = (stored: StoredView): Answer => ({
    ok: true,
    view: {
      id: stored.id,
      team_id: FAKE_TEAM.id,
      app_id: FAKE_BOT.appId,
      bot_id: FAKE_BOT.botId,
      hash: stored.hash,
      state: { values: {} },
      root_view_id: stored.id,
      previous_view_id: null,
      ...stored.view,
    },
  });
  const storeView = (view: Params, user?: string, id: string = nextId('V')): StoredView => {
    const stored: StoredView = { id, view, hash: `${Date.now()}.${nextId('h')}`, ...(user ? { user } : {}) };
    views.set(id, stored);
    return stored;
  };

  const methods: Record<string, (params: Params) => Answer> = {
    'auth.test': () => ({
      ok: true,
      url: `https://${FAKE_TEAM.domain}.slack.com/`,
      team: FAKE_TEAM.name,
      user: 'depwatch',
      team_id: FAKE_TEAM.id,
      user_id: FAKE_BOT.userId,
      bot_id: FAKE_BOT.botId,
      is_enterprise_install: false,
    }),
    'chat.postMessage': (params) => {
      const channel = resolveChannel(params.channel);
      if (!channel) return { ok: false, error: 'channel_not_found' };
      if (params.text === undefined && params.blocks === undefined && params.attachments === undefined) return { ok: false, error: 'no_text' };
      const invalid = checkBlocks('chat.postMessage', params);
      if (invalid) return invalid;
      const stored = post(channel, params, 'chat.postMessage');
      if ('ok' in stored) return stored;
      return { ok: true, channel, ts: stored.ts, message: publicMessage(stored) };
    },
    'chat.update': (params) => {
      const channel = str(params.channel);
      const ts = str(params.ts);
      if (!channel || !ts) return { ok: false, error: channel ? 'message_not_found' : 'channel_not_found' };
      const stored = findMessage(channel, ts);
      if (!stored) return { ok: false, error: 'message_not_found' };
      const invalid = checkBlocks('chat.update', params);
      if (invalid) return invalid;
      if (params.text !== undefined) stored.text = str(params.text) ?? '';
      if (Array.isArray(params.blocks)) {
        if (params.blocks.length > 0) stored.blocks = params.blocks;
        else delete stored.blocks;
      }
      if (params.metadata !== undefined) stored.metadata = params.metadata;
      stored.edited = { user: FAKE_BOT.userId, ts: nextTs() };
      return { ok: true, channel, ts, text: stored.text, message: publicMessage(stored) };
    },
    // A bot token may delete the bot's own messages only (chat:write); others answer cant_delete_message.
    'chat.delete': (params) => {
      const channel = str(params.channel);
      const ts = str(params.ts);
      if (!channel) return { ok: false, error: 'channel_not_found' };
      const stored = ts ? findMessage(channel, ts) : undefined;
      if (!stored || !ts) return { ok: false, error: 'message_not_found' };
      if (stored.bot_id !== FAKE_BOT.botId) return { ok: false, error: 'cant_delete_message' };
      const list = channelMessages(channel);
      list.splice(list.indexOf(stored), 1);
      const parent = stored.thread_ts && stored.thread_ts !== stored.ts ? findMessage(channel, stored.thread_ts) : undefined;
      if (parent?.reply_count) parent.reply_count -= 1;
      return { ok: true, channel, ts };
    },
    'chat.postEphemeral': (params) => {
      const channel = resolveChannel(params.channel);
      if (!channel) return { ok: false, error: 'channel_not_found' };
      const user = str(params.user);
      if (!user || !userFor(user)) return { ok: false, error: 'user_not_in_channel' };
      if (params.text === undefined && params.blocks === undefined) return { ok: false, error: 'no_text' };
      const invalid = checkBlocks('chat.postEphemeral', params);
      if (invalid) return invalid;
      const messageTs = nextTs();
      const threadTs = str(params.thread_ts);
      ephemerals.push({
        channel,
        user,
        text: str(params.text) ?? '',
        ...(Array.isArray(params.blocks) ? { blocks: params.blocks } : {}),
        message_ts: messageTs,
        ...(threadTs ? { thread_ts: threadTs } : {}),
        via: 'chat.postEphemeral',
      });
      return { ok: true, message_ts: messageTs };
    },
    'chat.getPermalink': (params) => {
      const channel = str(params.channel);
      const ts = str(params.message_ts);
      const stored = channel && ts ? findMessage(channel, ts) : undefined;
      if (!channel || !stored) return { ok: false, error: 'message_not_found' };
      return { ok: true, channel, permalink: permalink(channel, stored) };
    },
    'views.open': (params) => {
      const refused = exchangeTrigger(params) ?? checkAView('views.open', params.view);
      if (refused) return refused;
      exchangedTriggers.add(str(params.trigger_id)!);
      return viewAnswer(storeView(params.view as Params));
    },
    'views.push': (params) => {
      const refused = exchangeTrigger(params) ?? checkAView('views.push', params.view);
      if (refused) return refused;
      exchangedTriggers.add(str(params.trigger_id)!);
      return viewAnswer(storeView(params.view as Params));
    },
    'views.update': (params) => {
      const viewId = str(params.view_id);
      const externalId = str(params.external_id);
      const stored = viewId ? views.get(viewId) : [...views.values()].find((v) => externalId !== undefined && v.view.external_id === externalId);
      if (!stored) return { ok: false, error: 'not_found' };
      const hash = str(params.hash);
      if (hash !== undefined && hash !== stored.hash) return { ok: false, error: 'hash_conflict' };
      const invalid = checkAView('views.update', params.view);
      if (invalid) return invalid;
      return viewAnswer(storeView(params.view as Params, stored.user, stored.id));
    },
    'views.publish': (params) => {
      const user = str(params.user_id);
      if (!user || !userFor(user)) return { ok: false, error: 'user_not_found' };
      const invalid = checkAView('views.publish', params.view);
      if (invalid) return invalid;
      const view = params.view as Params;
      if (view.type !== 'home') return { ok: false, error: 'invalid_arguments', response_metadata: { messages: ['[ERROR] views.publish takes a home view [json-pointer:/view/type]'] } };
      const previous = homeViews.get(user);
      const hash = str(params.hash);
      if (previous && hash !== undefined && hash !== views.get(previous)?.hash) return { ok: false, error: 'hash_conflict' };
      const stored = storeView(view, user, previous);
      homeViews.set(user, stored.id);
      return viewAnswer(stored);
    },
    'conversations.open': (params) => {
      const users = str(params.users);
      const person = users ? options.users?.[users] : undefined;
      if (person?.is_bot) return { ok: false, error: 'cannot_dm_bot' };
      if (person?.deleted) return { ok: false, error: 'user_disabled' };
      if (users) return { ok: true, channel: { id: dmFor(users) } };
      const channel = str(params.channel);
      if (channel && /^D/.test(channel)) return { ok: true, channel: { id: channel } };
      return { ok: false, error: 'users_list_not_supplied' };
    },
    // Top-level messages newest first, like Slack; metadata only with include_all_metadata.
    'conversations.history': (params) => {
      const channel = str(params.channel);
      if (!channel || !/^[CGD][A-Z0-9]+$/.test(channel)) return { ok: false, error: 'channel_not_found' };
      const oldest = Number(str(params.oldest) ?? '0');
      const limit = Math.min(Math.max(Number(str(params.limit) ?? '100') || 100, 1), 999);
      const offset = Number(str(params.cursor) ?? '0') || 0;
      const all = channelMessages(channel)
        .filter((m) => (m.thread_ts === undefined || m.thread_ts === m.ts) && Number(m.ts) >= oldest)
        .reverse();
      const page = all.slice(offset, offset + limit).map((m) => {
        const { metadata, ...rest } = publicMessage(m) as Answer & { metadata?: unknown };
        return isTrue(params.include_all_metadata) && metadata !== undefined ? { ...rest, metadata } : rest;
      });
      const more = offset + limit < all.length;
      return { ok: true, messages: page, has_more: more, response_metadata: { next_cursor: more ? String(offset + limit) : '' } };
    },
    // A thread, parent first then replies oldest first, like Slack; metadata only with include_all_metadata.
    'conversations.replies': (params) => {
      const channel = str(params.channel);
      const ts = str(params.ts);
      if (!channel || !/^[CGD][A-Z0-9]+$/.test(channel)) return { ok: false, error: 'channel_not_found' };
      const parent = ts ? findMessage(channel, ts) : undefined;
      if (!parent) return { ok: false, error: 'thread_not_found' };
      const limit = Math.min(Math.max(Number(str(params.limit) ?? '1000') || 1000, 1), 1000);
      const offset = Number(str(params.cursor) ?? '0') || 0;
      const all = channelMessages(channel).filter((m) => m.ts === parent.ts || m.thread_ts === parent.ts);
      const page = all.slice(offset, offset + limit).map((m) => {
        const { metadata, ...rest } = publicMessage(m) as Answer & { metadata?: unknown };
        return isTrue(params.include_all_metadata) && metadata !== undefined ? { ...rest, metadata } : rest;
      });
      const more = offset + limit < all.length;
      return { ok: true, messages: page, has_more: more, response_metadata: { next_cursor: more ? String(offset + limit) : '' } };
    },
    'conversations.info': (params) => {
      const id = str(params.channel);
      if (!id || !/^[CGD][A-Z0-9]+$/.test(id)) return { ok: false, error: 'channel_not_found' };
      const configured = options.channels?.[id];
      const isIm = id.startsWith('D');
      const dmUser = isIm ? [...dms.entries()].find(([, dm]) => dm === id)?.[0] : undefined;
      return {
        ok: true,
        channel: {
          id,
          name: isIm ? undefined : configured?.name ?? `channel-${id.toLowerCase()}`,
          is_channel: id.startsWith('C'),
          is_group: id.startsWith('G'),
          is_im: isIm,
          is_private: isIm || id.startsWith('G') || Boolean(configured?.is_private),
          is_archived: Boolean(configured?.is_archived),
          is_member: true,
          created: 1700000000,
          ...(dmUser ? { user: dmUser } : {}),
        },
      };
    },
    'users.info': (params) => {
      const id = str(params.user);
      const user = id ? userFor(id) : undefined;
      if (!user) return { ok: false, error: 'user_not_found' };
      return { ok: true, user: { ...user, team_id: FAKE_TEAM.id, deleted: user.deleted ?? false, profile: { real_name: user.real_name, display_name: user.name } } };
    },
    'files.getUploadURLExternal': (params) => {
      const filename = str(params.filename);
      const length = Number(params.length);
      if (!filename || !Number.isInteger(length) || length < 0) return { ok: false, error: 'invalid_arguments' };
      const id = nextId('F');
      files.set(id, { id, filename, length, completed: false });
      return { ok: true, upload_url: `${origin}/upload/v1/${id}`, file_id: id };
    },
    'files.completeUploadExternal': (params) => {
      const list = params.files;
      if (!Array.isArray(list) || list.length === 0) return { ok: false, error: 'invalid_arguments' };
      const wanted: UploadedFile[] = [];
      for (const item of list) {
        const id = typeof item === 'object' && item !== null ? str((item as Params).id) : undefined;
        const file = id ? files.get(id) : undefined;
        if (!file || !file.content) return { ok: false, error: 'file_not_found' };
        const title = str((item as Params).title);
        if (title) file.title = title;
        wanted.push(file);
      }
      const invalid = checkBlocks('files.completeUploadExternal', params);
      if (invalid) return invalid;
      const channel = str(params.channel_id);
      const threadTs = str(params.thread_ts);
      if (channel) {
        const stored = post(channel, { ...params, text: params.initial_comment ?? '' }, 'files.completeUploadExternal');
        if ('ok' in stored) return stored;
        stored.files = wanted.map((f) => ({ id: f.id, title: f.title ?? f.filename, name: f.filename }));
      }
      for (const file of wanted) {
        file.completed = true;
        if (channel) file.channel = channel;
        if (threadTs) file.thread_ts = threadTs;
      }
      return {
        ok: true,
        files: wanted.map((f) => ({
          id: f.id,
          name: f.filename,
          title: f.title ?? f.filename,
          size: f.content?.length ?? 0,
          permalink: `https://${FAKE_TEAM.domain}.slack.com/files/${FAKE_BOT.userId}/${f.id}/${encodeURIComponent(f.filename)}`,
        })),
      };
    },
    'reactions.add': (params) => {
      const channel = str(params.channel);
      const ts = str(params.timestamp);
      const name = str(params.name);
      if (!name) return { ok: false, error: 'invalid_name' };
      const stored = channel && ts ? findMessage(channel, ts) : undefined;
      if (!stored) return { ok: false, error: 'message_not_found' };
      stored.reactions ??= [];
      const existing = stored.reactions.find((r) => r.name === name);
      if (existing?.users.includes(FAKE_BOT.userId)) return { ok: false, error: 'already_reacted' };
      if (existing) {
        existing.users.push(FAKE_BOT.userId);
        existing.count += 1;
      } else {
        stored.reactions.push({ name, users: [FAKE_BOT.userId], count: 1 });
      }
      return { ok: true };
    },
  };

  const handleApi = (method: string, req: IncomingMessage, body: Buffer): { status: number; answer: Answer; headers?: Record<string, string>; params: Params; token?: string; drop?: true; hang?: true } => {
    let params: Params;
    try {
      params = decodeParams(parseParams(req, body));
    } catch (error) {
      const answer = { ok: false, error: error instanceof BadJson && error.param === 'blocks' ? 'invalid_blocks_format' : 'invalid_json' };
      return { status: 200, answer, params: { raw: body.toString('utf8') } };
    }
    const header = req.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : str(params.token);
    const refused = method === 'chat.update' ? refusedEdits.get(`${str(params.channel)} ${str(params.ts)}`) : undefined;
    if (refused) return { status: 200, answer: { ok: false, error: refused }, params, ...(token ? { token } : {}) };
    const queue = scripted.get(method);
    const script = queue?.shift();
    if (script?.kind === 'rate') {
      return { status: 429, answer: { ok: false, error: 'ratelimited' }, headers: { 'retry-after': String(script.seconds) }, params, ...(token ? { token } : {}) };
    }
    if (script?.kind === 'fail') return { status: 200, answer: { ok: false, error: script.error, ...script.extra }, params, ...(token ? { token } : {}) };
    if (script?.kind === 'http') {
      // Slack did the work (when `handled`) and the answer was lost to a server error on the way back.
      if (script.handled) methods[method]?.(params);
      return { status: script.status, answer: { ok: false, error: 'fake_server_error' }, params, ...(token ? { token } : {}) };
    }
    if (script?.kind === 'drop') {
      if (script.handled) methods[method]?.(params);
      return { status: 0, answer: { ok: false, error: 'fake_dropped' }, params, drop: true, ...(token ? { token } : {}) };
    }
    if (script?.kind === 'hang') {
      if (script.handled) methods[method]?.(params);
      return { status: 0, answer: { ok: false, error: 'fake_hung' }, params, hang: true, ...(token ? { token } : {}) };
    }
    if (token && revokedTokens.has(token)) return { status: 200, answer: { ok: false, error: 'token_revoked' }, params, token };
    if (method === 'apps.connections.open') {
      // Only an app-level token opens a Socket Mode connection; a bot token is the wrong type.
      if (token && tokens.has(token)) return { status: 200, answer: { ok: false, error: 'not_allowed_token_type' }, params, token };
      if (!token || !appTokens.has(token)) return { status: 200, answer: { ok: false, error: 'invalid_auth' }, params, ...(token ? { token } : {}) };
      if (!socketModeUrl) return { status: 200, answer: { ok: false, error: 'socket_mode_not_enabled' }, params, token };
      return { status: 200, answer: { ok: true, url: socketModeUrl }, params, token };
    }
    if (!token || !tokens.has(token)) return { status: 200, answer: { ok: false, error: 'invalid_auth' }, params, ...(token ? { token } : {}) };
    const handler = methods[method];
    if (!handler) return { status: 200, answer: { ok: false, error: 'unknown_method' }, params, token };
    const postChannel = method === 'chat.postMessage' ? str(params.channel) : undefined;
    if (postChannel && !takePost(postChannel)) {
      return { status: 429, answer: { ok: false, error: 'ratelimited' }, headers: { 'retry-after': '1' }, params, token };
    }
    return { status: 200, answer: handler(params), params, token };
  };

  const handleUpload = async (id: string, req: IncomingMessage, body: Buffer): Promise<{ status: number; text: string }> => {
    const file = files.get(id);
    if (!file) return { status: 404, text: 'file_not_found' };
    const type = req.headers['content-type'] ?? '';
    let content = body;
    if (type.startsWith('multipart/form-data')) {
      const form = await new Response(new Uint8Array(body), { headers: { 'content-type': type } }).formData();
      const part: unknown = [...form.values()].find((v) => typeof v !== 'string');
      content = part instanceof Blob ? Buffer.from(await part.arrayBuffer()) : Buffer.alloc(0);
    }
    file.content = content;
    return { status: 200, text: `OK - ${content.length}` };
  };

  const handleResponseUrl = (id: string, body: Buffer): { status: number; text: string } => {
    const target = responseTargets.get(id) ?? { uses: 0 };
    responseTargets.set(id, target);
    let payload: Params;
    try {
      const parsed: unknown = JSON.parse(body.toString('utf8'));
      payload = typeof parsed === 'object' && parsed !== null ? (parsed as Params) : {};
    } catch {
      responses.push({ id, body: { raw: body.toString('utf8') }, time: Date.now(), status: 400 });
      return { status: 400, text: 'invalid_payload' };
    }
    const record = (status: number, text: string): { status: number; text: string } => {
      responses.push({ id, body: payload, time: Date.now(), status });
      return { status, text };
    };
    if (responseUrlsExpired) return record(404, 'expired_url');
    if (target.uses >= 5) return record(404, 'used_url');
    target.uses += 1;
    if (payload.blocks !== undefined) {
      const found = checkMessage({ text: payload.text, blocks: payload.blocks });
      if (found.length > 0) {
        violations.push(...found.map((v) => ({ ...v, method: 'response_url' })));
        return record(400, found.every((v) => v.rule === 'message.textBudget') ? 'msg_blocks_too_long' : 'invalid_blocks');
      }
    }
    if (target.channel) {
      const previous = target.lastTs ? findMessage(target.channel, target.lastTs) : undefined;
      if (isTrue(payload.delete_original)) {
        if (previous) channelMessages(target.channel).splice(channelMessages(target.channel).indexOf(previous), 1);
      } else if (isTrue(payload.replace_original) && previous) {
        previous.text = str(payload.text) ?? '';
        if (Array.isArray(payload.blocks)) previous.blocks = payload.blocks;
        else delete previous.blocks;
      } else if (payload.response_type === 'in_channel') {
        const stored = post(target.channel, { text: payload.text, blocks: payload.blocks, thread_ts: payload.thread_ts }, 'response_url');
        if (!('ok' in stored)) target.lastTs = stored.ts;
      } else {
        ephemerals.push({
          channel: target.channel,
          user: target.user,
          text: str(payload.text) ?? '',
          ...(Array.isArray(payload.blocks) ? { blocks: payload.blocks } : {}),
          message_ts: nextTs(),
          via: 'response_url',
        });
      }
    }
    return record(200, 'ok');
  };

  let latencyMs = options.latencyMs ?? 0;
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const api = /^\/api\/([A-Za-z0-9_.]+)$/.exec(path);
      if (api?.[1]) {
        const method = api[1];
        const { status, answer, headers, params, token, drop, hang } = handleApi(method, req, body);
        calls.push({ method, params, token, time: Date.now(), response: answer, status });
        if (drop) {
          req.socket.destroy();
          return;
        }
        // Left open: the client's timeout ends it, or close() (closeAllConnections).
        if (hang) return;
        send(res, status, answer, headers);
        return;
      }
      const upload = /^\/upload\/v1\/([A-Z0-9]+)$/.exec(path);
      if (upload?.[1] && req.method === 'POST') {
        const { status, text } = await handleUpload(upload[1], req, body);
        send(res, status, text);
        return;
      }
      const response = /^\/response\/([^/]+)$/.exec(path);
      if (response?.[1] && req.method === 'POST') {
        const { status, text } = handleResponseUrl(decodeURIComponent(response[1]), body);
        send(res, status, text);
        return;
      }
      send(res, 404, 'not_found');
    })().catch((error: unknown) => {
      // A test harness bug should fail the test loudly, not hang the client.
      send(res, 500, { ok: false, error: 'fake_slack_internal_error', detail: String(error) });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;

  const queueFor = (method: string): Script[] => {
    let queue = scripted.get(method);
    if (!queue) {
      queue = [];
      scripted.set(method, queue);
    }
    return queue;
  };

  return {
    url: `${origin}/api/`,
    origin,
    calls,
    violations,
    responses,
    get latencyMs() {
      return latencyMs;
    },
    get responseUrlsExpired() {
      return responseUrlsExpired;
    },
    set responseUrlsExpired(expired: boolean) {
      responseUrlsExpired = expired;
    },
    get socketModeUrl() {
      return socketModeUrl;
    },
    set socketModeUrl(url: string | null) {
      socketModeUrl = url;
    },
    set latencyMs(ms: number) {
      latencyMs = ms;
    },
    callsTo: (method) => calls.filter((c) => c.method === method),
    failNext: (method, error, extra = {}) => {
      queueFor(method).push({ kind: 'fail', error, extra });
    },
    failLater: (method, error, { after, times = 1 }) => {
      for (let i = 0; i < after; i++) queueFor(method).push({ kind: 'pass' });
      for (let i = 0; i < times; i++) queueFor(method).push({ kind: 'fail', error, extra: {} });
    },
    unscript: (method) => {
      scripted.delete(method);
    },
    refuseEditsOf: (channel, ts, error) => {
      refusedEdits.set(`${channel} ${ts}`, error);
    },
    rateLimitNext: (method, seconds) => {
      queueFor(method).push({ kind: 'rate', seconds });
    },
    serverErrorNext: (method, status, options = {}) => {
      queueFor(method).push({ kind: 'http', status, handled: options.handled === true });
    },
    dropNext: (method, options = {}) => {
      queueFor(method).push({ kind: 'drop', handled: options.handled === true });
    },
    hangNext: (method, options = {}) => {
      queueFor(method).push({ kind: 'hang', handled: options.handled === true });
    },
    responseUrl: (id, { messageTs, ...target } = {}) => {
      const existing = responseTargets.get(id);
      const lastTs = messageTs ?? existing?.lastTs;
      responseTargets.set(id, { uses: existing?.uses ?? 0, ...(lastTs ? { lastTs } : {}), ...target });
      return `${origin}/response/${encodeURIComponent(id)}`;
    },
    messages: (channel) => (channels.get(channel) ?? []).filter((m) => m.thread_ts === undefined || m.thread_ts === m.ts || m.reply_broadcast),
    thread: (channel, ts) => (channels.get(channel) ?? []).filter((m) => m.thread_ts === ts && m.ts !== ts),
    message: (channel, ts) => findMessage(channel, ts),
    ephemerals: (channel) => ephemerals.filter((e) => channel === undefined || e.channel === channel),
    view: (id) => views.get(id),
    homeView: (userId) => {
      const id = homeViews.get(userId);
      return id ? views.get(id) : undefined;
    },
    files: () => [...files.values()],
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
