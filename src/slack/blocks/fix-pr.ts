/**
 * The "Open fix PR" parts of an /audit reply: the button (when fix pull requests are on and the
 * audit has a fix to make) and, once opened, the pull request's link and state. The button's value
 * is the audit id and a token bound to the audited commit; the service resolves everything else
 * from the stored audit, never from the payload.
 */
import type { KnownBlock } from '@slack/types';
import type { AuditResult } from '../../audit/audit.js';
import type { PullState } from '../../github/fix-pull-request.js';
import { button, context, escapeMrkdwn, link } from './kit.js';

export const FIX_PR_ACTION = 'audit_open_fix_pr';

export interface FixPrView {
  /** DEPWATCH_FIX_PRS is on. */
  enabled: boolean;
  /** The pull request opened from this audit, if any. */
  pull: { number: number; url: string; state: PullState } | null;
}

/** Whether the audit has something `depwatch fix` would move: an open vulnerability with a fixed release. */
export function hasFixableFinding(result: Pick<AuditResult, 'findings'>): boolean {
  return result.findings.some((f) => f.kind === 'vulnerability' && !f.ignoredBy && !!f.fix.version && !!f.package && !!f.version);
}

/** Binds a button to the commit its audit read, so a value copied onto another audit does not resolve. */
export function fixPrToken(auditedSha: string): string {
  return auditedSha.slice(0, 16);
}

export function fixPrButtonValue(auditId: number, auditedSha: string): string {
  return `${auditId}:${fixPrToken(auditedSha)}`;
}

export function parseFixPrButtonValue(value: string | undefined): { auditId: number; token: string } | null {
  const m = /^(\d{1,15}):([0-9a-f]{16})$/.exec(value ?? '');
  return m ? { auditId: Number(m[1]), token: m[2]! } : null;
}

/** An alert's "Open fix PR" value, `alertId:owner/name[@branch]`: resolved against the stored alert, never trusted on its own. */
export function alertFixValue(alertId: number, repo: string): string {
  return `${alertId}:${repo}`;
}

export function fixPrButton(auditId: number, auditedSha: string) {
  return button({ text: 'Open fix PR', actionId: FIX_PR_ACTION, value: fixPrButtonValue(auditId, auditedSha) });
}

const STATE_WORDS: Record<PullState, string> = { open: ':large_green_circle: open', merged: ':large_purple_circle: merged', closed: ':red_circle: closed' };

export function fixPrStatus(pull: NonNullable<FixPrView['pull']>): KnownBlock {
  return context(`Fix pull request ${link(pull.url, `#${pull.number}`)}: ${STATE_WORDS[pull.state]}`);
}

/** The escaped one-line answer for a refused or failed click. */
export const fixPrAnswer = (sentence: string) => escapeMrkdwn(sentence);
