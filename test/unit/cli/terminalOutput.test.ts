import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { colorEnabled, CliIo, stdoutDisplay } from '../../../src/cli/io';
import { main } from '../../../src/cli/main';
import { displayWidth } from '../../../src/core/text/textWidth';

const REPO = join(__dirname, '../../../..');
const SAMPLE = join(REPO, 'samples/sample-credential-report.csv');
const NOW = '2021-02-09T08:42:56Z';
const SGR = /\x1b\[[0-9;]*m/g;

function memoryIo(options: Partial<CliIo> = {}): CliIo & { out: string; err: string } {
  const io = { out: '', err: '', cwd: REPO, env: {}, stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t), ...options };
  return io;
}

describe('credcheck check on a terminal: width, colour, paths, summary, progress', function () {
  this.timeout(120000);

  it('decides colour from NO_COLOR, FORCE_COLOR and whether stdout is a terminal', () => {
    const terminal = { columns: 80 };
    assert.equal(colorEnabled({ env: {}, stdoutTerminal: terminal }), true);
    assert.equal(colorEnabled({ env: {}, stdoutTerminal: undefined }), false);
    assert.equal(colorEnabled({ env: { NO_COLOR: '1' }, stdoutTerminal: terminal }), false);
    assert.equal(colorEnabled({ env: { NO_COLOR: '1', FORCE_COLOR: '1' }, stdoutTerminal: terminal }), false);
    assert.equal(colorEnabled({ env: { NO_COLOR: '' }, stdoutTerminal: terminal }), true);
    assert.equal(colorEnabled({ env: { FORCE_COLOR: '1' }, stdoutTerminal: undefined }), true);
    assert.equal(colorEnabled({ env: { FORCE_COLOR: '0' }, stdoutTerminal: terminal }), false);
    assert.equal(colorEnabled({ env: { TERM: 'dumb' }, stdoutTerminal: terminal }), false);
    assert.deepEqual(stdoutDisplay(memoryIo({ env: { COLUMNS: '100' }, stdoutTerminal: terminal })).width, 100);
    assert.equal(stdoutDisplay(memoryIo({ env: { COLUMNS: '100' } })).width, undefined);
  });

  it('fits an 80-column terminal: every line at most 80 columns, messages under their rows, coloured by severity', async () => {
    const io = memoryIo({ stdoutTerminal: { columns: 80 } });
    assert.equal(await main(['check', SAMPLE, '--now', NOW], io), 1, io.err);
    const plain = io.out.replace(SGR, '');
    for (const line of plain.split('\n')) assert.ok(displayWidth(line) <= 80, `${displayWidth(line)} columns: ${line}`);
    assert.match(io.out, /\x1b\[31m/); // high in red
    assert.match(io.out, /\x1b\[1m\x1b\[31mFAIL/); // failing status in bold red
    // The absolute report path is shown relative to the working directory, once, as the block's heading.
    assert.ok(!plain.includes(REPO), plain);
    assert.match(plain, /^samples\/sample-credential-report\.csv \(account 899221540641\)$/m);
    assert.match(plain, /^ {2}FAIL {4}high {6}console-user-mfa {9}dwight_schrute {2}- {4}4:138$/m);
    assert.match(plain, /^ {6}user dwight_schrute has a console password but no MFA device \(password$/m);
    assert.match(plain, /^Failing by severity: 3 high, 6 medium, 4 low$/m);
    assert.match(plain, /^ {2}console-user-mfa {9}high {6}3$/m);
  });

  it('honours NO_COLOR on a terminal, and writes stable plain one-line rows off a terminal (FORCE_COLOR colours a pipe)', async () => {
    const noColor = memoryIo({ stdoutTerminal: { columns: 80 }, env: { NO_COLOR: '1' } });
    await main(['check', SAMPLE, '--now', NOW], noColor);
    assert.ok(!noColor.out.includes('\x1b'));

    const piped = memoryIo();
    await main(['check', SAMPLE, '--now', NOW], piped);
    assert.ok(!piped.out.includes('\x1b'));
    assert.match(piped.out, /^ {2}FAIL {4}high {6}console-user-mfa {9}dwight_schrute {2}- {4}4:138 mfa_active {19}user dwight_schrute has a console password but no MFA device \(password never used\)$/m);
    const again = memoryIo();
    await main(['check', SAMPLE, '--now', NOW], again);
    assert.equal(again.out, piped.out);

    const forced = memoryIo({ env: { FORCE_COLOR: '1' } });
    await main(['check', SAMPLE, '--now', NOW], forced);
    assert.match(forced.out, /\x1b\[31m/);
    assert.equal(forced.out.replace(SGR, ''), piped.out);
  });

  it('shows progress on a terminal stderr when several reports are audited, and clears it; none on a pipe', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'credcheck-progress-'));
    try {
      for (const name of ['a.csv', 'b.csv', 'c.csv']) copyFileSync(SAMPLE, join(dir, name));
      for (const jobs of ['1', '2']) {
        const io = memoryIo({ cwd: dir, stderrTerminal: { columns: 80 } });
        assert.equal(await main(['check', 'a.csv', 'b.csv', 'c.csv', '--now', NOW, '--jobs', jobs], io), 1, io.err);
        assert.ok(io.err.includes('credcheck: audited 1 of 3 reports'), JSON.stringify(io.err));
        assert.ok(io.err.includes('credcheck: audited 3 of 3 reports'), JSON.stringify(io.err));
        assert.ok(io.err.endsWith('\r\x1b[2K'), JSON.stringify(io.err));
        const piped = memoryIo({ cwd: dir });
        await main(['check', 'a.csv', 'b.csv', 'c.csv', '--now', NOW, '--jobs', jobs], piped);
        assert.equal(piped.err, '');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('through a real pseudo-terminal of 80 columns (script(1)), the table fits and is coloured', function () {
    if (spawnSync('script', ['--version']).error) this.skip();
    const mainJs = join(REPO, 'out/src/cli/main.js');
    const command = `stty cols 80; ${process.execPath} -e 'require(${JSON.stringify(mainJs)}).main(process.argv.slice(1)).then((c) => { process.exitCode = c; })' check samples/sample-credential-report.csv --now ${NOW}`;
    const run = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: REPO, env: { PATH: process.env.PATH ?? '', TERM: 'xterm', HOME: tmpdir() }, encoding: 'utf8', timeout: 60_000 });
    assert.equal(run.status, 1, run.stderr);
    const plain = run.stdout.replace(SGR, '').replace(/\r/g, '');
    assert.match(plain, /^Failing by severity: 3 high, 6 medium, 4 low$/m);
    for (const line of plain.split('\n')) assert.ok(displayWidth(line) <= 80, `${displayWidth(line)} columns: ${line}`);
    assert.match(run.stdout, /\x1b\[31m/);
  });
});
