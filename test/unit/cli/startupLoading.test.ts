/**
 * What a CLI run loads (issue 18, "start fast"), seen from inside the built CLI (bin/credcheck, dist/) by a probe
 * preloaded with --require: `check` loads neither the AWS SDK (dist/aws.js), nor Node's fetch implementation (undici),
 * nor ICU's grapheme segmenter for ASCII text; `fetch` does load the SDK; and the V8 code cache makes a second run give
 * the same output.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isolatedEnvironment, REPOSITORY_ROOT, runCli } from '../../support/cliRunner';
import { IamStubServer, STUB_REPORT } from '../../support/iamStubServer';

interface ProbeReport {
  /** The files Node's CommonJS loader loaded (the bundle itself is loaded by the launcher, outside this list). */
  files: string[];
  /** Node's own modules that were loaded. */
  builtins: string[];
  segmenters: number;
}

const PROBE = `
const { writeFileSync } = require('node:fs');
let segmenters = 0;
const Segmenter = Intl.Segmenter;
Intl.Segmenter = class extends Segmenter {
  constructor(...args) {
    super(...args);
    segmenters++;
  }
};
process.on('exit', () => {
  writeFileSync(process.env.CREDCHECK_TEST_PROBE_OUT, JSON.stringify({ files: Object.keys(require.cache), builtins: process.moduleLoadList, segmenters }));
});
`;

describe('what a CLI run loads (built CLI)', function () {
  this.timeout(60_000);
  let work: string;
  let probe: string;
  let probeOut: string;

  before(() => {
    assert.ok(existsSync(join(REPOSITORY_ROOT, 'dist', 'cliLauncher.js')), 'dist/cliLauncher.js is missing: run `npm run build` first');
  });
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'credcheck-startup-'));
    probe = join(work, 'probe.cjs');
    probeOut = join(work, 'probe.json');
    writeFileSync(probe, PROBE);
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  const probeEnvironment = (extra: Record<string, string> = {}) =>
    isolatedEnvironment({ NODE_OPTIONS: `--require ${probe}`, CREDCHECK_TEST_PROBE_OUT: probeOut, CREDCHECK_CACHE_DIR: join(work, 'cache'), ...extra });
  const probeReport = () => JSON.parse(readFileSync(probeOut, 'utf8')) as ProbeReport;

  it('check loads neither the AWS SDK nor undici nor the grapheme segmenter, and its second run (code cache) prints the same', () => {
    const args = [join(REPOSITORY_ROOT, 'bin', 'credcheck'), 'check', 'samples/sample-credential-report.csv', '--format', 'json', '--now', '2021-02-09T08:42:56Z'];
    const first = spawnSync(process.execPath, args, { cwd: REPOSITORY_ROOT, encoding: 'utf8', env: probeEnvironment() });
    assert.equal(first.status, 1, first.stderr);
    const loaded = probeReport();
    assert.deepEqual(loaded.files.filter((file) => file.endsWith('aws.js') || file.includes('@aws-sdk') || file.includes('@smithy')), []);
    assert.deepEqual(loaded.builtins.filter((name) => /undici|_http_/.test(name)), []);
    assert.equal(loaded.segmenters, 0);
    // Bundled into dist/cli.js, the SDK would load with it: it lives in dist/aws.js only (esbuild names each source).
    // The same for the extension's bundles; the web one must never hold it (a browser cannot call AWS: no CORS).
    for (const bundle of ['cli.js', 'extension.js', 'web/extension.js']) {
      assert.ok(!readFileSync(join(REPOSITORY_ROOT, 'dist', bundle), 'utf8').includes('node_modules/@aws-sdk/'), `dist/${bundle} contains the AWS SDK`);
    }
    assert.deepEqual(readdirSync(join(work, 'cache', 'v8')).filter((name) => /^cli\.js-[0-9a-f]+\.bin$/.test(name)).length, 1, 'the code cache was written');

    const second = spawnSync(process.execPath, args, { cwd: REPOSITORY_ROOT, encoding: 'utf8', env: probeEnvironment() });
    assert.deepEqual([second.status, second.stdout, second.stderr], [first.status, first.stdout, first.stderr]);
  });

  it('fetch loads the AWS SDK from dist/aws.js', async () => {
    const stub = await IamStubServer.start({});
    try {
      const result = await runCli(['fetch', '--endpoint-url', stub.url], {
        env: probeEnvironment({ AWS_ACCESS_KEY_ID: 'AKIASTARTUPTEST00001', AWS_SECRET_ACCESS_KEY: 'startup-test-secret-0000000000000000000' }),
        cwd: work,
      });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, STUB_REPORT);
      assert.deepEqual(probeReport().files.filter((file) => file.endsWith('aws.js')), [join(REPOSITORY_ROOT, 'dist', 'aws.js')]);
    } finally {
      await stub.stop();
    }
  });
});
