/** What the App Home shows about incidents: the open ones, with progress and commander. */
import type { Db } from '../store/db.js';
import { commanderOf, listOpenIncidents, listSteps } from '../store/incidents.js';
import { progressLine, progressOf } from './state.js';
import type { Incident } from './types.js';

export interface HomeIncident {
  incident: Incident;
  progress: string;
  commander: string | null;
}

export function openIncidentsForHome(db: Db, options: { includeDrills?: boolean } = {}): HomeIncident[] {
  return listOpenIncidents(db, { includeDrills: options.includeDrills ?? true }).map((incident) => ({
    incident,
    progress: progressLine(progressOf(listSteps(db, incident.id))),
    commander: commanderOf(db, incident.id),
  }));
}
