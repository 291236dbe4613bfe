/**
 * A new-advisory alert over many repositories, each with two vulnerable pins (two files): it counts
 * and names repositories, never pins, lists each repository whole (its pins together) or not at all,
 * and when the names run out says how many more there are.
 */
import { describe, expect, it } from 'vitest';
import { alertMessage } from '../../src/slack/blocks/alert.js';
import { checkMessage } from '../../src/slack/blocks/limits.js';
import type { AffectedRepo } from '../../src/store/watches.js';
import { blockText } from './app-world.js';

const name = (i: number) => `acme-corp/service-number-${String(i).padStart(4, '0')}`;

function pins(repos: number, perRepo: number): AffectedRepo[] {
  return Array.from({ length: repos }, (_, i) =>
    Array.from({ length: perRepo }, (_, p): AffectedRepo => ({
      repo: name(i),
      repoUrl: `https://github.com/${name(i)}`,
      version: `1.${p + 2}`,
      file: `services/part-${p}/requirements.txt`,
      line: 12,
      url: `https://github.com/${name(i)}/blob/abc/services/part-${p}/requirements.txt#L12`,
      fix: 'upgrade django to 2.2.28 (`pip install django==2.2.28`)',
      fixVersion: '2.2.28',
      fixedBySha: null,
      fixedAt: null,
    })),
  ).flat();
}

const alert = (affected: AffectedRepo[]) =>
  alertMessage({ alertId: 7, advisoryId: 'PYSEC-2024-1', aliases: [], summary: 'SQL injection', severity: 'high', cvss: 8.1, malicious: false, package: 'django', affected, resolved: false, offerFixPrs: true });

/** The repositories listed in full, in the order listed (a repository's pins are lines under it). */
const listedRepos = (text: string) => [...text.matchAll(/^• \*([^*]+)\*/gm)].map((m) => m[1]!);
const moreLine = (text: string) => text.split('\n').find((l) => l.startsWith('…and '))!;

describe('an alert on 100 repositories with two pins each', () => {
  const message = alert(pins(100, 2));
  const text = blockText(message.blocks);

  it('counts 100 repositories, in the header and after the list', () => {
    expect(text).toContain('PYSEC-2024-1 hits 100 watched repositories');
    const listed = new Set(listedRepos(text));
    expect(moreLine(text)).toMatch(new RegExp(`^…and ${100 - listed.size} more repositories: `));
  });

  it('lists each repository whole, both pins, and names the rest once each with their pins', () => {
    const listed = listedRepos(text);
    expect(listed.length).toBe(new Set(listed).size * 2);
    const named = moreLine(text).replace(/^…and \d+ more repositories: /, '').split(', ').filter((n) => !n.startsWith('…'));
    expect(named.every((n) => n.endsWith(' (2 pins)'))).toBe(true);
    const names = named.map((n) => n.replace(' (2 pins)', ''));
    expect(new Set(names).size).toBe(names.length);
    expect(names.some((n) => listed.includes(n))).toBe(false);
    expect(names[0]).toBe(name(new Set(listed).size));
  });

  it('fits Slack', () => {
    expect(checkMessage(message)).toEqual([]);
  });
});

describe('an alert on 2,000 repositories', () => {
  const message = alert(pins(2000, 2));
  const text = blockText(message.blocks);

  it('names what fits at whole names and counts the rest, adding up to 2,000', () => {
    const listed = new Set(listedRepos(text)).size;
    const more = moreLine(text);
    const [, left, unnamed] = /^…and (\d+) more repositories: .*, …and (\d+) more not named here \(no room left in one message\)$/.exec(more)!.map(Number);
    expect(listed + left!).toBe(2000);
    const named = more.split(': ').slice(1).join(': ').split(', ').filter((n) => !n.startsWith('…'));
    expect(named.every((n) => /^acme-corp\/service-number-\d{4} \(2 pins\)$/.test(n))).toBe(true);
    expect(named.length + unnamed!).toBe(left);
    expect(checkMessage(message)).toEqual([]);
  });

  it('keeps the notification text short, the rest counted', () => {
    expect(message.text.length).toBeLessThan(1200);
    expect(message.text).toMatch(/hits acme-corp\/service-number-0000, .*, …and \d+ more$/);
  });
});

describe('a repository pinning the package in many files', () => {
  it('lists its first pins and counts the rest under it', () => {
    const text = blockText(alert(pins(1, 9)).blocks);
    expect(text).toContain('PYSEC-2024-1 hits 1 watched repository');
    expect(listedRepos(text).length).toBe(5);
    expect(text).toContain(`   …and 4 more pins in *${name(0)}*`);
  });
});
