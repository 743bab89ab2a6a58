import { build } from 'esbuild';
import { join } from 'node:path';
const root = process.cwd();
const nodeModules = { fs: 'fs.ts', 'fs/promises': 'fsPromises.ts', path: 'path.ts', crypto: 'crypto.ts', worker_threads: 'worker_threads.ts', os: 'unsupported.ts', child_process: 'unsupported.ts', zlib: 'unsupported.ts', url: 'unsupported.ts', vm: 'unsupported.ts' };
const nodeForWeb = { name: 'n', setup(b) { b.onResolve({ filter: /^(node:)?(fs|fs\/promises|path|crypto|worker_threads|os|child_process|zlib|url|vm)$/ }, ({ path }) => ({ path: join(root, 'src/web/node', nodeModules[path.replace(/^node:/, '')]) })); } };
await build({ bundle: true, platform: 'browser', format: 'cjs', absWorkingDir: root, entryPoints: ['test/.probe/probe.ts'], outfile: '/tmp/wprobe/probe.js', plugins: [nodeForWeb], inject: ['src/web/node/buffer.ts', 'src/web/node/process.ts'], define: { __dirname: '"/credcheck/dist"' }, alias: { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js', 'csv-parse/sync': 'csv-parse/browser/esm/sync' } });
