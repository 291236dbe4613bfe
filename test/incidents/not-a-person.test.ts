/**
 * Roles and steps go to people: Depwatch itself (its own user id), another bot or a deactivated
 * account is refused in one line, and nothing changes.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getStep, listRoles } from '../../src/store/incidents.js';
import { FAKE_BOT } from '../fakes/slack-api.js';
import { ALICE, BOB, CHANNEL, CI_BOT, DAVE_DEPARTED, startHarness, waitFor, type Harness } from './harness.js';

let h: Harness;
const answers = (): string[] => (h.fake as unknown as { responses: { body: { text: string } }[] }).responses.map((r) => r.body.text);

beforeEach(async () => {
  h = await startHarness();
  await h.command('start high Token leak');
  await waitFor(() => answers().length === 1 && h.thread().some((m) => m.text.startsWith('Checklist')), 'incident and its checklist');
});

/** The command's answer (each awaited before the next command, so they stay in order). */
async function ask(text: string): Promise<string> {
  const before = answers().length;
  await h.command(text);
  await waitFor(() => answers().length > before, `the answer to ${text}`);
  return answers()[before] ?? '';
}

afterEach(async () => {
  await h.close();
});

describe('who may hold a role or own a step', () => {
  it('refuses Depwatch itself, another bot and a deactivated account as commander, and keeps the commander', async () => {
    expect([await ask(`commander <@${FAKE_BOT.userId}|depwatch>`), await ask(`commander <@${CI_BOT}|ci-bot>`), await ask(`commander <@${DAVE_DEPARTED}|dave>`)]).toEqual([
      'Depwatch cannot hold a role or own a step: roles and steps go to people, whom reminders can reach. Pick a person.',
      `<@${CI_BOT}> cannot be reached by DM (it is a bot): roles and steps go to people, whom reminders can reach. Pick a person.`,
      `<@${DAVE_DEPARTED}> cannot be reached by DM (their account is deactivated): roles and steps go to people, whom reminders can reach. Pick a person.`,
    ]);
    expect(listRoles(h.db, 1)).toEqual([expect.objectContaining({ role: 'commander', userId: ALICE })]);
    expect(await ask(`commander <@${BOB}|bob>`)).toBe(`<@${ALICE}> handed the *commander* role from <@${ALICE}> to <@${BOB}>.`);
    expect(listRoles(h.db, 1)).toEqual([expect.objectContaining({ role: 'commander', userId: BOB })]);
  });

  it('refuses Depwatch as a step owner from the checklist menu, saying so to the person who picked it', async () => {
    const before = h.fake.ephemerals(CHANNEL).length;
    await h.click({ actionId: 'incident_step_assign', actionType: 'users_select', blockId: 'incident_step:1:1:0', selectedUser: FAKE_BOT.userId, user: ALICE, message_ts: h.checklist(0).ts });
    await waitFor(() => h.fake.ephemerals(CHANNEL).length > before, 'the refusal');
    expect(h.fake.ephemerals(CHANNEL).at(-1)).toMatchObject({ user: ALICE, text: 'Depwatch cannot hold a role or own a step: roles and steps go to people, whom reminders can reach. Pick a person.' });
    expect(getStep(h.db, 1, 1)?.owner).toBeNull();
    expect(h.fake.violations).toEqual([]);
  });
});
