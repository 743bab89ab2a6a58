// The extension for VS Code for the Web (`npm run build` runs this; alone it rebuilds only the web bundles):
// the `browser` entry for the web worker extension host, and the web test bundle that runInCodeServer.mjs --web runs.
// The web build has no Node: src/extension/web/ says what stands in for it.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// jsonc-parser's main entry is a UMD module whose inner requires esbuild cannot follow; its ES module build bundles.
const alias = { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' };
const web = { bundle: true, platform: 'browser', target: 'es2022', format: 'cjs', sourcemap: true, logLevel: 'warning', absWorkingDir: root, alias };

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

await build({ ...web, entryPoints: ['src/extension/web/webMain.ts'], outfile: 'dist/web/extension.js', external: ['vscode'] });
if (existsSync(join(root, 'test/web/index.ts'))) {
  await build({ ...web, entryPoints: ['test/web/index.ts'], outfile: 'out/web/tests.js', external: ['vscode'], plugins: [mochaAsBrowserGlobal] });
}
