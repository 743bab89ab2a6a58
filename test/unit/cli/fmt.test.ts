import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credcheckCli } from './policyTypo.test';

const REPO = join(__dirname, '../../../..');
const NATIVE_OPA = join(REPO, '.tools/bin/opa');
const CORPUS = join(REPO, 'test/fixtures/rego/unformatted');

describe('credcheck fmt', function () {
  this.timeout(600_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'credcheck-fmt-'));
    for (const name of readdirSync(CORPUS)) copyFileSync(join(CORPUS, name), join(dir, name));
    copyFileSync(join(REPO, 'policies/credcheck/checks/root_mfa/root_mfa.rego'), join(dir, 'already_formatted.rego'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('prints what native opa fmt prints, with no opa on PATH', async function () {
    const result = await credcheckCli(['fmt', 'spacing.rego'], dir);
    assert.equal(result.code, 0, result.stderr);
    if (!existsSync(NATIVE_OPA)) {
      if (process.env.CI) assert.fail(`native opa is missing at ${NATIVE_OPA}`);
      console.log('    skipped the comparison: no native opa and CI is unset');
      return this.skip();
    }
    const native = spawnSync(NATIVE_OPA, ['fmt', 'spacing.rego'], { cwd: dir, encoding: 'utf8' });
    assert.equal(result.stdout, native.stdout);
  });

  it('--check lists the files that would change and exits 1; exits 0 once they are written with -w', async () => {
    const check = await credcheckCli(['fmt', '--check', '.'], dir);
    assert.equal(check.code, 1, check.stderr);
    assert.deepEqual(check.stdout.trim().split('\n').sort(), readdirSync(CORPUS).sort());
    const before = readFileSync(join(dir, 'spacing.rego'), 'utf8');
    const write = await credcheckCli(['fmt', '-w', '.'], dir);
    assert.equal(write.code, 0, write.stderr);
    assert.notEqual(readFileSync(join(dir, 'spacing.rego'), 'utf8'), before);
    const again = await credcheckCli(['fmt', '--check', '.'], dir);
    assert.deepEqual([again.code, again.stdout], [0, '']);
  });

  it('--diff prints a unified diff of the changes and leaves the file alone', async () => {
    const before = readFileSync(join(dir, 'spacing.rego'), 'utf8');
    const result = await credcheckCli(['fmt', '--diff', 'spacing.rego'], dir);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^--- a\/spacing\.rego/m);
    assert.match(result.stdout, /^\+\+\+ b\/spacing\.rego/m);
    assert.match(result.stdout, /^-deny contains msg if \{ some u in input\.users/m);
    assert.equal(readFileSync(join(dir, 'spacing.rego'), 'utf8'), before);
  });

  it('exits 2 with file:line:col on a file that does not parse', async () => {
    const result = await credcheckCli(['fmt', join(REPO, 'test/fixtures/cli/broken/syntax.rego')], dir);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /syntax\.rego:\d+:\d+: error: /);
  });
});
