// The extension for VS Code for the Web (`npm run build` runs this; alone it rebuilds only the web bundles):
// the `browser` entry for the web worker extension host, and the web test bundle that runInCodeServer.mjs --web runs.
// The web build has no Node: src/extension/web/ says what stands in for it.
import { build } from 'esbuild';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// jsonc-parser's main entry is a UMD module whose inner requires esbuild cannot follow; its ES module build bundles.
// csv-parse's browser build: its Node one relies on Node's whole Buffer.
// opa-wasm's ES module entry exports loadPolicy only; the engine needs loadPolicySync and LoadedPolicy (as in build.mjs).
const alias = {
  'jsonc-parser': 'jsonc-parser/lib/esm/main.js',
  'csv-parse/sync': 'csv-parse/browser/esm/sync',
  '@open-policy-agent/opa-wasm': './node_modules/@open-policy-agent/opa-wasm/src/opa.js',
};

// Node's built-in modules, as the web build stands in for them (src/web/node/): the core runs unchanged on top.
const nodeModules = {
  fs: 'fs.ts', 'fs/promises': 'fsPromises.ts', path: 'path.ts', crypto: 'crypto.ts', worker_threads: 'worker_threads.ts',
  os: 'unsupported.ts', child_process: 'unsupported.ts', zlib: 'unsupported.ts', url: 'unsupported.ts', vm: 'unsupported.ts',
};
const nodeForWeb = {
  name: 'node-for-web',
  setup(esbuild) {
    esbuild.onResolve({ filter: /^(node:)?(fs|fs\/promises|path|crypto|worker_threads|os|child_process|zlib|url|vm)$/ }, ({ path }) => ({
      path: join(root, 'src', 'web', 'node', nodeModules[path.replace(/^node:/, '')]),
    }));
  },
};
// The fetch command cannot run in a browser (IAM sends no CORS headers), so its fetchers and the AWS SDK are left out.
const withoutAws = {
  name: 'without-aws',
  setup(esbuild) {
    esbuild.onResolve({ filter: /core\/fetch\/(credentialReportFetcher|multiAccountFetcher)$/ }, () => ({ path: join(root, 'src', 'web', 'awsFetchUnavailable.ts') }));
    // Whatever else reaches for the SDK (the organisation fetch) gets a loader that refuses: the SDK is never bundled.
    esbuild.onResolve({ filter: /\/aws\/loadAwsSdk$/ }, () => ({ path: join(root, 'src', 'web', 'awsSdkUnavailable.ts') }));
  },
};
const web = {
  bundle: true, platform: 'browser', target: 'es2022', format: 'cjs', sourcemap: true, logLevel: 'warning', absWorkingDir: root, alias,
  plugins: [nodeForWeb, withoutAws],
  // `Buffer` and `process` where the code names them, without defining globals (the host has no `process`).
  inject: ['src/web/node/buffer.ts', 'src/web/node/process.ts'],
  // Where dist/extension.js would be: the core finds the extension's files from here (src/web/files.ts).
  define: { __dirname: JSON.stringify('/credcheck/dist') },
};

// mocha's browser build is a UMD script, and mocha's package says "type": "module", so esbuild inlines it as ES module
// code where its `module.exports = factory()` replaces the test index's own exports. Hiding `module`/`exports`/`define`
// makes it take its browser branch: it sets `globalThis.mocha`, as in a <script> tag.
const mochaAsBrowserGlobal = {
  name: 'mocha-as-browser-global',
  setup(esbuild) {
    esbuild.onLoad({ filter: /[\\/]mocha[\\/]mocha\.js$/ }, async ({ path }) => ({
      contents: `const module = undefined, exports = undefined, define = undefined;\n${await readFile(path, 'utf8')}`,
      loader: 'js',
    }));
  },
};

const extension = await build({ ...web, entryPoints: ['src/extension/web/webMain.ts'], outfile: 'dist/web/extension.js', external: ['vscode'], metafile: true });
// What the bundle is made of (`npx esbuild --analyze` reads it): kept out of dist/, which ships.
mkdirSync(join(root, 'out', 'web'), { recursive: true });
writeFileSync(join(root, 'out', 'web', 'extension.meta.json'), JSON.stringify(extension.metafile));
// The nested workers, started from a Blob URL inside a bootstrap (src/web/node/worker_threads.ts): plain scripts.
for (const worker of ['src/core/engine/evaluationWorker.ts', 'src/core/compiler/compilerWorker.ts']) {
  await build({ ...web, format: 'iife', entryPoints: [worker], outfile: join('dist', 'web', worker.split('/').pop().replace('.ts', '.js')) });
}
if (existsSync(join(root, 'test/web/index.ts'))) {
  await build({ ...web, entryPoints: ['test/web/index.ts'], outfile: 'out/web/tests.js', external: ['vscode'], plugins: [nodeForWeb, withoutAws, mochaAsBrowserGlobal] });
}
