/**
 * JSON and SARIF written in pieces are byte for byte what JSON.stringify(…, null, 2) writes whole,
 * for the shapes the reports use (nested streamed arrays, empty ones, undefined and functions left
 * out as JSON.stringify leaves them out, dates through toJSON).
 */
import { describe, expect, it } from 'vitest';
import { jsonChunks, jsonText, streamed } from '../../src/report/json-chunks.js';

function* twice<T>(items: T[]): Generator<T> {
  for (const item of items) yield item;
}

describe('JSON in pieces', () => {
  it('writes what JSON.stringify writes, however the streamed arrays are nested', () => {
    const findings = [{ kind: 'unpinned', fix: { text: 'pin "it"\nnow', version: null }, line: 3, gone: undefined }, { kind: 'x', list: [1, undefined, 'a'] }];
    const doc = {
      target: 'octo/app',
      when: new Date('2025-01-01T00:00:00Z'),
      skip: undefined,
      call: () => 1,
      findings: streamed(twice(findings)),
      empty: streamed(twice([])),
      runs: [{ tool: { name: 'd' }, results: streamed(twice(findings)), note: null }],
      nested: { deeper: { rows: streamed(twice([[1, 2], { a: [] }])) } },
    };
    const whole = { ...doc, findings, empty: [], runs: [{ tool: { name: 'd' }, results: findings, note: null }], nested: { deeper: { rows: [[1, 2], { a: [] }] } } };
    expect(jsonText(doc)).toBe(JSON.stringify(whole, null, 2));
  });

  it('writes values nested deep inside streamed arrays as JSON.stringify indents them', () => {
    const odd = { toJSON: () => undefined };
    const rows = [
      { when: new Date('2025-01-01T00:00:00Z'), text: 'line\nbreak "quoted" … 🐍', empty: { list: [], map: {} }, none: null, n: -0.5, deep: [[[{ a: [1, { b: 'c' }] }]]] },
      [],
      {},
      'plain',
      7,
      null,
      [odd, () => 1, undefined],
    ];
    const doc = { outer: { inner: [{ rows: streamed(twice(rows)) }] }, top: streamed(twice([odd, undefined, rows[0]])) };
    const whole = { outer: { inner: [{ rows }] }, top: [odd, undefined, rows[0]] };
    expect(jsonText(doc)).toBe(JSON.stringify(whole, null, 2));
  });

  it('writes each streamed element whole, as JSON.stringify writes it, at any depth', () => {
    const odd = { toJSON: () => undefined };
    const rows = [{ text: 'line\nbreak "quoted" … 🐍', list: [1, undefined, { a: [] }], gone: undefined }, [], {}, 'plain', null, odd, undefined, () => 1];
    const written = jsonText({ findings: streamed(twice(rows)), nested: { deeper: [{ rows: streamed(twice(rows)) }] }, empty: streamed(twice([])) });
    expect(written).toBe(JSON.stringify({ findings: rows, nested: { deeper: [{ rows }] }, empty: [] }, null, 2));
  });

  it('makes each element only when it is written', () => {
    let made = 0;
    function* rows() {
      for (let i = 0; i < 3; i++) {
        made++;
        yield { i };
      }
    }
    const pieces = jsonChunks({ rows: streamed(rows()) });
    pieces.next();
    expect(made).toBe(0);
    pieces.next();
    pieces.next();
    expect(made).toBe(1);
  });
});
