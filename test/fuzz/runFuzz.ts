/**
 * `npm run fuzz`: the report fuzz property with a large budget, then the big-file checks too slow for the unit suite:
 * a 200 MB file is refused unread, and a file just under the size limit is read, with time and peak memory of each
 * (measured in a fresh child process, measureLoad.js, so one measurement does not inflate the next).
 *
 *   node out/test/fuzz/runFuzz.js [--budget 20000] [--seed 20260808] [--no-big-files] [--no-shrink]
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_MAX_REPORT_BYTES } from '../../src/core/report/reportLoader';
import { reportText, userLine } from '../unit/report/reportText';
import { FUZZ_SEED, runReportFuzz } from './reportFuzz';

async function writeReport(file: string, targetBytes: number): Promise<number> {
  const out = createWriteStream(file);
  let written = 0;
  let rows = 0;
  const write = (text: string) => new Promise<void>((resolve) => (out.write(text) ? resolve() : out.once('drain', resolve)));
  await write(reportText().trimEnd() + '\n');
  for (;;) {
    const line = `${userLine({ user: `user${rows}`, arn: `arn:aws:iam::111122223333:user/user${rows}` })}\n`;
    if (written + line.length > targetBytes) break;
    await write(line);
    written += line.length;
    rows++;
  }
  await new Promise<void>((resolve) => out.end(resolve));
  return rows;
}

async function bigFiles(): Promise<void> {
  const directory = mkdtempSync(join(tmpdir(), 'credcheck-bigfiles-'));
  try {
    for (const [name, bytes] of [['200MB', 200 * 1024 * 1024], ['at-limit', DEFAULT_MAX_REPORT_BYTES - 4096]] as const) {
      const file = join(directory, `${name}.csv`);
      const rows = await writeReport(file, bytes);
      const output = execFileSync(process.execPath, [join(__dirname, 'measureLoad.js'), file], { encoding: 'utf8', maxBuffer: 1 << 20 });
      const result = JSON.parse(output) as { ms: number; users: number; problems: string[]; baselineRssMb: number; peakRssMb: number };
      const size = (statSync(file).size / 1048576).toFixed(1);
      console.log(`big file ${name}: ${size} MB, ${rows} rows -> ${result.users} users in ${result.ms} ms, peak RSS ${result.peakRssMb} MB (${result.baselineRssMb} MB before loading); ${result.problems.join(' | ') || 'no problems'}`);
      if (name === '200MB' && !result.problems.some((p) => p.startsWith('too-large'))) throw new Error('the 200 MB file was not refused');
      if (name === 'at-limit' && result.users !== rows) throw new Error(`read ${result.users} of ${rows} users`);
      rmSync(file);
    }
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { budget: { type: 'string' }, seed: { type: 'string' }, 'no-big-files': { type: 'boolean' }, 'no-shrink': { type: 'boolean' } },
  });
  const budget = Number(values.budget ?? 20000);
  const seed = Number(values.seed ?? FUZZ_SEED);
  const started = Date.now();
  const statistics = await runReportFuzz(budget, seed, {
    shrink: !values['no-shrink'],
    onCase: ({ cases }) => {
      if (cases % 1000 === 0) console.log(`  ${cases} cases, ${((Date.now() - started) / 1000).toFixed(0)} s`);
    },
  });
  console.log(
    `fuzz: ${statistics.cases} cases (seed ${seed}) in ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
      `${statistics.rowsChecked} untouched rows re-checked, ${statistics.problems} report problems, ${statistics.findings} findings ` +
      `(${statistics.hostileUsers} with a hostile user name), every output format well-formed`,
  );
  if (!values['no-big-files']) await bigFiles();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  // fast-check keeps the property's own error (what failed, on which line) as the cause.
  if (error instanceof Error && error.cause instanceof Error) console.error(`caused by: ${error.cause.message}`);
  process.exitCode = 1;
});
