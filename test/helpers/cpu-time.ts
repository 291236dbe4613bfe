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

/**
 * A stopwatch in CPU time for the tests that bound how long some work takes: started now, it
 * answers the process's CPU milliseconds since. Wall time would also count the minutes a loaded
 * CI machine gives to other test files.
 */
export function cpuStopwatch(): () => number {
  const start = process.cpuUsage();
  return () => {
    const spent = process.cpuUsage(start);
    return (spent.user + spent.system) / 1000;
  };
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

/** The least CPU times seen so far for the same work on a small input and on a large one. */
export interface BestPair {
  smallMs: number;
  largeMs: number;
}

/**
 * bestCpuMs for the same work on a small and a large input, measured turn about: each round runs
 * the large input once, then the small one for about a tenth as long (1 to 10 runs), so a burst of
 * other work (another process, or this one's compiler and collector threads, which process CPU
 * time counts) falls on both sides alike instead of on one side's whole window. At least two
 * rounds, then more while `budgetMs` lasts (at most 20). `best` carries the minimums over from an
 * earlier call: more measurements only bring each side nearer its undisturbed cost. A cheap small
 * side needs many runs: 0.4 ms read as 2 ms once, times the allowed growth, hides a quadratic.
 */
export function bestCpuMsTurnAbout(small: () => void, large: () => void, budgetMs: number, best: BestPair = { smallMs: Infinity, largeMs: Infinity }): BestPair {
  let spent = 0;
  for (let rounds = 0; rounds < 2 || (spent < budgetMs && rounds < 20); rounds++) {
    const largeMs = cpuMs(large);
    best.largeMs = Math.min(best.largeMs, largeMs);
    let smallSpent = 0;
    for (let runs = 0; runs < 1 || (smallSpent < largeMs / 10 && runs < 10); runs++) {
      const smallMs = cpuMs(small);
      best.smallMs = Math.min(best.smallMs, smallMs);
      smallSpent += smallMs;
    }
    spent += largeMs + smallSpent;
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
