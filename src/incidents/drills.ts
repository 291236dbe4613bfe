/**
 * Tabletop exercises: a library of scenarios, each a briefing and a pre-filled context, whose
 * injects (new facts) arrive step by step as the team works through the checklist. A drill is an
 * incident of kind `drill`: every message says EXERCISE, it sends no DMs and stays out of metrics.
 * Pure.
 */
import { formatDuration } from './duration.js';
import type { IncidentReport, ReportStep } from './report.js';
import type { IncidentContext, IncidentSeverity } from './types.js';

export interface DrillInject {
  /** Arrives once this many checklist steps are finished (done, skipped or not applicable). */
  afterSteps: number;
  text: string;
}

export interface DrillScenario {
  id: string;
  title: string;
  severity: IncidentSeverity;
  briefing: string;
  context: IncidentContext;
  injects: DrillInject[];
}

export const DRILL_SCENARIOS: readonly DrillScenario[] = [
  {
    id: 'rce-pinned',
    title: 'Critical remote code execution in a pinned dependency',
    severity: 'critical',
    briefing:
      'OSV publishes a critical advisory: a crafted request triggers remote code execution in the YAML loader of `pyyaml` 5.3.1, which three services pin in requirements.txt. A public proof of concept is on GitHub.',
    context: {
      title: 'Critical RCE in pinned pyyaml 5.3.1',
      severity: 'critical',
      advisory: { id: 'EXERCISE-RCE-0001', aliases: ['CVE-0000-0001'], summary: 'Arbitrary code execution through full_load of untrusted YAML', package: 'pyyaml' },
      repos: [
        { repo: 'acme/billing-api', version: '5.3.1', file: 'requirements.txt', line: 12 },
        { repo: 'acme/ingest-worker', version: '5.3.1', file: 'requirements/base.txt', line: 4 },
        { repo: 'acme/admin-portal', version: '5.3.1', file: 'requirements.txt', line: 30 },
      ],
      fix: 'Upgrade pyyaml to 5.4 or later (clears every advisory of the release)',
    },
    injects: [
      { afterSteps: 0, text: 'Security Twitter is discussing the proof of concept; a customer asks on the support channel whether you are affected.' },
      { afterSteps: 1, text: 'The ingest worker parses YAML uploaded by customers. The billing API only reads its own config files.' },
      { afterSteps: 3, text: 'The upgrade to 5.4 breaks a test in admin-portal that relies on `yaml.load` without a Loader.' },
      { afterSteps: 6, text: 'Logs show two requests matching the proof of concept against the ingest worker yesterday evening.' },
    ],
  },
  {
    id: 'typosquat',
    title: 'Typosquatted package found in requirements',
    severity: 'critical',
    briefing:
      'A reviewer notices `reqeusts==2.31.0` (not `requests`) in a service\'s requirements.txt. OSV has a MAL- record for it: the package exfiltrates environment variables at install time.',
    context: {
      title: 'Malicious typosquat reqeusts in requirements',
      severity: 'critical',
      advisory: { id: 'EXERCISE-MAL-0002', summary: 'Malicious code in reqeusts (PyPI): steals environment variables on install', package: 'reqeusts' },
      repos: [{ repo: 'acme/notifications', version: '2.31.0', file: 'requirements.txt', line: 7 }],
      fix: 'Remove reqeusts, depend on requests, rebuild images and rotate every secret the build could see',
    },
    injects: [
      { afterSteps: 0, text: 'The package was added three weeks ago in a large refactoring pull request; CI has installed it 140 times since.' },
      { afterSteps: 2, text: 'CI runners had the deploy key and a cloud API token in their environment.' },
      { afterSteps: 4, text: 'The cloud provider reports API calls with that token from an unknown IP address.' },
    ],
  },
  {
    id: 'leaked-key',
    title: 'An API key committed to a repository',
    severity: 'high',
    briefing:
      'Secret scanning flags a payment provider API key in `settings/production.py` of a public repository. The commit is four days old.',
    context: {
      title: 'Payment API key committed to acme/storefront',
      severity: 'high',
      advisory: null,
      repos: [{ repo: 'acme/storefront', file: 'settings/production.py', line: 88 }],
      fix: 'Revoke and rotate the key, remove it from history, move it to the secret store',
    },
    injects: [
      { afterSteps: 0, text: 'The repository was forked twice since the commit.' },
      { afterSteps: 2, text: 'Rotating the key needs the finance team, who are offline until tomorrow morning.' },
      { afterSteps: 5, text: 'The provider\'s dashboard shows a refund issued through the API that nobody recognises.' },
    ],
  },
  {
    id: 'yanked-release',
    title: 'A yanked release running in production',
    severity: 'medium',
    briefing:
      'The nightly audit reports that `cryptography` 42.0.3, locked in poetry.lock of the API gateway, was yanked from PyPI with the reason "broken wheels can corrupt keys".',
    context: {
      title: 'Yanked cryptography 42.0.3 in production',
      severity: 'medium',
      advisory: null,
      repos: [{ repo: 'acme/api-gateway', version: '42.0.3', file: 'poetry.lock', line: 210 }],
      fix: 'Lock cryptography to 42.0.4',
    },
    injects: [
      { afterSteps: 0, text: 'The gateway has been running 42.0.3 for nine days; TLS session errors went up slightly last week.' },
      { afterSteps: 3, text: 'Another team vendors the same wheel in a Docker base image used by five services.' },
    ],
  },
  {
    id: 'maintainer-compromise',
    title: 'A dependency maintainer\'s account compromised',
    severity: 'critical',
    briefing:
      'The maintainers of `fastjsonparse` announce that an attacker published 3.2.1 from a stolen account. Your lockfiles resolved 3.2.1 in two services during yesterday\'s dependency update.',
    context: {
      title: 'Compromised release fastjsonparse 3.2.1',
      severity: 'critical',
      advisory: { id: 'EXERCISE-MAL-0005', summary: 'fastjsonparse 3.2.1 was published by an attacker and contains a backdoor', package: 'fastjsonparse' },
      repos: [
        { repo: 'acme/search', version: '3.2.1', file: 'uv.lock', line: 455 },
        { repo: 'acme/recommendations', version: '3.2.1', file: 'poetry.lock', line: 1020 },
      ],
      fix: 'Pin fastjsonparse to 3.2.0, rebuild and redeploy, then check for the backdoor\'s indicators',
    },
    injects: [
      { afterSteps: 0, text: 'PyPI has quarantined the project; new installs of any version now fail.' },
      { afterSteps: 1, text: 'The backdoor opens an outbound connection to a domain listed in the maintainers\' announcement.' },
      { afterSteps: 4, text: 'Egress logs show that connection from acme/search pods for 11 hours.' },
      { afterSteps: 7, text: 'A journalist asks your press office for a comment.' },
    ],
  },
];

export function findScenario(id: string): DrillScenario | undefined {
  const key = id.trim().toLowerCase();
  return DRILL_SCENARIOS.find((s) => s.id === key);
}

/** Injects that are due (their step count reached) and not yet sent, in order. */
export function injectsDue(scenario: DrillScenario, finishedSteps: number, alreadySent: number): { index: number; inject: DrillInject }[] {
  return scenario.injects
    .map((inject, index) => ({ index, inject }))
    .filter(({ index, inject }) => index >= alreadySent && inject.afterSteps <= finishedSteps)
    .filter(({ index }, i) => index === alreadySent + i);
}

export type StepVerdict = 'on time' | 'late' | 'skipped' | 'not applicable' | 'not done' | 'no target';

export interface ScoredStep extends ReportStep {
  verdict: StepVerdict;
  /** Time since the previous step was finished (or the start): how long the team spent on it. */
  spentMs: number | null;
}

export interface DrillScore {
  steps: ScoredStep[];
  /** Percent of steps with a target that were finished on time. */
  score: number;
  onTime: number;
  late: number;
  notDone: number;
}

export function scoreDrill(report: IncidentReport): DrillScore {
  const finishedTimes = report.steps.map((s) => s.durationMs).filter((d): d is number => d !== null).sort((a, b) => a - b);
  const steps = report.steps.map((step): ScoredStep => {
    let verdict: StepVerdict;
    if (step.status === 'open') verdict = 'not done';
    else if (step.status === 'skipped') verdict = 'skipped';
    else if (step.status === 'na') verdict = 'not applicable';
    else if (step.targetMs === null) verdict = 'no target';
    else verdict = (step.durationMs ?? Infinity) <= step.targetMs ? 'on time' : 'late';
    const previous = step.durationMs === null ? null : [...finishedTimes].reverse().find((t) => t < (step.durationMs as number)) ?? 0;
    return { ...step, verdict, spentMs: step.durationMs === null || previous === null ? null : step.durationMs - previous };
  });
  const scored = steps.filter((s) => s.targetMs !== null && s.status !== 'na');
  const onTime = scored.filter((s) => s.verdict === 'on time').length;
  return {
    steps,
    score: scored.length === 0 ? 100 : Math.round((onTime * 100) / scored.length),
    onTime,
    late: steps.filter((s) => s.verdict === 'late').length,
    notDone: steps.filter((s) => s.verdict === 'not done').length,
  };
}

/** The drill score as a Markdown section, appended to the drill's report file. */
export function drillScoreMarkdown(score: DrillScore): string {
  const fmt = (ms: number | null): string => (ms === null ? '—' : formatDuration(ms));
  const lines = ['## Drill score', '', `**${score.score}%** of steps with a target finished on time (${score.onTime} on time, ${score.late} late, ${score.notDone} not done).`, ''];
  lines.push('| # | Step | Verdict | Time on it | Finished after | Target |', '|---|---|---|---|---|---|');
  for (const s of score.steps) lines.push(`| ${s.id} | ${s.title.replace(/\|/g, '\\|')} | ${s.verdict} | ${fmt(s.spentMs)} | ${fmt(s.durationMs)} | ${fmt(s.targetMs)} |`);
  lines.push('');
  return lines.join('\n');
}
