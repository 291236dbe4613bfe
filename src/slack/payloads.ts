/**
 * The shapes of the Slack requests Depwatch handles, checked before any listener sees them.
 * Signed is not the same as well-formed: a payload that is JSON `null`, has a number where Slack
 * sends a string, lacks a user, or carries an id that is not a Slack id (ids end up inside `<@…>`
 * and `<#…>` in messages) is refused here with one line saying what is wrong, and never reaches
 * code that would trip over it. Unknown fields are allowed (Slack adds them over time); unknown
 * request types are not (nothing here would handle them).
 */
import { z } from 'zod';

const userId = z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'not a Slack user id');
const channelId = z.string().regex(/^[CGD][A-Z0-9]{2,}$/, 'not a Slack channel id');
const ts = z.string().regex(/^\d{1,12}\.\d{1,8}$/, 'not a message ts');
const shortText = z.string().max(255);

const user = z.looseObject({ id: userId });

const action = z.looseObject({
  type: shortText,
  action_id: z.string().min(1).max(255),
  block_id: shortText.optional(),
  value: z.string().max(2000).optional(),
  selected_option: z.looseObject({ value: z.string().max(150) }).nullable().optional(),
  selected_user: userId.nullable().optional(),
});

const blockActions = z.looseObject({
  type: z.literal('block_actions'),
  user,
  trigger_id: z.string().max(255),
  actions: z.array(action).min(1).max(25),
  channel: z.looseObject({ id: channelId }).nullable().optional(),
  container: z
    .looseObject({
      type: z.string(),
      channel_id: channelId.optional(),
      message_ts: ts.optional(),
      thread_ts: ts.optional(),
      is_ephemeral: z.boolean().optional(),
    })
    .optional(),
  message: z.looseObject({ ts, thread_ts: ts.optional() }).optional(),
  response_url: z.url().optional(),
});

const stateValues = z.record(z.string(), z.record(z.string(), z.looseObject({ type: z.string() })));

const view = z.looseObject({
  id: z.string().max(255),
  callback_id: z.string().max(255),
  private_metadata: z.string().max(3000),
  state: z.looseObject({ values: stateValues }),
});

const viewSubmission = z.looseObject({ type: z.literal('view_submission'), user, view });
const viewClosed = z.looseObject({ type: z.literal('view_closed'), user, view: view.partial({ state: true }) });

/** The most a slash command's text may hold: what Slack sends at most, and all a command reads. */
export const MAX_COMMAND_TEXT = 4000;

const slashCommand = z.looseObject({
  command: z.string().regex(/^\/[a-z0-9_-]{1,31}$/i, 'not a slash command'),
  text: z.string().max(MAX_COMMAND_TEXT),
  user_id: userId,
  channel_id: channelId,
  team_id: z.string().max(64),
  trigger_id: z.string().max(255),
  response_url: z.url(),
});

/** The events Depwatch listens to, with the fields it reads. */
const knownEvents = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('app_home_opened'), user: userId, tab: z.string().max(32).optional() }),
  z.looseObject({
    type: z.literal('reaction_added'),
    user: userId,
    reaction: z.string().max(255),
    item: z.looseObject({ type: z.string(), channel: channelId.optional(), ts: ts.optional() }),
  }),
]);

const eventCallback = z.looseObject({
  type: z.literal('event_callback'),
  event_id: z.string().max(255),
  team_id: z.string().max(64).optional(),
  event: z.looseObject({ type: z.string().max(255) }),
});

export type PayloadCheck = { ok: true } | { ok: false; problem: string };

function describe(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'malformed payload';
  const where = issue.path.length ? issue.path.map(String).join('.') : 'payload';
  return `${where}: ${issue.message}`;
}

function check(schema: z.ZodType, body: unknown): PayloadCheck {
  const parsed = schema.safeParse(body);
  return parsed.success ? { ok: true } : { ok: false, problem: describe(parsed.error) };
}

/**
 * A slash command whose only fault is text over MAX_COMMAND_TEXT: what was typed is too long, which
 * its writer should be told (an ephemeral line) rather than given a bare refusal. Its command and
 * length; null for anything else (not a slash command, or wrong in another way too).
 */
export function overlongCommand(body: unknown): { command: string; length: number } | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body) || !('command' in body)) return null;
  const b = body as Record<string, unknown>;
  if (typeof b.text !== 'string' || b.text.length <= MAX_COMMAND_TEXT) return null;
  return check(slashCommand, { ...b, text: '' }).ok ? { command: String(b.command), length: b.text.length } : null;
}

/** Checks a parsed request body (what Bolt hands to `processEvent`). */
export function checkSlackPayload(body: unknown): PayloadCheck {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, problem: `payload is ${body === null ? 'null' : Array.isArray(body) ? 'an array' : typeof body}, not an object` };
  const b = body as Record<string, unknown>;
  if ('command' in b) return check(slashCommand, b);
  switch (b.type) {
    case 'block_actions':
      return check(blockActions, b);
    case 'view_submission':
      return check(viewSubmission, b);
    case 'view_closed':
      return check(viewClosed, b);
    case 'event_callback': {
      const envelope = check(eventCallback, b);
      if (!envelope.ok) return envelope;
      const event = b.event as { type: string };
      // Events nobody listens to are acked and dropped by Bolt; the ones we read must be whole.
      if (event.type !== 'app_home_opened' && event.type !== 'reaction_added') return { ok: true };
      const inner = check(knownEvents, event);
      return inner.ok ? inner : { ok: false, problem: `event.${inner.problem}` };
    }
    default:
      return { ok: false, problem: typeof b.type === 'string' ? `unsupported request type "${b.type.slice(0, 40)}"` : 'no request type' };
  }
}
