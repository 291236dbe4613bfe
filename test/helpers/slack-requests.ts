/**
 * Requests exactly as Slack sends them to an app in HTTP mode, signed, for driving a Bolt
 * HTTPReceiver on 127.0.0.1: slash commands (form-encoded), interactivity (`payload=` JSON in a form)
 * and Events API callbacks (JSON). Signing follows Slack's scheme: `v0=` + hex HMAC-SHA256 of
 * `v0:${timestamp}:${rawBody}` keyed with the signing secret.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { FAKE_TEAM, FAKE_BOT } from '../fakes/slack-api.js';

export type SlackContentType = 'application/x-www-form-urlencoded' | 'application/json';

export interface SlackRequestBody {
  body: string;
  contentType: SlackContentType;
}

export interface SignedRequest extends SlackRequestBody {
  headers: Record<string, string>;
}

export interface SignOptions {
  /** Unix seconds; defaults to now. */
  timestamp?: number;
  /** Extra headers (e.g. X-Slack-Retry-Num), not part of the signature. */
  headers?: Record<string, string>;
}

export function slackSignature(secret: string, timestamp: number, rawBody: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
}

export function signedRequest(secret: string, request: SlackRequestBody | string, options: SignOptions = {}): SignedRequest {
  const { body, contentType } =
    typeof request === 'string'
      ? { body: request, contentType: (request.trimStart().startsWith('{') ? 'application/json' : 'application/x-www-form-urlencoded') as SlackContentType }
      : request;
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  return {
    body,
    contentType,
    headers: {
      'content-type': contentType,
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': slackSignature(secret, timestamp, body),
      ...options.headers,
    },
  };
}

export interface BoltResponse {
  status: number;
  text: string;
  /** The body parsed as JSON when it is JSON (an ack with a message), else undefined. */
  json: unknown;
}

/** POSTs a signed request (to e.g. `http://127.0.0.1:PORT/slack/events`). */
export async function postToBolt(url: string, signed: SignedRequest): Promise<BoltResponse> {
  const response = await fetch(url, { method: 'POST', headers: signed.headers, body: signed.body });
  const text = await response.text();
  let json: unknown;
  try {
    json = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json };
}

function form(fields: Record<string, string | undefined>): SlackRequestBody {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) params.append(key, value);
  return { body: params.toString(), contentType: 'application/x-www-form-urlencoded' };
}

function triggerId(): string {
  return `${Date.now()}.${Math.floor(Math.random() * 1e10)}.${randomBytes(16).toString('hex')}`;
}

const DEFAULTS = {
  team_id: FAKE_TEAM.id,
  team_domain: FAKE_TEAM.domain,
  api_app_id: FAKE_BOT.appId,
  user_id: 'U0ALICE0001',
  user_name: 'alice',
  channel_id: 'C0AUDITS001',
  channel_name: 'audits',
  /** The deprecated verification token Slack still sends. */
  token: 'legacy-verification-token',
} as const;

export interface SlashCommandInput {
  command?: string;
  text?: string;
  user_id?: string;
  user_name?: string;
  channel_id?: string;
  channel_name?: string;
  team_id?: string;
  team_domain?: string;
  response_url?: string;
  trigger_id?: string;
  api_app_id?: string;
  enterprise_id?: string;
  enterprise_name?: string;
  is_enterprise_install?: boolean;
}

/** A slash command body with every field Slack sends (form-encoded). */
export function slashCommand(input: SlashCommandInput = {}): SlackRequestBody {
  return form({
    token: DEFAULTS.token,
    team_id: input.team_id ?? DEFAULTS.team_id,
    team_domain: input.team_domain ?? DEFAULTS.team_domain,
    enterprise_id: input.enterprise_id,
    enterprise_name: input.enterprise_name,
    channel_id: input.channel_id ?? DEFAULTS.channel_id,
    channel_name: input.channel_name ?? DEFAULTS.channel_name,
    user_id: input.user_id ?? DEFAULTS.user_id,
    user_name: input.user_name ?? DEFAULTS.user_name,
    command: input.command ?? '/audit',
    text: input.text ?? '',
    api_app_id: input.api_app_id ?? DEFAULTS.api_app_id,
    is_enterprise_install: String(input.is_enterprise_install ?? false),
    response_url: input.response_url ?? `https://hooks.slack.com/commands/${DEFAULTS.team_id}/1/unused`,
    trigger_id: input.trigger_id ?? triggerId(),
  });
}

function interactivity(payload: Record<string, unknown>): SlackRequestBody {
  return form({ payload: JSON.stringify(payload) });
}

export interface BlockActionInput {
  actionId: string;
  value?: string;
  blockId?: string;
  /** Defaults to 'button'. */
  actionType?: string;
  selectedOption?: { text: string; value: string };
  user?: string;
  userName?: string;
  channel?: string;
  message_ts?: string;
  /** The message the button sits on, as Slack echoes it back. */
  message?: Record<string, unknown>;
  thread_ts?: string;
  isEphemeral?: boolean;
  response_url?: string;
  trigger_id?: string;
  /** `state.values`, for inputs in the same message. */
  state?: Record<string, Record<string, unknown>>;
}

/** A block_actions payload (a button click) on a message, sent as `payload=<json>`. */
export function blockAction(input: BlockActionInput): SlackRequestBody {
  const user = input.user ?? DEFAULTS.user_id;
  const channel = input.channel ?? DEFAULTS.channel_id;
  const messageTs = input.message_ts ?? '1732780000.000100';
  const action: Record<string, unknown> = {
    type: input.actionType ?? 'button',
    block_id: input.blockId ?? 'actions',
    action_id: input.actionId,
    action_ts: `${Math.floor(Date.now() / 1000)}.${String(Date.now() % 1000).padStart(6, '0')}`,
  };
  if (input.value !== undefined) action.value = input.value;
  if (input.selectedOption) {
    action.selected_option = { text: { type: 'plain_text', text: input.selectedOption.text, emoji: true }, value: input.selectedOption.value };
  }
  if ((input.actionType ?? 'button') === 'button') action.text = { type: 'plain_text', text: input.actionId, emoji: true };
  return interactivity({
    type: 'block_actions',
    user: { id: user, username: input.userName ?? DEFAULTS.user_name, name: input.userName ?? DEFAULTS.user_name, team_id: DEFAULTS.team_id },
    api_app_id: DEFAULTS.api_app_id,
    token: DEFAULTS.token,
    container: {
      type: 'message',
      message_ts: messageTs,
      channel_id: channel,
      is_ephemeral: input.isEphemeral ?? false,
      ...(input.thread_ts ? { thread_ts: input.thread_ts } : {}),
    },
    trigger_id: input.trigger_id ?? triggerId(),
    team: { id: DEFAULTS.team_id, domain: DEFAULTS.team_domain },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: channel, name: DEFAULTS.channel_name },
    message: input.message ?? { type: 'message', user: FAKE_BOT.userId, ts: messageTs, bot_id: FAKE_BOT.botId, text: '', ...(input.thread_ts ? { thread_ts: input.thread_ts } : {}) },
    state: { values: input.state ?? {} },
    response_url: input.response_url ?? `https://hooks.slack.com/actions/${DEFAULTS.team_id}/1/unused`,
    actions: [action],
  });
}

export interface ViewSubmissionInput {
  callbackId: string;
  /** `state.values[block_id][action_id]`, e.g. `{ repo: { repo_input: { type: 'plain_text_input', value: 'octo/app' } } }`. */
  values?: Record<string, Record<string, unknown>>;
  privateMetadata?: string;
  user?: string;
  viewId?: string;
  hash?: string;
  title?: string;
  blocks?: unknown[];
  trigger_id?: string;
  /** For modals with `response_url_enabled` inputs. */
  responseUrls?: { block_id: string; action_id: string; channel_id: string; response_url: string }[];
}

/** What the Ignore… modal (src/slack/blocks/ignore-modal.ts) holds when submitted, as Slack sends its state. */
export function ignoreModalValues(input: { advisory: string; reason: string; until: string; pkg: string }): Record<string, Record<string, unknown>> {
  return {
    ignore_advisory: { value: { type: 'plain_text_input', value: input.advisory } },
    ignore_reason: { value: { type: 'plain_text_input', value: input.reason } },
    ignore_until: { value: { type: 'datepicker', selected_date: input.until } },
    ignore_package: { value: { type: 'plain_text_input', value: input.pkg } },
  };
}

/** A view_submission payload (a modal's submit), sent as `payload=<json>`. */
export function viewSubmission(input: ViewSubmissionInput): SlackRequestBody {
  const viewId = input.viewId ?? 'V0000000001';
  return interactivity({
    type: 'view_submission',
    team: { id: DEFAULTS.team_id, domain: DEFAULTS.team_domain },
    user: { id: input.user ?? DEFAULTS.user_id, username: DEFAULTS.user_name, name: DEFAULTS.user_name, team_id: DEFAULTS.team_id },
    api_app_id: DEFAULTS.api_app_id,
    token: DEFAULTS.token,
    trigger_id: input.trigger_id ?? triggerId(),
    view: {
      id: viewId,
      team_id: DEFAULTS.team_id,
      type: 'modal',
      callback_id: input.callbackId,
      private_metadata: input.privateMetadata ?? '',
      title: { type: 'plain_text', text: input.title ?? 'Depwatch', emoji: true },
      blocks: input.blocks ?? [],
      state: { values: input.values ?? {} },
      hash: input.hash ?? '1732780000.abcdef12',
      root_view_id: viewId,
      previous_view_id: null,
      app_id: DEFAULTS.api_app_id,
      bot_id: FAKE_BOT.botId,
    },
    response_urls: input.responseUrls ?? [],
    enterprise: null,
    is_enterprise_install: false,
  });
}

export interface EventCallbackOptions {
  event_id?: string;
  event_time?: number;
  team_id?: string;
}

/** An Events API envelope around `event` (JSON). Give a fixed event_id to test deduplication. */
export function eventCallback(event: Record<string, unknown>, options: EventCallbackOptions = {}): SlackRequestBody {
  const teamId = options.team_id ?? DEFAULTS.team_id;
  return {
    contentType: 'application/json',
    body: JSON.stringify({
      token: DEFAULTS.token,
      team_id: teamId,
      context_team_id: teamId,
      api_app_id: DEFAULTS.api_app_id,
      event,
      type: 'event_callback',
      event_id: options.event_id ?? `Ev${randomBytes(5).toString('hex').toUpperCase()}`,
      event_time: options.event_time ?? Math.floor(Date.now() / 1000),
      authorizations: [{ enterprise_id: null, team_id: teamId, user_id: FAKE_BOT.userId, is_bot: true, is_enterprise_install: false }],
      is_ext_shared_channel: false,
    }),
  };
}

/** Slack's URL verification handshake; the app must echo `challenge`. */
export function urlVerification(challenge: string): SlackRequestBody {
  return { contentType: 'application/json', body: JSON.stringify({ token: DEFAULTS.token, challenge, type: 'url_verification' }) };
}
