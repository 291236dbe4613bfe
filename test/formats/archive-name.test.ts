import { describe, expect, it } from 'vitest';
import { archiveVersionAt, archiveVersionOf, isArchiveLocation, sdistRelease, wheelRelease } from '../../src/python/archive-name.js';

describe('the release a distribution file name states', () => {
  it('reads wheels as PEP 427 names them, with or without a build tag', () => {
    expect(wheelRelease('Django-2.2.0-py3-none-any.whl')).toEqual({ name: 'Django', version: '2.2.0' });
    expect(wheelRelease('Pillow-6.0.0-1-cp37-cp37m-manylinux1_x86_64.whl')).toEqual({ name: 'Pillow', version: '6.0.0' });
    expect(wheelRelease('not_a_wheel.whl')).toBeNull();
    expect(wheelRelease('a-1-x-py3-none-any.whl')).toBeNull();
  });

  it('reads sdists whose names have dashes, dots or underscores', () => {
    expect(sdistRelease('python-dateutil-2.8.0.tar.gz', 'python-dateutil')).toEqual({ name: 'python-dateutil', version: '2.8.0' });
    expect(sdistRelease('zope.interface-5.0.zip')).toEqual({ name: 'zope.interface', version: '5.0' });
    expect(sdistRelease('main.zip')).toBeNull();
    expect(archiveVersionOf('requests-2.19.0.tar.gz', 'urllib3')).toBeNull();
  });

  it('tells a file from a folder by its last segment, without query or fragment', () => {
    expect(isArchiveLocation('wheels/Django-2.2.0-py3-none-any.whl')).toBe(true);
    expect(isArchiveLocation('https://x/flask-0.12.tar.gz#sha256=aa')).toBe(true);
    expect(isArchiveLocation('.')).toBe(false);
    expect(isArchiveLocation('libs/flask')).toBe(false);
    expect(isArchiveLocation(undefined)).toBe(false);
  });

  it('gives the version a direct reference installs: from a URL (decoded, without query or fragment) or a path; none for a folder or another project', () => {
    expect(archiveVersionAt('urllib3', 'https://files.example/x/urllib3-1.24.1-py2.py3-none-any.whl#sha256=00')).toBe('1.24.1');
    expect(archiveVersionAt('django', 'https://files.example/Django-2.2.0.tar.gz?download=1')).toBe('2.2.0');
    expect(archiveVersionAt('my-lib', 'file:///wheels/my%5Flib-1.0-py3-none-any.whl')).toBe('1.0');
    expect(archiveVersionAt('jinja2', 'C:\\wheels\\Jinja2-2.10.0-py3-none-any.whl')).toBe('2.10.0');
    expect(archiveVersionAt('mylib', 'file:///home/me/src/mylib')).toBeNull();
    expect(archiveVersionAt('core', 'file:///home/me/src/core-1.0')).toBeNull();
    expect(archiveVersionAt('requests', 'https://files.example/urllib3-1.24.1-py2.py3-none-any.whl')).toBeNull();
  });

  it('reads a hostile name in linear time', () => {
    const long = `${'a-'.repeat(100_000)}1.whl`;
    const started = performance.now();
    expect(wheelRelease(long)).toBeNull();
    expect(sdistRelease(`${'a-1'.repeat(100_000)}.tar.gz`, 'a')).toBeNull();
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
