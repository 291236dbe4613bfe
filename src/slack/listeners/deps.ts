/** What every listener gets: the audit service and a logger. Listeners stay thin: parse, call, ack. */
import type { RespondFn } from '@slack/bolt';
import type { AccessGate } from '../../authz/gate.js';
import type { Logger } from '../../log.js';
import type { WatchService } from '../../watch/service.js';
import type { SlackAuditService } from '../audit-service.js';
import type { SlackPackageService } from '../package-service.js';
import { errorMessage, type SlackMessage } from '../blocks/errors.js';
import { fitMessage } from '../blocks/fit.js';
import { logLevelOf, toUserError, type UserError } from '../errors.js';
import type { ViewMetadataSeal } from '../view-metadata.js';

export interface ListenerDeps {
  service: SlackAuditService;
  /** Watching (watch/unwatch/list/schedule/ignore, alerts); null when the bot runs without it (some tests). */
  watch: WatchService | null;
  logger: Logger;
  timeZone: string;
  now: () => Date;
  /** Who may change what (src/authz): every listener that changes something asks it first. */
  gate: AccessGate;
  /** `/audit package …` health cards; absent when the bot runs without card sources (some tests). */
  packages?: SlackPackageService | null;
  /** Seals modal metadata to the person and channel a modal was opened for. */
  seal: ViewMetadataSeal;
}

/** Logs a listener failure under a new error id, at the level its kind deserves: the id to tell the person. */
export function logFailure(deps: Pick<ListenerDeps, 'logger'>, err: unknown, what: string): UserError {
  const userError = toUserError(err);
  deps.logger[logLevelOf(userError.problem)]({ err, errorId: userError.errorId, problem: userError.problem.kind }, `${what} failed`);
  return userError;
}

/**
 * Logs an unexpected listener failure under an error id and tells the user that id (ephemerally).
 * `placeholder`: what replaces the in-channel message the failed work had posted ("checking…"),
 * so the channel is not left waiting for an answer that will never come: through `replace` when the
 * bot posted it itself (an edit through the Web API, which works however late), else through
 * response_url.
 */
export async function reportFailure(
  deps: ListenerDeps,
  err: unknown,
  what: string,
  respond?: RespondFn,
  placeholder?: (errorId: string) => SlackMessage,
  replace?: (message: { text: string; blocks: SlackMessage['blocks'] }) => Promise<unknown>,
): Promise<void> {
  const userError = logFailure(deps, err, what);
  const message = fitMessage(errorMessage(userError, { now: deps.now(), timeZone: deps.timeZone })).first;
  if (respond) {
    await respond({ response_type: 'ephemeral', replace_original: false, text: message.text, blocks: message.blocks }).catch((e: unknown) =>
      deps.logger.error({ err: e, errorId: userError.errorId }, 'could not report the failure to the user'),
    );
  }
  if (!placeholder) return;
  const failed = fitMessage(placeholder(userError.errorId)).first;
  if (replace) {
    await replace({ text: failed.text, blocks: failed.blocks }).catch((e: unknown) => deps.logger.error({ err: e, errorId: userError.errorId }, `${what}: could not edit the in-channel placeholder`));
    return;
  }
  if (!respond) return;
  // The placeholder was posted through response_url: it has no ts, so the Web API cannot replace or
  // delete it, and when that URL fails (expired, used five times) the log is all that can say so.
  await respond({ response_type: 'in_channel', replace_original: true, text: failed.text, blocks: failed.blocks }).catch((e: unknown) =>
    deps.logger.error({ err: e, errorId: userError.errorId }, `${what}: the in-channel placeholder stays: it was posted through response_url, which failed`),
  );
}
