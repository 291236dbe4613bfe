/**
 * What the App Home shows about incidents: the open ones, with progress and commander, to each
 * person only those they may see.
 */
import type { IncidentStore } from '../store/incident-state/types.js';
import { progressLine, progressOf } from './state.js';
import { COMMANDER_ROLE, type Incident } from './types.js';

export interface HomeIncident {
  incident: Incident;
  progress: string;
  commander: string | null;
}

/** Who opened App Home, and whether they are an admin (DEPWATCH_ADMINS; without it everyone is one). */
export interface HomeViewer {
  userId: string;
  admin: boolean;
}

/**
 * Whether an incident names a private repository (the title of one started from a finding does).
 * Unknown counts as private when it names repositories at all, as for audits; a drill's
 * repositories are made up, and an incident started by hand names what its starter typed.
 */
export function aboutPrivateRepository(incident: Incident): boolean {
  if (incident.kind === 'drill' || !incident.context) return false;
  return incident.context.private ?? incident.context.repos.length > 0;
}

/**
 * The rule App Home applies to audits and watches (SlackAuditService.publishHome), for incidents:
 * private repositories' only to admins and to whoever started them. The bot has no scope to list a
 * channel's members (channels:read), so channel membership cannot be the rule.
 */
export function maySeeOnHome(incident: Incident, viewer: HomeViewer): boolean {
  return viewer.admin || incident.createdBy === viewer.userId || !aboutPrivateRepository(incident);
}

export async function openIncidentsForHome(incidents: IncidentStore, viewer: HomeViewer, options: { includeDrills?: boolean } = {}): Promise<HomeIncident[]> {
  const open = (await incidents.listOpenIncidents({ includeDrills: options.includeDrills ?? true })).filter((incident) => maySeeOnHome(incident, viewer));
  return Promise.all(
    open.map(async (incident) => ({
      incident,
      progress: progressLine(progressOf(await incidents.listSteps(incident.id))),
      commander: (await incidents.listRoles(incident.id)).find((r) => r.role === COMMANDER_ROLE)?.userId ?? null,
    })),
  );
}
