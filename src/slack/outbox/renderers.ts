/**
 * How each kind of outbox message is said in Slack: the domain names a kind and gives its data,
 * src/slack/ owns the layout (src/slack/blocks/). One entry per kind.
 */
import type { KnownBlock } from '@slack/types';
import { ADVISORY_ALERT, SECRET_ALERT, type AdvisoryAlert, type SecretAlert } from '../../watch/messages.js';
import { alertMessage } from '../blocks/alert.js';
import { secretAlertMessage } from '../blocks/secret-alert.js';

export interface RenderedMessage {
  text: string;
  blocks: KnownBlock[];
  /** Slack message metadata event type; the payload's `key` is the row's idempotency key. */
  eventType: string;
}

export type Renderer = (data: unknown) => RenderedMessage;

export class UnknownMessageKind extends Error {
  override name = 'UnknownMessageKind';
}

export const RENDERERS: Readonly<Record<string, Renderer>> = {
  [ADVISORY_ALERT]: (data) => {
    const { first } = alertMessage(data as AdvisoryAlert);
    return { text: first.text, blocks: first.blocks, eventType: 'depwatch_alert' };
  },
  [SECRET_ALERT]: (data) => {
    const message = secretAlertMessage(data as SecretAlert);
    return { text: message.text, blocks: message.blocks, eventType: 'depwatch_secret_alert' };
  },
};

export function renderOutboxMessage(kind: string, data: unknown, renderers: Readonly<Record<string, Renderer>> = RENDERERS): RenderedMessage {
  const render = renderers[kind];
  if (!render) throw new UnknownMessageKind(`no Slack layout for outbox messages of kind "${kind}"`);
  return render(data);
}
