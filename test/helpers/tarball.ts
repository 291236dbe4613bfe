/** Gzipped tarballs built in memory, shaped like GitHub's repository archives (one top folder). */
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';

export type TarEntry =
  | { name: string; content: string | Buffer }
  | { name: string; symlinkTo: string }
  | { name: string; directory: true };

/** Entries are named as they should appear in the archive; `top` (GitHub's `owner-repo-sha/`) is put in front unless null. */
export async function makeTarball(entries: TarEntry[], top: string | null = 'octo-app-0123abc/'): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise<void>((resolve, reject) => {
    p.on('end', resolve);
    p.on('error', reject);
  });
  for (const e of entries) {
    const name = `${top ?? ''}${e.name}`;
    if ('content' in e) p.entry({ name }, typeof e.content === 'string' ? Buffer.from(e.content) : e.content);
    else if ('symlinkTo' in e) p.entry({ name, type: 'symlink', linkname: e.symlinkTo });
    else p.entry({ name, type: 'directory' });
  }
  p.finalize();
  await ended;
  return gzipSync(Buffer.concat(chunks));
}

/** A tree as a GitHub archive: `files` by path under the top folder. */
export function tarballOf(files: Record<string, string | Buffer>): Promise<Buffer> {
  return makeTarball(Object.entries(files).map(([name, content]) => ({ name, content })));
}
