import { describe, expect, it } from 'vitest';
import { createAccessGate } from '../../src/authz/gate.js';
import { decide, type Action, type Requester } from '../../src/authz/policy.js';
import { AccessLog } from '../../src/store/access-log.js';
import { openDb } from '../../src/store/db.js';

const ADMIN = 'U0ADMIN0001';
const MEMBER = 'U0MEMBER001';
const HERE = 'C0HERE00001';
const THERE = 'C0THERE0001';
const configured = { admins: [ADMIN] };
const nobodyConfigured = { admins: [] };

const from = (userId: string, via: Requester['via'] = 'command', channel: string | null = HERE): Requester => ({ userId, channel, via });
const publicRepo = { name: 'octo/app', private: false };
const privateRepo = { name: 'octo/vault', private: true };

describe('the access policy', () => {
  it('keeps watches, schedules, ignores and pull requests to admins when DEPWATCH_ADMINS is set', () => {
    const changes: Action[] = [
      { kind: 'watches', verb: 'watch', channel: HERE, repo: publicRepo },
      { kind: 'watches', verb: 'unwatch', channel: HERE, repo: publicRepo },
      { kind: 'schedules', verb: 'schedule', channel: HERE },
      { kind: 'schedules', verb: 'time-zone', channel: HERE },
      { kind: 'ignores', verb: 'add', channel: HERE, repo: null },
      { kind: 'ignores', verb: 'remove', channel: HERE, repo: null },
      { kind: 'ignores', verb: 'add', channel: HERE, repo: publicRepo },
      { kind: 'pull-requests', verb: 'open', channel: HERE, repo: publicRepo },
    ];
    for (const action of changes) {
      expect(decide(configured, from(ADMIN), action)).toEqual({ allowed: true });
      expect(decide(configured, from(MEMBER), action)).toMatchObject({ allowed: false, rule: 'not-admin', reason: expect.stringMatching(/^Only Depwatch admins \(DEPWATCH_ADMINS\) can /) });
      // Without DEPWATCH_ADMINS everyone counts as an admin.
      expect(decide(nobodyConfigured, from(MEMBER), action)).toEqual({ allowed: true });
    }
  });

  it('says so when the repository is private', () => {
    expect(decide(configured, from(MEMBER), { kind: 'watches', verb: 'watch', channel: HERE, repo: privateRepo })).toEqual({
      allowed: false,
      rule: 'private-repository',
      reason: 'Only Depwatch admins (DEPWATCH_ADMINS) can link a private repository to a channel.',
    });
    expect(decide(configured, from(MEMBER, 'modal'), { kind: 'ignores', verb: 'add', channel: HERE, repo: privateRepo })).toMatchObject({ rule: 'private-repository' });
    expect(decide(configured, from(MEMBER), { kind: 'pull-requests', verb: 'open', channel: HERE, repo: privateRepo })).toMatchObject({ rule: 'private-repository' });
    expect(decide(configured, from(ADMIN), { kind: 'watches', verb: 'watch', channel: HERE, repo: privateRepo })).toEqual({ allowed: true });
  });

  it('lets anyone audit a public repository, and only admins a private one (unknown counts as private)', () => {
    const audit = (repo: { name: string; private: boolean | null }): Action => ({ kind: 'audits', verb: 'post', channel: HERE, repo });
    expect(decide(configured, from(MEMBER), audit(publicRepo))).toEqual({ allowed: true });
    expect(decide(configured, from(MEMBER, 'home', null), audit(publicRepo))).toEqual({ allowed: true });
    expect(decide(configured, from(MEMBER), audit(privateRepo))).toEqual({
      allowed: false,
      rule: 'private-repository',
      reason: 'Only Depwatch admins (DEPWATCH_ADMINS) can audit a private repository.',
    });
    expect(decide(configured, from(MEMBER, 'home', null), audit(privateRepo))).toMatchObject({ allowed: false, rule: 'private-repository' });
    expect(decide(configured, from(MEMBER), audit({ name: 'octo/unknown', private: null }))).toMatchObject({ allowed: false, rule: 'private-repository' });
    expect(decide(configured, from(ADMIN, 'home', null), audit(privateRepo))).toEqual({ allowed: true });
    // Without DEPWATCH_ADMINS everyone counts as an admin.
    expect(decide(nobodyConfigured, from(MEMBER), audit(privateRepo))).toEqual({ allowed: true });
  });

  it('lets anyone start and run incidents, in the incident\'s own channel only', () => {
    for (const verb of ['start', 'step', 'snooze', 'update', 'severity', 'role', 'action-item', 'close', 'pin'] as const) {
      expect(decide(configured, from(MEMBER, 'button'), { kind: 'incidents', verb, channel: HERE, incidentId: 7 })).toEqual({ allowed: true });
      for (const via of ['command', 'button', 'modal', 'event'] as const) {
        // Admins too: an incident is run where its checklist is.
        expect(decide(configured, from(ADMIN, via), { kind: 'incidents', verb, channel: THERE, incidentId: 7 })).toEqual({
          allowed: false,
          rule: 'other-channel',
          reason: 'Incident #7 belongs to another channel: act on it there.',
        });
      }
    }
    expect(decide(configured, from(MEMBER, 'button'), { kind: 'incidents', verb: 'start', channel: THERE, incidentId: null })).toMatchObject({ rule: 'other-channel', reason: 'That button belongs to a message in another channel.' });
    expect(decide(configured, from(MEMBER, 'home', null), { kind: 'incidents', verb: 'start', channel: HERE, incidentId: null })).toMatchObject({ rule: 'no-channel' });
  });

  it('lets the owner of a step work it from the DM reminder, and nobody else from a DM', () => {
    const step = (stepOwner: string | null): Action => ({ kind: 'incidents', verb: 'step', channel: HERE, incidentId: 3, stepOwner });
    expect(decide(configured, from(MEMBER, 'button', 'D0MEMBERDM1'), step(MEMBER))).toEqual({ allowed: true });
    expect(decide(configured, from(MEMBER, 'button', 'D0MEMBERDM1'), { ...step(MEMBER), verb: 'snooze' } as Action)).toEqual({ allowed: true });
    expect(decide(configured, from(MEMBER, 'button', 'D0MEMBERDM1'), step(ADMIN))).toMatchObject({ allowed: false, rule: 'other-channel' });
    expect(decide(configured, from(MEMBER, 'button', 'D0MEMBERDM1'), { ...step(MEMBER), verb: 'close' } as Action)).toMatchObject({ allowed: false });
    expect(decide(configured, from(MEMBER, 'button', THERE), step(MEMBER))).toMatchObject({ allowed: false });
  });

  it('honours buttons and modals only in the channel of their message; commands may name another channel for admins', () => {
    const there: Action = { kind: 'ignores', verb: 'add', channel: THERE, repo: publicRepo };
    for (const via of ['button', 'modal', 'event', 'home'] as const) {
      expect(decide(configured, from(ADMIN, via), there)).toMatchObject({ allowed: false, rule: 'other-channel', reason: 'That button belongs to a message in another channel.' });
    }
    const watchThere: Action = { kind: 'watches', verb: 'watch', channel: THERE, repo: publicRepo };
    expect(decide(configured, from(ADMIN), watchThere)).toEqual({ allowed: true });
    expect(decide(configured, from(MEMBER), watchThere)).toMatchObject({ allowed: false, rule: 'other-channel', reason: "Only Depwatch admins (DEPWATCH_ADMINS) can change another channel's watches." });
  });
});

describe('the access gate', () => {
  it('keeps every refusal with who tried, from where and through which entry', () => {
    const db = openDb(':memory:');
    const warnings: unknown[] = [];
    const gate = createAccessGate({ admins: [ADMIN], db, logger: { warn: (obj: unknown) => void warnings.push(obj) }, now: () => new Date('2025-03-01T12:00:00Z') });
    expect(gate.check(from(ADMIN, 'modal'), { kind: 'ignores', verb: 'add', channel: HERE, repo: publicRepo }).allowed).toBe(true);
    expect(gate.check(from(MEMBER, 'modal'), { kind: 'ignores', verb: 'add', channel: HERE, repo: publicRepo }).allowed).toBe(false);
    expect(gate.check(from(ADMIN, 'button', THERE), { kind: 'incidents', verb: 'close', channel: HERE, incidentId: 4 }).allowed).toBe(false);
    expect(new AccessLog(db).refusals()).toEqual([
      { at: '2025-03-01T12:00:00.000Z', userId: ADMIN, channel: THERE, via: 'button', action: 'close incident #4', targetChannel: HERE, rule: 'other-channel' },
      { at: '2025-03-01T12:00:00.000Z', userId: MEMBER, channel: HERE, via: 'modal', action: 'add ignore for octo/app', targetChannel: HERE, rule: 'not-admin' },
    ]);
    expect(warnings).toHaveLength(2);
    expect(gate.isAdmin(ADMIN)).toBe(true);
    expect(gate.isAdmin(MEMBER)).toBe(false);
    db.close();
  });
});
