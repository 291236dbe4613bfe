/**
 * Child of bench/report.ts: writes the JSON report of N made-up vulnerability findings (about 1.3 KB
 * of JSON each, one vulnerable package per three) to stdout from compiled code (dist/), through the
 * CLI's own writer, and prints on stderr how long that took and the process's peak RSS.
 * Run: `npm run build && node bench/report-writer.mjs 100000 | wc -c`.
 */
import { writeChunks, processIO } from '../dist/cli/io.js';
import { renderJsonChunks } from '../dist/report/json.js';

const count = Number(process.argv[2] ?? 100_000);
const SEVERITIES = ['critical', 'high', 'medium', 'low', 'unknown'];

function finding(i) {
  const pkg = `package-${Math.floor(i / 3)}`;
  const line = 1 + (Math.floor(i / 3) % 400);
  return {
    kind: 'vulnerability',
    severity: SEVERITIES[i % SEVERITIES.length],
    package: pkg,
    version: '1.4.2',
    file: 'requirements/base.txt',
    line,
    id: `PYSEC-2024-${i}`,
    aliases: [`CVE-2024-${10_000 + i}`, `GHSA-${i.toString(36).padStart(4, 'x')}-abcd-efgh`],
    summary: `${pkg} before 1.5.0 lets a crafted request read files outside the upload directory (advisory ${i}) … “quoted”`,
    cvss: (i % 100) / 10,
    severityFrom: `CVE-2024-${10_000 + i}`,
    fixedVersions: ['1.5.0', '2.0.1'],
    locations: [
      { file: 'requirements/base.txt', line, role: 'pin', specifier: '==1.4.2' },
      { file: 'requirements/lock.txt', line: line + 7, role: 'lock' },
    ],
    fix: { version: '1.5.0', text: `Upgrade ${pkg} to 1.5.0 or later: set \`${pkg}==1.5.0\` in requirements/base.txt:${line}.` },
  };
}

const findings = Array.from({ length: count }, (_, i) => finding(i));
const result = { target: 'bench', dependencies: [], findings, ignored: [], notes: [], errors: [], warnings: [], notices: [], partial: false, advisorySource: 'mirror', advisoryData: null, code: null };
const rssBefore = process.memoryUsage().rss;
const cpuBefore = process.cpuUsage();
const start = performance.now();
await writeChunks(processIO(), renderJsonChunks(result, {}));
const wallMs = performance.now() - start;
const cpu = process.cpuUsage(cpuBefore);
const mb = (bytes) => Math.round(bytes / 2 ** 20);
process.stderr.write(`${JSON.stringify({ wallMs, cpuMs: (cpu.user + cpu.system) / 1000, rssBeforeMb: mb(rssBefore), peakRssMb: mb(process.resourceUsage().maxRSS * 1024) })}\n`);
