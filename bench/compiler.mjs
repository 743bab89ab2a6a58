// Benchmarks the embedded Rego compiler: wasm size, load time, compile times (small and large policy), both run
// directly in this thread and through EmbeddedCompiler's worker thread. Needs `npm run build` (dist/compiler/ and out/).
// Usage: node bench/compiler.mjs [runs]   (default 15 runs per measurement; medians are reported)
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const runs = Number(process.argv.find((arg) => /^\d+$/.test(arg)) ?? 15);
const wasmPath = join(root, 'dist/compiler/compiler.wasm');
const glue = join(root, 'dist/compiler/wasm_exec.js');

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const ms = (value) => `${value.toFixed(1)} ms`;

const SMALL = {
  modules: [
    {
      file: 'small.rego',
      source: `# METADATA
# title: User without MFA
# custom:
#   id: BENCH-1
#   severity: high
package bench.small

deny contains result if {
	some user in input.users
	user.password_enabled
	not user.mfa_active
	result := {"msg": sprintf("%s has a console password but no MFA", [user.user]), "user": user.user}
}
`,
    },
  ],
};

function largePolicy(rules) {
  const lines = ['package bench.large', ''];
  for (let i = 0; i < rules; i++) {
    lines.push(
      `# METADATA`,
      `# title: rule ${i}`,
      `deny_rule_${i} contains result if {`,
      `\tsome user in input.users`,
      `\tuser.access_key_1_last_rotated_days > ${i}`,
      `\tregex.match("^[a-z]+${i}$", user.user)`,
      `\tcount([k | some k in object.keys(user); startswith(k, "access_key")]) > 2`,
      `\tresult := {"msg": sprintf("rule ${i}: %s", [user.user]), "user": user.user, "field": "access_key_1_last_rotated"}`,
      `}`,
      '',
    );
  }
  return { modules: [{ file: 'large.rego', source: lines.join('\n') }] };
}
const LARGE = largePolicy(200);

const inThread = process.argv.includes('--in-thread');
const raw = statSync(wasmPath).size;
const gzip = gzipSync(readFileSync(wasmPath), { level: 9 }).length;
const cpu = os.cpus()[0];
if (!inThread) console.log(`machine: ${cpu.model}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, ${os.platform()} ${os.arch()}; load average ${os.loadavg().map((n) => n.toFixed(1)).join(' ')} (other work skews timings)`);
if (!inThread) console.log(`compiler.wasm: ${(raw / 1e6).toFixed(1)} MB raw, ${(gzip / 1e6).toFixed(1)} MB gzip -9`);
if (!inThread) console.log(`large policy: ${LARGE.modules[0].source.length} characters, 200 rules; runs per measurement: ${runs}`);

if (!inThread) {
// 1. Through EmbeddedCompiler, as the CLI and the extension use it: worker start-up, message passing, time limit.
// Measured first: V8 shares a compiled wasm module between threads of one process, so whatever loads second is warm.
const { EmbeddedCompiler } = require(join(root, 'out/src/core/compiler/embeddedCompiler.js'));
const { loadPolicy } = require('@open-policy-agent/opa-wasm');
const compiler = new EmbeddedCompiler({ timeLimitMs: 120_000 });
let started = performance.now();
const cold = await compiler.compile(SMALL);
const coldMs = performance.now() - started;
if (!cold.ok) throw new Error(JSON.stringify(cold.errors));
console.log(`\nload + first compile, worker (cold process): worker start, wasm load, small compile: ${ms(coldMs)}`);
for (const [name, request] of [['small', SMALL], ['large (200 rules)', LARGE]]) {
  const times = [];
  let result;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    result = await compiler.compile(request);
    times.push(performance.now() - t);
  }
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  const t = performance.now();
  const policy = await loadPolicy(result.wasm, undefined, { 'time.now_ns': () => 0 });
  const loadPolicyMs = performance.now() - t;
  policy.evaluate({ users: [] });
  console.log(`compile ${name}, worker: median ${ms(median(times))} (min ${ms(Math.min(...times))}, max ${ms(Math.max(...times))}); opa-wasm loadPolicy of the result ${ms(loadPolicyMs)}`);
}
compiler.dispose();
  execFileSync(process.execPath, [fileURLToPath(import.meta.url), String(runs), '--in-thread'], { stdio: 'inherit' });
  process.exit(0);
}

// 2. In a fresh process, directly on its main thread: the compiler's own cost, without the worker.
const context = vm.createContext({ crypto: globalThis.crypto, performance, TextEncoder, TextDecoder, console, setTimeout, clearTimeout, WebAssembly });
vm.runInContext(readFileSync(glue, 'utf8'), context);
let started = performance.now();
const bytes = readFileSync(wasmPath);
const readMs = performance.now() - started;
started = performance.now();
const module = await WebAssembly.compile(bytes);
const compileModuleMs = performance.now() - started;
started = performance.now();
const go = new context.Go();
const ready = new Promise((resolve) => (context.credcheckCompilerReady = resolve));
const instance = await WebAssembly.instantiate(module, go.importObject);
go.run(instance);
await ready;
const startMs = performance.now() - started;
// Configured as the worker configures it (src/core/compiler/compilerWorker.ts): the input schema and the report's columns.
const { CURRENT_COLUMNS } = require(join(root, 'out/src/core/report/columns.js'));
const configured = JSON.parse(context.credcheckCompile(JSON.stringify({
  op: 'configure', schema: JSON.parse(readFileSync(join(root, 'dist/compiler/policy-input.schema.json'), 'utf8')), columns: CURRENT_COLUMNS,
})).json);
if (!configured.ok) throw new Error(`the compiler rejected its configuration: ${JSON.stringify(configured.errors)}`);
console.log(`\nload, in-thread (cold process, first instantiation): read ${ms(readMs)} + WebAssembly.compile ${ms(compileModuleMs)} + instantiate and Go start-up ${ms(startMs)} = ${ms(readMs + compileModuleMs + startMs)}`);

function timeDirect(request) {
  const body = JSON.stringify(request);
  const first = performance.now();
  let reply = context.credcheckCompile(body);
  const firstMs = performance.now() - first;
  if (!JSON.parse(reply.json).ok) throw new Error(reply.json);
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    reply = context.credcheckCompile(body);
    times.push(performance.now() - t);
  }
  return { firstMs, medianMs: median(times), wasmBytes: reply.wasm.length, memory: instance.exports.mem.buffer.byteLength };
}
for (const [name, request] of [['small', SMALL], ['large (200 rules)', LARGE]]) {
  const r = timeDirect(request);
  console.log(`compile ${name}, in-thread: first ${ms(r.firstMs)}, median ${ms(r.medianMs)} -> policy.wasm ${(r.wasmBytes / 1024).toFixed(0)} KiB (Go memory now ${(r.memory / 2 ** 20).toFixed(0)} MiB)`);
}

process.exit(0);
