// One in-process measurement, run by bench/run.mjs in a fresh Node process per report size so that peak memory belongs
// to that size alone. Uses the core exactly as the CLI and the extension do (out/, the tsc build of src/).
// Usage: node bench/inProcessRun.mjs <report.csv> <runs>   -> one JSON line on stdout
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_NOW } from './syntheticReport.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { parseReport } = require(join(root, 'out/src/core/report/reportParser.js'));
const { normalizeReport } = require(join(root, 'out/src/core/report/normalizer.js'));
const { loadBundledPolicies } = require(join(root, 'out/src/core/checks/catalog.js'));
const { PolicyEngine } = require(join(root, 'out/src/core/engine/policyEngine.js'));
const { auditReports, selectChecks } = require(join(root, 'out/src/core/run/audit.js'));

const [file, runsText] = process.argv.slice(2);
const runs = Number(runsText ?? 5);
const text = readFileSync(file, 'utf8');
const now = new Date(BENCH_NOW);
let heapPeak = 0;
const sample = () => (heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed));

const timed = (action) => {
  const started = performance.now();
  const value = action();
  const ms = performance.now() - started;
  sample();
  return { value, ms };
};

const bundled = loadBundledPolicies();
const selected = selectChecks(bundled.checks, undefined).map((entry) => entry.entrypoint);
const loadStarted = performance.now();
const engine = await PolicyEngine.load(bundled.wasm);
const engineLoadMs = performance.now() - loadStarted;
engine.setData({ params: {} });

const phases = { parse: [], normalize: [], evaluate: [], audit: [] };
let users = 0;
let findings = 0;
let first;
for (let run = 0; run <= runs; run++) {
  const parsed = timed(() => parseReport(text, file));
  const input = timed(() => normalizeReport(parsed.value, now));
  const evaluated = timed(() => engine.evaluate(input.value, now, selected));
  // The whole façade as the front ends call it: parse, normalise, evaluate, map to findings, sort.
  const auditStarted = performance.now();
  const result = await auditReports({ reports: [{ file, text }], now, bundled });
  const auditMs = performance.now() - auditStarted;
  sample();
  users = input.value.users.length;
  findings = result.findings.length;
  if (result.policyProblems.length > 0) throw new Error(`policy problems: ${result.policyProblems.map((p) => p.message).join('; ')}`);
  const row = { parse: parsed.ms, normalize: input.ms, evaluate: evaluated.ms, audit: auditMs };
  // Run 0 is the cold one (JIT, wasm tier-up, first growth of the policy's memory): reported apart, not in the median.
  if (run === 0) first = row;
  else for (const key of Object.keys(phases)) phases[key].push(row[key]);
}

console.log(JSON.stringify({
  users,
  findings,
  entrypoints: selected.length,
  engineLoadMs,
  first,
  phases,
  maxRssBytes: process.resourceUsage().maxRSS * 1024,
  heapUsedPeakBytes: heapPeak,
}));
