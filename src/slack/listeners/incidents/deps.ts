/** What the incident listeners need from the composition root (src/main.ts). */
import type { AccessGate } from '../../../authz/gate.js';
import type { Logger } from '../../../log.js';
import type { TemplateLibrary } from '../../../incidents/templates.js';
import type { IncidentContext } from '../../../incidents/types.js';
import type { Db } from '../../../store/db.js';
import type { IncidentStore } from '../../../store/incident-state/types.js';
import type { OutboxDelivery } from '../../../store/outbox/types.js';
import type { ChannelPacer } from '../../pacing.js';
import type { ViewMetadataSeal } from '../../view-metadata.js';

export type IncidentLogger = Pick<Logger, 'info' | 'warn' | 'error'>;

export interface IncidentDeps {
  /** The replica's SQLite file: the access log, the local outbox, and the incidents when `incidents` is absent. */
  db: Db;
  /**
   * Where incidents live: PostgresIncidentStore with DATABASE_URL (any replica answers any click),
   * else the SQLite store of `db`.
   */
  incidents?: IncidentStore;
  /** Delivers the checklist redraws a change writes to the outbox (the watch service's SlackDelivery). */
  delivery?: Pick<OutboxDelivery, 'deliver'>;
  /** The channels' pace shared with every other post (bot.ts's ChannelPacer), for the delivery loop built when `delivery` is absent. */
  pacer?: ChannelPacer;
  /** Checklist templates, loaded (and validated) at start-up with loadTemplateLibrary(templatesDirFor(DEPWATCH_DB)). */
  templates: TemplateLibrary;
  /** Shown by `/incident templates`. */
  templatesDir?: string | null;
  /**
   * Turns a "Start incident" button value (an audit finding or an alert id) into what the incident
   * starts with and the channel its source (the audit reply, the alert) was posted in; null when
   * the source is gone.
   */
  resolveIncidentContext?: (value: string) => Promise<ResolvedIncidentSource | null> | ResolvedIncidentSource | null;
  /** Who may change what (src/authz): every incident change is checked with it. */
  gate: AccessGate;
  /** Seals modal metadata to the person and channel a modal was opened for. */
  seal: ViewMetadataSeal;
  /** Injected clock; defaults to the system clock. */
  now?: () => Date;
  logger?: IncidentLogger;
  /** action_ids of "Start incident" buttons elsewhere; defaults to ['start_incident']. */
  startActionIds?: string[];
}

export const START_INCIDENT_ACTION = 'start_incident';

export interface ResolvedIncidentSource {
  context: IncidentContext;
  /** Where the source was posted: a button naming it is honoured only in that channel. Null when unknown. */
  channel: string | null;
}
