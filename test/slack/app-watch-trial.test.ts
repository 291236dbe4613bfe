/**
 * What a new user's trial of the watch commands found, over signed HTTP: a time zone named for one
 * schedule moved every schedule of the channel without saying so; ignores were stored unchecked (a
 * past date, an id no advisory has, an alias of an advisory already ignored); and bidi controls
 * typed into a reason were echoed into the channel.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { blockText, CHANNEL, startWorld, USER, waitFor, type World } from './app-world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const responsesTo = (w: World, id: string) => w.slack.responses.filter((r) => r.id === id);
const said = (w: World, id: string) =>
  waitFor(() => {
    const body = responsesTo(w, id)[0]?.body as { text?: string; blocks?: unknown; response_type?: string } | undefined;
    return body ? { text: String(body.text ?? ''), all: `${String(body.text ?? '')}\n${blockText(body.blocks ?? [])}`, type: body.response_type } : undefined;
  }, `the answer to ${id}`);
const command = async (w: World, text: string) => said(w, (await w.audit(text)).responseId);

describe('schedules and the channel time zone', () => {
  it('says plainly that a zone given to one schedule moves all of them, with each one’s new local time', async () => {
    world = await startWorld({ watch: {} });
    const w = world;
    await command(w, 'watch octo/shop');
    const reply = await command(w, 'schedule weekly mon 09:00 Europe/Berlin');
    expect(reply.type).toBe('in_channel');
    expect(reply.text).toContain('set the weekly schedule to');
    expect(reply.text).toContain('changed from UTC to Europe/Berlin');
    expect(reply.text).toContain('so these run in Europe/Berlin time now:');
    expect(reply.text).toMatch(/\*monthly\*: the 1st of each month at 09:00 \(next .*, 09:00\)/);
    for (const other of ['quarterly', 'alerts']) expect(reply.text).toContain(`• *${other}*: `);
    expect(reply.text).not.toContain('• *weekly*');

    // The same zone again changes nothing, and the reply says nothing of the others.
    const again = await command(w, 'schedule monthly 1st 10:00 Europe/Berlin');
    expect(again.text).not.toContain('changed from');

    const zone = await command(w, 'schedule timezone America/New_York');
    expect(zone.text).toContain('changed from Europe/Berlin to America/New_York');
    expect(zone.text).toContain('these run in America/New_York time now:');
    expect(zone.text).toMatch(/\*weekly\*: Mondays at 09:00 \(next Mon, .*, 09:00\)/);
  });
});

describe('/audit ignore checks what it stores', () => {
  it('refuses a date that has passed in one ephemeral line, storing nothing', async () => {
    world = await startWorld({ watch: {} });
    const reply = await command(world, 'ignore PYSEC-2019-15 reason until 2020-01-01');
    expect(reply.type).toBe('ephemeral');
    expect(reply.text).toBe('"until 2020-01-01" has passed: give a date in the future, or leave "until" out for no expiry.');
    expect(world.watch!.store.ignoresForChannel(CHANNEL)).toEqual([]);
  });

  it('refuses words that are not an advisory id nor a finding kind', async () => {
    world = await startWorld({ watch: {} });
    const reply = await command(world, 'ignore NOT-AN-ID because');
    expect(reply.type).toBe('ephemeral');
    expect(reply.text).toContain('"NOT-AN-ID" is not an advisory id');
    expect(world.watch!.store.ignoresForChannel(CHANNEL)).toEqual([]);
  });

  it('stores an id the advisory data does not have with a warning saying so, and a known one without', async () => {
    world = await startWorld({ watch: {} });
    const unknown = await command(world, 'ignore PYSEC-9999-99999 whatever');
    expect(unknown.type).toBe('in_channel');
    expect(unknown.text).toContain('ignored PYSEC-9999-99999');
    expect(unknown.text).toMatch(/:warning: The advisory data I read has no advisory PYSEC-9999-99999 .*typo.*too new/);
    const known = await command(world, 'ignore PYSEC-2019-13 no JSONField here');
    expect(known.text).toContain('ignored PYSEC-2019-13');
    expect(known.text).not.toContain(':warning:');
    expect(world.watch!.store.ignoresForChannel(CHANNEL).map((i) => i.advisory).sort()).toEqual(['PYSEC-2019-13', 'PYSEC-9999-99999']);
  });

  it('says an alias of an advisory already ignored is ignored as that one, and stores no second entry', async () => {
    world = await startWorld({ watch: {} });
    await command(world, 'ignore PYSEC-2019-13 no JSONField here');
    const dup = await command(world, 'ignore CVE-2019-14234 dup');
    expect(dup.type).toBe('ephemeral');
    expect(dup.text).toContain('CVE-2019-14234 is already ignored in this channel as PYSEC-2019-13');
    expect(world.watch!.store.ignoresForChannel(CHANNEL).map((i) => i.advisory)).toEqual(['PYSEC-2019-13']);
    // For one package, an ignore of every package covers it too; the other way round it does not.
    const narrower = await command(world, 'ignore GHSA-6r97-cj55-9hrq package:django narrower');
    expect(narrower.text).toContain('already ignored in this channel as PYSEC-2019-13');
  });

  it('lists an ignore whose date has passed as expired, and one without a date as "no expiry"', async () => {
    world = await startWorld({ watch: {} });
    const w = world;
    await command(w, 'ignore PYSEC-2019-13 no JSONField here');
    // Stored when its date was ahead; that day has passed since.
    w.watch!.store.addIgnore({ channel: CHANNEL, advisory: 'PYSEC-2019-15', package: null, reason: 'until the upgrade', until: '2020-01-01', userId: USER, now: new Date('2019-12-01T00:00:00Z') });
    const list = await command(w, 'list');
    expect(list.all).toMatch(/PYSEC-2019-15: until the upgrade — \*expired\* on 2020-01-01/);
    expect(list.all).toMatch(/PYSEC-2019-13: no JSONField here — no expiry, by/);
    expect(list.all).not.toContain('until no expiry');
  });
});

describe('bidi and control characters typed into Slack', () => {
  it('shows them as visible escapes in the channel and in the list, with mentions still escaped', async () => {
    world = await startWorld({ watch: {} });
    const w = world;
    const reason = '<!channel> safe \u202Eevil\u202C and \u2066isolated\u2069 \u200Fmark\u0007bell';
    const reply = await command(w, `ignore PYSEC-2019-14 ${reason}`);
    expect(reply.type).toBe('in_channel');
    expect(reply.text).toContain('&lt;!channel&gt; safe \\u202eevil\\u202c and \\u2066isolated\\u2069 \\u200fmark\\x07bell');
    const list = await command(w, 'list');
    expect(list.all).toContain('\\u202eevil\\u202c');
    for (const text of [reply.text, list.all]) expect(text).not.toMatch(/[\u202A-\u202E\u2066-\u2069\u200E\u200F\u0007]/);
    // Stored as typed: the escape is how Slack shows it, not what is kept.
    expect(w.watch!.store.ignoresForChannel(CHANNEL)[0]!.reason).toBe(reason);
    expect(w.slack.violations).toEqual([]);
  });
});
