/**
 * Several lookups that failed, said in one message by the PyPI client and by the audit's advisory
 * details alike: the names sorted and some named, the first one's error in that order, so the same
 * failures read the same whichever the network answered first.
 */
import { describe, expect, it } from 'vitest';
import { failureList } from '../src/failure-list.js';

const failure = (name: string) => ({ name, error: new Error(`${name} answered 503\nstack line`) });

describe('failureList', () => {
  it('is nothing when nothing failed', () => {
    expect(failureList([])).toBeNull();
  });

  it('names the failures sorted, at most three, and quotes the first one\'s error line', () => {
    const list = failureList(['urllib3', 'django', 'requests', 'Flask', 'pytest'].map(failure));
    expect(list).toMatchObject({ count: 5, names: 'django, Flask, pytest and 2 more', firstLine: 'django answered 503' });
    expect((list!.first as Error).message).toBe('django answered 503\nstack line');
  });

  it('reads the same whichever failed first', () => {
    const names = ['pytest', 'django', 'flask'];
    const lists = [names, [...names].reverse(), [names[1]!, names[2]!, names[0]!]].map((order) => failureList(order.map(failure)));
    for (const list of lists) expect(list).toMatchObject({ count: 3, names: 'django, flask and pytest', firstLine: 'django answered 503' });
  });

  it('says one failure as itself', () => {
    expect(failureList([failure('django')])).toMatchObject({ count: 1, names: 'django', firstLine: 'django answered 503' });
  });
});
