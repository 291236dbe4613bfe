/**
 * The outbox kinds that are posted as one Slack message and then updated in place (alerts, secret
 * alerts, pull request review cards, an incident's root and checklist, reminders) have no thread to
 * continue in: whatever their layout holds must fit one message. At the largest inputs they meet, each still carries its warnings and buttons,
 * lists what fits whole and says how many more it left out: nothing is cut without saying so.
 */
import type { KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { stepsFromTemplate } from '../../src/incidents/checklist.js';
import { INCIDENT_MESSAGE_UPDATE, type IncidentMessageUpdate } from '../../src/incidents/messages.js';
import { INCIDENT_REMINDER } from '../../src/incidents/reminders.js';
import { parseTemplate } from '../../src/incidents/templates.js';
import type { Incident, Step } from '../../src/incidents/types.js';
import { checklistPartCount, partOfStep, stepValue } from '../../src/slack/blocks/incident.js';
import { checkMessage } from '../../src/slack/blocks/limits.js';
import { renderOutboxMessage, type RenderedMessage } from '../../src/slack/outbox/renderers.js';
import type { AffectedRepo } from '../../src/store/watches.js';
import type { DependencyReview, ReviewedChange } from '../../src/watch/pr-review/review.js';
import { ADVISORY_ALERT, PULL_REQUEST_REVIEW, SECRET_ALERT, type AdvisoryAlert, type PullRequestRef, type SecretAlert } from '../../src/watch/messages.js';
import { blockText, buttons } from '../slack/app-world.js';

/** One message Slack accepts, with nothing meant for a thread. */
function expectOneMessage(message: RenderedMessage): void {
  expect(checkMessage(message)).toEqual([]);
  expect(message.more ?? []).toEqual([]);
}

/** The text of the sections, where lists are: a line cut short there ends in "…" (a button's label may say "Ignore…"). */
function sectionText(blocks: KnownBlock[]): string {
  return blocks.flatMap((b) => (b.type === 'section' && b.text ? [b.text.text] : [])).join('\n');
}

/** How many the "…and N more <what>" lines say were left out (0 when there are none). */
function leftOut(text: string, what = ''): number {
  const counts = [...text.matchAll(/…and (\d+) more ?([^(:\n]*)/g)].filter((m) => m[2]!.trim().startsWith(what)).map((m) => Number(m[1]));
  return counts.reduce((a, b) => a + b, 0);
}

/** No line was cut with an ellipsis: what is listed is listed whole. */
function expectNothingCutShort(blocks: KnownBlock[]): void {
  expect(sectionText(blocks).replace(/…and \d+ more/g, '')).not.toContain('…');
}

describe('an advisory alert hitting many repositories', () => {
  // About 440 characters each, as a monorepo's deep requirements paths and commit-pinned links make them.
  const affected: AffectedRepo[] = Array.from({ length: 25 }, (_, i) => {
    const repo = `acme-platform/service-${String(i).padStart(2, '0')}-payments-gateway`;
    return {
      repo,
      repoUrl: `https://github.com/${repo}`,
      version: '2.31.0',
      file: 'services/payments/requirements/production.txt',
      line: 40 + i,
      url: `https://github.com/${repo}/blob/0123456789abcdef0123456789abcdef01234567/services/payments/requirements/production.txt#L${40 + i}`,
      fix: 'Upgrade requests to 2.32.4 or later (the first release without the vulnerability), in every requirements file that pins it',
      fixVersion: '2.32.4',
      fixedBySha: null,
      fixedAt: null,
    };
  });
  const alert: AdvisoryAlert = {
    alertId: 9, advisoryId: 'GHSA-9wx4-h78v-vm56', aliases: ['CVE-2024-35195'], summary: 'Requests Session object does not verify requests after making first request with verify=False',
    severity: 'medium', cvss: 5.6, malicious: false, package: 'requests', affected, resolved: false, offerFixPrs: true,
  };

  it('keeps Start incident, Ignore… and the Open fix PR buttons, in one message', () => {
    const message = renderOutboxMessage(ADVISORY_ALERT, alert);
    expectOneMessage(message);
    const labels = buttons(message.blocks).map((b) => b.text);
    expect(labels).toEqual(expect.arrayContaining(['Start incident', 'Ignore…', `Open fix PR: ${affected[0]!.repo}`]));
  });

  it('names every affected repository: the ones that fit in full, the rest by name after "…and N more"', () => {
    const message = renderOutboxMessage(ADVISORY_ALERT, alert);
    const text = sectionText(message.blocks);
    const inFull = affected.filter((a) => text.includes(`*${a.repo}* \`2.31.0\``));
    expect(inFull.length).toBeGreaterThan(5);
    expect(inFull.length + leftOut(text)).toBe(affected.length);
    for (const a of affected) expect(blockText(message.blocks)).toContain(a.repo);
    expectNothingCutShort(message.blocks);
  });

  it('says which commit fixed each repository once resolved, naming every one', () => {
    const fixed = affected.map((a, i) => ({ ...a, fixedBySha: `${String(i).padStart(2, '0')}${'f'.repeat(38)}`, fixedAt: '2025-01-02T00:00:00Z' }));
    const message = renderOutboxMessage(ADVISORY_ALERT, { ...alert, affected: fixed, resolved: true });
    expectOneMessage(message);
    const text = sectionText(message.blocks);
    const inFull = fixed.filter((a) => text.includes(`✅ *${a.repo}*: fixed by`));
    expect(inFull.length + leftOut(text)).toBe(fixed.length);
    for (const a of fixed) expect(blockText(message.blocks)).toContain(a.repo);
    expectNothingCutShort(message.blocks);
    expect(buttons(message.blocks)).toEqual([]);
  });
});

describe('a secret alert for a commit full of credentials and serious findings', () => {
  const repoUrl = 'https://github.com/acme-platform/legacy-monolith';
  const sha = 'c0ffee'.repeat(6) + 'c0ff';
  const at = (file: string, line: number) => `${repoUrl}/blob/${sha}/${file}#L${line}`;
  const alert: SecretAlert = {
    repo: 'acme-platform/legacy-monolith@release/2024-q4',
    repoUrl,
    sha,
    secrets: Array.from({ length: 30 }, (_, i) => {
      const file = `deploy/environments/production/region-${i}/settings_local.py`;
      return { kind: 'AWS access key', rule: 'aws-access-key', file, line: 12 + i, url: at(file, 12 + i), fingerprint: `${String(i).padStart(2, '0')}ab${'9'.repeat(12)}`, fix: 'Deactivate the key in IAM, issue a new one and read it from the environment or a secret store.' };
    }),
    findings: Array.from({ length: 25 }, (_, i) => {
      const file = `src/legacy/handlers/module_${i}/views.py`;
      return {
        rule: `py-rule-${i}`, severity: 'high', file, line: 100 + i, url: at(file, 100 + i),
        message: `eval() of request data: anyone who can send this endpoint a request runs Python code in the web process (finding ${i}), with its credentials and network access`.padEnd(200, '.'),
        fix: 'Parse the value with ast.literal_eval or json.loads instead, and validate it against the fields the handler expects before using it anywhere'.padEnd(200, '.'),
      };
    }),
  };

  it('says to rotate it now, whatever the lists leave out, in one message', () => {
    const message = renderOutboxMessage(SECRET_ALERT, alert);
    expectOneMessage(message);
    expect(blockText(message.blocks)).toContain('*Rotate it now*');
  });

  it('lists secrets and code findings whole, and counts the ones that did not fit', () => {
    const message = renderOutboxMessage(SECRET_ALERT, alert);
    const text = sectionText(message.blocks);
    const secretsShown = alert.secrets.filter((s) => text.includes(`\`${s.fingerprint}\``)).length;
    const findingsShown = alert.findings!.filter((f) => text.includes(`\`${f.rule}\` in`)).length;
    expect(secretsShown).toBeGreaterThan(5);
    expect(findingsShown).toBeGreaterThan(3);
    expect(secretsShown + findingsShown + leftOut(text)).toBe(alert.secrets.length + alert.findings!.length);
    expectNothingCutShort(message.blocks);
  });

  // A private repository's /audit is for admins when DEPWATCH_ADMINS is set: the line says so there
  // (and for alerts written before they said whether the repository is private).
  it.each([
    { private: false, says: '(`/audit acme-platform/legacy-monolith@release/2024-q4` lists the repository’s code findings)' },
    { private: true, says: '(a Depwatch admin can list the repository’s code findings with `/audit acme-platform/legacy-monolith@release/2024-q4`)' },
    { private: undefined, says: '(a Depwatch admin can list the repository’s code findings with `/audit acme-platform/legacy-monolith@release/2024-q4`)' },
  ])('points to /audit for what did not fit in a way true for everyone (private: $private)', ({ private: isPrivate, says }) => {
    const { private: _, ...rest } = alert;
    const text = sectionText(renderOutboxMessage(SECRET_ALERT, isPrivate === undefined ? rest : { ...rest, private: isPrivate }).blocks);
    expect(leftOut(text)).toBeGreaterThan(0);
    expect(text).toContain(says);
    expect(text).not.toContain(isPrivate === false ? 'Depwatch admin' : '` lists the repository’s code findings');
  });
});

describe('a pull request review card for a lock file maintenance pull request', () => {
  const ref: PullRequestRef = { repo: 'octo/shop', number: 42, title: 'Lock file maintenance', url: 'https://github.com/octo/shop/pull/42', headSha: 'abcdef1234567890', state: 'open' };
  const upgraded = (i: number): ReviewedChange => ({
    name: `package-number-${i}`, kind: 'upgraded', from: '1.2.3', to: '1.3.0', file: 'poetry.lock',
    card: { verdict: 'ok', partial: false, reasons: ['released 412 days ago, 38 releases, maintained by 4 people', 'no known advisories affect this release'], advisories: [], similarTo: null },
  });
  const removed = (i: number): ReviewedChange => ({ name: `retired-package-${i}`, kind: 'removed', from: '0.9.1', to: null, file: 'poetry.lock', card: null });
  const review = (over: Partial<DependencyReview>): DependencyReview => ({ changes: [], newSources: [], newIndexUrls: [], errors: [], verdict: 'ok', ...over });

  const lockMaintenance = review({
    changes: [...Array.from({ length: 54 }, (_, i) => upgraded(i)), ...Array.from({ length: 6 }, (_, i) => removed(i))],
    newIndexUrls: [{ url: 'https://pkgs.example.com/simple', file: 'requirements.txt', line: 1 }],
  });

  /** Every package change is in the card or counted by an "…and N more added or changed / removed" line. */
  function expectEveryChangeAccountedFor(message: RenderedMessage, changes: ReviewedChange[]): void {
    const text = sectionText(message.blocks);
    const shown = changes.filter((c) => text.includes(`\`${c.name}\``));
    expect(shown.length + leftOut(text, 'added or changed') + leftOut(text, 'removed')).toBe(changes.length);
  }

  it('warns about the new index URL and lists every package change, in one message', () => {
    const message = renderOutboxMessage(PULL_REQUEST_REVIEW, { ref, review: lockMaintenance });
    expectOneMessage(message);
    expect(blockText(message.blocks)).toContain(':warning: *New index URLs*\n• https://pkgs.example.com/simple (requirements.txt:1)');
    expectEveryChangeAccountedFor(message, lockMaintenance.changes);
    expectNothingCutShort(message.blocks);
  });

  it('lists the package changes that fit whole and counts the rest, linking the pull request’s changes for which they are', () => {
    const many = review({ ...lockMaintenance, changes: Array.from({ length: 150 }, (_, i) => upgraded(i)) });
    const message = renderOutboxMessage(PULL_REQUEST_REVIEW, { ref, review: many });
    expectOneMessage(message);
    expect(blockText(message.blocks)).toContain('*New index URLs*');
    expectEveryChangeAccountedFor(message, many.changes);
    expect(leftOut(sectionText(message.blocks), 'added or changed')).toBeGreaterThan(0);
    expect(blockText(message.blocks)).toContain('not listed here (89 ok): <https://github.com/octo/shop/pull/42/files|the pull request’s changes> show which, without verdicts');
    expectNothingCutShort(message.blocks);
  });

  it('keeps every warning when everything is large at once: sources, index URLs, partial reading, many changes', () => {
    const everything = review({
      changes: [...Array.from({ length: 80 }, (_, i) => upgraded(i)), ...Array.from({ length: 120 }, (_, i) => removed(i))],
      newSources: Array.from({ length: 40 }, (_, i) => ({ name: `tool-${i}`, url: `git+https://github.com/someone-else/internal-tooling-${i}.git@0123456789abcdef0123456789abcdef01234567`, kind: 'vcs' as const, file: 'requirements/dev.txt', line: i + 1 })),
      newIndexUrls: Array.from({ length: 3 }, (_, i) => ({ url: `https://mirror-${i}.pkgs.example.com/simple`, file: 'pip.conf', line: i + 1 })),
      errors: Array.from({ length: 30 }, (_, i) => `head: services/app-${i}/requirements.txt: line ${i}: unsupported option --trusted-host`),
    });
    const message = renderOutboxMessage(PULL_REQUEST_REVIEW, { ref: { ...ref, comment: { url: 'https://github.com/octo/shop/pull/42#issuecomment-1' } }, review: everything });
    expectOneMessage(message);
    const text = blockText(message.blocks);
    expect(text).toContain(':warning: *New sources outside the index*');
    for (const index of everything.newIndexUrls) expect(text).toContain(index.url);
    expect(text).toContain('Partial:');
    expect(text.indexOf('New index URLs')).toBeLessThan(text.indexOf('*Added and changed*'));
    expectEveryChangeAccountedFor(message, everything.changes);
    const sources = sectionText(message.blocks);
    expect(everything.newSources.filter((s) => sources.includes(`\`${s.name}\` from`)).length + leftOut(sources, 'new sources')).toBe(everything.newSources.length);
  });
});

describe('an incident checklist at the edge of what templates allow', () => {
  const START = '2024-11-28T10:00:00.000Z';
  /** 20 steps, each in a section of its own, every title and detail at its length limit and full of characters mrkdwn escapes. */
  function edgeTemplate(): string {
    const lines = ['id: edge', 'name: Edge', 'roles:', '  - {id: comms, name: Comms}', 'sections:'];
    for (let s = 0; s < 20; s++) {
      lines.push(`  - id: s${s}`, `    title: "${'Section & <x> '.repeat(8).slice(0, 100)}"`, '    steps:');
      lines.push(`      - id: s${s}-0`, `        title: "${'& <check> '.repeat(20).slice(0, 200)}"`, `        detail: "${'a & b <c> '.repeat(100).slice(0, 1000)}"`, '        due: 1h', '        role: comms');
    }
    return lines.join('\n');
  }
  const steps: Step[] = stepsFromTemplate(parseTemplate(edgeTemplate(), 'edge.yml'), null, START).map((s) => ({ ...s, incidentId: 7 }));
  const incident: Incident = {
    id: 7, kind: 'drill', title: `Payments down: ${'the checkout & <refund> services time out '.repeat(70)}`, severity: 'critical', status: 'open', template: 'edge', templateName: 'Edge',
    channel: 'C0INCIDENT1', rootTs: '1732780000.000100', rootPermalink: null, source: null, context: null, scenario: null, injectsSent: 0, createdBy: 'U0ALICE0001', createdAt: START,
    acknowledgedAt: null, containedAt: null, resolvedAt: null, closedAt: null, closedBy: null, summary: null, report: null, version: 0,
  };
  const update = (part: number | null): IncidentMessageUpdate => ({
    incident, steps, roles: [{ role: 'commander', userId: 'U0ALICE0001', assignedBy: 'U0ALICE0001', assignedAt: START }], now: '2024-11-28T12:00:00.000Z', ts: '1732780000.000200', part,
  });

  it('gives every step of every part its Done button, each part in one message', () => {
    for (let part = 0; part < checklistPartCount(steps.length); part++) {
      const message = renderOutboxMessage(INCIDENT_MESSAGE_UPDATE, update(part));
      expectOneMessage(message);
      const done = buttons(message.blocks).filter((b) => b.action_id === 'incident_step_done').map((b) => b.value);
      expect(done).toEqual(steps.filter((s) => partOfStep(s.id) === part).map(stepValue));
    }
  });

  it('keeps the root message and a reminder to one message', () => {
    expectOneMessage(renderOutboxMessage(INCIDENT_MESSAGE_UPDATE, update(null)));
    const reminder = renderOutboxMessage(INCIDENT_REMINDER, { incident, step: steps[0]!, owner: 'U0ALICE0001', now: START, direct: true, threadLink: 'https://x.slack.com/archives/C0INCIDENT1/p1732780000000100' });
    expectOneMessage(reminder);
    expect(buttons(reminder.blocks).map((b) => b.text)).toContain('Done');
  });
});
