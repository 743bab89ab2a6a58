// `npm run bench`: the performance figures of issue 7, with the machine they were measured on, and PASS/MISS per goal.
// Needs `npm run build` (dist/cli.js, dist/extension.js, dist/policies/, dist/compiler/, out/). The native OPA column
// needs .tools/bin/opa (v1.22.0, scripts/setup.sh) or `opa` on PATH; it is skipped, with a note, when absent.
//
// Usage: node bench/run.mjs [--quick] [--runs N] [--scale-limit SECONDS] [--only live]
//   --quick      fewer repetitions, no million-row run (for development)
//   --only live  only section 3 (live feedback and keystroke to findings)
// Every child process gets the same evaluation time (BENCH_NOW), so findings never depend on the day it runs.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_NOW, generateReport } from './syntheticReport.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const option = (name, fallback) => {
  const index = args.indexOf(name);
  return index >= 0 ? Number(args[index + 1]) : fallback;
};
const runs = option('--runs', quick ? 2 : 5);
const scaleLimitSeconds = option('--scale-limit', 180);
const onlyIndex = args.indexOf('--only');
const only = onlyIndex >= 0 ? args[onlyIndex + 1] : undefined;
if (only !== undefined && only !== 'live') {
  console.error(`bench: --only ${only}: the only section that runs alone is "live"`);
  process.exit(2);
}
const section = (name) => only === undefined || only === name;
const loadAverage = () => os.loadavg().map((l) => l.toFixed(1)).join(' ');
const SIZES = [50, 500, 5000];
const SCALE_REPORTS = 200;
const SCALE_USERS = 5000;
const SCALE_SEED = 7000;

const median = (values) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const ms = (value) => (Number.isFinite(value) ? (value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${value.toFixed(value < 10 ? 2 : 0)} ms`) : 'n/a');
const mib = (bytes) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const pad = (text, width) => String(text).padEnd(width);
const goals = [];
const goal = (name, pass, figure, note = '') => goals.push({ name, pass, figure, note });

// --- prerequisites and machine --------------------------------------------------------------------------------------
for (const file of ['dist/cli.js', 'dist/policies/bundle.wasm', 'dist/compiler/compiler.wasm', 'out/src/core/run/audit.js']) {
  if (!existsSync(join(root, file))) {
    console.error(`bench: ${file} is missing: run \`npm run build\` first`);
    process.exit(2);
  }
}
const opa = [join(root, '.tools/bin/opa')].find((path) => existsSync(path)) ?? (spawnSync('opa', ['version']).status === 0 ? 'opa' : undefined);
const opaVersion = opa ? /Version: (\S+)/.exec(execFileSync(opa, ['version'], { encoding: 'utf8' }))?.[1] : undefined;
const hyperfine = spawnSync('hyperfine', ['--version']).status === 0;
const timeBinary = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const cpus = os.cpus();
console.log('credcheck benchmarks (issue 7)');
console.log(`machine: ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB memory, ` +
  `Node ${process.version}, ${os.platform()} ${os.release()} ${os.arch()}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log(`native OPA: ${opa ? `${opa} (${opaVersion})` : 'not found: the opa columns are skipped (install with scripts/setup.sh)'}; ` +
  `hyperfine: ${hyperfine ? 'yes' : 'no (own loop)'}; mode: ${quick ? 'quick' : 'full'}, ${runs} runs per median; evaluation time ${BENCH_NOW}`);

// --- reports --------------------------------------------------------------------------------------------------------
const work = join(os.tmpdir(), 'credcheck-bench');
mkdirSync(work, { recursive: true });
const reports = (only === 'live' ? [5000] : SIZES).map((users) => {
  const file = join(work, `report-${users}.csv`);
  writeFileSync(file, generateReport(users, users));
  const inputFile = join(work, `report-${users}.json`);
  writeFileSync(inputFile, execFileSync(process.execPath, [join(root, 'bin/credcheck'), 'input', file, '--now', BENCH_NOW], { maxBuffer: 1 << 30 }));
  return { users, file, inputFile, bytes: statSync(file).size, inputBytes: statSync(inputFile).size };
});
console.log(`\nreports (seeded, ${work}): ${reports.map((r) => `${r.users} users = ${(r.bytes / 1e6).toFixed(2)} MB CSV, ${(r.inputBytes / 1e6).toFixed(1)} MB input JSON`).join('; ')}`);

const node = (script, scriptArgs, options = {}) => {
  const result = spawnSync(process.execPath, [join(root, 'bench', script), ...scriptArgs], { encoding: 'utf8', maxBuffer: 1 << 26, ...options });
  if (result.status !== 0) throw new Error(`bench/${script} failed (${result.status ?? result.signal}): ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').pop());
};

const wholeProcess = {};
let inProcess, activation, scale;
if (section('in-process')) {
// --- 1. in-process ----------------------------------------------------------------------------------------------------
console.log('\n1. in-process (one fresh process per size; median of warm runs, first run apart)');
console.log(`   ${pad('users', 7)}${pad('parse', 10)}${pad('normalise', 11)}${pad('evaluate', 11)}${pad('audit total', 13)}${pad('first audit', 13)}${pad('findings', 10)}${pad('peak RSS', 10)}peak heap`);
inProcess = {};
for (const report of reports) {
  const repetitions = report.users >= 5000 ? runs : runs * 3;
  const r = node('inProcessRun.mjs', [report.file, String(repetitions)]);
  inProcess[report.users] = r;
  console.log(`   ${pad(report.users, 7)}${pad(ms(median(r.phases.parse)), 10)}${pad(ms(median(r.phases.normalize)), 11)}${pad(ms(median(r.phases.evaluate)), 11)}` +
    `${pad(ms(median(r.phases.audit)), 13)}${pad(ms(r.first.audit), 13)}${pad(r.findings, 10)}${pad(mib(r.maxRssBytes), 10)}${mib(r.heapUsedPeakBytes)}`);
}
const big = inProcess[5000];
console.log(`   (${big.entrypoints} wasm entrypoints per report; "evaluate" = PolicyEngine.evaluate of every default check; "audit total" = auditReports: parse + normalise + evaluate + map + sort)`);
goal('all bundled checks on 5,000 users in-process <= 30 ms median', median(big.phases.evaluate) <= 30,
  `evaluate ${ms(median(big.phases.evaluate))}, whole audit ${ms(median(big.phases.audit))}`);

// --- 2. whole process: credcheck check vs opa eval --------------------------------------------------------------------
const policyDir = join(work, 'policies');
rmSync(policyDir, { recursive: true, force: true });
for (const dir of ['checks', 'lib']) {
  cpSync(join(root, 'policies', dir), join(policyDir, dir), {
    recursive: true,
    filter: (source) => !source.endsWith('_test.rego') && !source.split('/').includes('testing'),
  });
}
/** Wall time of a command (median over runs) and its peak RSS (max over runs, /usr/bin/time). */
const timeCommand = (command, commandArgs, repetitions) => {
  const walls = [];
  let peak = 0;
  for (let i = 0; i < repetitions; i++) {
    const started = performance.now();
    const result = timeBinary
      ? spawnSync(timeBinary, ['-f', '%M', command, ...commandArgs], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 26 })
      : spawnSync(command, commandArgs, { stdio: ['ignore', 'ignore', 'pipe'] });
    walls.push(performance.now() - started);
    if (result.status !== 0 && result.status !== 1) throw new Error(`${command} ${commandArgs.join(' ')} failed: ${result.stderr}`);
    if (timeBinary) peak = Math.max(peak, Number(result.stderr.trim().split('\n').pop()) * 1024);
  }
  return { wall: median(walls), peak };
};
console.log(`\n2. whole process, wall time (median of ${runs}) and peak RSS: credcheck check --format json vs opa eval (same policies, same input)`);
console.log(`   credcheck: node bin/credcheck check <report.csv> --format json --now ${BENCH_NOW}`);
console.log(`   opa:       opa eval -d ${policyDir} -i <report.json from credcheck input> -f json data.credcheck.checks`);
console.log(`   ${pad('users', 7)}${pad('credcheck', 22)}${pad('opa eval', 22)}credcheck / opa`);
for (const report of reports) {
  const credcheck = timeCommand(process.execPath, [join(root, 'bin/credcheck'), 'check', report.file, '--format', 'json', '--now', BENCH_NOW], runs);
  const native = opa ? timeCommand(opa, ['eval', '-d', policyDir, '-i', report.inputFile, '-f', 'json', 'data.credcheck.checks'], runs) : undefined;
  wholeProcess[report.users] = { credcheck, native };
  console.log(`   ${pad(report.users, 7)}${pad(`${ms(credcheck.wall)} (${mib(credcheck.peak)})`, 22)}${pad(native ? `${ms(native.wall)} (${mib(native.peak)})` : 'skipped (no opa)', 22)}` +
    `${native ? `${(credcheck.wall / native.wall).toFixed(2)}x` : ''}`);
}
const w = wholeProcess[5000];
if (w.native) goal('credcheck check on 5,000 users <= 1/2 the wall time of opa eval', w.credcheck.wall <= w.native.wall / 2,
  `${ms(w.credcheck.wall)} vs ${ms(w.native.wall)} = ${(w.credcheck.wall / w.native.wall).toFixed(2)}x (goal <= 0.50x)`);
else goal('credcheck check on 5,000 users <= 1/2 the wall time of opa eval', false, 'not measured: no native opa', 'skipped');
}

// --- 3. live feedback -------------------------------------------------------------------------------------------------
const changes = quick ? 5 : 20;
const bigReport = reports.find((report) => report.users === 5000);
console.log(`\n3. live feedback: a threshold edited in a small deny rule, new findings for the 5,000-user report (${changes} changes; load average ${loadAverage()})`);
const live = node('liveFeedbackRun.mjs', [bigReport.file, String(changes), ...(opa ? [opa] : [])]);
console.log(`   embedded compiler (warm) + evaluate: p50 ${ms(live.embedded.total.p50)}, p95 ${ms(live.embedded.total.p95)} ` +
  `(compile p50 ${ms(live.embedded.compile.p50)} p95 ${ms(live.embedded.compile.p95)}; isolated evaluate p50 ${ms(live.embedded.evaluate.p50)} p95 ${ms(live.embedded.evaluate.p95)})`);
if (live.native) {
  console.log(`   opa build -t wasm spawned + evaluate: p50 ${ms(live.native.total.p50)}, p95 ${ms(live.native.total.p95)} ` +
    `(opa build + unpack p50 ${ms(live.native.build.p50)}; evaluate p50 ${ms(live.native.evaluate.p50)}); ratio at p50 ${(live.native.total.p50 / live.embedded.total.p50).toFixed(2)}x in favour of embedded`);
}
if (live.native) {
  console.log(`   opa eval spawned per change on the saved input JSON (the workflow without an embedded engine): p50 ${ms(live.native.opaEval.p50)}, p95 ${ms(live.native.opaEval.p95)}; ` +
    `ratio at p50 ${(live.native.opaEval.p50 / live.embedded.total.p50).toFixed(2)}x in favour of embedded`);
}
console.log(`   as the extension runs it (auditReports with its AuditCache: the report's input and bundled findings reused, the edited policy compiled and evaluated, findings mapped): p50 ${ms(live.extensionAudit.p50)}, p95 ${ms(live.extensionAudit.p95)}`);
console.log(`   first compile (cold compiler in this process): ${ms(live.firstCompileMs)}; findings per change ${live.findingsPerChange.join('-')}`);
// Keystroke to findings (issue 13): the extension's debounce, then its whole path, on the sample and on 5,000 users.
const sampleLive = node('liveFeedbackRun.mjs', [join(root, 'samples/sample-credential-report.csv'), String(changes)]);
const keystrokeLine = (name, run) => {
  const k = run.keystroke;
  console.log(`   keystroke to findings, ${name} (${run.users} users): p50 ${ms(k.total.p50)}, p95 ${ms(k.total.p95)} = debounce ${k.debounceMs} ms ` +
    `(timer fired after p50 ${ms(k.debounce.p50)}) + watcher compile p50 ${ms(k.compile.p50)} p95 ${ms(k.compile.p95)} + audit (cached compile, evaluate, map) ` +
    `p50 ${ms(k.audit.p50)} p95 ${ms(k.audit.p95)}; load average ${run.loadAverage.before.map((l) => l.toFixed(1)).join(' ')} before, ${run.loadAverage.after.map((l) => l.toFixed(1)).join(' ')} after`);
};
keystrokeLine('bundled sample', sampleLive);
keystrokeLine('synthetic report', live);
goal('keystroke to findings on 5,000 users p95 < 300 ms (debounce included)', live.keystroke.total.p95 < 300,
  `p95 ${ms(live.keystroke.total.p95)} with the ${live.keystroke.debounceMs} ms debounce (sample: p95 ${ms(sampleLive.keystroke.total.p95)}); load average ${live.loadAverage.after[0].toFixed(1)}`);
goal('live feedback on 5,000 users p95 < 300 ms (no debounce)', live.embedded.total.p95 < 300, `compile + evaluate p95 ${ms(live.embedded.total.p95)} (whole audit as the extension runs it: p95 ${ms(live.extensionAudit.p95)})`);
if (live.native) goal('live feedback >= 3x faster than spawning opa build', live.native.total.p50 >= 3 * live.embedded.total.p50,
  `${(live.native.total.p50 / live.embedded.total.p50).toFixed(2)}x at p50 (${ms(live.embedded.total.p50)} vs ${ms(live.native.total.p50)})`);
else goal('live feedback >= 3x faster than spawning opa build', false, 'not measured: no native opa', 'skipped');

if (section('activation')) {
// --- 4. activation and the compiler's first load ---------------------------------------------------------------------
console.log('\n4. extension activation (dist/extension.js with a fake vscode module, fresh process each) and the compiler\'s first load');
if (existsSync(join(root, 'dist/extension.js'))) {
  const samples = Array.from({ length: quick ? 3 : 7 }, () => node('activationRun.cjs', []));
  activation = { require: median(samples.map((s) => s.requireMs)), activate: median(samples.map((s) => s.activateMs)), total: median(samples.map((s) => s.totalMs)) };
  console.log(`   require(dist/extension.js) ${ms(activation.require)} + activate() ${ms(activation.activate)} = ${ms(activation.total)} (median of ${samples.length}); VS Code's own host overhead not included`);
  goal('extension activation < 200 ms', activation.total < 200, ms(activation.total));
} else {
  console.log('   dist/extension.js is not built: skipped');
  goal('extension activation < 200 ms', false, 'not measured: dist/extension.js missing', 'skipped');
}
const compilerBench = spawnSync(process.execPath, [join(root, 'bench/compiler.mjs'), '3'], { encoding: 'utf8', maxBuffer: 1 << 24 });
const compilerLines = (compilerBench.stdout ?? '').split('\n').filter((line) => /^(load|compiler\.wasm)/.test(line));
for (const line of compilerLines) console.log(`   ${line}   [bench/compiler.mjs]`);
if (compilerBench.status !== 0) console.log(`   bench/compiler.mjs failed: ${(compilerBench.stderr ?? '').split('\n')[0]}`);

}

// --- 5. scale: a million rows -----------------------------------------------------------------------------------------
if (only !== undefined) {
  console.log(`\n5. scale: skipped (--only ${only})`);
} else if (quick) {
  console.log('\n5. scale: skipped in --quick mode');
} else {
  const dir = join(os.tmpdir(), `credcheck-bench-scale-seed${SCALE_SEED}-${SCALE_REPORTS}x${SCALE_USERS}`);
  mkdirSync(dir, { recursive: true });
  const files = Array.from({ length: SCALE_REPORTS }, (_, i) => join(dir, `account-${String(i).padStart(3, '0')}.csv`));
  // Generated once and reused across runs: the content depends only on the seed.
  let generated = 0;
  for (const [i, file] of files.entries()) {
    if (!existsSync(file)) {
      writeFileSync(file, generateReport(SCALE_USERS, SCALE_SEED + i, String(200000000000 + i)));
      generated++;
    }
  }
  const totalBytes = files.reduce((sum, file) => sum + statSync(file).size, 0);
  console.log(`\n5. scale: ${SCALE_REPORTS} reports x ${SCALE_USERS} users = ${SCALE_REPORTS * (SCALE_USERS + 1)} rows, ${(totalBytes / 1e6).toFixed(0)} MB (${dir}, ${generated} generated now)`);
  const help = spawnSync(process.execPath, [join(root, 'bin/credcheck'), 'check', '--help'], { encoding: 'utf8' });
  const jobs = /--jobs/.test(`${help.stdout}${help.stderr}`) ? ['--jobs', String(cpus.length)] : [];
  const output = join(work, 'scale-findings.json');
  const commandArgs = [join(root, 'bin/credcheck'), 'check', ...files, '--format', 'json', '--now', BENCH_NOW, '--output', output, ...jobs];
  console.log(`   node bin/credcheck check <${SCALE_REPORTS} files> --format json --now ${BENCH_NOW} --output <file>${jobs.length ? ` ${jobs.join(' ')}` : ' (the CLI has no --jobs: one thread)'}; limit ${scaleLimitSeconds} s`);
  const loadBefore = os.loadavg()[0];
  const started = performance.now();
  const result = spawnSync(timeBinary ?? process.execPath, timeBinary ? ['-f', '%M %U %S', process.execPath, ...commandArgs] : commandArgs, {
    encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'], timeout: scaleLimitSeconds * 1000, killSignal: 'SIGKILL', maxBuffer: 1 << 26,
    // A safety cap: a regression that held every report at once must not drive a shared machine out of memory.
    env: { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --max-old-space-size=3072`.trim() },
  });
  const wall = performance.now() - started;
  const [peakKb, userSeconds, systemSeconds] = timeBinary ? (result.stderr ?? '').trim().split('\n').pop().split(' ').map(Number) : [NaN, NaN, NaN];
  const finished = result.status === 0 || result.status === 1;
  const outputBytes = existsSync(output) ? statSync(output).size : 0;
  scale = { wall, peak: peakKb * 1024, cpuSeconds: userSeconds + systemSeconds, outputBytes, loadBefore, loadAfter: os.loadavg()[0], finished, status: result.status ?? result.signal };
  rmSync(output, { force: true });
  if (finished) {
    console.log(`   wall ${ms(wall)}, peak RSS ${Number.isFinite(peakKb) ? mib(peakKb * 1024) : 'n/a'}, CPU ${scale.cpuSeconds.toFixed(1)} s (user+sys, all threads) = ` +
      `${((scale.cpuSeconds * 1000) / SCALE_REPORTS).toFixed(0)} ms per report; output ${(outputBytes / 1e9).toFixed(2)} GB; load average ${loadBefore.toFixed(1)} before, ${scale.loadAfter.toFixed(1)} after`);
    goal('a million rows < 60 s with peak RSS < 1 GiB', wall < 60_000 && scale.peak < 2 ** 30, `${ms(wall)}, peak RSS ${mib(scale.peak)}`);
  } else {
    const perReport = wholeProcess[5000].credcheck.wall;
    console.log(`   did not finish: ${result.signal ? `killed at the ${scaleLimitSeconds} s limit` : `exit ${result.status}: ${(result.stderr ?? '').split('\n').slice(-3).join(' ')}`}`);
    console.log(`   estimate from one 5,000-user report (${ms(perReport)} per process): ~${ms((perReport * SCALE_REPORTS) / Math.max(1, jobs.length ? cpus.length : 1))}`);
    const reason = result.signal === 'SIGKILL' ? `killed at the ${scaleLimitSeconds} s limit` : `stopped after ${ms(wall)} (exit ${result.status ?? result.signal}; 134 = out of the 3 GiB heap cap)`;
    goal('a million rows < 60 s with peak RSS < 1 GiB', false, `did not finish: ${reason}, peak RSS ${mib(scale.peak)}`);
  }
}
if (quick && only === undefined) goal('a million rows < 60 s with peak RSS < 1 GiB', false, 'not measured in --quick mode', 'skipped');

// --- goals ------------------------------------------------------------------------------------------------------------
console.log('\ngoals');
for (const g of goals) console.log(`   ${g.note === 'skipped' ? 'SKIP' : g.pass ? 'PASS' : 'MISS'}  ${pad(g.name, 66)} ${g.figure}`);
console.log(`load average at the end: ${loadAverage()}`);
writeFileSync(join(work, 'last-run.json'), JSON.stringify({ quick, only, runs, sampleLive, machine: { cpu: cpus[0]?.model, cores: cpus.length, memory: os.totalmem(), node: process.version }, inProcess, wholeProcess, live, activation, scale, goals }, null, 2));
console.log(`\nraw figures: ${join(work, 'last-run.json')}`);
