// Builds everything the CLI, the extension and the tests need, in order:
// the embedded Rego compiler (Go -> wasm), the esbuild bundles (Node, then web), the bundled policies (Rego -> wasm), the test build.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (script) => execFileSync(process.execPath, [join(root, 'scripts', script)], { stdio: 'inherit', cwd: root });

if (existsSync(join(root, 'scripts/build-compiler.mjs'))) run('build-compiler.mjs');

// jsonc-parser's main entry is a UMD module whose inner requires esbuild cannot follow; its ES module build bundles.
// @open-policy-agent/opa-wasm's ES module entry exports loadPolicy only; the engine needs loadPolicySync (see
// policyEngine.ts), which its CommonJS entry (what tsc's out/ loads) exports: the bundles take the same module.
const alias = { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js', '@open-policy-agent/opa-wasm': './node_modules/@open-policy-agent/opa-wasm/src/opa.js' };
const common = { bundle: true, platform: 'node', target: 'node20', sourcemap: true, logLevel: 'warning', absWorkingDir: root, alias };

/**
 * The AWS SDK is about half of the bundled code and only `fetch` (and `publish`) use it: it is bundled alone into
 * dist/aws.js, and the one import of it (src/core/aws/loadAwsSdk.ts) becomes a require of that file, run on first use.
 * Loading it in every process cost `check` on a 50-user report about 100 ms (measured for issue 18). A separate bundle,
 * not esbuild's `splitting`: splitting needs ES module output, and the extension host and bin/credcheck load CommonJS.
 * `dynamic-import: false` turns `import()` into `Promise.resolve().then(() => require())`, which the extension host and
 * every Node 20 load the same way.
 */
const awsSdkBundle = {
  name: 'aws-sdk-bundle',
  setup(context) {
    context.onResolve({ filter: /^\.\/awsSdk$/ }, (args) => (args.importer.endsWith(join('src', 'core', 'aws', 'loadAwsSdk.ts')) ? { path: './aws.js', external: true } : undefined));
  },
};
const frontEnd = { ...common, plugins: [awsSdkBundle], supported: { 'dynamic-import': false } };
await build({ ...common, entryPoints: ['src/core/aws/awsSdk.ts'], outfile: 'dist/aws.js' });
await build({ ...frontEnd, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js' });
// What bin/credcheck runs: loads dist/cli.js through a V8 code cache (src/cli/bundleCodeCache.ts says why and how).
await build({ ...common, entryPoints: ['src/cli/bundleCodeCache.ts'], outfile: 'dist/cliLauncher.js' });
if (existsSync(join(root, 'src/extension/main.ts'))) {
  await build({ ...frontEnd, entryPoints: ['src/extension/main.ts'], outfile: 'dist/extension.js', external: ['vscode'] });
}
for (const worker of ['src/core/engine/evaluationWorker.ts', 'src/core/compiler/compilerWorker.ts', 'src/core/run/batchWorker.ts']) {
  if (existsSync(join(root, worker))) {
    await build({ ...common, entryPoints: [worker], outfile: join('dist', worker.split('/').pop().replace('.ts', '.js')) });
  }
}

// VS Code for the Web: the `browser` entry, its workers and the web test bundle.
if (existsSync(join(root, 'scripts/build-web.mjs'))) run('build-web.mjs');
if (existsSync(join(root, 'scripts/build-policies.mjs'))) run('build-policies.mjs');

execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { stdio: 'inherit', cwd: root });
execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.core.json'], { stdio: 'inherit', cwd: root });
