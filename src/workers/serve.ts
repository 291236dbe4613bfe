/**
 * The worker-thread side of a WorkerPool: runs the tasks of a fixed table (never a module named by its
 * input) and lets them ask the main thread for what needs I/O through `call`. Several jobs may be in
 * progress at once: while one waits for an answer from the main thread, another computes.
 */
import { parentPort } from 'node:worker_threads';
import { fromWireError, toWireError, type FromWorker, type ToWorker } from './protocol.js';

/** What a task gets besides its input: a way to ask the main thread (see JobHandlers in pool.ts). */
export interface TaskContext {
  call<T = unknown>(method: string, arg?: unknown): Promise<T>;
}

export type Task = (input: never, context: TaskContext) => unknown;

/** Serves `tasks` on this worker's parent port. Call once, from a worker entry module. */
export function serveTasks(tasks: Record<string, Task>): void {
  const port = parentPort;
  if (!port) throw new Error('serveTasks runs in a worker thread');
  const waiting = new Map<number, { resolve: (value: unknown) => void; reject: (err: Error) => void }>();
  let nextCall = 0;
  const post = (message: FromWorker) => port.postMessage(message);

  port.on('message', (message: ToWorker) => {
    if (message.type === 'reply') {
      const pending = waiting.get(message.call);
      if (!pending) return;
      waiting.delete(message.call);
      if (message.ok) pending.resolve(message.value);
      else pending.reject(fromWireError(message.error));
      return;
    }
    const { job, task, input } = message;
    const context: TaskContext = {
      call: <T>(method: string, arg?: unknown) =>
        new Promise<T>((resolve, reject) => {
          const call = ++nextCall;
          waiting.set(call, { resolve: resolve as (value: unknown) => void, reject });
          post({ type: 'call', job, call, method, arg });
        }),
    };
    // Own keys only: a task name is data, and must not reach Object.prototype.
    const run = Object.hasOwn(tasks, task) ? tasks[task] : undefined;
    void (async () => {
      if (!run) throw new Error(`unknown worker task "${task}"`);
      return run(input as never, context);
    })().then(
      (value) => {
        try {
          post({ type: 'done', job, ok: true, value });
        } catch (err) {
          // A result that cannot be cloned (a function, a class with private state) is a bug in the task.
          post({ type: 'done', job, ok: false, error: toWireError(err) });
        }
      },
      (err: unknown) => post({ type: 'done', job, ok: false, error: toWireError(err) }),
    );
  });
}
