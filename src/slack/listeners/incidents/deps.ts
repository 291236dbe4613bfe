/** What the incident listeners need from the composition root (src/main.ts). */
import type { Logger } from '../../../log.js';
import type { TemplateLibrary } from '../../../incidents/templates.js';
import type { IncidentContext } from '../../../incidents/types.js';
import type { Db } from '../../../store/db.js';

export type IncidentLogger = Pick<Logger, 'info' | 'warn' | 'error'>;

export interface IncidentDeps {
  db: Db;
  /** Checklist templates, loaded (and validated) at start-up with loadTemplateLibrary(templatesDirFor(DEPWATCH_DB)). */
  templates: TemplateLibrary;
  /** Shown by `/incident templates`. */
  templatesDir?: string | null;
  /**
   * Turns a "Start incident" button value (`audit:<auditId>:<findingKey>` or `alert:<alertId>`) into
   * what the incident starts with; null when the source is gone.
   */
  resolveIncidentContext?: (value: string) => Promise<IncidentContext | null> | IncidentContext | null;
  /** Injected clock; defaults to the system clock. */
  now?: () => Date;
  logger?: IncidentLogger;
  /** action_ids of "Start incident" buttons elsewhere; defaults to ['start_incident']. */
  startActionIds?: string[];
}

export const START_INCIDENT_ACTION = 'start_incident';
