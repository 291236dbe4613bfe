/**
 * The incident store unreachable (PostgreSQL down): a `/incident` command or a checklist click is
 * answered with one ephemeral line carrying an error id, logged under the same id; never silence,
 * never the error's own text (a connection string, a stack). Someone declaring an incident learns
 * it was not declared. A modal submitted meanwhile stays open with that line on its field, instead
 * of Slack's own "We had some trouble connecting".
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { IncidentStore } from '../../src/store/incident-state/types.js';
import { getIncident } from '../../src/store/incidents.js';
import { ALICE, CHANNEL, startHarness, valueOf, waitFor, type Harness } from './harness.js';

const REFUSED = 'connect ECONNREFUSED 127.0.0.1:5432 (postgres://depwatch:hunter2secret@db/depwatch)';

let h: Harness;
const outage = { down: false };
afterEach(async () => {
  outage.down = false;
  await h.close();
});

/** The store the listeners use, every call of which fails while `outage.down`. */
function failingWhileDown(store: IncidentStore): IncidentStore {
  return new Proxy(store, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (outage.down) return Promise.reject(new Error(REFUSED));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/** Opens a modal from the incident message's button, as Alice; its sealed metadata. */
async function openModal(actionId: string): Promise<string> {
  const before = h.fake.callsTo('views.open').length;
  await h.click({ actionId, value: '1', user: ALICE, message_ts: h.root().ts });
  await waitFor(() => h.fake.callsTo('views.open').length > before, 'the modal');
  return (h.fake.callsTo('views.open').at(-1)?.params.view as { private_metadata: string }).private_metadata;
}

const text = (value: string) => ({ type: 'plain_text_input', value });

/** The line in a modal's field: the command's words, in plain text (no emoji code). */
const IN_MODAL = /^Something went wrong \(error id (E-[A-Z0-9]{5})\): what you asked was not done \(or not all of it\)\. The details are in Depwatch's log under that id\.$/;

const ANSWER = /^:warning: Something went wrong \(error id (E-[A-Z0-9]{5})\): what you asked was not done \(or not all of it\)\. The details are in Depwatch's log under that id\.$/;

describe('incident commands and clicks while the store is unreachable', () => {
  it('tells whoever declares an incident that it was not declared, with the error id that is in the log', async () => {
    h = await startHarness(undefined, { incidents: failingWhileDown });
    outage.down = true;
    const response = await h.command('start high Database down');
    expect(response.status).toBe(200);
    await waitFor(() => h.fake.ephemerals(CHANNEL).length > 0, 'the answer');
    await new Promise((r) => setTimeout(r, 200)); // time for a second answer, were there one
    const answers = h.fake.ephemerals(CHANNEL);
    expect(answers.map((m) => m.text)).toEqual([expect.stringMatching(ANSWER)]);
    const errorId = ANSWER.exec(answers[0]!.text)![1]!;
    expect(h.logs.filter((l) => l.startsWith('incident: command failed'))).toEqual([expect.stringContaining(errorId)]);
    expect(JSON.stringify(answers)).not.toContain('hunter2secret');
    expect(JSON.stringify(answers)).not.toContain('ECONNREFUSED');
    expect(h.fake.messages(CHANNEL)).toEqual([]);
    expect(getIncident(h.db, 1)).toBeNull();
  });

  it('answers a checklist button pressed during the outage with the error id, privately', async () => {
    h = await startHarness(undefined, { incidents: failingWhileDown });
    await h.command('start medium Lockfile drift');
    await waitFor(() => h.fake.ephemerals(CHANNEL).some((m) => m.text.startsWith('Started Incident #1')), 'the incident');
    const before = h.fake.ephemerals(CHANNEL).length;
    outage.down = true;
    await h.click({ actionId: 'incident_step_done', value: valueOf(h.checklist(0), 'incident_step_done'), user: ALICE, message_ts: h.checklist(0).ts });
    await waitFor(() => h.fake.ephemerals(CHANNEL).length > before, 'the answer');
    const answers = h.fake.ephemerals(CHANNEL).slice(before);
    expect(answers.map((m) => [m.user, m.text])).toEqual([[ALICE, expect.stringMatching(ANSWER)]]);
    expect(h.logs.some((l) => l.startsWith('incident: step done failed') && l.includes(ANSWER.exec(answers[0]!.text)![1]!))).toBe(true);
  });

  it('answers a severity change during the outage, the incident read included', async () => {
    h = await startHarness(undefined, { incidents: failingWhileDown });
    await h.command('start medium Lockfile drift');
    await waitFor(() => h.fake.ephemerals(CHANNEL).some((m) => m.text.startsWith('Started Incident #1')), 'the incident');
    const before = h.fake.ephemerals(CHANNEL).length;
    outage.down = true;
    await h.click({ actionId: 'incident_severity', actionType: 'static_select', blockId: 'incident_root:1', selectedOption: { text: 'High', value: '1:high' }, user: ALICE, message_ts: h.root().ts });
    await waitFor(() => h.fake.ephemerals(CHANNEL).length > before, 'the answer');
    expect(h.fake.ephemerals(CHANNEL).slice(before).map((m) => m.text)).toEqual([expect.stringMatching(ANSWER)]);
  });

  it.each([
    ['a status update', 'incident_update_open', 'incident_update', 'conditions', { conditions: { conditions: text('api patched') }, actions: { actions: text('') }, needs: { needs: text('') } }],
    ['an action item', 'incident_action_item_open', 'incident_action_item', 'item', { item: { item: text('Pin hashes in every lockfile') }, owner: { owner: { type: 'users_select', selected_user: null } } }],
    ['a close', 'incident_close_open', 'incident_close', 'summary', { summary: { summary: text('Fixed upstream') } }],
  ])('keeps %s modal open with the error id that is in the log', async (_what, opener, callbackId, field, values) => {
    h = await startHarness(undefined, { incidents: failingWhileDown });
    await h.command('start medium Lockfile drift');
    await waitFor(() => h.fake.ephemerals(CHANNEL).some((m) => m.text.startsWith('Started Incident #1')), 'the incident');
    const metadata = await openModal(opener);
    const threadBefore = h.thread().length;
    outage.down = true;
    const answer = await h.submit({ callbackId, privateMetadata: metadata, user: ALICE, values });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ response_action: 'errors', errors: { [field]: expect.stringMatching(IN_MODAL) } });
    const errorId = IN_MODAL.exec((answer.json as { errors: Record<string, string> }).errors[field]!)![1]!;
    expect(h.logs.filter((l) => l.includes(errorId))).toEqual([expect.stringMatching(/^incident: \S.* submission failed /)]);
    expect(JSON.stringify(answer.json)).not.toContain('hunter2secret');
    expect(JSON.stringify(answer.json)).not.toContain('ECONNREFUSED');
    outage.down = false;
    expect(h.thread()).toHaveLength(threadBefore);
    expect(getIncident(h.db, 1)?.status).toBe('open');
  });
});
