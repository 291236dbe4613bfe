/**
 * The acceptance check of `depwatch fix`: every real project in the corpus (test/corpus/files,
 * test/fixtures/manifests) is copied, audited offline against the real PyPA advisories, fixed on
 * disk and audited again. Every vulnerable release with a fix is fixed (or, where a lockfile pins
 * it, its regeneration command is given); the re-audit finds none of the advisories the fix claimed
 * to clear; every line the plan did not touch is the same byte for byte, and every other file too.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AuditResult } from '../../src/audit/audit.js';
import { auditFileSource } from '../../src/audit/run.js';
import { auditedManifests, recordingSource } from '../../src/fix/audited-files.js';
import { encodeExact } from '../../src/fix/encoding.js';
import { planFixes, type FixPlan } from '../../src/fix/plan.js';
import { writeInside } from '../../src/fix/write.js';
import { directorySource } from '../../src/python/files.js';
import type { AdvisoryMirror } from '../../src/advisories/mirror.js';
import { realMirror } from '../audit/helpers.js';
import { changesOutside } from './helpers.js';

const TEST = fileURLToPath(new URL('..', import.meta.url));
const SOURCES = [join(TEST, 'corpus', 'files'), join(TEST, 'fixtures', 'manifests')];
const now = new Date('2026-11-28T12:00:00Z');

const projects = SOURCES.flatMap((base) =>
  readdirSync(base, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => ({ name: `${relative(TEST, base)}/${d.name}`, dir: join(base, d.name) })),
);

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => relative(dir, join(d.parentPath, d.name)))
    .sort();
}

interface Fixed {
  name: string;
  before: AuditResult;
  after: AuditResult;
  plan: FixPlan;
  original: string;
  copy: string;
}

let mirror: AdvisoryMirror;
const fixed: Fixed[] = [];

const audit = (dir: string, source = directorySource(dir)) => auditFileSource(source, { target: dir, advisories: mirror, registry: null, now });

beforeAll(async () => {
  mirror = await realMirror();
  const work = mkdtempSync(join(tmpdir(), 'depwatch-fix-corpus-'));
  for (const project of projects) {
    const copy = join(work, project.name.replace(/\//g, '__'));
    cpSync(project.dir, copy, { recursive: true });
    const recorded = recordingSource(directorySource(copy));
    const before = await audit(copy, recorded.source);
    const files = await auditedManifests(recorded.read);
    const plan = planFixes(before, files);
    for (const [path, text] of plan.newTexts) await writeInside(copy, path, recorded.read.get(path)!, encodeExact(text, files.find((f) => f.path === path)!.encoding));
    fixed.push({ name: project.name, before, after: await audit(copy), plan, original: project.dir, copy });
  }
}, 120_000);

describe('depwatch fix over the real manifests of the corpus', () => {
  it('acts on every vulnerable release that has a fix: rewritten, or how to regenerate its lockfile given', () => {
    for (const { name, before, plan } of fixed) {
      const fixable = new Set(before.findings.filter((f) => f.kind === 'vulnerability' && f.fix.version !== null).map((f) => `${f.package}@${f.version}`));
      // A release installed only from a URL (zulip's fork of pip, `…/archive/<commit>.zip#egg=pip==20.3.4+git`) has no pin to move: left alone, said.
      const byHand = new Set(plan.leftAlone.filter((l) => l.kind === 'non-registry').map((l) => `${l.package}@${l.version}`));
      expect(new Set([...plan.fixes.map((f) => `${f.package}@${f.from}`), ...byHand]), name).toEqual(fixable);
      for (const fix of plan.fixes) {
        expect(fix.status, `${name} ${fix.package} ${fix.from}: ${JSON.stringify(plan.leftAlone)}`).not.toBe('left-alone');
        if (fix.status === 'lock-pending') {
          const commanded = plan.lockCommands.some((c) => c.required && c.packages.includes(fix.package));
          // A pylock.toml from pip (or a tool Depwatch knows no command for) is regenerated as a note says.
          const told = plan.notes.some((n) => n.message.includes(`so that it locks ${fix.package} ${fix.to}`));
          expect(commanded || told, `${name} ${fix.package}`).toBe(true);
        }
      }
    }
  });

  it('leaves none of the advisories it claimed to clear in a re-audit of the written files', () => {
    for (const { name, after, plan } of fixed) {
      for (const fix of plan.fixes.filter((f) => f.status === 'fixed')) {
        const remaining = after.findings.filter((f) => f.package === fix.package && (f.version === fix.from || (f.id !== undefined && fix.advisories.includes(f.id))));
        expect(remaining, `${name} ${fix.package} ${fix.from} → ${fix.to}`).toEqual([]);
      }
      // Nothing else got worse: the re-audit reads the same files without new errors.
      expect(after.errors.map((e) => e.message).sort(), name).toEqual(fixed.find((f) => f.name === name)!.before.errors.map((e) => e.message).sort());
    }
  });

  it('keeps every line it did not touch, and every file it did not write, byte for byte', () => {
    for (const { name, plan, original, copy } of fixed) {
      const files = filesUnder(original);
      expect(filesUnder(copy), name).toEqual(files);
      for (const file of files) {
        const before = readFileSync(join(original, file), 'utf8');
        const after = readFileSync(join(copy, file), 'utf8');
        if (!plan.newTexts.has(file)) {
          expect(after === before, `${name}/${file} was not to be written`).toBe(true);
          continue;
        }
        expect(after, `${name}/${file}`).toBe(plan.newTexts.get(file));
        const touched = plan.changes.filter((c) => c.file === file).map((c) => c.lines);
        expect(changesOutside(before, after, touched), `${name}/${file}`).toEqual([]);
        expect(statSync(join(copy, file)).mode, `${name}/${file} mode`).toBe(statSync(join(original, file)).mode);
      }
    }
  });

  it('covers the formats it claims: requirements with hashes and includes, pyproject (Poetry), and lockfiles of four tools', () => {
    const all = fixed.flatMap((f) => f.plan.changes.map((c) => ({ ...c, project: f.name })));
    expect(all.length).toBeGreaterThanOrEqual(25);
    expect(all.some((c) => c.hashesRemoved > 0)).toBe(true);
    expect(all.some((c) => c.file.endsWith('pyproject.toml') && c.before.startsWith('^'))).toBe(true);
    expect(all.some((c) => c.file.endsWith('.in'))).toBe(true);
    const tools = new Set(fixed.flatMap((f) => f.plan.lockCommands.map((c) => c.command.split(' ')[0])));
    expect([...tools].sort()).toEqual(expect.arrayContaining(['pdm', 'pipenv', 'poetry']));
  });
});
