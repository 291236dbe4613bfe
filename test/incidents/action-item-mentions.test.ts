/**
 * The mentions in an action item's text stay mentions where it is shown (the thread's note and the
 * report alike), while a broadcast typed into it (`<!channel>`) notifies nobody in either.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listActionItems } from '../../src/store/incidents.js';
import { BOB, CAROL, CHANNEL, startHarness, waitFor, type Harness } from './harness.js';

let h: Harness;

beforeEach(async () => {
  h = await startHarness();
});

afterEach(async () => {
  await h.close();
});

describe('an action item naming people', () => {
  it('shows its mentions as mentions and its broadcasts escaped, in the note and in the report', async () => {
    await h.command('start high Token leak');
    await waitFor(() => h.fake.messages(CHANNEL).length === 1 && h.thread().some((m) => m.text.startsWith('Checklist')), 'incident');
    await h.command(`action Ask <@${BOB}|bob> to rotate the token <!channel> <@${CAROL}|carol>`);
    await waitFor(() => h.thread().some((m) => m.text.includes('added an action item')), 'the note');
    expect(listActionItems(h.db, 1)).toEqual([expect.objectContaining({ text: `Ask <@${BOB}> to rotate the token <!channel>`, owner: CAROL })]);

    const shown = `Ask <@${BOB}> to rotate the token &lt;!channel&gt;`;
    const note = JSON.stringify(h.thread().find((m) => m.text.includes('added an action item'))?.blocks);
    expect(note).toContain(`for <@${CAROL}>: ${shown}`);

    await h.command('close Rotated.');
    await waitFor(() => h.thread().some((m) => m.text.startsWith('Post-incident')), 'the report');
    const report = JSON.stringify(h.thread().find((m) => m.text.startsWith('Post-incident'))?.blocks);
    expect(report).toContain(`• ${shown} — <@${CAROL}>`);
    expect(h.fake.violations).toEqual([]);
  });
});
