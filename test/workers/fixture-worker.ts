/**
 * A worker entry for the pool's own tests: tasks that echo, ask the main thread, fail, spin, or
 * allocate without end. The application's tasks are in src/workers/entry.ts.
 */
import { threadId } from 'node:worker_threads';
import { serveTasks, type TaskContext } from '../../src/workers/serve.js';

class OwnError extends Error {
  override name = 'OwnError';
}

serveTasks({
  echo: (input: unknown) => ({ input, threadId }),
  ask: async (input: { n: number }, context: TaskContext) => {
    const doubled = await context.call<number>('double', input.n);
    try {
      await context.call('fail', 'why');
      return { doubled, caught: null };
    } catch (err) {
      return { doubled, caught: { name: (err as Error).name, message: (err as Error).message, stackLines: ((err as Error).stack ?? '').split('\n').length } };
    }
  },
  /** Waits for the main thread to say go (another job finishing first proves the worker was free). */
  wait: async (_input: unknown, context: TaskContext) => context.call<string>('go'),
  throw: () => {
    throw new OwnError('a line for people\nand a second line');
  },
  spin: (input: { ms: number | null }) => {
    const until = input.ms === null ? Infinity : Date.now() + input.ms;
    let n = 0;
    while (Date.now() < until) n++;
    return n > 0;
  },
  allocate: () => {
    const hoard: string[][] = [];
    for (;;) hoard.push(Array.from({ length: 100_000 }, (_, i) => `item ${i} ${hoard.length}`));
  },
  uncloneable: () => ({ fn: () => 1 }),
});
