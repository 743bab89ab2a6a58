/**
 * Child process of `npm run fuzz`: loads one report file and prints what it cost, as JSON. Kept apart from the fuzz
 * runner so that its memory is the loader's alone, not that of the modules the fuzzer needs.
 */
import { readFileSync } from 'node:fs';
import { loadReport } from '../../src/core/report/reportLoader';

/**
 * This process's peak resident memory. VmHWM belongs to this process's own memory map; getrusage's maxRSS survives
 * exec on Linux and would report the parent's peak instead.
 */
function peakRssMb(): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Math.round(Number(match[1]) / 1024);
  } catch {
    // Not Linux: fall back to getrusage.
  }
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

async function measure(file: string): Promise<void> {
  const baselineMb = peakRssMb();
  const started = Date.now();
  const { report, input } = await loadReport(file, new Date('2024-06-01T00:00:00Z'));
  const result = {
    ms: Date.now() - started,
    users: input?.users.length ?? 0,
    problems: report.problems.slice(0, 3).map((p) => `${p.code}: ${p.message}`),
    baselineRssMb: baselineMb,
    peakRssMb: peakRssMb(),
  };
  process.stdout.write(JSON.stringify(result));
}

void measure(process.argv[2]!);
