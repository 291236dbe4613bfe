/** What the App Home shows about incidents: the open ones, with progress and commander. */
import type { IncidentStore } from '../store/incident-state/types.js';
import { progressLine, progressOf } from './state.js';
import { COMMANDER_ROLE, type Incident } from './types.js';

export interface HomeIncident {
  incident: Incident;
  progress: string;
  commander: string | null;
}

export async function openIncidentsForHome(incidents: IncidentStore, options: { includeDrills?: boolean } = {}): Promise<HomeIncident[]> {
  const open = await incidents.listOpenIncidents({ includeDrills: options.includeDrills ?? true });
  return Promise.all(
    open.map(async (incident) => ({
      incident,
      progress: progressLine(progressOf(await incidents.listSteps(incident.id))),
      commander: (await incidents.listRoles(incident.id)).find((r) => r.role === COMMANDER_ROLE)?.userId ?? null,
    })),
  );
}
