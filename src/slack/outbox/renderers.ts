/**
 * How each kind of outbox message is said in Slack: the domain names a kind and gives its data,
 * src/slack/ owns the layout (src/slack/blocks/). One entry per kind.
 */
import type { KnownBlock } from '@slack/types';
import { INCIDENT_MESSAGE_UPDATE, type IncidentMessageUpdate } from '../../incidents/messages.js';
import { INCIDENT_REMINDER, type IncidentReminder } from '../../incidents/reminders.js';
import { renderOpenVulnerabilityChart, systemFontFamilies } from '../../watch/chart.js';
import { ADVISORIES_SUMMARY, ADVISORY_ALERT, ADVISORY_ALERT_LIST, DEPENDENCY_ADVISORIES, DIGEST, DIGEST_THREAD, PULL_REQUEST_REVIEW, PULL_REQUESTS_NOT_LISTED, PULL_REQUESTS_NOT_REVIEWED, SECRET_ALERT, SETTINGS_NOTICE, SWEEP_PROBLEMS, WATCH_STARTED, type AdvisoriesSummary, type AdvisoryAlert, type AdvisoryAlertList, type DependencyAdvisories, type DigestMessage, type PullRequestReviewCard, type PullRequestsNotListed, type PullRequestsNotReviewed, type SecretAlert, type SettingsNotice, type SweepProblemsNotice, type WatchStarted } from '../../watch/messages.js';
import { alertMessage } from '../blocks/alert.js';
import { alertListMessages } from '../blocks/alert-list.js';
import { dependencyAlertMessage } from '../blocks/dependency-alert.js';
import { advisoriesSummaryMessage } from '../blocks/advisories-summary.js';
import { monthlyDigestLayout, quarterlyDigestLayout, weeklyDigestLayout, type DigestLayout } from '../blocks/digest.js';
import { fitMessage, fitOneMessage } from '../blocks/fit.js';
import { checklistPart, reminderMessage, rootMessage } from '../blocks/incident.js';
import { context } from '../blocks/kit.js';
import { capThread, MAX_THREAD_PARTS } from '../blocks/thread-cap.js';
import { pullRequestReviewMessage, pullRequestsNotReviewedMessage } from '../blocks/pr-review.js';
import { secretAlertMessage } from '../blocks/secret-alert.js';
import { settingsNoticeMessage } from '../blocks/settings-notice.js';
import { watchStartedMessage } from '../blocks/watch-started.js';
import { sweepProblemsMessage } from '../blocks/sweep-problems.js';
import { pullRequestsNotListedMessage } from '../blocks/pull-requests-not-listed.js';

export interface RenderedPart {
  text: string;
  blocks: KnownBlock[];
}

/** A file uploaded after the messages (into the same thread). */
export interface RenderedFile {
  bytes: Buffer;
  filename: string;
  title: string;
  altText: string;
}

export interface RenderedMessage extends RenderedPart {
  /** Slack message metadata event type; the payload's `key` is the row's idempotency key. */
  eventType: string;
  /** For an update: the message to edit when the outbox did not post it (posted before the outbox). */
  ts?: string;
  /** Posted in this thread (the reply to a message the outbox did not post itself). */
  threadTs?: string;
  /** Posted after the first message, in the same thread (a reply row's whole thread). */
  more?: RenderedPart[];
  file?: RenderedFile;
}

export type Renderer = (data: unknown) => RenderedMessage;

export class UnknownMessageKind extends Error {
  override name = 'UnknownMessageKind';
}

function digestLayout(message: DigestMessage, chartLeftOut = false): DigestLayout {
  const options = { timeZone: message.timeZone, ...(message.threadFailed ? { threadFailed: true } : {}) };
  if (message.kind === 'weekly') return weeklyDigestLayout(message.digest, options);
  if (message.kind === 'monthly') return monthlyDigestLayout(message.digest, { ...options, chartLeftOut });
  return quarterlyDigestLayout(message.digest, options);
}

export interface RendererOptions {
  /** The font families the chart can be drawn with: the system's by default (tests pass none). */
  fontFamilies?: () => readonly string[];
}

/** The monthly chart; a chart that cannot be drawn leaves the digest without it rather than unsent. */
function digestChart(message: DigestMessage, layout: DigestLayout, fontFamilies: () => readonly string[]): RenderedFile | undefined {
  if (message.kind !== 'monthly') return undefined;
  let bytes: Buffer;
  try {
    bytes = renderOpenVulnerabilityChart(message.digest.chart, { fontFamilies });
  } catch {
    return undefined;
  }
  return { bytes, filename: 'open-vulnerabilities.png', title: 'Open vulnerabilities, last six months', altText: layout.chartAlt ?? 'Open vulnerabilities at the end of each of the last six months' };
}

/** Every kind's renderer; `options` says what the host can draw with. */
export function outboxRenderers(options: RendererOptions = {}): Readonly<Record<string, Renderer>> {
  const fontFamilies = options.fontFamilies ?? systemFontFamilies;
  // Without a font the chart would be bars without a label: it is left out, and the digest says so.
  const chartLeftOut = (message: DigestMessage) => message.kind === 'monthly' && fontFamilies().length === 0;
  return {
    ...BASE_RENDERERS,
    // The summary in the channel; what does not fit in one message goes to the thread (DIGEST_THREAD).
    [DIGEST]: (data) => {
      const message = data as DigestMessage;
      const { first } = fitMessage(digestLayout(message, chartLeftOut(message)).summary);
      return { text: first.text, blocks: first.blocks, eventType: 'depwatch_digest' };
    },
    // In the summary's thread: the summary's overflow, the details (each message within Slack's
    // limits), then the monthly chart, or the line saying why there is none.
    [DIGEST_THREAD]: (data) => {
      const message = data as DigestMessage;
      const leftOut = chartLeftOut(message);
      const layout = digestLayout(message, leftOut);
      const summary = fitMessage(layout.summary);
      const details = fitMessage({ ...layout.details, continuation: (i, n) => [context(`${layout.title}, details (${i}/${n})`)] });
      const parts = withinThread([...summary.replies, details.first, ...details.replies].filter((m) => m.blocks.length > 0), layout.title);
      const [first = { text: `${layout.title}: nothing more`, blocks: [] }, ...more] = parts;
      const file = leftOut ? undefined : digestChart(message, layout, fontFamilies);
      return { text: first.text, blocks: first.blocks, eventType: 'depwatch_digest', more, ...(file ? { file } : {}) };
    },
  };
}

/**
 * A digest's thread within MAX_THREAD_PARTS replies (thread-cap.ts): the details' lists of
 * repositories are complete, split over replies by fitMessage; when they go on past it, the last
 * reply gives its place to one saying how many messages were left out.
 */
function withinThread(parts: RenderedPart[], title: string): RenderedPart[] {
  return capThread(parts, (kept, left) => {
    const note = `${title}: the details go on for ${left + 1} more messages, not posted (a thread has room for ${MAX_THREAD_PARTS}).`;
    return [...kept.slice(0, -1), { text: note, blocks: [context(note)] }];
  });
}

const BASE_RENDERERS: Readonly<Record<string, Renderer>> = {
  [ADVISORY_ALERT]: (data) => {
    const message = alertMessage(data as AdvisoryAlert);
    return { text: message.text, blocks: message.blocks, eventType: 'depwatch_alert' };
  },
  // In the alert's thread: every repository, in as many replies as it takes (each its own key, so a crash resends only the missing ones).
  [ADVISORY_ALERT_LIST]: (data) => {
    const [first, ...more] = alertListMessages(data as AdvisoryAlertList);
    if (!first) throw new Error('an alert list with no repository');
    return { text: first.text, blocks: first.blocks, eventType: 'depwatch_alert_list', more };
  },
  [DEPENDENCY_ADVISORIES]: (data) => {
    const message = dependencyAlertMessage(data as DependencyAdvisories);
    return { text: message.text, blocks: message.blocks, eventType: 'depwatch_dependency_alert' };
  },
  [ADVISORIES_SUMMARY]: (data) => {
    const message = advisoriesSummaryMessage(data as AdvisoriesSummary);
    return { text: message.text, blocks: message.blocks, eventType: 'depwatch_advisories_summary' };
  },
  [SECRET_ALERT]: (data) => {
    const message = secretAlertMessage(data as SecretAlert);
    return { text: message.text, blocks: message.blocks, eventType: 'depwatch_secret_alert' };
  },
  [SETTINGS_NOTICE]: (data) => {
    const message = settingsNoticeMessage(data as SettingsNotice);
    return { text: message.text, blocks: message.blocks, eventType: 'depwatch_settings_notice' };
  },
  [WATCH_STARTED]: (data) => {
    const message = watchStartedMessage(data as WatchStarted);
    return { text: message.text, blocks: message.blocks, eventType: 'depwatch_watch_started' };
  },
  [SWEEP_PROBLEMS]: (data) => {
    const message = sweepProblemsMessage(data as SweepProblemsNotice);
    return { text: message.text, blocks: message.blocks, eventType: 'depwatch_sweep_problems' };
  },
  [INCIDENT_MESSAGE_UPDATE]: (data) => {
    const { ts, part, ...view } = data as IncidentMessageUpdate;
    const message = part === null ? rootMessage(view) : checklistPart(view, part);
    return { text: message.text, blocks: message.blocks, eventType: 'depwatch_incident', ts };
  },
  [INCIDENT_REMINDER]: (data) => {
    const reminder = data as IncidentReminder;
    const message = reminderMessage(reminder);
    return { text: message.text, blocks: message.blocks, eventType: 'depwatch_reminder', ...(reminder.threadTs ? { threadTs: reminder.threadTs } : {}) };
  },
  [PULL_REQUEST_REVIEW]: (data) => {
    const card = data as PullRequestReviewCard;
    const message = fitOneMessage(pullRequestReviewMessage(card.ref, card.review), `the review card of ${card.ref.repo} #${card.ref.number}`);
    return { text: message.text, blocks: message.blocks, eventType: 'depwatch_pr_review', ...(card.ts ? { ts: card.ts } : {}) };
  },
  [PULL_REQUESTS_NOT_REVIEWED]: (data) => {
    const message = fitOneMessage(pullRequestsNotReviewedMessage(data as PullRequestsNotReviewed), 'the message naming pull requests not reviewed');
    return { text: message.text, blocks: message.blocks, eventType: 'depwatch_pr_review' };
  },
  [PULL_REQUESTS_NOT_LISTED]: (data) => {
    const message = pullRequestsNotListedMessage(data as PullRequestsNotListed);
    return { text: message.text, blocks: message.blocks, eventType: 'depwatch_pr_review' };
  },
};

export const RENDERERS: Readonly<Record<string, Renderer>> = outboxRenderers();

export function renderOutboxMessage(kind: string, data: unknown, renderers: Readonly<Record<string, Renderer>> = RENDERERS): RenderedMessage {
  const render = renderers[kind];
  if (!render) throw new UnknownMessageKind(`no Slack layout for outbox messages of kind "${kind}"`);
  return render(data);
}
