import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
/** The COPY lines of the Dockerfile's last stage, the image that is shipped. */
function runtimeCopies(): { from: string; to: string }[] {
  const stages = readFileSync(join(ROOT, 'Dockerfile'), 'utf8').split(/^FROM /m);
  return [...stages.at(-1)!.matchAll(/^COPY (?!--from)(\S+) (\S+)$/gm)].map((m) => ({ from: m[1]!, to: m[2]! }));
}

describe('the container image', () => {
  it("carries Depwatch's licence and the attribution of the data set it ships", () => {
    const copies = runtimeCopies();
    expect(copies).toContainEqual({ from: 'LICENSE', to: './' });
    expect(copies).toContainEqual({ from: 'src/packages/typosquat/LICENSE-warehouse.txt', to: './dist/packages/typosquat/LICENSE-warehouse.txt' });
    for (const { from } of copies) expect(existsSync(join(ROOT, from)), from).toBe(true);
    expect(readFileSync(join(ROOT, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
  });

  it('is given every file it copies (none is kept out by .dockerignore)', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#') && !l.startsWith('!'));
    for (const { from } of runtimeCopies()) expect(ignored.some((pattern) => from === pattern || from.startsWith(`${pattern}/`)), from).toBe(false);
  });
});
