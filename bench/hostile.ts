/**
 * Parsers on hostile input: for each format, the slowest of its hostile-line shapes (the runs of
 * test/fixtures/hostile.ts) at 10,000 and 100,000 characters, and the peak memory of the worst
 * 5 MB files (one child process per file, so each peak is its own).
 */
import { spawnSync } from 'node:child_process';
import { extractAs, FORMAT_TEMPLATES, FORMATS, RUN_UNITS, TEXT_PARSERS, TEXT_TEMPLATES, withRun } from '../test/fixtures/hostile.js';
import type { ManifestFormat } from '../src/python/types.js';
import { report } from './util.js';

const SIZES = [10_000, 100_000];

/** Best of five: the first runs pay for compilation and the collector. */
function bestMs(parse: (text: string) => unknown, text: string): number {
  let best = Infinity;
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    parse(text);
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

/** The slowest shape at each size, with its name. */
function slowest(parse: (text: string) => unknown, templates: Array<(r: string) => string>): Record<string, string | number> {
  const figures: Record<string, string | number> = {};
  for (const size of SIZES) {
    let worst = { ms: 0, shape: '' };
    templates.forEach((template, index) => {
      for (const unit of RUN_UNITS) {
        const ms = bestMs(parse, withRun(template, unit, size));
        if (ms > worst.ms) worst = { ms, shape: `#${index} ${JSON.stringify(unit)}` };
      }
    });
    figures[`${size / 1000}k`] = `${worst.ms.toFixed(1)} ms`;
    figures[`${size / 1000}k worst`] = worst.shape;
  }
  return figures;
}

/** 5 MB of the shapes that cost the most memory before the limits: many tiny entries, deep nesting. */
const MB5 = 5 * 1024 * 1024 - 64;
const fill = (unit: string, head = '', tail = '') => head + unit.repeat(Math.floor((MB5 - head.length - tail.length) / unit.length)) + tail;
export const WORST_5MB: Record<string, [ManifestFormat, () => string]> = {
  'requirements: 2.6M one-letter lines': ['requirements', () => fill('a\n')],
  'requirements: 2.6M bad lines': ['requirements', () => fill(';\n')],
  'requirements: 1M includes': ['requirements', () => fill('-r b\n')],
  'requirements: one 5 MB marker': ['requirements', () => fill('a', 'x==1 ; python_version == "', '"')],
  'uv.lock: minimal packages': ['uv-lock', () => fill('[[package]]\nname="a"\nversion="1"\n')],
  'poetry.lock: a 5 MB dotted key': ['poetry-lock', () => fill('a.', '[[package]]\nname="a"\nversion="1"\nx.', 'a = 1\n')],
  'Pipfile.lock: 5M nested arrays': ['pipfile-lock', () => fill('[')],
  'Pipfile.lock: minimal entries': ['pipfile-lock', () => `{"default": {${Array.from({ length: 190_000 }, (_, i) => `"a${i}":{"version":"==1"}`).join(',')}}}`],
};

/** In a child: parse one worst-case file and print its peak RSS. */
async function measureOne(name: string): Promise<void> {
  const [format, make] = WORST_5MB[name]!;
  const text = make();
  const started = performance.now();
  const result = extractAs(format, text);
  const ms = performance.now() - started;
  process.stdout.write(JSON.stringify({ ms, entries: result.dependencies.length, errors: result.errors.length, rssMb: process.resourceUsage().maxRSS / 1024 }));
}

export async function benchHostile(): Promise<void> {
  const child = process.env['DEPWATCH_BENCH_WORST'];
  if (child !== undefined) return measureOne(child);

  for (const format of FORMATS) {
    report(`hostile lines: ${format}`, slowest((text) => extractAs(format, text), FORMAT_TEMPLATES[format]), 'linear, under 50 ms at 100k');
  }
  for (const [name, parse] of Object.entries(TEXT_PARSERS)) {
    report(`hostile lines: ${name}`, slowest(parse, TEXT_TEMPLATES[name]!), 'linear, under 50 ms at 100k');
  }
  let peak = 0;
  for (const name of Object.keys(WORST_5MB)) {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/one.ts', 'hostile'], {
      env: { ...process.env, DEPWATCH_BENCH_WORST: name },
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
    if (run.status !== 0) throw new Error(`${name}: ${run.stderr}`);
    const figures = JSON.parse(run.stdout) as { ms: number; entries: number; errors: number; rssMb: number };
    peak = Math.max(peak, figures.rssMb);
    report(`5 MB: ${name}`, { parse: `${figures.ms.toFixed(0)} ms`, entries: figures.entries, errors: figures.errors, 'peak RSS': `${figures.rssMb.toFixed(0)} MB` });
  }
  report('5 MB: worst peak RSS (parse, tsx loader included)', { 'peak RSS': `${peak.toFixed(0)} MB` }, 'under 300 MB');
}
