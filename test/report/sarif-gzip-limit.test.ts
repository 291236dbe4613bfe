/**
 * GitHub code scanning rejects a SARIF file over 10 MB gzip-compressed ("SARIF file is too large"),
 * whole. Depwatch measures its SARIF compressed as it writes it and, when over, leaves out the least
 * severe results until it fits: the run is then partial, and the sentence that says so is what the
 * writer hands the CLI (one cut, said in the file and on stderr alike).
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { AuditResult } from '../../src/audit/audit.js';
import { fileFinding, type Finding } from '../../src/audit/findings.js';
import { sarifReport } from '../../src/report/sarif.js';
import { fitGzipped, GITHUB_SARIF_LIMITS, sarifSelection, type SizeMark } from '../../src/report/sarif-limits.js';
import type { CodeFinding, ScanResult } from '../../src/scan/types.js';

/** Text that does not compress: base64 of a fixed pseudo-random sequence (so every run measures the same), made once. */
const NOISE = (() => {
  const bytes = new Uint8Array(15_001 * 750);
  let x = 2463534242;
  for (let i = 0; i < bytes.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return Buffer.from(bytes).toString('base64');
})();
/** The `seed`th stretch of NOISE: 1,000 characters at most. */
const noise = (seed: number, length: number) => NOISE.slice(seed * 1_000, seed * 1_000 + length);

const codeFinding = (i: number, severity: CodeFinding['severity'], noiseLength: number): CodeFinding => ({
  kind: 'code',
  rule: severity === 'low' ? 'py-try-except-pass' : 'py-eval-exec',
  severity,
  confidence: 'high',
  file: `pkg/m${i}.py`,
  line: 1,
  column: 1,
  message: `Something risky (${noise(i + 1, noiseLength)}).`,
  fix: 'Do not.',
  content: i.toString(16).padStart(16, '0'),
});

const scanOf = (findings: CodeFinding[]): ScanResult => ({
  findings,
  ignored: [],
  skipped: [],
  notes: [],
  stats: { files: 1, textFiles: 1, pythonFiles: 1, binaryFiles: 0, bytes: 1 },
  fingerprintScope: 'installation',
  rules: [...new Set(findings.map((f) => f.rule))].map((id) => ({ id, kind: 'code' as const, title: id, help: 'Help.' })),
  partial: false,
});

const auditOf = (findings: Finding[], code: CodeFinding[]): AuditResult =>
  ({ target: 'app', dependencies: 1, findings, ignored: [], notes: [], errors: [], warnings: [], notices: [], partial: false, partialReasons: [], advisorySource: 'mirror', code: scanOf(code) }) as AuditResult;

/** 300 kB instead of 10 MB: the same measure and cut on a file a test makes in a fraction of a second. */
const SMALL = { ...GITHUB_SARIF_LIMITS, gzippedBytes: 300_000 };

const written = (result: AuditResult, limits = SMALL) => {
  const report = sarifReport(result, {}, limits);
  const text = [...report.chunks].join('');
  return { text, run: JSON.parse(text).runs[0], leftOut: report.leftOut };
};

type Notification = { level: string; descriptor: { id: string }; message: { text: string } };
const errors = (run: { invocations: { toolExecutionNotifications: Notification[] }[] }) => run.invocations[0]!.toolExecutionNotifications.filter((n) => n.level === 'error');

describe('a SARIF over GitHub code scanning\'s 10 MB gzip-compressed', () => {
  // 700 high and 700 low code findings whose messages do not compress: about 430 kB gzip-compressed.
  const code = [...Array.from({ length: 700 }, (_, i) => codeFinding(i, 'high', 400)), ...Array.from({ length: 700 }, (_, i) => codeFinding(700 + i, 'low', 400))];

  it('leaves out the least severe results until the file fits, and says how many, which, and why, as a partial result', () => {
    const whole = written(auditOf([], code), { ...SMALL, gzippedBytes: 100_000_000 });
    expect(gzipSync(whole.text).length).toBeGreaterThan(SMALL.gzippedBytes);

    const { text, run, leftOut } = written(auditOf([], code));
    expect(gzipSync(text).length).toBeLessThanOrEqual(SMALL.gzippedBytes);
    // Every high finding is kept before any low one; the kept results are the whole SARIF's first ones, unchanged.
    const kept = run.results.length;
    expect(kept).toBeGreaterThan(700);
    expect(kept).toBeLessThan(1_400);
    expect(run.results).toEqual(whole.run.results.slice(0, kept));
    expect(run.invocations[0].executionSuccessful).toBe(false);
    expect(errors(run)).toEqual([
      {
        level: 'error',
        descriptor: { id: 'depwatch/partial/sarif-limit' },
        message: {
          text: `the SARIF leaves out ${1_400 - kept} results of 1,400, the least severe (${1_400 - kept} low): GitHub code scanning rejects a file over 300 kB gzip-compressed; "depwatch audit --json" lists them all`,
        },
      },
    ]);
    // What the writer hands the CLI is what the file says.
    expect(leftOut).toEqual([errors(run)[0]!.message.text]);
  });

  it('uses nearly all the room it has: what it leaves out would not have fitted by much', () => {
    const { text } = written(auditOf([], code));
    expect(gzipSync(text).length).toBeGreaterThan(SMALL.gzippedBytes * 0.9);
  });

  it('leaves out a low dependency result before high code results, though the dependency results come first in the file', () => {
    const lockless = fileFinding({ kind: 'no-lockfile', severity: 'low', file: 'requirements.txt', text: `Lock it (${noise(0, 400)}).` });
    const highs = Array.from({ length: 1_100 }, (_, i) => codeFinding(i + 1, 'high', 400));
    const { run, leftOut } = written(auditOf([lockless], highs));
    expect(run.results.some((r: { ruleId: string }) => r.ruleId === 'depwatch/no-lockfile')).toBe(false);
    expect(run.results.length).toBeGreaterThan(0);
    expect(leftOut[0]).toMatch(/^the SARIF leaves out [\d,]+ results of 1,101, the least severe \([\d,]+ high, 1 low\)/);
  });

  it('is whole and successful when it is over the limit uncompressed but not gzip-compressed', () => {
    const compressible = Array.from({ length: 2_000 }, (_, i) => codeFinding(i, 'high', 0));
    const { text, run, leftOut } = written(auditOf([], compressible));
    expect(Buffer.byteLength(text)).toBeGreaterThan(SMALL.gzippedBytes);
    expect(run.results).toHaveLength(2_000);
    expect(run.invocations[0].executionSuccessful).toBe(true);
    expect(leftOut).toEqual([]);
  });

  it('after the cut to 25,000 results, says the results it leaves out for size are more of those it kept', () => {
    const thousand = (severity: CodeFinding['severity']) => Array.from({ length: 1_000 }, (_, i) => codeFinding(i, severity, 0));
    const selection = { findings: [], codeFindings: [...thousand('high'), ...thousand('low')], total: 30_000, leftOut: ['the SARIF leaves out 28,000 results of 30,000 …'] };
    const marks: SizeMark[] = [
      { written: 0, started: 0, bytes: 1_000 },
      { written: 1_000, started: 1_000, bytes: 200_000 },
      { written: 2_000, started: 2_000, bytes: 400_000 },
    ];
    const fitted = fitGzipped(selection, { marks, total: 400_018 }, 'high', 'scan', 300_000);
    // 1,000 high results take 200 kB: the 1,000 low ones, 200 kB more, cannot all stay; the measure
    // goes by marks, so none of them does.
    expect(fitted.codeFindings).toHaveLength(1_000);
    expect(fitted.leftOut).toEqual([
      'the SARIF leaves out 28,000 results of 30,000 …',
      'the SARIF also leaves out 1,000 of the 2,000 results it kept, the least severe (1000 low): GitHub code scanning rejects a file over 300 kB gzip-compressed; "depwatch scan --json" lists them all',
    ]);
  });

  it('keeps everything when the file fits (the measure alone decides, not the text\'s length)', () => {
    const selection = sarifSelection(auditOf([], code));
    const fitted = fitGzipped(selection, { marks: [{ written: 1_400, started: 1_400, bytes: 250_000 }], total: 250_018 }, 'high', 'audit', 300_000);
    expect(fitted).toBe(selection);
  });

  it('says so, and is partial, when even without any result the file would not fit', () => {
    const selection = sarifSelection(auditOf([], code));
    const marks = [{ written: 0, started: 0, bytes: 400_000 }, { written: 1_400, started: 1_400, bytes: 800_000 }];
    const fitted = fitGzipped(selection, { marks, total: 800_018 }, 'high', 'audit', 300_000);
    expect(fitted.codeFindings).toEqual([]);
    expect(fitted.leftOut).toEqual([
      'the SARIF leaves out 1,400 results of 1,400, the least severe (700 high, 700 low): GitHub code scanning rejects a file over 300 kB gzip-compressed; "depwatch audit --json" lists them all',
      'the SARIF is over 300 kB gzip-compressed without any result (its rules and notifications): GitHub code scanning will reject it; "depwatch audit --json" lists everything',
    ]);
  });
});

describe('at the real limit', () => {
  it('a file of 15,000 results that do not compress (about 11 MB gzip-compressed) is cut to fit under 10 MB', () => {
    const code = Array.from({ length: 15_000 }, (_, i) => codeFinding(i, i < 12_000 ? 'high' : 'low', 1_000));
    const { text, leftOut } = written(auditOf([], code), GITHUB_SARIF_LIMITS);
    const gzipped = gzipSync(text).length;
    expect(gzipped).toBeLessThanOrEqual(10_000_000);
    expect(gzipped).toBeGreaterThan(9_500_000);
    expect(leftOut).toEqual([expect.stringMatching(/^the SARIF leaves out [\d,]+ results of 15,000, the least severe \([\d,]+ low\): GitHub code scanning rejects a file over 10 MB gzip-compressed; "depwatch audit --json" lists them all$/)]);
  }, 30_000);
});
