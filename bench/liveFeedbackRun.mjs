// Live feedback: a user edits a threshold in a small deny rule and wants the new findings for a 5,000-user report.
// Embedded path: the warm embedded compiler (worker thread, wasm) compiles, the policy is evaluated as the audit does
// (evaluateIsolated: a worker with time and memory limits) against the already-normalised input, results are mapped.
// Native path: `opa build -t wasm` spawned per change, the bundle unpacked, then the same evaluation.
// Keystroke to findings: what the extension does after a keystroke in a workspace policy, end to end: the policy
// watcher's debounce (POLICY_TYPING_PAUSE_MS, read from the compiled extension module, a real timer), its compile
// through the extension's own LazyPolicyCompiler (warm embedded compiler), then the report auditor's auditReports with
// its AuditCache (parsed report and bundled findings reused; the compile is the watcher's, served from the
// LazyPolicyCompiler's content cache; evaluation in the warm worker; result mapping, suppressions, sort).
// Usage: node bench/liveFeedbackRun.mjs <report.csv> <changes> [opa]   -> one JSON line on stdout
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_NOW } from './syntheticReport.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { parseReport } = require(join(root, 'out/src/core/report/reportParser.js'));
const { normalizeReport } = require(join(root, 'out/src/core/report/normalizer.js'));
const { evaluateIsolated } = require(join(root, 'out/src/core/engine/isolatedEvaluation.js'));
const { projectInput } = require(join(root, 'out/src/core/engine/inputProjection.js'));
const { auditReports } = require(join(root, 'out/src/core/run/audit.js'));
const { LazyPolicyCompiler } = require(join(root, 'out/src/extension/policyCompiler.js'));
const { POLICY_TYPING_PAUSE_MS } = require(join(root, 'out/src/extension/logic/policyTyping.js'));

const [file, changesText, opa] = process.argv.slice(2);
const changes = Number(changesText ?? 20);
const now = new Date(BENCH_NOW);
const text = readFileSync(file, 'utf8');
const parsed = parseReport(text, file);
const input = normalizeReport(parsed, now);

/** The user's policy with the threshold being tuned. */
const policy = (threshold) => ({
  file: 'policies/old_keys.rego',
  source: `# METADATA
# title: Old active access key 1
# custom:
#   id: CUSTOM-OLD-KEY
#   severity: medium
package custom.old_keys

threshold := ${threshold}

deny contains result if {
	some u in input.users
	u.access_key_1_active == true
	u.access_key_1_last_rotated_days > threshold
	result := {"msg": sprintf("access key 1 of %s is older than %d days", [u.user, threshold]), "user": u.user, "field": "access_key_1_last_rotated"}
}
`,
});

const data = { params: {} };
// The embedded path hands the policy the projection of the input it reads (compiled.projection), as the audit does; an
// opa-built policy comes with no analysis and gets the whole input.
const evaluate = async (wasm, projection) => {
  const [results] = await evaluateIsolated({ wasm, data, inputs: [{ input: projectInput(input, projection), evaluationTime: now.toISOString() }] }, { timeoutMs: 60_000 });
  const deny = results['custom/old_keys']?.deny ?? results['custom/old_keys/deny'];
  if (!Array.isArray(deny)) throw new Error(`unexpected result shape: ${Object.keys(results).join(', ')}`);
  return deny.length;
};

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

// Embedded: load and warm the compiler first, as the extension has after the first policy was opened. The extension's
// own wrapper (the embedded compiler behind a content cache), so the keystroke path is the extension's.
const silentLog = { info() {}, warn() {}, error() {} };
const compiler = new LazyPolicyCompiler(silentLog, { opaPath: () => null, trusted: () => true });
let started = performance.now();
const warm = await compiler.compile({ modules: [policy(1000)] });
const firstCompileMs = performance.now() - started;
if (!warm.ok) throw new Error(JSON.stringify(warm.errors));
await evaluate(warm.wasm, warm.projection);

// What the extension does on a policy change: the audit of the open report, bundled checks included, with the cache it
// keeps between runs (the report's parsed input and bundled findings are reused; only the edited policy runs).
const { AuditCache } = require(join(root, 'out/src/core/run/audit.js'));
const cache = new AuditCache();
await auditReports({ reports: [{ file, text }], now, userPolicies: [policy(1999)], compiler, cache });

const loadBefore = loadavg();
const temp = mkdtempSync(join(tmpdir(), 'credcheck-bench-live-'));
if (opa) writeFileSync(join(temp, 'input.json'), JSON.stringify(input));
const embedded = { compile: [], evaluate: [], total: [] };
const extension = [];
const keystroke = { debounce: [], compile: [], audit: [], total: [] };
const sleep = (delayMs) => new Promise((resolve) => setTimeout(resolve, delayMs));
const native = opa ? { build: [], evaluate: [], total: [], opaEval: [] } : undefined;
const counts = [];
try {
  // The paths take turns on every change, so warm-up and the machine's load fall on all of them alike.
  for (let change = 0; change < changes; change++) {
    const threshold = 60 + change * 37;
    let t0 = performance.now();
    const compiled = await compiler.compile({ modules: [policy(threshold)] });
    if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
    let t1 = performance.now();
    const count = await evaluate(compiled.wasm, compiled.projection);
    let t2 = performance.now();
    counts.push(count);
    embedded.compile.push(t1 - t0);
    embedded.evaluate.push(t2 - t1);
    embedded.total.push(t2 - t0);

    // A threshold of its own: the same source would be a hit in auditReports' compile cache.
    t0 = performance.now();
    const result = await auditReports({ reports: [{ file, text }], now, userPolicies: [policy(threshold + 1)], compiler, cache });
    extension.push(performance.now() - t0);
    if (result.policyProblems.length > 0) throw new Error(result.policyProblems.map((p) => p.message).join('; '));

    // Keystroke to findings (another threshold of its own, so nothing is a cache hit that would not be one in the editor).
    const modules = [policy(threshold + 2)];
    t0 = performance.now();
    await sleep(POLICY_TYPING_PAUSE_MS);
    t1 = performance.now();
    const watched = await compiler.compile({ modules, signal: new AbortController().signal });
    if (!watched.ok) throw new Error(JSON.stringify(watched.errors));
    t2 = performance.now();
    const audited = await auditReports({ reports: [{ file, text }], now, userPolicies: modules, compiler, cache });
    const t3 = performance.now();
    if (audited.policyProblems.length > 0) throw new Error(audited.policyProblems.map((p) => p.message).join('; '));
    keystroke.debounce.push(t1 - t0);
    keystroke.compile.push(t2 - t1);
    keystroke.audit.push(t3 - t2);
    keystroke.total.push(t3 - t0);

    if (!native) continue;
    // Native: `opa build -t wasm` spawned, the bundle unpacked, then the same evaluation.
    t0 = performance.now();
    writeFileSync(join(temp, 'old_keys.rego'), policy(threshold).source);
    execFileSync(opa, ['build', '-t', 'wasm', '-e', 'custom/old_keys', '-o', join(temp, 'bundle.tar.gz'), join(temp, 'old_keys.rego')], { stdio: ['ignore', 'ignore', 'pipe'] });
    execFileSync('tar', ['-xzf', join(temp, 'bundle.tar.gz'), '-C', temp, '/policy.wasm'], { stdio: 'ignore' });
    const wasm = new Uint8Array(readFileSync(join(temp, 'policy.wasm')));
    t1 = performance.now();
    const nativeCount = await evaluate(wasm);
    t2 = performance.now();
    if (nativeCount !== count) throw new Error(`native and embedded disagree for threshold ${threshold}: ${nativeCount} vs ${count}`);
    native.build.push(t1 - t0);
    native.evaluate.push(t2 - t1);
    native.total.push(t2 - t0);

    // The workflow without an embedded engine: `opa eval` spawned on the saved input after each edit.
    t0 = performance.now();
    const out = execFileSync(opa, ['eval', '-f', 'json', '-d', join(temp, 'old_keys.rego'), '-i', join(temp, 'input.json'), 'count(data.custom.old_keys.deny)'], {
      encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 26,
    });
    native.opaEval.push(performance.now() - t0);
    const evalCount = JSON.parse(out).result[0].expressions[0].value;
    if (evalCount !== count) throw new Error(`opa eval and embedded disagree for threshold ${threshold}: ${evalCount} vs ${count}`);
  }
} finally {
  compiler.dispose();
  rmSync(temp, { recursive: true, force: true });
}

const summary = (values) => ({ p50: percentile(values, 50), p95: percentile(values, 95) });
console.log(JSON.stringify({
  users: input.users.length,
  loadAverage: { before: loadBefore, after: loadavg() },
  changes,
  findingsPerChange: [Math.min(...counts), Math.max(...counts)],
  firstCompileMs,
  embedded: { compile: summary(embedded.compile), evaluate: summary(embedded.evaluate), total: summary(embedded.total) },
  extensionAudit: summary(extension),
  keystroke: { debounceMs: POLICY_TYPING_PAUSE_MS, debounce: summary(keystroke.debounce), compile: summary(keystroke.compile), audit: summary(keystroke.audit), total: summary(keystroke.total) },
  native: native && { build: summary(native.build), evaluate: summary(native.evaluate), total: summary(native.total), opaEval: summary(native.opaEval) },
}));
