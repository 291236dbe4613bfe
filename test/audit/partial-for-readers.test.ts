/**
 * The audit and the code scan of a checkout list it in one walk: a folder that walk could not list
 * is a reason of each. People read it once (forReaders); JSON keeps both, each with its kind.
 */
import { expect, it } from 'vitest';
import { forReaders, type PartialReason } from '../../src/audit/partial.js';

const unread = (file: string, message: string): PartialReason => ({ kind: 'unread', file, line: null, message });
const unscanned = (file: string, message: string): PartialReason => ({ kind: 'unscanned', file, line: null, message });

it('one line for a folder neither the audit nor the scan could list, in the audit reason\'s place', () => {
  const reasons = [
    unread('a/requirements.txt', 'line 3: not a requirement'),
    unread('locked', 'folder could not be listed (EACCES: permission denied); nothing in it was read'),
    { kind: 'data-source' as const, message: 'advisories unavailable' },
    unscanned('locked', 'locked: folder could not be listed (EACCES: permission denied); nothing in it was scanned'),
  ];
  expect(forReaders(reasons)).toEqual([
    reasons[0],
    unread('locked', 'folder could not be listed (EACCES: permission denied); nothing in it was read or scanned'),
    reasons[2],
  ]);
});

it('keeps both when they are not the same folder and the same cause', () => {
  const otherCause = [
    unread('locked', 'folder could not be listed (EACCES: permission denied); nothing in it was read'),
    unscanned('locked', 'locked: folder could not be listed (EIO: i/o error); nothing in it was scanned'),
  ];
  expect(forReaders(otherCause)).toEqual(otherCause);
  const otherFolder = [
    unread('a', 'folder could not be listed (EACCES: permission denied); nothing in it was read'),
    unscanned('b', 'b: folder could not be listed (EACCES: permission denied); nothing in it was scanned'),
  ];
  expect(forReaders(otherFolder)).toEqual(otherFolder);
  const file = [unread('big.txt', 'file too large'), unscanned('big.txt', 'big.txt: file too large')];
  expect(forReaders(file)).toEqual(file);
});
