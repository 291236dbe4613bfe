/**
 * Messages between a WorkerPool (main thread) and serveTasks (worker thread). Everything that crosses
 * is structured-clone data: plain objects, arrays, strings, numbers, Maps, Sets, Dates. No functions,
 * no class instances (they arrive as plain objects), no errors (they cross as WireError, without a
 * stack: a stack trace must never reach Slack, logs or the database).
 */

/** An error as it crosses the boundary: the name and the first line of the message, nothing else. */
export interface WireError {
  name: string;
  message: string;
}

/** Main → worker: run `task` on `input` (job ids are the pool's, unique per worker). */
export interface JobMessage {
  type: 'job';
  job: number;
  task: string;
  input: unknown;
}

/** Main → worker: the answer to a call the worker made for a job. */
export type ReplyMessage = { type: 'reply'; call: number; ok: true; value: unknown } | { type: 'reply'; call: number; ok: false; error: WireError };

export type ToWorker = JobMessage | ReplyMessage;

/**
 * Worker → main: the job needs something only the main thread has (I/O: the network, SQLite),
 * handled by the job's handler named `method`. The job waits; the worker runs other jobs meanwhile.
 */
export interface CallMessage {
  type: 'call';
  job: number;
  call: number;
  method: string;
  arg: unknown;
}

/** Worker → main: the job's result or failure. */
export type DoneMessage = { type: 'done'; job: number; ok: true; value: unknown } | { type: 'done'; job: number; ok: false; error: WireError };

export type FromWorker = CallMessage | DoneMessage;

// Not errorLine (src/error-line.ts): whatever a task throws crosses to the main thread as one bounded line, a non-Error's text cut too.
export function toWireError(err: unknown): WireError {
  if (err instanceof Error) return { name: err.name, message: err.message.split('\n')[0]!.slice(0, 1000) };
  return { name: 'Error', message: String(err).split('\n')[0]!.slice(0, 1000) };
}

/** A WireError back as an Error of the same name and message (no stack from the other side). */
export function fromWireError(wire: WireError): Error {
  const err = new Error(wire.message);
  err.name = wire.name;
  err.stack = `${wire.name}: ${wire.message}`;
  return err;
}
