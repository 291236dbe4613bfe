/**
 * A pull request that moves, adds or removes a git submodule changes what the project builds from
 * another repository, whose files no review here reads. Its card says so, as a caution, never as
 * "nothing to review" passing in silence: GitHub lists the submodule's path among the changed files
 * (a `commit` entry of the tree, mode 160000, whose sha moved), and the `.gitmodules` at either side
 * tells that the path is a submodule.
 */
import { afterEach, expect, it } from 'vitest';
import { submoduleAt } from '../fakes/github.js';
import { startFakePypi, type FakePypi } from '../fakes/pypi.js';
import { GOODLIB, REQUIREMENTS } from '../packages/world.js';
import { blockText } from '../slack/app-world.js';
import { openTestDb, reviewCardSources, startWorld, type World } from './helpers.js';

const CHANNEL = 'C0PULLS0001';
const OLD = '1111111111111111111111111111111111111111';
const NEW = '2222222222222222222222222222222222222222';
const GITMODULES = '[submodule "lib"]\n\tpath = vendor/lib\n\turl = https://github.com/octo/lib.git\n';

let world: World;
let pypi: FakePypi;
afterEach(async () => {
  await world?.close();
  await pypi?.close();
});

async function sweepWith(pulls: { number: number; branch: string; files: Record<string, string | ReturnType<typeof submoduleAt> | null> }[], options: { comments?: boolean } = {}) {
  world = await startWorld({ records: [], start: '2026-01-15T12:00:00Z', ...(options.comments ? { githubWrite: true } : {}) });
  pypi = await startFakePypi({ projects: [GOODLIB, ...REQUIREMENTS] });
  world.github.addRepo({ owner: 'octo', name: 'shop', files: { 'requirements.txt': 'goodlib==1.1.0\n', '.gitmodules': GITMODULES, 'vendor/lib': submoduleAt(OLD) } });
  for (const pull of pulls) {
    world.github.pushCommit('octo', 'shop', pull.files as never, { branch: pull.branch });
    world.github.openPullRequest('octo', 'shop', { number: pull.number, title: `PR ${pull.number}`, head: pull.branch });
  }
  const cards = reviewCardSources(world, pypi.url, openTestDb(world.dbPath));
  const { watch } = world.service({ pullRequestReviews: { cards, ...(options.comments ? { comments: true } : {}) } });
  watch.store.addWatch({ repo: 'octo/shop', channel: CHANNEL, userId: 'U1', private: false, adminLinked: true, now: world.clock.now() });
  await watch.sweeps.runNow();
  await watch.delivery.idle();
  return watch;
}

const cardOf = (number: number) => {
  const message = world.slack.messages(CHANNEL).find((m) => blockText(m.blocks).includes(`#${number}`));
  return message === undefined ? undefined : { text: blockText(message.blocks), fallback: String(message.text) };
};

it('a pull request that only moves a submodule gets a caution card saying the submodule moved and its contents were not reviewed', async () => {
  await sweepWith([{ number: 3, branch: 'bump-lib', files: { 'vendor/lib': submoduleAt(NEW) } }]);
  const card = cardOf(3);
  expect(card).toBeDefined();
  expect(card!.text).toContain('overall :warning: *caution*');
  expect(card!.text).toContain(':warning: *Git submodules*');
  // The commit it now pins, and the one before: what to review in that repository.
  expect(card!.text).toContain('`vendor/lib` moved to another commit (2222222, was 1111111): another repository, whose changes were not reviewed here');
  expect(card!.fallback).toContain('caution');
  expect(card!.fallback).toContain('vendor/lib');
  expect(world.slack.violations).toEqual([]);
});

it('says the submodule beside the package changes of a pull request that also changes requirements, and the verdict is at least caution', async () => {
  await sweepWith([{ number: 4, branch: 'both', files: { 'requirements.txt': 'goodlib==1.2.0\n', 'vendor/lib': submoduleAt(NEW) } }]);
  const card = cardOf(4)!;
  expect(card.text).toContain('`goodlib` upgraded 1.1.0 → 1.2.0: *ok*');
  expect(card.text).toContain('`vendor/lib` moved to another commit');
  expect(card.text).toContain('overall :warning: *caution*');
});

it('says a submodule added (a new repository the project builds from) and one removed', async () => {
  await sweepWith([
    { number: 5, branch: 'add', files: { '.gitmodules': `${GITMODULES}[submodule "tools"]\n\tpath = tools/gen\n\turl = ../gen.git\n`, 'tools/gen': submoduleAt(NEW) } },
    { number: 6, branch: 'drop', files: { '.gitmodules': null, 'vendor/lib': null } },
  ]);
  expect(cardOf(5)!.text).toContain('`tools/gen` added at 2222222: another repository, whose contents were not reviewed here');
  expect(cardOf(5)!.text).toContain('overall :warning: *caution*');
  expect(cardOf(6)!.text).toContain('`vendor/lib` removed (was at 1111111)');
});

it('sees a submodule the tree has (a gitlink) that .gitmodules does not name, moved or added, as the audit of the tree does', async () => {
  world = await startWorld({ records: [], start: '2026-01-15T12:00:00Z' });
  pypi = await startFakePypi({ projects: [GOODLIB, ...REQUIREMENTS] });
  world.github.addRepo({ owner: 'octo', name: 'shop', files: { 'requirements.txt': 'goodlib==1.1.0\n', 'third_party/proto': submoduleAt(OLD), 'src/app.py': 'print(1)\n' } });
  world.github.pushCommit('octo', 'shop', { 'third_party/proto': submoduleAt(NEW) } as never, { branch: 'bump' });
  world.github.openPullRequest('octo', 'shop', { number: 7, title: 'PR 7', head: 'bump' });
  world.github.pushCommit('octo', 'shop', { 'src/tools': submoduleAt(NEW), 'src/app.py': 'print(2)\n' } as never, { branch: 'add' });
  world.github.openPullRequest('octo', 'shop', { number: 9, title: 'PR 9', head: 'add' });
  const cards = reviewCardSources(world, pypi.url, openTestDb(world.dbPath));
  const { watch } = world.service({ pullRequestReviews: { cards } });
  watch.store.addWatch({ repo: 'octo/shop', channel: CHANNEL, userId: 'U1', private: false, adminLinked: true, now: world.clock.now() });
  await watch.sweeps.runNow();
  await watch.delivery.idle();
  expect(cardOf(7)!.text).toContain('`third_party/proto` moved to another commit (2222222, was 1111111)');
  expect(cardOf(7)!.text).toContain('overall :warning: *caution*');
  expect(cardOf(7)!.text).not.toContain('Partial');
  expect(cardOf(9)!.text).toContain('`src/tools` added at 2222222');
  expect(cardOf(9)!.text).not.toContain('src/app.py');
});

it('says nothing of submodules in a pull request that changes only code', async () => {
  await sweepWith([{ number: 8, branch: 'code', files: { 'app.py': 'print(1)\n' } }]);
  expect(cardOf(8)).toBeUndefined();
});

it('writes the submodule into the comment on the pull request too', async () => {
  await sweepWith([{ number: 3, branch: 'bump-lib', files: { 'vendor/lib': submoduleAt(NEW) } }], { comments: true });
  const [comment] = world.github.comments('octo', 'shop', 3);
  expect(comment?.body).toContain('### Depwatch dependency review: ⚠️ caution');
  expect(comment?.body).toContain('⚠️ **Git submodules**');
  expect(comment?.body).toContain('- `vendor/lib` moved to another commit (2222222, was 1111111): another repository, whose changes were not reviewed here');
});

it('is partial, saying so, when a side\'s .gitmodules could not be read, and still names the changed submodule the other side names', async () => {
  world = await startWorld({ records: [], start: '2026-01-15T12:00:00Z' });
  pypi = await startFakePypi({ projects: [GOODLIB, ...REQUIREMENTS] });
  world.github.addRepo({ owner: 'octo', name: 'shop', files: { 'requirements.txt': 'goodlib==1.1.0\n', '.gitmodules': GITMODULES, 'vendor/lib': submoduleAt(OLD) } });
  // The head's .gitmodules grows past what GitHub hands over whole: read cut short, so not read.
  world.github.pushCommit('octo', 'shop', { '.gitmodules': `${GITMODULES}${'# a long comment\n'.repeat(40)}`, 'vendor/lib': submoduleAt(NEW) } as never, { branch: 'bump-lib' });
  world.github.openPullRequest('octo', 'shop', { number: 3, title: 'PR 3', head: 'bump-lib' });
  world.github.truncateTextsOver(GITMODULES.length + 10);
  const cards = reviewCardSources(world, pypi.url, openTestDb(world.dbPath));
  const { watch } = world.service({ pullRequestReviews: { cards } });
  watch.store.addWatch({ repo: 'octo/shop', channel: CHANNEL, userId: 'U1', private: false, adminLinked: true, now: world.clock.now() });
  await watch.sweeps.runNow();
  await watch.delivery.idle();
  const card = cardOf(3)!;
  expect(card.text).toMatch(/Partial: head: \.gitmodules .*; whether this pull request moves a git submodule could not be told/);
  expect(card.text).toContain('`vendor/lib` moved to another commit');
  expect(card.text).toContain('overall :warning: *caution*');
});
