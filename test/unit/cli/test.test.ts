import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { credcheckCli } from './policyTypo.test';

const REPO = join(__dirname, '../../../..');
const NATIVE_OPA = join(REPO, '.tools/bin/opa');

/** Durations differ from run to run; native opa runs tests in parallel, so the order of verbose blocks may differ. */
function comparable(text: string): string[] {
  return text
    .replace(/\((\d+(\.\d+)?)(ns|µs|ms|s)\)/g, '(DURATION)')
    .split('\n')
    .filter((line) => !/^\s*(query:1|test\/fixtures\/.*\.rego:\d+)\s+/.test(line))
    .sort();
}

describe('credcheck test', function () {
  this.timeout(600_000);

  it('exits 0 when every test passes, with no opa on PATH', async () => {
    const result = await credcheckCli(['test', 'test/fixtures/rego/tests']);
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
    assert.equal(result.stdout, 'PASS: 2/2\n');
  });

  it('exits 1 on a failing test and prints what opa test prints', async () => {
    const result = await credcheckCli(['test', 'test/fixtures/rego/failing']);
    assert.equal(result.code, 1, `${result.stdout}\n${result.stderr}`);
    assert.match(result.stdout, /^test\/fixtures\/rego\/failing\/fail_test\.rego:9:\ndata\.custom\.greeting_test\.test_wrong_expectation: FAIL \(/);
    assert.match(result.stdout, /\n  about to fail\n/);
    assert.match(result.stdout, /PASS: 1\/2\nFAIL: 1\/2\n$/);
  });

  it('-v output has the shape of native opa test -v', async function () {
    const ours = await credcheckCli(['test', '-v', 'test/fixtures/rego/failing']);
    if (!existsSync(NATIVE_OPA)) {
      if (process.env.CI) assert.fail(`native opa is missing at ${NATIVE_OPA}`);
      console.log('    skipped: no native opa and CI is unset');
      return this.skip();
    }
    const native = spawnSync(NATIVE_OPA, ['test', '-v', 'test/fixtures/rego/failing'], { cwd: REPO, encoding: 'utf8' });
    assert.deepEqual(comparable(ours.stdout), comparable(native.stdout));
    const plain = await credcheckCli(['test', 'test/fixtures/rego/failing']);
    const nativePlain = spawnSync(NATIVE_OPA, ['test', 'test/fixtures/rego/failing'], { cwd: REPO, encoding: 'utf8' });
    assert.deepEqual(comparable(plain.stdout), comparable(nativePlain.stdout));
  });

  it('--run selects tests by regular expression', async () => {
    const result = await credcheckCli(['test', '--run', 'test_passes', 'test/fixtures/rego/failing']);
    assert.equal(result.code, 0, result.stdout);
    assert.match(result.stdout, /PASS: 1\/1/);
  });

  it('exits 2 with file:line:col on a compile error', async () => {
    const result = await credcheckCli(['test', 'test/fixtures/cli/broken/syntax.rego']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /syntax\.rego:7:\d+: error: /);
  });
});
