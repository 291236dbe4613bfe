import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
/** The Dockerfile's last stage, the image that is shipped, its continued lines joined. */
const runtimeStage = (): string => readFileSync(join(ROOT, 'Dockerfile'), 'utf8').split(/^FROM /m).at(-1)!.replace(/\\\n/g, ' ');

describe('the container image', () => {
  it('installs a font for the monthly chart’s text (canvas draws with system fonts only), without recommends, as root', () => {
    const stage = runtimeStage();
    const install = stage.split('\n').find((line) => /^RUN .*apt-get install/.test(line));
    expect(install).toMatch(/apt-get install -y --no-install-recommends fonts-dejavu-core\b/);
    expect(install).toMatch(/rm -rf \/var\/lib\/apt\/lists/);
    expect(stage.indexOf(install!)).toBeLessThan(stage.indexOf('USER 1000:1000'));
  });
});
