/**
 * `depwatch scan --history` runs git (log and cat-file); without it the history part is partial
 * (`git-missing`). The image ships git in its runtime stage, as it ships the chart's font: no
 * recommended packages, apt's lists removed, installed as root before the image drops to uid 1000.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
/** The Dockerfile's stages, `FROM` cut off, continued lines joined; the last is the image that is shipped. */
const stages = (): string[] => readFileSync(join(ROOT, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ').split(/^FROM /m).slice(1);
const installs = (stage: string): string[] => stage.split('\n').filter((line) => /^RUN .*apt-get install/.test(line));

describe('the container image', () => {
  it('installs git for scan --history in the runtime stage, without recommends, apt lists removed, before it drops to uid 1000', () => {
    const runtime = stages().at(-1)!;
    const install = installs(runtime).find((line) => /\bgit\b/.test(line.replace(/#.*/, '')));
    expect(install).toMatch(/apt-get install -y --no-install-recommends (\S+ )*git( |$)/);
    expect(install).toMatch(/rm -rf \/var\/lib\/apt\/lists\/\*/);
    expect(runtime.indexOf(install!)).toBeLessThan(runtime.indexOf('USER 1000:1000'));
  });

  it('installs git nowhere else: the build stages do not need it', () => {
    for (const stage of stages().slice(0, -1)) for (const line of installs(stage)) expect(line).not.toMatch(/ git( |$)/);
  });
});
