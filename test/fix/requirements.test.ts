import { describe, expect, it } from 'vitest';
import { requirementsRewriter } from '../../src/fix/formats/requirements.js';
import { extractRequirements } from '../../src/python/formats/requirements.js';
import type { FixTarget } from '../../src/fix/types.js';
import { apply, changesOutside } from './helpers.js';

const django = (to = '2.1.11'): FixTarget => ({ name: 'django', from: '2.1.5', to, advisories: ['PYSEC-2019-13'] });

function rewrite(text: string, targets: FixTarget[] = [django()]) {
  const result = requirementsRewriter.rewrite(text, 'requirements.txt', targets);
  const after = apply(text, result.edits);
  return { ...result, after, outside: changesOutside(text, after, result.changes.map((c) => c.lines)) };
}

describe('the requirements rewriter', () => {
  it('changes only the version of a pin, keeping CRLF endings, case and the comment after it', () => {
    const text = 'requests>=2.0\r\nDjango==2.1.5  # the web framework\r\nflask==2.0.1\r\n';
    const { after, changes, outside } = rewrite(text);
    expect(after).toBe('requests>=2.0\r\nDjango==2.1.11  # the web framework\r\nflask==2.0.1\r\n');
    expect(changes).toEqual([
      expect.objectContaining({ file: 'requirements.txt', line: 2, lines: { first: 2, last: 2 }, package: 'django', before: '==2.1.5', after: '==2.1.11', hashesRemoved: 0 }),
    ]);
    expect(outside).toEqual([]);
  });

  it('keeps extras, markers and the spaces between them', () => {
    const text = 'django[argon2,bcrypt] == 2.1.5 ; python_version >= "3.6"  # web\n';
    expect(rewrite(text).after).toBe('django[argon2,bcrypt] == 2.1.11 ; python_version >= "3.6"  # web\n');
  });

  it('rewrites arbitrary equality, compatible release and upper bounds in their own style', () => {
    expect(rewrite('django===2.1.5\n').after).toBe('django===2.1.11\n');
    expect(rewrite('django~=2.1.0\n', [django('2.2.28')]).after).toBe('django~=2.2.28\n');
    expect(rewrite('django>=2.0,<2.1.6\n').after).toBe('django>=2.0,<2.1.12\n');
  });

  it('leaves a requirement that excludes the fix on purpose alone, and says why', () => {
    const text = 'django>=2.0,!=2.1.11\n';
    const { after, changes, leftAlone } = rewrite(text);
    expect(after).toBe(text);
    expect(changes).toEqual([]);
    expect(leftAlone).toEqual([expect.objectContaining({ kind: 'not-understood', package: 'django', version: '2.1.5', line: 1, reason: expect.stringContaining('!=2.1.11') })]);
  });

  it('moves only the pin of the vulnerable release when the same package is pinned twice behind markers', () => {
    const text = 'django==1.11.29; python_version < "3"\ndjango==2.1.5; python_version >= "3"\n';
    const { after, changes } = rewrite(text);
    expect(after).toBe('django==1.11.29; python_version < "3"\ndjango==2.1.11; python_version >= "3"\n');
    expect(changes.map((c) => c.line)).toEqual([2]);
  });

  it('removes the old release hashes on continuation lines, and the trailing backslash they leave', () => {
    const text = [
      'alembic==0.9.6 \\',
      '    --hash=sha256:042851ebe9efa07be6dc1395b1793b6c1d8964a39b73a0ce1649e2bcd41ea732',
      'Django==2.1.5 \\',
      '    --hash=sha256:aaaa \\',
      '    --hash sha256:bbbb',
      'celery==4.1.0 \\',
      '    --hash=sha256:cccc',
      '',
    ].join('\n');
    const { after, changes, rehash, outside } = rewrite(text);
    expect(after).toBe(['alembic==0.9.6 \\', '    --hash=sha256:042851ebe9efa07be6dc1395b1793b6c1d8964a39b73a0ce1649e2bcd41ea732', 'Django==2.1.11', 'celery==4.1.0 \\', '    --hash=sha256:cccc', ''].join('\n'));
    expect(changes).toEqual([expect.objectContaining({ line: 3, lines: { first: 3, last: 5 }, hashesRemoved: 2 })]);
    expect(rehash).toEqual([{ package: 'django', from: '2.1.5', line: 3, removed: 2 }]);
    expect(outside).toEqual([]);
    // pip reads the result as the same requirements, with the pin moved and its hashes gone.
    const read = extractRequirements(after, { file: 'requirements.txt' }).dependencies.map((d) => `${d.name}${d.specifier}${d.hashes ? ` #${d.hashes.length}` : ''}`);
    expect(read).toEqual(['alembic==0.9.6 #1', 'django==2.1.11', 'celery==4.1.0 #1']);
  });

  it('removes hashes written on the requirement line, and keeps the comment line that ended the continuation', () => {
    const text = 'django==2.1.5 --hash=sha256:aaaa --hash=sha256:bbbb \\\r\n    --hash=sha256:cccc \\\r\n    # via -r requirements.in\r\nsix==1.16.0\r\n';
    const { after, changes } = rewrite(text);
    expect(after).toBe('django==2.1.11\r\n    # via -r requirements.in\r\nsix==1.16.0\r\n');
    expect(changes[0]).toMatchObject({ hashesRemoved: 3, lines: { first: 1, last: 2 } });
    expect(extractRequirements(after, { file: 'r.txt' }).dependencies.map((d) => d.name)).toEqual(['django', 'six']);
  });

  it('moves the comment after a removed hash onto the requirement, leaving no dangling continuation', () => {
    const text = 'django==2.1.5 \\\n    --hash=sha256:aaaa # pinned by ops\nsix==1.16.0\n';
    const { after, changes } = rewrite(text);
    expect(after).toBe('django==2.1.11  # pinned by ops\nsix==1.16.0\n');
    expect(changes[0]).toMatchObject({ hashesRemoved: 1, lines: { first: 1, last: 2 } });
    expect(extractRequirements(after, { file: 'r.txt' }).dependencies.map((d) => `${d.name}${d.specifier}`)).toEqual(['django==2.1.11', 'six==1.16.0']);
  });

  it('keeps a byte order mark and a file without a final newline', () => {
    expect(rewrite('\uFEFFdjango==2.1.5').after).toBe('\uFEFFdjango==2.1.11');
  });

  it('leaves alone, and reports, a requirement split over lines in a way it does not rewrite', () => {
    const text = 'django\\\n==2.1.5\nsix==1.16.0\n';
    expect(extractRequirements(text, { file: 'requirements.txt' }).dependencies[0]).toMatchObject({ name: 'django', version: '2.1.5' });
    const { after, changes, leftAlone } = rewrite(text);
    expect(after).toBe(text);
    expect(changes).toEqual([]);
    expect(leftAlone).toEqual([expect.objectContaining({ kind: 'not-understood', line: 1, reason: expect.stringContaining('does not understand') })]);
  });

  it('reports the vulnerable release installed from a URL instead of touching it', () => {
    const text = 'https://files.example/packages/Django-2.1.5-py3-none-any.whl\n';
    const { after, leftAlone } = rewrite(text);
    expect(after).toBe(text);
    expect(leftAlone).toEqual([expect.objectContaining({ kind: 'non-registry', package: 'django', reason: expect.stringContaining('URL') })]);
  });

  it('does not touch other packages, editable lines, options or includes', () => {
    const text = '-r base.txt\n--index-url https://pypi.org/simple\n-e ./local\ndjango-extensions==2.1.5\ndjango==2.1.5 --config-settings x=y\n';
    const { after } = rewrite(text);
    expect(after).toBe('-r base.txt\n--index-url https://pypi.org/simple\n-e ./local\ndjango-extensions==2.1.5\ndjango==2.1.11 --config-settings x=y\n');
  });
});
