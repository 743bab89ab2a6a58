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
const alias = { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' };
const common = { bundle: true, platform: 'node', target: 'node20', sourcemap: true, logLevel: 'warning', absWorkingDir: root, alias };
await build({ ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js' });
if (existsSync(join(root, 'src/extension/main.ts'))) {
  await build({ ...common, entryPoints: ['src/extension/main.ts'], outfile: 'dist/extension.js', external: ['vscode'] });
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
