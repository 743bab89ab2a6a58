import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const REPO = join(__dirname, '../../../..');
const MAIN = join(REPO, 'out/src/cli/main.js');

/** The CLI in a child process with no opa on its PATH, run from the repository root. */
export async function credcheckCli(args: string[], cwd = REPO): Promise<{ code: number; stdout: string; stderr: string }> {
  const path = [join(process.execPath, '..'), '/usr/bin', '/bin'].join(delimiter);
  const script = `require(${JSON.stringify(MAIN)}).main(process.argv.slice(1)).then((c) => { process.exitCode = c; })`;
  try {
    const { stdout, stderr } = await run(process.execPath, ['-e', script, ...args], { cwd, env: { PATH: path, HOME: tmpdir() }, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('credcheck check --policy with a misspelled input field', function () {
  this.timeout(600_000);

  it('exits 2 with file:line:col, the wrong name and the suggestion', async () => {
    const result = await credcheckCli(['check', 'samples/sample-credential-report.csv', '--policy', 'test/fixtures/rego/typo', '--now', '2021-02-09T08:42:56Z']);
    assert.equal(result.code, 2, `${result.stdout}\n${result.stderr}`);
    // check.ts (the run layer's) prints `file:line:col: message`; `error:` is added when it adopts the diagnostic form.
    assert.match(result.stderr, /test\/fixtures\/rego\/typo\/mfa_typo\.rego:11:8: (error: )?undefined ref: u\.mfa_actve/);
    assert.match(result.stderr, /did you mean mfa_active\?/);
  });
});
