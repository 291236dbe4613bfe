/**
 * The audit and the code scan of a checkout list it in one walk: a folder that walk could not list
 * is a reason of each. People read it once (forReaders); JSON keeps both, each with its kind.
 * The two are told the same folder by the field their makers set (unlistedBecause), not by their words.
 */
import { expect, it } from 'vitest';
import { forReaders, type PartialReason } from '../../src/audit/partial.js';

const unread = (file: string, message: string): PartialReason => ({ kind: 'unread', file, line: null, message });
const unscanned = (file: string, message: string): PartialReason => ({ kind: 'unscanned', file, line: null, message });
const unlistedUnread = (file: string, cause: string): PartialReason => ({ ...unread(file, `folder could not be listed (${cause}); nothing in it was read`), unlistedBecause: cause });
const unlistedUnscanned = (file: string, cause: string): PartialReason => ({ ...unscanned(file, `${file}: folder could not be listed (${cause}); nothing in it was scanned`), unlistedBecause: cause });

it('one line for a folder neither the audit nor the scan could list, in the audit reason\'s place', () => {
  const reasons = [
    unread('a/requirements.txt', 'line 3: not a requirement'),
    unlistedUnread('locked', 'EACCES: permission denied'),
    { kind: 'data-source' as const, message: 'advisories unavailable' },
    unlistedUnscanned('locked', 'EACCES: permission denied'),
  ];
  expect(forReaders(reasons)).toEqual([
    reasons[0],
    { ...unread('locked', 'folder could not be listed (EACCES: permission denied); nothing in it was read or scanned'), unlistedBecause: 'EACCES: permission denied' },
    reasons[2],
  ]);
});

it('keeps both when they are not the same folder and the same cause', () => {
  const otherCause = [unlistedUnread('locked', 'EACCES: permission denied'), unlistedUnscanned('locked', 'EIO: i/o error')];
  expect(forReaders(otherCause)).toEqual(otherCause);
  const otherFolder = [unlistedUnread('a', 'EACCES: permission denied'), unlistedUnscanned('b', 'EACCES: permission denied')];
  expect(forReaders(otherFolder)).toEqual(otherFolder);
  const file = [unread('big.txt', 'file too large'), unscanned('big.txt', 'big.txt: file too large')];
  expect(forReaders(file)).toEqual(file);
});

it('goes by the field, not the words: reasons that only read like an unlisted folder stay two', () => {
  const lookAlikes = [
    unread('locked', 'folder could not be listed (EACCES: permission denied); nothing in it was read'),
    unscanned('locked', 'locked: folder could not be listed (EACCES: permission denied); nothing in it was scanned'),
  ];
  expect(forReaders(lookAlikes)).toEqual(lookAlikes);
});
