/**
 * A modal opened on an open incident and submitted after someone closed it: the person is told in
 * the modal, which stays open with what they typed, instead of the update or action item vanishing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getIncident, listActionItems, listTimeline } from '../../src/store/incidents.js';
import { ALICE, BOB, CHANNEL, startHarness, waitFor, type Harness } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
  await h.command('start medium Lockfile drift');
  await waitFor(() => getIncident(h.db, 1)?.rootTs !== null && h.thread().some((m) => m.text.startsWith('Checklist')), 'the incident');
});
afterEach(async () => {
  await h.close();
});

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
