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

  it('makes elements a batch at a time as they are written, never the whole array ahead', () => {
    let made = 0;
    function* rows() {
      for (let i = 0; i < 10_000; i++) {
        made++;
        yield { i };
      }
    }
    const pieces = jsonChunks({ rows: streamed(rows()) });
    pieces.next();
    expect(made).toBe(0);
    let written = 0;
    let text = '{\n  "rows": ';
    for (let piece = pieces.next(); !piece.done; piece = pieces.next()) {
      written += piece.value.split('"i": ').length - 1;
      text += piece.value;
      expect(made - written).toBeLessThanOrEqual(64);
    }
    expect(written).toBe(10_000);
    expect(text).toBe(JSON.stringify({ rows: Array.from({ length: 10_000 }, (_, i) => ({ i })) }, null, 2));
  });
});

describe('streamed arrays written in batches', () => {
  const odd = { toJSON: () => undefined };
  /** Elements of every kind and very different lengths, so batches are cut at many places. */
  const element = (i: number): unknown => {
    if (i % 7 === 3) return undefined;
    if (i % 11 === 5) return odd;
    if (i % 13 === 6) return () => i;
    if (i % 17 === 8) return new Date(Date.UTC(2025, 0, 1 + i));
    if (i % 50 === 49) return { big: 'y'.repeat(40_000 + i), list: [i, null, undefined] };
    return { i, text: `row ${i} "quoted" … 🐍\nnext`, gone: undefined, nested: { list: [[i], {}], empty: [] } };
  };
  const rows = (n: number) => Array.from({ length: n }, (_, i) => element(i));

  it('writes exactly what JSON.stringify writes, at every length around the batch sizes and at any depth', () => {
    for (const n of [0, 1, 2, 3, 8, 63, 64, 65, 128, 129, 300]) {
      const all = rows(n);
      const doc = {
        top: streamed(twice(all)),
        nested: { deeper: [{ rows: streamed(twice(all)), after: 1 }], tail: streamed(twice(all)) },
      };
      const whole = { top: all, nested: { deeper: [{ rows: all, after: 1 }], tail: all } };
      expect(jsonText(doc), `${n} elements`).toBe(JSON.stringify(whole, null, 2));
      expect(jsonText(streamed(twice(all))), `${n} elements at the top`).toBe(JSON.stringify(all, null, 2));
    }
  });

  it('writes many small elements to a piece', () => {
    const pieces = [...jsonChunks({ rows: streamed(twice(Array.from({ length: 1_000 }, (_, i) => ({ i })))) })];
    expect(pieces.length).toBeLessThan(100);
  });

  it('sizes batches by their text: elements of 100 KB are written one a piece', () => {
    const big = Array.from({ length: 30 }, (_, i) => ({ i, text: 'x'.repeat(100_000) }));
    const pieces = [...jsonChunks({ findings: streamed(twice(big)) })];
    expect(pieces.join('')).toBe(JSON.stringify({ findings: big }, null, 2));
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(100_100);
  });
});
