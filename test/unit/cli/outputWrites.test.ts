/**
 * Where the output goes when it cannot all go (issue #15, class 8), with the built CLI as a shell runs it: a reader
 * that leaves early (`| head -c 10`), a full disk (`> /dev/full`, `--output /dev/full`), an --output that is a
 * directory or in a missing folder, and --jobs output replacing an earlier file only when complete.
 */
import * as assert from 'node:assert/strict';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isolatedEnvironment, REPOSITORY_ROOT, runCli } from '../../support/cliRunner';
import { spawnTracked, waitForExit } from '../../support/trackedProcesses';
import { HEADER, userLine } from '../report/reportText';

const NOW = '2024-06-01T00:00:00Z';
const CLI = join(REPOSITORY_ROOT, 'bin', 'credcheck');

/** A report whose JSON findings are far larger than a pipe's buffer (64 KiB), so the writer meets the closed pipe. */
function largeReport(users: number): string {
  const lines = Array.from({ length: users }, (_, index) => userLine({ user: `user${index}`, arn: `arn:aws:iam::111122223333:user/user${index}`, mfa_active: 'false' }));
  return [HEADER, ...lines].join('\n') + '\n';
}

/** Runs the CLI with stdout going to `stdout` (a file descriptor, or a pipe read by `onStdout`). */
async function runWith(args: string[], cwd: string, stdout: number | 'pipe', onStdout?: (chunk: Buffer, stop: () => void) => void) {
  const child = spawnTracked(process.execPath, [CLI, ...args], { cwd, env: isolatedEnvironment({}), stdio: ['ignore', stdout, 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  let received = 0;
  child.stdout?.on('data', (chunk: Buffer) => {
    received += chunk.length;
    onStdout?.(chunk, () => child.stdout?.destroy());
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const code = await new Promise<number | null>((resolve) => child.once('close', (exitCode) => resolve(exitCode)));
  clearTimeout(killer);
  await waitForExit(child, 1000);
  return { code, stderr, received };
}

describe('credcheck check: outputs that cannot be written whole', function () {
  this.timeout(120_000);
  let dir: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'credcheck-outputs-'));
    writeFileSync(join(dir, 'big.csv'), largeReport(600));
    writeFileSync(join(dir, 'other.csv'), largeReport(300).replace(/user(\d+)/g, 'other$1'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('| head -c 10: the reader leaving ends the run quietly, with the findings\' exit code and no stack trace', async () => {
    let kept = Buffer.alloc(0);
    const result = await runWith(['check', 'big.csv', '--now', NOW, '--format', 'json'], dir, 'pipe', (chunk, stop) => {
      kept = Buffer.concat([kept, chunk]);
      if (kept.length >= 10) stop(); // what head -c 10 does: take ten bytes, close the pipe
    });
    assert.equal(kept.subarray(0, 10).toString('utf8'), '{\n  "evalu');
    assert.equal(result.code, 1, result.stderr); // 1: failing findings (users without MFA), as with the whole output
    assert.equal(result.stderr, '');
  });

  it('> /dev/full: exit 2 with one line naming the problem', async function () {
    if (process.platform !== 'linux') this.skip();
    const full = openSync('/dev/full', 'w');
    try {
      const result = await runWith(['check', 'big.csv', '--now', NOW, '--format', 'json'], dir, full);
      assert.equal(result.code, 2, result.stderr);
      assert.equal(result.stderr, 'credcheck: cannot write to standard output: no space left on device (ENOSPC)\n');
    } finally {
      closeSync(full);
    }
  });

  it('--output /dev/full: exit 2 with one line naming the file', async function () {
    if (process.platform !== 'linux') this.skip();
    const result = await runCli(['check', 'big.csv', '--now', NOW, '--format', 'json', '--output', '/dev/full'], { env: isolatedEnvironment({}), cwd: dir });
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stderr, 'credcheck check: cannot write /dev/full: no space left on device (ENOSPC)\n');
  });

  it('--output to a directory or into a missing folder: a usage error (exit 2), before the run', async () => {
    mkdirSync(join(dir, 'results'), { recursive: true });
    const cases: Array<[string, string]> = [
      ['results', 'credcheck check: results is a directory; give a file name\n'],
      ['missing/out.json', 'credcheck check: cannot write missing/out.json: the folder missing does not exist\n'],
    ];
    for (const [output, message] of cases) {
      // A missing report too: had the run started, it would have said so first.
      const result = await runCli(['check', 'big.csv', 'absent.csv', '--now', NOW, '--format', 'json', '--output', output], { env: isolatedEnvironment({}), cwd: dir });
      assert.equal(result.code, 2);
      assert.equal(result.stderr, message);
      assert.equal(result.stdout, '');
    }
  });

  it('--jobs --output: the earlier file is replaced only by the complete new one, and no temporary file is left', async () => {
    const output = join(dir, 'findings.json');
    writeFileSync(output, '{"previous": true}\n', { mode: 0o644 });
    const result = await runCli(['check', 'big.csv', 'other.csv', '--jobs', '2', '--now', NOW, '--format', 'json', '--output', 'findings.json'], { env: isolatedEnvironment({}), cwd: dir });
    assert.equal(result.code, 1, result.stderr);
    const document = JSON.parse(readFileSync(output, 'utf8')) as { findings: unknown[]; complete: boolean; reports: unknown[] };
    assert.equal(document.complete, true);
    assert.equal(document.reports.length, 2);
    assert.ok(document.findings.length >= 900);
    assert.deepEqual(readdirSync(dir).filter((name) => name.endsWith('.tmp')), []);
  });
});
