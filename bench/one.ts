/**
 * Runs one benchmark by name in this process (bench/run.ts gives each its own process). Only the
 * chosen benchmark's module is loaded: the others' imports (fakes, Slack, fixtures) would otherwise
 * sit in this process's memory and count in its peak RSS.
 */
export const BENCHES: Record<string, () => Promise<unknown>> = {
  deps: async () => (await import('./deps.js')).benchDeps(),
  advisories: async () => (await import('./advisories.js')).benchAdvisories(),
  'slack-audit': async () => (await import('./slack-audit.js')).benchSlackAudit(),
  'slack-acks': async () => (await import('./slack-acks.js')).benchSlackAcks(),
  sweep: async () => (await import('./sweep.js')).benchSweep(),
  'sweep-replicas': async () => (await import('./sweep-replicas.js')).benchSweepReplicas(),
  packages: async () => (await import('./packages.js')).benchPackages(),
  scan: async () => (await import('./scan.js')).benchScan(),
  'scan-history': async () => (await import('./scan-history.js')).benchScanHistory(),
  'scan-tarball': async () => (await import('./scan-tarball.js')).benchScanTarball(),
  hostile: async () => (await import('./hostile.js')).benchHostile(),
  speed: async () => (await import('./speed.js')).benchSpeed(),
  monorepo: async () => (await import('./monorepo.js')).benchMonorepo(),
  report: async () => (await import('./report.js')).benchReport(),
};

const name = process.argv[2] ?? '';
const bench = BENCHES[name];
if (!bench) {
  process.stderr.write(`unknown benchmark "${name}" (${Object.keys(BENCHES).join(', ')})\n`);
  process.exitCode = 2;
} else {
  await bench();
}
