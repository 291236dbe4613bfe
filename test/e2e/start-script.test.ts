/**
 * `npm start` (bin/start.js) runs the built code as it is when the build is current, builds first
 * when the sources changed since, and stops with one clear line when it cannot build. Checked on a
 * tiny project laid out like this one (bin/, src/, tsconfig files, dist/), so each build takes a
 * second rather than a minute; TypeScript comes from this checkout's node_modules.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const dirs: string[] = [];

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function project(options: { typescript?: boolean } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'depwatch-start-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'src'));
  for (const file of ['start.js', 'build.js', 'build-state.js']) cpSync(join(ROOT, 'bin', file), join(dir, 'bin', file));
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, types: [], skipLibCheck: true }, include: ['src'] }),
  );
  writeFileSync(join(dir, 'tsconfig.build.json'), JSON.stringify({ extends: './tsconfig.json', compilerOptions: { rootDir: 'src', outDir: 'dist' }, include: ['src'] }));
  writeFileSync(join(dir, 'src', 'main.ts'), "import { word } from './word.js';\nconsole.log(`listening on ${word}`);\n");
  writeFileSync(join(dir, 'src', 'word.ts'), "export const word: string = 'one';\n");
  if (options.typescript !== false) symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

function start(dir: string) {
  const result = spawnSync(process.execPath, [join(dir, 'bin', 'start.js')], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, built: result.stderr.includes('building first') };
}

/** Moves a file's modification time `seconds` into the past or future. */
function age(path: string, seconds: number): void {
  const at = new Date(Date.now() + seconds * 1000);
  utimesSync(path, at, at);
}

describe('npm start (bin/start.js)', () => {
  it('is what `npm start` runs, and what `npm run build` (hence `npm ci`) records', () => {
    const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(scripts.start).toBe('node bin/start.js');
    expect(scripts.build).toBe('node bin/build.js');
    expect(scripts.prepare).toBe('node bin/build.js --if-stale');
    expect(scripts.bench).toMatch(/^node bin\/build\.js --if-stale && /);
  });

  it("npm's prepare (npm ci, and npx linking the checkout on its first run) builds a missing or stale dist/ and leaves a current one alone", () => {
    // npx in the checkout links it into its cache and runs prepare: a whole second build (over a
    // minute on a CI runner) before the first `npx depwatch` answered, though npm ci had just built.
    const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    const dir = project();
    const prepare = () => spawnSync('sh', ['-c', scripts.prepare!], { cwd: dir, encoding: 'utf8', timeout: 120_000 }).status;
    const builtAt = () => statSync(join(dir, 'dist', 'main.js')).mtimeMs;

    expect(prepare()).toBe(0);
    const first = builtAt();
    expect(prepare()).toBe(0);
    expect(builtAt()).toBe(first); // current: not built again

    writeFileSync(join(dir, 'src', 'word.ts'), "export const word: string = 'two';\n");
    age(join(dir, 'src', 'word.ts'), 5);
    expect(prepare()).toBe(0);
    expect(readFileSync(join(dir, 'dist', 'word.js'), 'utf8')).toContain("'two'");
  }, 120_000);

  it('builds once, then runs the built code without building again', () => {
    const dir = project();
    const first = start(dir);
    expect(first).toMatchObject({ status: 0, built: true });
    expect(first.stderr).toContain('dist/ has no record of a finished build');
    expect(first.stdout).toBe('listening on one\n');

    const again = start(dir);
    expect(again).toMatchObject({ status: 0, built: false, stdout: 'listening on one\n', stderr: '' });
  }, 120_000);

  it('rebuilds when a source changed, or a file was added, since the build', () => {
    const dir = project();
    expect(start(dir).built).toBe(true);

    writeFileSync(join(dir, 'src', 'word.ts'), "export const word: string = 'two';\n");
    age(join(dir, 'src', 'word.ts'), 5);
    const changed = start(dir);
    expect(changed).toMatchObject({ status: 0, built: true, stdout: 'listening on two\n' });
    expect(changed.stderr).toContain('sources changed since the last build');

    // A file copied in with an old timestamp (cp -p, an archive) is still a change.
    writeFileSync(join(dir, 'src', 'extra.ts'), 'export const extra = 1;\n');
    age(join(dir, 'src', 'extra.ts'), -3600);
    const added = start(dir);
    expect(added).toMatchObject({ status: 0, built: true });
    expect(added.stderr).toContain('source files were added or removed');
    expect(start(dir).built).toBe(false);
  }, 120_000);

  it('refuses to run stale code when the build fails, and says why in one line', () => {
    const dir = project();
    expect(start(dir).status).toBe(0);
    writeFileSync(join(dir, 'src', 'word.ts'), 'export const word: string = 2;\n');
    age(join(dir, 'src', 'word.ts'), 5);
    const failed = start(dir);
    expect(failed.status).toBe(2);
    expect(failed.stdout).not.toContain('listening');
    expect(failed.stderr).toContain('depwatch: the build failed (errors above); fix them and run `npm start` again.');
    // Still stale: the next start tries again instead of trusting what tsc emitted.
    expect(start(dir)).toMatchObject({ status: 2, built: true });
  }, 120_000);

  it('npm run bench builds only when stale (bin/build.js --if-stale)', () => {
    const dir = project();
    const buildIfStale = () => spawnSync(process.execPath, [join(dir, 'bin', 'build.js'), '--if-stale'], { cwd: dir, encoding: 'utf8', timeout: 120_000 }).status;
    const builtAt = () => (JSON.parse(readFileSync(join(dir, 'dist', '.build-state.json'), 'utf8')) as { builtAt: string }).builtAt;
    expect(buildIfStale()).toBe(0);
    const first = builtAt();
    expect(buildIfStale()).toBe(0);
    expect(builtAt()).toBe(first);
    age(join(dir, 'src', 'word.ts'), 5);
    expect(buildIfStale()).toBe(0);
    expect(builtAt()).not.toBe(first);
  }, 120_000);

  it('without TypeScript, runs a current build but refuses a stale one with a clear message', () => {
    const dir = project();
    expect(start(dir).status).toBe(0);
    rmSync(join(dir, 'node_modules'));
    expect(start(dir)).toMatchObject({ status: 0, built: false, stdout: 'listening on one\n' });

    age(join(dir, 'src', 'main.ts'), 5);
    const stale = start(dir);
    expect(stale.status).toBe(2);
    expect(stale.stdout).toBe('');
    expect(stale.stderr).toContain('depwatch: cannot build: TypeScript is not installed. Run `npm ci` (it builds)');
  }, 120_000);
});
