/**
 * A Bolt app with only the incident listeners, on 127.0.0.1, talking to the fake Slack Web API and
 * driven by signed HTTP requests. The database is a file so that the app can be restarted on it;
 * the clock is a variable the test moves.
 */
import { mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, LogLevel } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import { loadTemplateLibrary } from '../../src/incidents/templates.js';
import type { IncidentContext } from '../../src/incidents/types.js';
import { openDb, type Db } from '../../src/store/db.js';
import { registerIncidentListeners } from '../../src/slack/listeners/incidents/index.js';
import { createGuardedReceiver } from '../../src/slack/receiver.js';
import { createViewMetadataSeal, type ViewMetadataSeal } from '../../src/slack/view-metadata.js';
import { createAccessGate } from '../../src/authz/gate.js';
import { FAKE_BOT, FAKE_BOT_TOKEN, startFakeSlack, type FakeSlack, type StoredMessage } from '../fakes/slack-api.js';
import { blockAction, eventCallback, postToBolt, signedRequest, slashCommand, viewSubmission, type BlockActionInput, type BoltResponse, type SlackRequestBody, type ViewSubmissionInput } from '../helpers/slack-requests.js';
import type { ReminderDeps } from '../../src/incidents/reminders.js';
import { SlackDelivery } from '../../src/slack/outbox/slack-delivery.js';
import { SqliteIncidentStore } from '../../src/store/incident-state/sqlite.js';
import { dmReachability } from '../../src/slack/dm-reach.js';
import type { IncidentStore } from '../../src/store/incident-state/types.js';

export const SECRET = 'incident-test-signing-secret';
export const CHANNEL = 'C0INCIDENT1';
export const ALICE = 'U0ALICE0001';
export const BOB = 'U0BOB000001';
export const CAROL = 'U0CAROL0001';
/** Another app's bot user in the workspace (a DM to it is refused: cannot_dm_bot). */
export const CI_BOT = 'U0CIBOT0001';
/** A deactivated account (a DM to it is refused: user_disabled). */
export const DAVE_DEPARTED = 'U0DAVE00001';
export const START = '2024-11-28T10:00:00.000Z';

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, setLevel: () => {}, getLevel: () => LogLevel.ERROR, setName: () => {} };

export async function waitFor(condition: () => boolean, what = 'condition', timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error(`${what}: not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export interface Harness {
  fake: FakeSlack;
  db: Db;
  /** Milliseconds since the epoch, as the app's clock reads it. */
  clock: { ms: number };
  now: () => Date;
  webClient: WebClient;
  /** What the reminder tick needs: the database, its Slack outbox and a delivery loop over the fake. */
  reminderDeps(): ReminderDeps;
  logs: string[];
  /** The app's modal-metadata seal (to read what a modal was opened for, or to forge what it was not). */
  seal: ViewMetadataSeal;
  send(request: SlackRequestBody): Promise<BoltResponse>;
  command(text: string, user?: string): Promise<BoltResponse>;
  click(input: BlockActionInput & { selectedUser?: string }): Promise<BoltResponse>;
  submit(input: ViewSubmissionInput): Promise<BoltResponse>;
  event(event: Record<string, unknown>): Promise<BoltResponse>;
  restart(): Promise<void>;
  close(): Promise<void>;
  /** The incident's root message in the channel (the newest one the bot posted with blocks). */
  root(): StoredMessage;
  thread(): StoredMessage[];
  checklist(part?: number): StoredMessage;
}

/** A button value on a message (the first element with `actionId` whose value starts with `prefix`). */
export function valueOf(message: StoredMessage | undefined, actionId: string, prefix = ''): string {
  const found = JSON.stringify(message?.blocks ?? []).match(new RegExp(`"action_id":"${actionId}","value":"(${prefix}[^"]*)"`));
  if (!found?.[1]) throw new Error(`no ${actionId} button${prefix ? ` for ${prefix}` : ''} on the message`);
  return found[1];
}

/** A payload field the request helpers don't set (e.g. a users_select's `selected_user`). */
function withAction(request: SlackRequestBody, extra: Record<string, unknown>): SlackRequestBody {
  const params = new URLSearchParams(request.body);
  const payload = JSON.parse(params.get('payload') ?? '{}') as { actions: Record<string, unknown>[] };
  Object.assign(payload.actions[0] ?? {}, extra);
  params.set('payload', JSON.stringify(payload));
  return { ...request, body: params.toString() };
}

export interface HarnessOptions {
  /** The incident store the listeners use, made from the SQLite store of the harness's database (to inject a change between a check and a write). */
  incidents?: (store: IncidentStore, db: Db) => IncidentStore;
}

export async function startHarness(resolve: (value: string) => IncidentContext | null = () => null, options: HarnessOptions = {}): Promise<Harness> {
  const fake = await startFakeSlack({ startTs: Date.parse(START) / 1000, users: { [CI_BOT]: { name: 'ci-bot', is_bot: true }, [DAVE_DEPARTED]: { name: 'dave', deleted: true } } });
  const dbPath = join(mkdtempSync(join(tmpdir(), 'depwatch-incidents-')), 'depwatch.db');
  const clock = { ms: Date.parse(START) };
  const now = (): Date => new Date(clock.ms);
  const logs: string[] = [];
  const seal = createViewMetadataSeal(SECRET);
  const logger = {
    info: () => {},
    warn: (obj: unknown, msg?: string) => void logs.push(`${msg ?? ''} ${JSON.stringify(obj)}`),
    error: (obj: unknown, msg?: string) => void logs.push(`${msg ?? ''} ${JSON.stringify(obj)}`),
  } as never;
  let db = openDb(dbPath);
  let app: App;
  let endpoint = '';
  let commands = 0;

  const boot = async (): Promise<void> => {
    app = new App({
      token: FAKE_BOT_TOKEN,
      // The receiver the bot uses: timestamps both ways, payload shapes and unknown ids checked.
      receiver: createGuardedReceiver({ signingSecret: SECRET, logger: quiet, boltLogger: quiet }),
      botId: FAKE_BOT.botId,
      botUserId: FAKE_BOT.userId,
      logger: quiet,
      clientOptions: { slackApiUrl: fake.url, retryConfig: { retries: 0 } },
    });
    registerIncidentListeners(app, {
      db,
      ...(options.incidents ? { incidents: options.incidents(new SqliteIncidentStore(db), db) } : {}),
      // Checklist redraws go through the outbox; delivered at once (no pacing) over the fake.
      delivery: new SlackDelivery({ db, api: new WebClient(FAKE_BOT_TOKEN, { slackApiUrl: fake.url, retryConfig: { retries: 0 } }), now, pacer: { minIntervalMs: 1 } }),
      templates: loadTemplateLibrary(null),
      templatesDir: null,
      now,
      logger,
      gate: createAccessGate({ admins: [], db }),
      seal,
      resolveIncidentContext: (value) => {
        const context = resolve(value);
        // The harness's alerts and findings are all posted in CHANNEL.
        return context ? { context, channel: CHANNEL } : null;
      },
    });
    const server = (await app.start({ port: 0, host: '127.0.0.1' })) as Server;
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  };
  await boot();

  const send = (request: SlackRequestBody): Promise<BoltResponse> => postToBolt(endpoint, signedRequest(SECRET, request));
  const rootMessage = (): StoredMessage => {
    const root = [...fake.messages(CHANNEL)].reverse().find((m) => m.text.includes('Incident #'));
    if (!root) throw new Error('no incident root message');
    return root;
  };
  const webClient = new WebClient(FAKE_BOT_TOKEN, { slackApiUrl: fake.url, retryConfig: { retries: 0 } });
  const harness: Harness = {
    fake,
    get db() {
      return db;
    },
    clock,
    now,
    webClient,
    reminderDeps: () => {
      const delivery = new SlackDelivery({ db, api: webClient, now, pacer: { minIntervalMs: 1 } });
      return { incidents: new SqliteIncidentStore(db, delivery.outbox), delivery, now, reachable: dmReachability(webClient, now) };
    },
    logs,
    seal,
    send,
    command: (text, user = ALICE) => {
      const id = `command-${++commands}`;
      return send(slashCommand({ command: '/incident', text, user_id: user, channel_id: CHANNEL, response_url: fake.responseUrl(id, { channel: CHANNEL, user }) }));
    },
    click: ({ selectedUser, ...input }) => {
      const request = blockAction({ channel: CHANNEL, ...input });
      return send(selectedUser ? withAction(request, { selected_user: selectedUser }) : request);
    },
    submit: (input) => send(viewSubmission(input)),
    event: (event) => send(eventCallback(event)),
    restart: async () => {
      await app.stop();
      db.close();
      db = openDb(dbPath);
      await boot();
    },
    close: async () => {
      await app.stop();
      db.close();
      await fake.close();
    },
    root: rootMessage,
    thread: () => fake.thread(CHANNEL, rootMessage().ts),
    checklist: (part = 0) => {
      const parts = fake.thread(CHANNEL, rootMessage().ts).filter((m) => m.text.startsWith('Checklist for') || m.text.startsWith('[EXERCISE] Checklist for'));
      const found = parts[part];
      if (!found) throw new Error(`no checklist part ${part}`);
      return found;
    },
  };
  return harness;
}
