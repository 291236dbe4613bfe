/**
 * A partial result in a log line: the flag, the reasons by kind with short messages, bounded and
 * with no secret in them, whatever the reasons quote.
 */
import { describe, expect, it } from 'vitest';
import { LOGGED_REASON_CHARS, LOGGED_REASONS_MAX, partialLogFields } from '../../src/audit/partial-log.js';
import type { PartialReason } from '../../src/audit/partial.js';

describe('partialLogFields', () => {
  it('says a complete result is not partial, and nothing more', () => {
    expect(partialLogFields([])).toEqual({ partial: false });
  });

  it('gives each reason its kind and the line the reply says', () => {
    const reasons: PartialReason[] = [
      { kind: 'data-source', message: 'advisories unavailable (OSV answered 503): vulnerabilities were NOT checked', unreached: 'advisories', transient: true },
      { kind: 'unread', file: 'poetry.lock', line: 4, message: 'poetry.lock is not valid TOML' },
    ];
    expect(partialLogFields(reasons)).toEqual({
      partial: true,
      partialReasons: [
        { kind: 'data-source', message: 'advisories unavailable (OSV answered 503): vulnerabilities were NOT checked' },
        { kind: 'unread', message: 'poetry.lock:4 not read completely: poetry.lock is not valid TOML' },
      ],
    });
  });

  it('never carries the credentials or tokens a reason quotes', () => {
    const fields = partialLogFields([
      { kind: 'data-source', message: 'package registry unavailable (https://user:hunter3pass@pypi.internal/simple/ answered 503) token ghp_abcdefghijklmnopqrstuvwxyz0123' },
    ]);
    const logged = JSON.stringify(fields);
    expect(fields.partial).toBe(true);
    expect(logged).not.toContain('hunter3pass');
    expect(logged).not.toContain('ghp_abcdefghijklmnopqrstuvwxyz0123');
    expect(logged).toContain('pypi.internal');
  });

  it('lists a few reasons, counts the rest, and cuts long messages', () => {
    const reasons: PartialReason[] = Array.from({ length: 40 }, (_, i) => ({ kind: 'unread', file: `req-${i}.txt`, line: 1, message: 'x'.repeat(5_000) }));
    const fields = partialLogFields(reasons);
    expect(fields.partialReasons).toHaveLength(LOGGED_REASONS_MAX);
    expect(fields.partialReasonsMore).toBe(40 - LOGGED_REASONS_MAX);
    for (const r of fields.partialReasons!) expect(r.message.length).toBeLessThanOrEqual(LOGGED_REASON_CHARS);
  });
});
