/**
 * The one-line description of an advisory, on real PyPA records: the sentence that says what the
 * flaw is, not the package's introduction or a bare "An issue was discovered in X before Y".
 */
import { describe, expect, it } from 'vitest';
import { describeAdvisory, isBoilerplateSentence, sentencesOf, stripMarkdown } from '../../src/advisories/description.js';
import type { OsvRecord } from '../../src/advisories/types.js';
import { fixtureRecord, fixtureRecords } from '../fixtures/osv/load.js';

const describeId = (id: string) => describeAdvisory([fixtureRecord(id)]);

describe('the description of a real advisory', () => {
  it('skips a first sentence that only introduces the package', () => {
    // "urllib3 is a user-friendly HTTP client library for Python. urllib3 previously wouldn't …"
    expect(describeId('PYSEC-2023-212')).toMatch(/^urllib3 previously wouldn't remove the HTTP request body when an HTTP redirect response/);
    // "Requests is a HTTP library. Since Requests 2.3.0, Requests has been leaking …"
    expect(describeId('PYSEC-2023-74')).toBe('Since Requests 2.3.0, Requests has been leaking Proxy-Authorization headers to destination servers when redirected to an HTTPS endpoint.');
    // "Certifi is a curated collection of Root Certificates for validating …"
    expect(describeId('PYSEC-2022-42986')).toBe('Certifi 2022.12.07 removes root certificates from "TrustCor" from the root store.');
    // "aiohttp is an asynchronous HTTP client/server framework for asyncio and Python."
    expect(describeId('PYSEC-2021-76')).toBe('In aiohttp before version 3.7.4 there is an open redirect vulnerability.');
  });

  it('skips "An issue was discovered in Django … before …" and says what the issue is', () => {
    expect(describeId('PYSEC-2019-13')).toBe(
      'Due to an error in shallow key transformation, key and index lookups for django.contrib.postgres.fields.JSONField, and key lookups for django.contrib.postgres.fields.HStoreField, were subject to SQL injection.',
    );
    expect(describeId('PYSEC-2021-36')).toBe('In TiffDecode.c, there is a negative-offset memcpy with an invalid size.');
    expect(describeId('PYSEC-2021-108')).toMatch(/^When provided with a URL containing many @ characters in the authority component/);
  });

  it('skips Snyk\'s "This affects the package …" and VulDB\'s classification sentences', () => {
    expect(describeId('PYSEC-2021-96')).toMatch(/^When using the the validate_redirect_url function, it is possible to bypass URL validation/);
    // "A vulnerability, which was classified as problematic, has been found in … This issue affects the function …"
    expect(describeId('PYSEC-2022-42989')).toBe('The manipulation leads to cross site scripting.');
  });

  it('keeps a first sentence that already says what the flaw is', () => {
    expect(describeId('PYSEC-2021-421')).toBe(
      'Babel.Locale in Babel before 2.9.1 allows attackers to load arbitrary locale .dat files (containing serialized Python objects) via directory traversal, leading to code execution.',
    );
    expect(describeId('PYSEC-2022-203')).toMatch(/^Disputed: Improper parsing of HTTP requests in Pallets Werkzeug v2\.1\.0 and below allows attackers/);
  });

  it('prefers a meaningful OSV summary, and reads Markdown details as prose', () => {
    // One of the two PyPA records with a summary; its details start with "### Impact" and a Markdown link.
    expect(describeId('PYSEC-2023-120')).toBe('aiohttp.web.Application vulnerable to HTTP request smuggling via llhttp HTTP request parser');
    expect(describeAdvisory([{ ...fixtureRecord('PYSEC-2023-120'), summary: undefined }])).toBe(
      'aiohttp v3.8.4 and earlier are bundled with llhttp v6.0.6 which is vulnerable to CVE-2023-30589.',
    );
  });

  it('skips a summary that is an id or boilerplate, and reads the records of a group in order', () => {
    const ghsa: Pick<OsvRecord, 'summary' | 'details'> = { summary: 'CVE-2019-14234', details: 'Django is a web framework. Key transforms allow SQL injection.' };
    expect(describeAdvisory([ghsa])).toBe('Key transforms allow SQL injection.');
    const introOnly: Pick<OsvRecord, 'summary' | 'details'> = { details: 'Flask is a lightweight WSGI web application framework.' };
    expect(describeAdvisory([introOnly, ghsa])).toBe('Key transforms allow SQL injection.');
    // Nothing better anywhere: the first sentence is still better than nothing.
    expect(describeAdvisory([introOnly])).toBe('Flask is a lightweight WSGI web application framework.');
    expect(describeAdvisory([{}])).toBe('');
  });

  it('is one line of at most 260 characters, cut at a word', () => {
    const long = describeAdvisory([{ details: `${'word '.repeat(200)}end.` }]);
    expect(long.length).toBeLessThanOrEqual(260);
    expect(long).toMatch(/word…$/);
    expect(describeAdvisory([{ details: 'Line one of\nthe same   sentence leaks secrets.' }])).toBe('Line one of the same sentence leaks secrets.');
  });

  it('reads only the start of a huge or hostile text', () => {
    for (const filler of ['[', '`', '*', '. ', '<a ', '_']) {
      const text = `${filler.repeat(500_000)} An attacker can read files.`;
      expect(describeAdvisory([{ details: text }]).length).toBeLessThanOrEqual(260);
      expect(describeAdvisory([{ summary: text }]).length).toBeLessThanOrEqual(260);
    }
  });
});

describe('boilerplate across the whole PyPA fixture', () => {
  /** What every report showed before: the first sentence of `details`, cut at 160 characters. */
  function previousLine(r: OsvRecord): string {
    if (r.summary?.trim()) return r.summary.trim();
    const details = r.details?.trim() ?? '';
    const end = details.search(/(?<=\.)\s|\n/);
    return end === -1 ? details : details.slice(0, end);
  }

  it('leaves no record described by an introduction or a bare discovery sentence (over a thousand were)', () => {
    const records = [...fixtureRecords().values()];
    const before = records.filter((r) => isBoilerplateSentence(previousLine(r))).map((r) => r.id);
    const after = records.filter((r) => isBoilerplateSentence(describeAdvisory([r]))).map((r) => r.id);
    expect(records.length).toBe(2661);
    expect(before.length).toBeGreaterThan(1000);
    expect(before).toEqual(expect.arrayContaining(['PYSEC-2023-192', 'PYSEC-2019-13', 'PYSEC-2021-858', 'PYSEC-2023-74']));
    // Only records whose every sentence is boilerplate may keep one; there are none in this data.
    expect(after).toEqual([]);
  });
});

describe('sentences and Markdown', () => {
  it('splits after versions and words, not inside versions, abbreviations or initials', () => {
    expect(sentencesOf('An issue was discovered in Django 1.11.x before 1.11.19, 2.0.x before 2.0.11. Due to an error, e.g. Foo, it fails. urllib3 leaks.')).toEqual([
      'An issue was discovered in Django 1.11.x before 1.11.19, 2.0.x before 2.0.11.',
      'Due to an error, e.g. Foo, it fails.',
      'urllib3 leaks.',
    ]);
  });

  it('drops headings and code blocks, keeps link text and code content, and ends list items', () => {
    const md = '### Impact\n_What kind of flaw?_ See [the fix](https://x.example/a) in `parse_url()`.\n```python\nimport x\n```\n- first item\n- **second** item';
    expect(sentencesOf(stripMarkdown(md))).toEqual(['What kind of flaw?', 'See the fix in parse_url().', 'first item', 'second item']);
  });
});
