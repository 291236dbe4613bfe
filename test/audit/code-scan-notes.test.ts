/**
 * A commit's code scan reads `.depwatch.yml` from the archive itself (it is cached apart from any
 * audit), so it notes what the audit of the same commit notes about that file. Joined, the audit
 * says them once: withCodeScan leaves out the scan's notes about a settings file the audit noted,
 * told by the file they are about, not by their words.
 */
import { expect, it } from 'vitest';
import type { AuditResult } from '../../src/audit/audit.js';
import { withCodeScan } from '../../src/audit/code-scan.js';
import type { ScanNote, ScanResult } from '../../src/scan/types.js';

const auditWith = (notes: AuditResult['notes']): AuditResult => ({ notes, notices: [], warnings: [], partial: false, partialReasons: [] }) as unknown as AuditResult;
const scanWith = (notes: ScanNote[]): ScanResult => ({
  findings: [],
  ignored: [],
  skipped: [],
  notes,
  stats: { files: 1, textFiles: 1, pythonFiles: 0, binaryFiles: 0, bytes: 1 },
  fingerprintScope: 'installation',
  rules: [],
  partial: false,
});

it('leaves out the scan\'s notes about the settings file the audit noted, and keeps the rest', () => {
  const audit = auditWith([{ kind: 'invalid', message: '.depwatch.yml: ignore entry 1: id is required', settingsFile: '.depwatch.yml' }]);
  const scan = scanWith([
    // Worded otherwise (another release of the parser wrote the cached scan): the same file all the same.
    { kind: 'invalid', message: '.depwatch.yml: ignore entry 1: id: required', settingsFile: '.depwatch.yml' },
    { kind: 'invalid', message: '.depwatch.yaml: not valid YAML (bad indentation); nothing in it applies', settingsFile: '.depwatch.yaml' },
    { kind: 'syntax', file: 'app/x.py', message: 'app/x.py: parsed with errors' },
  ]);
  expect(withCodeScan(audit, scan).code!.notes.map((n) => n.message)).toEqual([
    '.depwatch.yaml: not valid YAML (bad indentation); nothing in it applies',
    'app/x.py: parsed with errors',
  ]);
});

it('keeps a note whose words match one of the audit\'s but which is not about a settings file the audit noted', () => {
  const audit = auditWith([{ kind: 'invalid', message: '.depwatch.yml: ignore entry 1: id is required' }]);
  const scan = scanWith([{ kind: 'invalid', message: '.depwatch.yml: ignore entry 1: id is required', settingsFile: '.depwatch.yml' }]);
  expect(withCodeScan(audit, scan).code!.notes).toEqual(scan.notes);
});
