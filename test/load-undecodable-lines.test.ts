/**
 * Line-based manifests (requirements files, setup.cfg) whose bytes are not all text: each invalid
 * UTF-8 sequence or NUL is confined to its line, and costs that line only where the format reads
 * it. Whole-document formats (TOML, JSON) still need every byte to be UTF-8.
 */
import { describe, expect, it } from 'vitest';
import { memorySource, treeSource } from '../src/python/files.js';
import { loadManifests } from '../src/python/load.js';
import { decodeLines } from '../src/scan/text.js';

const latin1 = (text: string) => Buffer.from(text, 'latin1');
const pins = (result: Awaited<ReturnType<typeof loadManifests>>) =>
  result.manifests.flatMap((m) => m.dependencies.map((d) => `${m.path}:${d.line} ${d.name}${d.specifier}`));
const said = (result: Awaited<ReturnType<typeof loadManifests>>) => result.errors.map((e) => `${e.file}:${e.line ?? '-'} ${e.message}`);

describe('a requirements file with a few lines that are not UTF-8', () => {
  it('reads a line whose bad bytes are only in its comment, and refuses one whose bytes are in the requirement', async () => {
    const result = await loadManifests(memorySource({ 'requirements.txt': latin1('requests==2.19.0  # caf\xe9\n# \xe9t\xe9\ncaf\xe9==1.0\ndjango==2.1.5\n') }));
    expect(pins(result)).toEqual(['requirements.txt:1 requests==2.19.0', 'requirements.txt:4 django==2.1.5']);
    expect(said(result)).toEqual(['requirements.txt:3 not valid UTF-8; not read']);
  });

  it('a `#` that does not start a comment (no blank before it) does not hide the bad bytes after it', async () => {
    const result = await loadManifests(memorySource({ 'requirements.txt': latin1('pkg @ https://example.com/a.whl#caf\xe9\nsix==1.16.0\n') }));
    expect(pins(result)).toEqual(['requirements.txt:2 six==1.16.0']);
    expect(said(result)).toEqual(['requirements.txt:1 not valid UTF-8; not read']);
  });

  it('a genuine U+FFFD (its UTF-8 bytes) is text: the file is read as before', async () => {
    const result = await loadManifests(memorySource({ 'requirements.txt': Buffer.concat([latin1('six==1.16.0 # '), Buffer.from('\uFFFD\n'), latin1('idna==3.7  # \xe9\n')]) }));
    expect(pins(result)).toEqual(['requirements.txt:1 six==1.16.0', 'requirements.txt:2 idna==3.7']);
    expect(said(result)).toEqual([]);
  });

  it('a continued line: bad bytes in any of its parts cost the whole requirement, named at the part that holds them', async () => {
    const result = await loadManifests(memorySource({ 'requirements.txt': latin1('django==2.1.5 \\\n  ; platform_machine == "caf\xe9"\nsix==1.16.0 \\\n  # caf\xe9\n') }));
    expect(pins(result)).toEqual(['requirements.txt:3 six==1.16.0']);
    expect(said(result)).toEqual(['requirements.txt:2 not valid UTF-8; not read']);
  });

  it('a NUL byte: its line only; a file of mostly NUL lines (renamed binary, UTF-16 without a mark) is binary, one line', async () => {
    const result = await loadManifests(
      memorySource({
        'requirements.txt': Buffer.from('six==1.16.0\nid\0na==3.7\nattrs==23.1.0\n'),
        'requirements-utf16.txt': Buffer.from('six==1.16.0\nidna==3.7\n', 'utf16le'),
      }),
    );
    expect(pins(result)).toEqual(['requirements.txt:1 six==1.16.0', 'requirements.txt:3 attrs==23.1.0']);
    expect(said(result)).toEqual(['requirements-utf16.txt:- binary file (contains NUL bytes), not a manifest; not read', 'requirements.txt:2 holds a NUL byte; not read']);
  });

  it('a one-line file whose only NUL is in its comment is text: its pin read, nothing said (pip drops the comment)', async () => {
    const result = await loadManifests(memorySource({ 'requirements.txt': Buffer.from('requests==2.31.0  # \0\n') }));
    expect(pins(result)).toEqual(['requirements.txt:1 requests==2.31.0']);
    expect(said(result)).toEqual([]);
  });

  it('lines ended by a lone CR are lines: one NUL in a comment there costs nothing, and no line of them is lost', async () => {
    const result = await loadManifests(memorySource({ 'requirements.txt': Buffer.from('a==1\rb==2 # \0\rc==3\r') }));
    expect(pins(result)).toEqual(['requirements.txt:1 a==1', 'requirements.txt:2 b==2', 'requirements.txt:3 c==3']);
    expect(said(result)).toEqual([]);
  });

  it('setup.cfg with lines ended by a lone CR: a NUL costs its line only, the file is not binary', async () => {
    const result = await loadManifests(memorySource({ 'setup.cfg': Buffer.from('[options]\rinstall_requires =\r    six==1.16.0\r    id\0na==3.7\r') }));
    expect(pins(result)).toEqual(['setup.cfg:3 six==1.16.0']);
    expect(said(result)).toEqual(['setup.cfg:4 holds a NUL byte; not read']);
  });

  it('UTF-16 without a byte order mark, of several lines (CRLF or LF), is binary: one line for the file, not one a line', async () => {
    const text = 'requests==2.31.0\r\nsix==1.16.0\r\nidna==3.7\r\nattrs==23.1.0\r\n';
    const result = await loadManifests(
      memorySource({ 'requirements.txt': Buffer.from(text, 'utf16le'), 'requirements-lf.txt': Buffer.from(text.replaceAll('\r', ''), 'utf16le') }),
    );
    expect(pins(result)).toEqual([]);
    expect(said(result)).toEqual([
      'requirements-lf.txt:- binary file (contains NUL bytes), not a manifest; not read',
      'requirements.txt:- binary file (contains NUL bytes), not a manifest; not read',
    ]);
  });

  it('an included file and a UTF-8 byte order mark: the line numbers stay those of the file', async () => {
    const result = await loadManifests(
      memorySource({ 'requirements.txt': '-r base.txt\n', 'base.txt': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), latin1('six==1.16.0\n\xff\xfe==1\nidna==3.7 # \xe9\n')]) }),
    );
    expect(pins(result)).toEqual(['base.txt:1 six==1.16.0', 'base.txt:3 idna==3.7']);
    expect(said(result)).toEqual(['base.txt:2 not valid UTF-8; not read']);
  });

  it('a second byte order mark (the text keeps it): requirements files and setup.cfg still refuse the line that holds the bytes', async () => {
    const marks = Buffer.from([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf]);
    const result = await loadManifests(
      memorySource({
        'requirements.txt': Buffer.concat([marks, latin1('six==1.16.0\ncaf\xe9==1.0\nid\0na==3.7\nattrs==23.1.0 # \xe9\nclick==8.1.7\nflask==3.0.0\njinja2==3.1.4\n')]),
        'setup.cfg': Buffer.concat([marks, latin1('[options]\ninstall_requires =\n    six==1.16.0\n    caf\xe9==1.0\n    id\0na==3.7\n    attrs==23.1.0\n')]),
      }),
    );
    expect(pins(result)).toEqual(['requirements.txt:1 six==1.16.0', 'requirements.txt:4 attrs==23.1.0', 'requirements.txt:5 click==8.1.7', 'requirements.txt:6 flask==3.0.0', 'requirements.txt:7 jinja2==3.1.4', 'setup.cfg:3 six==1.16.0', 'setup.cfg:6 attrs==23.1.0']);
    expect(said(result)).toEqual([
      'requirements.txt:2 not valid UTF-8; not read',
      'requirements.txt:3 holds a NUL byte; not read',
      'setup.cfg:4 not valid UTF-8; not read',
      'setup.cfg:5 holds a NUL byte; not read',
    ]);
  });

  it('setup.cfg: a requirement line is refused alone; bytes in a whole-line comment or in metadata cost nothing', async () => {
    const cfg = latin1('[metadata]\nauthor = Jos\xe9\n[options]\n# r\xe9sum\xe9\ninstall_requires =\n    six==1.16.0\n    caf\xe9==1.0\n    idna==3.7; python_version > "3"\npython_requires = >=3.8\n');
    const result = await loadManifests(memorySource({ 'setup.cfg': cfg }));
    expect(pins(result)).toEqual(['setup.cfg:6 six==1.16.0', 'setup.cfg:8 idna==3.7']);
    expect(said(result)).toEqual(['setup.cfg:7 not valid UTF-8; not read']);
    expect(result.manifests[0]!.requiresPython).toBe('>=3.8');
  });

  it('TOML and JSON still need every byte to be UTF-8: the file is not read, one line', async () => {
    const result = await loadManifests(
      memorySource({ 'pyproject.toml': latin1('[project]\nname = "x"\n# caf\xe9\ndependencies = ["six==1.16.0"]\n'), 'Pipfile.lock': latin1('{"default": {}, "_meta": {"x": "\xe9"}}') }),
    );
    expect(pins(result)).toEqual([]);
    expect(said(result)).toEqual(['Pipfile.lock:- not valid UTF-8 text; not read', 'pyproject.toml:- not valid UTF-8 text; not read']);
  });
});

describe('decodeLines', () => {
  it('lists exactly the characters a lenient decoder made of bytes that are not text, never a genuine U+FFFD', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pool = [0x0a, 0x00, 0x41, 0x80, 0xbf, 0xc2, 0xc0, 0xdf, 0xe0, 0xed, 0xef, 0xbb, 0xbd, 0xa0, 0x9f, 0xf0, 0xf4, 0x8f, 0x90, 0xf5, 0xff];
    for (let round = 0; round < 2000; round++) {
      const bytes = Buffer.from(Array.from({ length: 1 + Math.floor(random() * 24) }, () => pool[Math.floor(random() * pool.length)]!));
      const decoded = decodeLines(Buffer.concat([Buffer.from('a\n'.repeat(30)), bytes]));
      if (decoded.kind !== 'text') continue;
      const text = new TextDecoder().decode(Buffer.concat([Buffer.from('a\n'.repeat(30)), bytes]));
      expect(decoded.text).toBe(text);
      const replacements = [...text].filter((c) => c === '\uFFFD').length;
      const genuine = bytes.toString('latin1').split('\xef\xbf\xbd').length - 1;
      for (const offset of decoded.undecodable) expect(['\uFFFD', '\0']).toContain(text[offset]);
      expect(decoded.undecodable.filter((o) => text[o] === '\uFFFD').length).toBe(replacements - genuine);
      expect(decoded.undecodable.filter((o) => text[o] === '\0').length).toBe(bytes.filter((b) => b === 0).length);
    }
  });
});

describe('a requirements file whose coding line declares its encoding, read as pip reads it', () => {
  it('decodes the whole file with the declared codec: Latin-1 comments and include names are text, not errors', async () => {
    const result = await loadManifests(
      memorySource({
        'requirements.txt': latin1('# -*- coding: latin-1 -*-\nrequests==2.19.0  # caf\xe9\n-r r\xe9qs.txt\n'),
        'r\u00e9qs.txt': latin1('django==2.1.5\n'),
      }),
    );
    expect(pins(result)).toEqual(['requirements.txt:2 requests==2.19.0', 'r\u00e9qs.txt:1 django==2.1.5']);
    expect(said(result)).toEqual([]);
  });

  it('honours the forms pip honours: `coding=` or `coding:` anywhere in a `#` line among the first two', async () => {
    const files = (head: string) => memorySource({ 'requirements.txt': latin1(`${head}-r r\xe9qs.txt\n`), 'r\u00e9qs.txt': latin1('six==1.16.0\n') });
    for (const head of ['#!/usr/bin/env pip\n# vim: set fileencoding=cp1252 :\n', '#coding=latin-1\n', '# -*- coding: iso-8859-15 -*-\r\n']) {
      const result = await loadManifests(files(head));
      expect([pins(result), said(result)], head).toEqual([['r\u00e9qs.txt:1 six==1.16.0'], []]);
    }
    // Not a coding line to pip: not starting with `#`, or on the third line. Read as UTF-8, line by line, as before.
    for (const head of ['  # coding: latin-1\n', '#\n#\n# coding: latin-1\n']) {
      const result = await loadManifests(files(head));
      expect(said(result), head).toEqual([expect.stringContaining('not valid UTF-8; not read')]);
    }
  });

  it("reads cp1252's bytes 0x80–0x9F as Python's cp1252 does (€, quotes, dashes), not as C1 controls; a byte cp1252 leaves undefined is refused, as pip refuses it", async () => {
    const files = (byte: string) => memorySource({ 'requirements.txt': latin1(`# coding: cp1252\n-r ${byte}.txt\n`), '\u20ac.txt': 'six==1.16.0\n', '\u201c\u2014\u0178.txt': 'idna==3.7\n' });
    const euro = await loadManifests(files('\x80'));
    expect([pins(euro), said(euro)]).toEqual([['\u20ac.txt:1 six==1.16.0'], []]);
    const quoted = await loadManifests(files('\x93\x97\x9f'));
    expect([pins(quoted), said(quoted)]).toEqual([['\u201c\u2014\u0178.txt:1 idna==3.7'], []]);
    for (const undefinedByte of ['\x81', '\x8d', '\x8f', '\x90', '\x9d']) {
      const refused = await loadManifests(files(undefinedByte));
      expect(said(refused), undefinedByte).toEqual(['requirements.txt:1 is not valid cp1252 text, the encoding its coding line declares (pip refuses it too); not read']);
    }
  });

  it('reads a multi-byte codec a coding line declares (Shift_JIS)', async () => {
    const sjis = Buffer.concat([latin1('# coding: shift_jis\nrequests==2.19.0  # '), Buffer.from([0x93, 0xfa, 0x96, 0x7b]), latin1('\n')]);
    const result = await loadManifests(memorySource({ 'requirements.txt': sjis }));
    expect(pins(result)).toEqual(['requirements.txt:2 requests==2.19.0']);
    expect(said(result)).toEqual([]);
  });

  it('an encoding it cannot decode, or bytes that are not text in the declared one, is one line and nothing read (partial), never a UTF-8 guess', async () => {
    const utf7 = await loadManifests(memorySource({ 'requirements.txt': latin1('# -*- coding: utf-7 -*-\nrequests==2.19.0\n') }));
    expect(pins(utf7)).toEqual([]);
    expect(said(utf7)).toEqual(['requirements.txt:1 its coding line declares the encoding utf-7, which Depwatch cannot decode as pip does; not read']);
    const unknown = await loadManifests(memorySource({ 'requirements.txt': latin1('# pins\n# coding: klingon\nrequests==2.19.0\n') }));
    expect(said(unknown)).toEqual(['requirements.txt:2 its coding line declares the encoding klingon, which Depwatch cannot decode as pip does; not read']);
    const broken = await loadManifests(memorySource({ 'requirements.txt': Buffer.concat([latin1('# coding: shift_jis\nrequests==2.19.0  # '), Buffer.from([0x81, 0x20]), latin1('\n')]) }));
    expect(pins(broken)).toEqual([]);
    expect(said(broken)).toEqual(['requirements.txt:1 is not valid shift_jis text, the encoding its coding line declares (pip refuses it too); not read']);
  });

  it('a byte order mark wins over a coding line, as in pip; a snapshot, already decoded, is not decoded again', async () => {
    const bom = await loadManifests(memorySource({ 'requirements.txt': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('# coding: utf-7\nsix==1.16.0  # caf\u00e9\n')]) }));
    expect([pins(bom), said(bom)]).toEqual([['requirements.txt:2 six==1.16.0'], []]);
    // A snapshot's files are text (decoded when downloaded): `é` stays `é`, not the Latin-1 reading of its UTF-8.
    const tree = await loadManifests(treeSource({ files: [{ path: 'requirements.txt', text: '# coding: latin-1\n-r r\u00e9qs.txt\n' }, { path: 'r\u00e9qs.txt', text: 'six==1.16.0\n' }] }));
    expect([pins(tree), said(tree)]).toEqual([['r\u00e9qs.txt:1 six==1.16.0'], []]);
  });
});
