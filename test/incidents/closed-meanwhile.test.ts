/**
 * A modal opened on an open incident and submitted after someone closed it: the person is told in
 * the modal, which stays open with what they typed, instead of the update or action item vanishing.
 * The same when the close lands between the submission's check and its write: the write itself is
 * conditional on the incident being open, so nothing is stored on the closed incident.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IncidentStore } from '../../src/store/incident-state/types.js';
import { getIncident, listActionItems, listTimeline } from '../../src/store/incidents.js';
import { ALICE, BOB, CHANNEL, startHarness, waitFor, type Harness, type HarnessOptions } from './harness.js';

let h: Harness;
async function start(options: HarnessOptions = {}): Promise<void> {
  h = await startHarness(undefined, options);
  await h.command('start medium Lockfile drift');
  await waitFor(() => getIncident(h.db, 1)?.rootTs !== null && h.thread().some((m) => m.text.startsWith('Checklist')), 'the incident');
}
afterEach(async () => {
  await h.close();
});

/**
 * The store the listeners use, with incident #1 closed by Alice (a direct store call) just before
 * `method` writes: the close lands between the submission's "is it still open?" read and its write.
 */
function closingBefore(method: 'addTimeline' | 'addActionItem'): HarnessOptions {
  return {
    incidents: (store: IncidentStore): IncidentStore =>
      new Proxy(store, {
        get(target, key) {
          const value: unknown = Reflect.get(target, key, target);
          if (typeof value !== 'function') return value;
          if (key !== method) return value.bind(target);
          return async (...args: unknown[]) => {
            await target.closeIncident(1, ALICE, 'Fixed upstream', h.now().toISOString());
            return value.apply(target, args);
          };
        },
      }),
  };
}

/** Opens a modal from the incident message's button, as `user`; its sealed metadata. */
async function openModal(actionId: string, user: string): Promise<string> {
  const before = h.fake.callsTo('views.open').length;
  await h.click({ actionId, value: '1', user, message_ts: h.root().ts });
  await waitFor(() => h.fake.callsTo('views.open').length > before, 'the modal');
  return (h.fake.callsTo('views.open').at(-1)?.params.view as { private_metadata: string }).private_metadata;
}

async function closeAsAlice(): Promise<void> {
  await h.command('close Fixed upstream', ALICE);
  await waitFor(() => getIncident(h.db, 1)?.status === 'closed', 'the close');
}

const text = (value: string) => ({ type: 'plain_text_input', value });

describe('a modal submitted after the incident was closed', () => {
  beforeEach(() => start());

  it('refuses a status update in the modal and posts nothing', async () => {
    const metadata = await openModal('incident_update_open', BOB);
    await closeAsAlice();
    const threadBefore = h.thread().length;

    const answer = await h.submit({ callbackId: 'incident_update', privateMetadata: metadata, user: BOB, values: { conditions: { conditions: text('api patched') }, actions: { actions: text('') }, needs: { needs: text('') } } });
    expect(answer.json).toEqual({ response_action: 'errors', errors: { conditions: 'This incident was closed meanwhile: your update was not posted.' } });
    expect(listTimeline(h.db, 1).filter((e) => e.type === 'status_update')).toEqual([]);
    expect(h.thread()).toHaveLength(threadBefore);
  });

  it('refuses an action item in the modal and records nothing', async () => {
    const metadata = await openModal('incident_action_item_open', BOB);
    await closeAsAlice();

    const answer = await h.submit({ callbackId: 'incident_action_item', privateMetadata: metadata, user: BOB, values: { item: { item: text('Pin hashes in every lockfile') }, owner: { owner: { type: 'users_select', selected_user: null } } } });
    expect(answer.json).toEqual({ response_action: 'errors', errors: { item: 'This incident was closed meanwhile: your action item was not added.' } });
    expect(listActionItems(h.db, 1)).toEqual([]);
  });

  it('still takes a status update while the incident is open', async () => {
    const metadata = await openModal('incident_update_open', BOB);
    const answer = await h.submit({ callbackId: 'incident_update', privateMetadata: metadata, user: BOB, values: { conditions: { conditions: text('api patched') } } });
    expect(answer.status).toBe(200);
    expect(answer.text).toBe('');
    await waitFor(() => h.fake.thread(CHANNEL, h.root().ts).some((m) => m.text.startsWith('Status update')), 'the update in the thread');
  });
});

describe('an update or action item whose incident is closed between the check and the write', () => {
  const threadNotes = () => h.thread().filter((m) => m.text.startsWith('Status update') || m.text.includes('added an action item'));

  it('stores no status update from the modal and says so in the modal', async () => {
    await start(closingBefore('addTimeline'));
    const metadata = await openModal('incident_update_open', BOB);
    const answer = await h.submit({ callbackId: 'incident_update', privateMetadata: metadata, user: BOB, values: { conditions: { conditions: text('api patched') }, actions: { actions: text('') }, needs: { needs: text('') } } });
    expect(answer.json).toEqual({ response_action: 'errors', errors: { conditions: 'This incident was closed meanwhile: your update was not posted.' } });
    expect(getIncident(h.db, 1)).toMatchObject({ status: 'closed', closedBy: ALICE });
    expect(listTimeline(h.db, 1).filter((e) => e.type === 'status_update')).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(threadNotes()).toEqual([]);
  });

  it('stores no action item from the modal and says so in the modal', async () => {
    await start(closingBefore('addActionItem'));
    const metadata = await openModal('incident_action_item_open', BOB);
    const answer = await h.submit({ callbackId: 'incident_action_item', privateMetadata: metadata, user: BOB, values: { item: { item: text('Pin hashes in every lockfile') }, owner: { owner: { type: 'users_select', selected_user: null } } } });
    expect(answer.json).toEqual({ response_action: 'errors', errors: { item: 'This incident was closed meanwhile: your action item was not added.' } });
    expect(listActionItems(h.db, 1)).toEqual([]);
    expect(listTimeline(h.db, 1).filter((e) => e.type === 'action_item')).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(threadNotes()).toEqual([]);
  });

  it('stores nothing from `/incident status` either, and answers that the incident is closed', async () => {
    await start(closingBefore('addTimeline'));
    await h.command('status api patched', BOB);
    await waitFor(() => h.fake.ephemerals(CHANNEL).some((m) => m.user === BOB), 'the answer to the status update');
    expect(h.fake.ephemerals(CHANNEL).filter((m) => m.user === BOB).map((m) => m.text)).toEqual([expect.stringMatching(/^Incident #1: Lockfile drift is closed\.$/)]);
    expect(listTimeline(h.db, 1).filter((e) => e.type === 'status_update')).toEqual([]);
    expect(threadNotes()).toEqual([]);
  });
});
