/**
 * The CLI's own process tiers up later (src/cli.ts, tierUpLater): its runs are too short for most
 * TurboFan compilations to pay off. Only `main`, the process entry, asks V8 for it; `runCli`, which
 * tests and anything in-process run, leaves V8's settings alone.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';

vi.mock('node:v8', async (original) => ({ ...(await original<typeof import('node:v8')>()), setFlagsFromString: vi.fn() }));

const { setFlagsFromString } = await import('node:v8');
const { main, SHORT_RUN_INTERRUPT_BUDGET, shortRunTieringFlag } = await import('../../src/cli.js');
const { inProcessCli } = await import('../helpers/cli-in-process.js');


describe('V8 tiering of a command-line run', () => {
  afterEach(() => {
    vi.mocked(setFlagsFromString).mockClear();
    process.exitCode = undefined;
  });

  it('the process entry raises the interrupt budget before it runs the command', async () => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      await main(['--version']);
    } finally {
      write.mockRestore();
    }
    expect(setFlagsFromString).toHaveBeenCalledWith(`--interrupt-budget=${SHORT_RUN_INTERRUPT_BUDGET}`);
    expect(SHORT_RUN_INTERRUPT_BUDGET).toBeGreaterThan(67_584);
  });

  it('is asked only of the V8 it was measured on (Node 20\'s 11.x): a flag V8 lacks prints "unrecognized flag" on stderr', () => {
    expect(shortRunTieringFlag('11.3.244.8-node.38')).toBe(`--interrupt-budget=${SHORT_RUN_INTERRUPT_BUDGET}`);
    expect(shortRunTieringFlag('12.4.254.21-node.33')).toBeNull();
    expect(shortRunTieringFlag('13.6.233.10-node.20')).toBeNull();
  });

  it('a command run in-process leaves V8 as it is', async () => {
    const cli = inProcessCli();
    expect(await cli.run('--version')).toBe(0);
    expect(cli.out.stdout).not.toBe('');
    expect(setFlagsFromString).not.toHaveBeenCalled();
  });
});
