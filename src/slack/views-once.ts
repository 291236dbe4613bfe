/**
 * A trigger_id opens one view. When the answer to `views.open` (or `views.push`) is lost after
 * Slack opened the view (a dropped connection, a timeout, a 5xx), the client's retry sends the same
 * trigger_id again and Slack answers `exchanged_trigger_id`: the person sees the modal and is told
 * that opening it failed. Unlike a post (post-once.ts), a retry is still worth sending here: when
 * the first attempt never reached Slack, the retry opens the modal within the trigger's three
 * seconds. So the retries stay, and an `exchanged_trigger_id` for a trigger this client had not
 * sent before is read for what it is: the earlier attempt of this same call opened the view.
 *
 * A trigger the bot's own code sends twice still fails the second time, as Slack says: only the
 * first call with a trigger_id is taken to have opened the view.
 */
import { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import { slackErrorCode } from './reply-target.js';

type WebClient = webApi.WebClient;

/** Slack's triggers expire after about 3 s; a minute covers the longest retry of one call. */
const TRIGGER_MEMORY_MS = 60_000;

const armed = new WeakSet<WebClient>();

export function openViewsOnce(client: WebClient, logger: Logger, now: () => number = Date.now): void {
  if (armed.has(client)) return;
  armed.add(client);
  // trigger_id → when this client first sent it; older entries go as new ones come.
  const sent = new Map<string, number>();
  const firstTime = (trigger: unknown): boolean => {
    if (typeof trigger !== 'string') return false;
    const at = now();
    for (const [old, when] of sent) {
      if (at - when < TRIGGER_MEMORY_MS) break; // insertion order is time order
      sent.delete(old);
    }
    if (sent.has(trigger)) return false;
    sent.set(trigger, at);
    return true;
  };
  for (const method of ['open', 'push'] as const) {
    const send = client.views[method].bind(client.views) as (args: webApi.ViewsOpenArguments) => Promise<webApi.ViewsOpenResponse>;
    const wrapped = async (args: webApi.ViewsOpenArguments): Promise<webApi.ViewsOpenResponse> => {
      const first = firstTime((args as { trigger_id?: unknown }).trigger_id);
      try {
        return await send(args);
      } catch (err) {
        if (!first || slackErrorCode(err) !== 'exchanged_trigger_id') throw err;
        logger.info({ method: `views.${method}` }, `views.${method}: the answer was lost and the retry found its trigger used: the view is open`);
        return { ok: true };
      }
    };
    (client.views as Record<string, unknown>)[method] = wrapped;
  }
}
