import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';

const COMPILER_DIR = join(__dirname, '../../../../compiler');

/** The Go side's own tests (column conversion, capability drift against OPA's source, rewrites): run with `go test`. */
describe('compiler/ Go tests', function () {
  this.timeout(600_000);
  before(function () {
    try {
      execFileSync('go', ['version'], { stdio: 'ignore' });
    } catch {
      console.log('    skipped: `go` is not on PATH');
      this.skip();
    }
  });

  it('pass under `go test`', () => {
    const run = spawnSync('go', ['test', './...'], { cwd: COMPILER_DIR, encoding: 'utf8' });
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, /^ok\s/m);
  });
});
