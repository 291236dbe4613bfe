/**
 * The access check every entry point calls before it changes anything: the pure policy
 * (policy.ts) plus the record of who was refused (the access_refusals table and a log line).
 *
 *   const gate = createAccessGate({ admins: config.admins, db, logger });
 *   const decision = gate.check({ userId, channel, via: 'button' }, { kind: 'ignores', verb: 'add', channel, repo });
 *   if (!decision.allowed) → tell the person decision.reason (ephemerally, or in the modal)
 */
import type { Logger } from '../log.js';
import { AccessLog } from '../store/access-log.js';
import type { Db } from '../store/db.js';
import { decide, describeAction, isAdmin, type AccessPolicy, type Action, type Decision, type Requester } from './policy.js';

export interface AccessGate {
  readonly policy: AccessPolicy;
  isAdmin(userId: string): boolean;
  /** Decides, and records a refusal (who, from where, what, which rule). */
  check(requester: Requester, action: Action): Decision;
}

export interface AccessGateOptions {
  admins: readonly string[];
  /** Where refusals are kept; without a database they are only logged. */
  db?: Db | null;
  logger?: Pick<Logger, 'warn'> | null;
  now?: () => Date;
}

export function createAccessGate(options: AccessGateOptions): AccessGate {
  const policy: AccessPolicy = { admins: [...options.admins] };
  const log = options.db ? new AccessLog(options.db) : null;
  const now = options.now ?? (() => new Date());
  return {
    policy,
    isAdmin: (userId) => isAdmin(policy, userId),
    check(requester, action) {
      const decision = decide(policy, requester, action);
      if (!decision.allowed) {
        const refusal = {
          at: now().toISOString(),
          userId: requester.userId,
          channel: requester.channel,
          via: requester.via,
          action: describeAction(action),
          targetChannel: action.channel,
          rule: decision.rule,
        };
        log?.record(refusal);
        options.logger?.warn(refusal, 'access refused');
      }
      return decision;
    },
  };
}
