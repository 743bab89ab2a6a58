// Builds the embedded Rego compiler (compiler/, Go -> GOOS=js GOARCH=wasm) into dist/compiler/:
//   compiler.wasm      OPA's compiler with credcheck's entry point
//   wasm_exec.js       the Go toolchain's JavaScript glue, copied from the same toolchain that built compiler.wasm
//   capabilities.json  which builtins policies may call and which of them the host must supply (asked of the wasm)
//   policy-input.schema.json  schema/policy-input.schema.json, the type of `input` for schema checking
// The Go build is skipped when compiler.wasm is newer than every source in compiler/. None of these files is committed.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'compiler');
const out = join(root, 'dist', 'compiler');
const wasmPath = join(out, 'compiler.wasm');
const glueOut = join(out, 'wasm_exec.js');
const capabilitiesPath = join(out, 'capabilities.json');
const schemaSource = join(root, 'schema', 'policy-input.schema.json');
const schemaOut = join(out, 'policy-input.schema.json');

const go = (...args) => execFileSync('go', args, { cwd: source, encoding: 'utf8' }).trim();

function requireGo() {
  let version;
  try {
    version = go('env', 'GOVERSION');
  } catch {
    throw new Error('build-compiler: `go` was not found on PATH. Install Go (see scripts/setup.sh) to build compiler/.');
  }
  const wanted = /^go (\S+)$/m.exec(readFileSync(join(source, 'go.mod'), 'utf8'))?.[1];
  if (wanted && compareVersions(version.replace(/^go/, ''), wanted) < 0) {
    throw new Error(`build-compiler: compiler/go.mod needs Go ${wanted}, but \`go\` is ${version}.`);
  }
}

function compareVersions(a, b) {
  const pa = a.split(/[.a-z]/).map(Number);
  const pb = b.split(/[.a-z]/).map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] || 0) - (pb[i] || 0);
    if (d) return d;
  }
  return 0;
}

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (/\.go$|^go\.(mod|sum)$/.test(entry.name) && !entry.name.endsWith('_test.go')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

const upToDate = (path, since) => existsSync(path) && statSync(path).mtimeMs > since;

/** Runs the freshly built compiler once to ask which builtins it allows, so the engine never guesses. */
async function writeCapabilities() {
  const context = vm.createContext({ crypto: globalThis.crypto, performance, TextEncoder, TextDecoder, console, setTimeout, clearTimeout, WebAssembly });
  // wasm_exec.js installs fs/process/path shims and the Go class on its own global: a separate context keeps them off ours.
  vm.runInContext(readFileSync(glueOut, 'utf8'), context);
  const instance = new context.Go();
  const ready = new Promise((resolve) => (context.credcheckCompilerReady = resolve));
  const { instance: wasm } = await WebAssembly.instantiate(readFileSync(wasmPath), instance.importObject);
  instance.run(wasm);
  await ready;
  const report = JSON.parse(context.credcheckCompile(JSON.stringify({ op: 'capabilities' })).json);
  // What compiled policies cached on disk are keyed by (src/core/compiler/compileCache.ts): this very compiler build.
  report.build = createHash('sha256').update(readFileSync(wasmPath)).digest('hex');
  writeFileSync(capabilitiesPath, JSON.stringify(report, null, 2) + '\n');
}

const sourcesChanged = newestSource(source);
mkdirSync(out, { recursive: true });
if (!upToDate(wasmPath, sourcesChanged)) {
  requireGo();
  const started = Date.now();
  execFileSync('go', ['build', '-trimpath', '-ldflags=-s -w', '-o', wasmPath, '.'], {
    cwd: source,
    stdio: 'inherit',
    env: { ...process.env, GOOS: 'js', GOARCH: 'wasm', CGO_ENABLED: '0' },
  });
  // go build may leave an unchanged output untouched; the timestamp is what the next run's skip check reads.
  const now = new Date();
  utimesSync(wasmPath, now, now);
  console.log(`build-compiler: compiler.wasm (${(statSync(wasmPath).size / 1e6).toFixed(1)} MB) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
if (!upToDate(glueOut, statSync(wasmPath).mtimeMs - 1)) {
  requireGo();
  const goroot = go('env', 'GOROOT');
  const glue = [join(goroot, 'lib', 'wasm', 'wasm_exec.js'), join(goroot, 'misc', 'wasm', 'wasm_exec.js')].find(existsSync);
  if (!glue) throw new Error(`build-compiler: wasm_exec.js not found under ${goroot}`);
  copyFileSync(glue, glueOut);
}
if (!upToDate(capabilitiesPath, statSync(wasmPath).mtimeMs)) await writeCapabilities();
// The compiler type-checks `input` against the shipped schema; the worker hands it over at start.
copyFileSync(schemaSource, schemaOut);
