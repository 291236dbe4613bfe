/**
 * CPU time of this process, for the tests that compare how work grows with input size. Wall time
 * counts every other process on a loaded two-core CI machine (and other test files running beside
 * this one); CPU time counts only ours, so a 10k-versus-100k comparison measures the parser, not
 * the neighbours.
 */
export function cpuMs(run: () => void): number {
  const before = process.cpuUsage();
  run();
  const spent = process.cpuUsage(before);
  return (spent.user + spent.system) / 1000;
}

/** The least disturbed of several measurements: at least two, then more while `budgetMs` lasts (at most 20). */
export function bestCpuMs(run: () => void, budgetMs: number): number {
  let best = Infinity;
  let spent = 0;
  for (let runs = 0; runs < 2 || (spent < budgetMs && runs < 20); runs++) {
    const elapsed = cpuMs(run);
    best = Math.min(best, elapsed);
    spent += elapsed;
  }
  return best;
}

/** CPU time of an asynchronous piece of work (nothing else of ours should run meanwhile). */
export async function cpuMsAsync(run: () => Promise<unknown>): Promise<number> {
  const before = process.cpuUsage();
  await run();
  const spent = process.cpuUsage(before);
  return (spent.user + spent.system) / 1000;
}

/** bestCpuMs for asynchronous work. */
export async function bestCpuMsAsync(run: () => Promise<unknown>, budgetMs: number): Promise<number> {
  let best = Infinity;
  let spent = 0;
  for (let runs = 0; runs < 2 || (spent < budgetMs && runs < 20); runs++) {
    const elapsed = await cpuMsAsync(run);
    best = Math.min(best, elapsed);
    spent += elapsed;
  }
  return best;
}
