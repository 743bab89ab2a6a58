// Compiles the bundled checks (policies/credcheck: checks/<name>/ and lib/, without *_test.rego and the test helpers)
// ONCE, at build time, into dist/policies/bundle.wasm and dist/policies/catalog.json (entrypoints, METADATA annotations, rule
// locations). Uses the embedded compiler (dist/compiler/compiler.wasm) like user policies do; falls back to the native
// opa in .tools/bin or on PATH only when the embedded compiler is not built, and says which one it used.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'dist/policies');

/**
 * Policy sources: every .rego under policies/credcheck (folders mirror the packages: checks/<name>/, lib/) except tests
 * and the test-only helpers (lib/testing).
 */
function collectModules() {
  const modules = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'testing') walk(path);
      } else if (entry.name.endsWith('.rego') && !entry.name.endsWith('_test.rego')) {
        modules.push({ file: relative(root, path).split('\\').join('/'), source: readFileSync(path, 'utf8') });
      }
    }
  };
  if (existsSync(join(root, 'policies/credcheck'))) walk(join(root, 'policies/credcheck'));
  return modules.sort((a, b) => a.file.localeCompare(b.file));
}

/**
 * One entrypoint per decision rule of each check package (`credcheck/checks/root_mfa/deny`), the same choice the
 * compiler makes for user policies: package entrypoints are not plannable when a function calls another function of
 * the same package (open-policy-agent/opa#4411). The engine groups the rule results back per package.
 */
function checkEntrypoints(modules) {
  const entrypoints = [];
  for (const m of modules.filter((module) => module.file.startsWith('policies/credcheck/checks/'))) {
    const pkg = /^package\s+([\w.]+)/m.exec(m.source)?.[1]?.replace(/\./g, '/');
    if (!pkg) continue;
    // A rule head at the start of a line, not a function (`deny(x)`) and not `default` (its rule is found anyway).
    for (const match of m.source.matchAll(/^((?:deny|violation|warn|info|skip)(?:_\w+)?|exception)\s*(?:contains\b|if\b|:=|=|\{|\[)/gm)) {
      const entrypoint = `${pkg}/${match[1]}`;
      if (!entrypoints.includes(entrypoint)) entrypoints.push(entrypoint);
    }
  }
  return entrypoints;
}

/** How many check packages the entrypoints cover (for the build message). */
function packageCount(entrypoints) {
  return new Set(entrypoints.map((e) => e.slice(0, e.lastIndexOf('/')))).size;
}

async function compileEmbedded(modules, entrypoints) {
  // The compiler's JavaScript side is TypeScript: bundle it to a temporary CommonJS file and load that.
  const temp = mkdtempSync(join(tmpdir(), 'credcheck-policies-'));
  try {
    const outfile = join(temp, 'embeddedCompiler.cjs');
    const workerPath = join(temp, 'compilerWorker.cjs');
    const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning', absWorkingDir: root };
    await build({ ...common, entryPoints: [join(root, 'src/core/compiler/embeddedCompiler.ts')], outfile });
    await build({ ...common, entryPoints: [join(root, 'src/core/compiler/compilerWorker.ts')], outfile: workerPath });
    const loaded = createRequire(pathToFileURL(outfile))(outfile);
    const compiler = await createCompiler(loaded, workerPath);
    try {
      const result = await compiler.compile({ modules, entrypoints });
      if (!result.ok) fail(result.errors);
      return result;
    } finally {
      compiler.dispose();
    }
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

async function createCompiler(loaded, workerPath) {
  const wasmPath = join(root, 'dist/compiler/compiler.wasm');
  if (typeof loaded.createEmbeddedCompiler !== 'function') {
    throw new Error(`src/core/compiler/embeddedCompiler.ts does not export createEmbeddedCompiler (${Object.keys(loaded).join(', ')})`);
  }
  // The limits guard the editor and the CLI against hostile user policies; these are our own, and a busy machine (CI
  // with both cores loaded) must slow the build down, never fail it.
  return loaded.createEmbeddedCompiler({ wasmPath, workerPath, timeLimitMs: 30 * 60_000, startLimitMs: 30 * 60_000 });
}

function fail(errors) {
  for (const e of errors) console.error(`${e.file}:${e.line}:${e.column}: ${e.message}`);
  process.exit(1);
}

function findOpa() {
  const local = join(root, '.tools/bin/opa');
  if (existsSync(local)) return local;
  try {
    execFileSync('opa', ['version'], { stdio: 'ignore' });
    return 'opa';
  } catch {
    return undefined;
  }
}

/** Native opa fallback: the same outputs, with annotations from `opa inspect` and rule lines from the sources. */
function compileNative(opa, modules, entrypoints) {
  const temp = mkdtempSync(join(tmpdir(), 'credcheck-policies-'));
  try {
    for (const m of modules) {
      mkdirSync(dirname(join(temp, m.file)), { recursive: true });
      writeFileSync(join(temp, m.file), m.source);
    }
    const args = ['build', '-t', 'wasm', '-o', join(temp, 'bundle.tar.gz'), ...entrypoints.flatMap((e) => ['-e', e]), 'policies'];
    try {
      execFileSync(opa, args, { cwd: temp, stdio: ['ignore', 'inherit', 'pipe'] });
    } catch (error) {
      console.error(String(error.stderr ?? error.message));
      process.exit(1);
    }
    execFileSync('tar', ['-xzf', 'bundle.tar.gz', '/policy.wasm'], { cwd: temp, stdio: 'ignore' });
    const wasm = readFileSync(join(temp, 'policy.wasm'));
    const inspected = JSON.parse(execFileSync(opa, ['inspect', '-a', '--format', 'json', 'policies'], { cwd: temp, encoding: 'utf8' }));
    const annotations = (inspected.annotations ?? []).map((entry) => ({
      path: entry.path.slice(1).map((p) => p.value).join('/'),
      scope: entry.annotations.scope,
      title: entry.annotations.title,
      description: entry.annotations.description,
      related_resources: entry.annotations.related_resources,
      custom: entry.annotations.custom,
      file: entry.location.file,
      line: entry.location.row,
    }));
    return { ok: true, wasm, entrypoints, annotations, rules: ruleLocations(modules) };
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

/** Decision-rule heads found at the start of a line: enough for "related information" links into the bundled policies. */
function ruleLocations(modules) {
  const rules = [];
  for (const m of modules) {
    const pkg = /^package\s+([\w.]+)/m.exec(m.source)?.[1]?.replace(/\./g, '/');
    if (!pkg) continue;
    m.source.split('\n').forEach((text, index) => {
      const match = /^((?:deny|violation|warn|info|skip)(?:_\w+)?|exception)\b/.exec(text);
      if (match && !rules.some((r) => r.package === pkg && r.name === match[1])) rules.push({ package: pkg, name: match[1], file: m.file, line: index + 1 });
    });
  }
  return rules;
}

const modules = collectModules();
const entrypoints = checkEntrypoints(modules);
if (entrypoints.length === 0) {
  console.log('build-policies: no checks under policies/credcheck/checks, nothing to compile');
  process.exit(0);
}
const started = Date.now();
let result;
let compilerName;
if (existsSync(join(root, 'dist/compiler/compiler.wasm')) && existsSync(join(root, 'src/core/compiler/embeddedCompiler.ts'))) {
  compilerName = 'embedded compiler (dist/compiler/compiler.wasm)';
  result = await compileEmbedded(modules, entrypoints);
} else {
  const opa = findOpa();
  if (!opa) {
    console.error('build-policies: neither the embedded compiler (dist/compiler/compiler.wasm) nor an opa binary is available');
    process.exit(1);
  }
  compilerName = `native opa (${opa}) because the embedded compiler is not built`;
  result = compileNative(opa, modules, entrypoints);
}
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'bundle.wasm'), result.wasm);
const catalog = {
  compiler: compilerName.startsWith('embedded') ? 'embedded' : 'opa',
  entrypoints: result.entrypoints,
  annotations: result.annotations,
  rules: result.rules,
  ...(result.projection ? { projection: result.projection } : {}),
};
writeFileSync(join(outDir, 'catalog.json'), `${JSON.stringify(catalog, null, 1)}\n`);
const projected = result.projection && !result.projection.whole ? `, input projected to ${result.projection.fields?.length ?? 0} row fields` : `, whole input${result.projection?.reason ? ` (${result.projection.reason})` : ''}`;
console.log(`build-policies: ${packageCount(entrypoints)} checks (${entrypoints.length} rule entrypoints), ${modules.length} files -> dist/policies/bundle.wasm (${result.wasm.length} bytes) with the ${compilerName} in ${Date.now() - started} ms${projected}`);
