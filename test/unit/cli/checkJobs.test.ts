import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CliIo } from '../../../src/cli/io';
import { main } from '../../../src/cli/main';
import { auditReportFiles } from '../../../src/core/run/batchAudit';
import { loadBundledPolicies } from '../../../src/core/checks/catalog';
import { Finding } from '../../../src/core/model';

const REPO = join(__dirname, '../../../..');
const REALWORLD = join(REPO, 'test/fixtures/reports/realworld');
const NOW = '2025-06-01T00:00:00Z';

/** A deterministic synthetic report from the benchmark's generator (an ES module, so imported in a child process). */
function syntheticReport(users: number, seed: number, account: string): string {
  const generator = pathToFileURL(join(REPO, 'bench/syntheticReport.mjs')).href;
  const script = `import(${JSON.stringify(generator)}).then((m) => process.stdout.write(m.generateReport(${users}, ${seed}, ${JSON.stringify(account)})))`;
  return execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', maxBuffer: 1 << 26 });
}

function memoryIo(cwd: string): CliIo & { out: string; err: string } {
  const io = { out: '', err: '', cwd, env: {}, stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
  return io;
}

async function check(cwd: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = memoryIo(cwd);
  const code = await main(['check', ...args], io);
  return { code, out: io.out, err: io.err };
}

describe('credcheck check --jobs', function () {
  this.timeout(120000);
  let dir: string;
  let reports: string[];

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'credcheck-jobs-'));
    for (const file of readdirSync(REALWORLD).filter((f) => f.endsWith('.csv'))) copyFileSync(join(REALWORLD, file), join(dir, file));
    // Two bigger ones, named to sort first and last so a slow big report has to wait for, or be waited on by, the small ones.
    writeFileSync(join(dir, 'aaa-synthetic.csv'), syntheticReport(400, 11, '210000000011'));
    writeFileSync(join(dir, 'zzz-synthetic.csv'), syntheticReport(300, 12, '210000000012'));
    reports = readdirSync(dir).filter((f) => f.endsWith('.csv')).sort();
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const format of ['json', 'csv']) {
    it(`writes byte-identical ${format} with 2 workers and in-process, to a file and to stdout`, async () => {
      const single = await check(dir, [...reports, '--format', format, '--now', NOW, '--jobs', '1', '--output', `single.${format}`]);
      const workers = await check(dir, [...reports, '--format', format, '--now', NOW, '--jobs', '2', '--output', `workers.${format}`]);
      // A file named twice: its two audits' findings interleave by line, as in-process.
      const twice = [reports[5]!, ...reports, reports[5]!];
      const singleTwice = await check(dir, [...twice, '--format', format, '--now', NOW, '--jobs', '1']);
      const workersTwice = await check(dir, [...twice, '--format', format, '--now', NOW, '--jobs', '2']);
      assert.equal(workersTwice.out, singleTwice.out);
      const streamed = await check(dir, [...reports, '--format', format, '--now', NOW, '--jobs', '3']);
      assert.equal(single.code, 1, single.err);
      assert.equal(workers.code, single.code);
      assert.equal(streamed.code, single.code);
      const expected = readFileSync(join(dir, `single.${format}`));
      assert.ok(expected.length > 100_000, `only ${expected.length} bytes: the comparison would prove little`);
      assert.ok(expected.equals(readFileSync(join(dir, `workers.${format}`))), `--jobs 2 ${format} output differs`);
      assert.ok(expected.equals(Buffer.from(streamed.out, 'utf8')), `--jobs 3 ${format} on stdout differs`);
      assert.equal(workers.err, single.err);
      assert.equal(streamed.err, single.err);
    });
  }

  it('gives the same table output (collected in memory) as in-process', async () => {
    const single = await check(dir, [...reports, '--now', NOW, '--jobs', '1']);
    const workers = await check(dir, [...reports, '--now', NOW, '--jobs', '2']);
    assert.equal(workers.code, single.code);
    assert.equal(workers.out, single.out);
    assert.ok(single.out.split('\n').length > 1000, 'the table is suspiciously short');
  });

  it('evaluates a user policy in every worker and places unused suppressions by file name, as in-process', async () => {
    copyFileSync(join(REPO, 'test/fixtures/cli/report.csv'), join(dir, 'office.csv'));
    copyFileSync(join(REPO, 'test/fixtures/cli/report.csv'), join(dir, 'zoffice.csv'));
    // The suppressions file sorts between the reports: its "matched no finding" entry belongs in the middle of the output.
    writeFileSync(
      join(dir, 'm-suppressions.yaml'),
      [
        'suppressions:',
        '  - check: acme-old-console-key',
        '    user: pam_*',
        '    reason: rotated by the vault',
        '  - check: root-mfa',
        '    user: nobody-at-all',
        '    reason: never matches',
        '',
      ].join('\n'),
    );
    const args = ['office.csv', 'aaa-synthetic.csv', 'zoffice.csv', '--policy', join(REPO, 'test/fixtures/cli/mypolicies'), '--suppressions', 'm-suppressions.yaml', '--now', '2024-01-01T00:00:00Z', '--format', 'json'];
    const single = await check(dir, [...args, '--jobs', '1']);
    const workers = await check(dir, [...args, '--jobs', '2']);
    assert.equal(single.code, 1, single.err);
    assert.equal(workers.code, 1, workers.err);
    assert.equal(workers.out, single.out);
    const output = JSON.parse(workers.out) as { findings: Finding[] };
    const mine = output.findings.filter((f) => f.check === 'acme-old-console-key' && f.file.endsWith('office.csv'));
    assert.ok(output.findings.some((f) => f.check === 'acme-old-console-key' && f.file === 'aaa-synthetic.csv'));
    // Both copies of the office report, in each worker: dwight's key 1, pam's keys 1 and 2 (pam's suppressed).
    assert.deepEqual(
      mine.map((f) => [f.file, f.user, f.key, f.suppressed !== undefined]),
      ['office.csv', 'zoffice.csv'].flatMap((file) => [[file, 'dwight_schrute', 1, false], [file, 'pam_beasly', 1, true], [file, 'pam_beasly', 2, true]]),
    );
    const unused = output.findings.findIndex((f) => f.check === 'suppression');
    assert.equal(output.findings[unused]!.message, 'suppression of root-mfa for nobody-at-all matched no finding; remove it');
    assert.equal(output.findings[unused - 1]!.file, 'aaa-synthetic.csv');
    assert.equal(output.findings[unused + 1]!.file, 'office.csv');
  });

  it('keeps the good reports\' findings when one is malformed and one is missing, names both, and exits 2 (workers or not)', async () => {
    copyFileSync(join(REPO, 'test/fixtures/reports/not-a-report.csv'), join(dir, 'broken.csv'));
    const good = ['aaa-synthetic.csv', 'prowler__no_setup_initial_access_key__pass.csv', 'zzz-synthetic.csv'];
    const alone = await check(dir, [...good, '--format', 'json', '--now', NOW, '--jobs', '1']);
    const mixed = await check(dir, [good[0]!, 'broken.csv', good[1]!, 'missing.csv', good[2]!, '--format', 'json', '--now', NOW, '--jobs', '2']);
    assert.equal(alone.code, 1, alone.err);
    assert.equal(mixed.code, 2, mixed.err);
    assert.match(mixed.err, /^missing\.csv: error: cannot read the report: no such file$/m);
    assert.match(mixed.err, /^broken\.csv:\d+: error: /m);
    const expected = JSON.parse(alone.out) as { findings: Finding[] };
    const actual = JSON.parse(mixed.out) as { reports: { file: string; problems: { code: string }[] }[]; findings: Finding[] };
    assert.deepEqual(actual.findings.filter((f) => good.includes(f.file)), expected.findings);
    assert.ok(expected.findings.length > 100);
    assert.deepEqual(actual.reports.map((r) => r.file), [good[0], 'broken.csv', good[1], 'missing.csv', good[2]]);
    assert.deepEqual(actual.reports[3]!.problems.map((p) => p.code), ['unreadable']);
    // One thread gives the same: the unreadable report is a problem on it, not a stop.
    const oneThread = await check(dir, [good[0]!, 'broken.csv', good[1]!, 'missing.csv', good[2]!, '--format', 'json', '--now', NOW, '--jobs', '1']);
    assert.equal(oneThread.code, 2, oneThread.err);
    assert.equal(oneThread.out, mixed.out);
    assert.match(oneThread.err, /^missing\.csv: error: cannot read the report: no such file$/m);
  });

  it('exits 0 when no check fails, and 2 on a bad --jobs', async () => {
    const disable = loadBundledPolicies().checks.flatMap((entry) => ['--disable', entry.id]);
    const quiet = await check(dir, [...reports.slice(0, 4), ...disable, '--format', 'csv', '--now', NOW, '--jobs', '2']);
    assert.equal(quiet.code, 0, quiet.err);
    assert.equal(quiet.out, 'check,status,severity,account,user,arn,key,file,line,column,message,suppressed,controls\r\n');
    for (const jobs of ['0', 'two', '-1']) {
      const bad = await check(dir, [reports[0]!, reports[1]!, '--jobs', jobs]);
      assert.equal(bad.code, 2);
      assert.match(bad.err, /--jobs/);
    }
  });

  it('turns a worker that dies into a located problem on its report, and still audits the others', async () => {
    // A worker heap far too small for a 5,000-user report but enough for the small ones: that worker runs out of memory.
    writeFileSync(join(dir, 'big.csv'), syntheticReport(5000, 13, '210000000013'));
    const small = ['c7n__test_account_credential_report.csv', 'scoutsuite__rule-configs_iam-root.csv'];
    const audit = async (files: string[], workerMemoryMb?: number) => {
      const byFile = new Map<string, Finding[]>();
      const result = await auditReportFiles({
        reports: files.map((file) => ({ file, path: join(dir, file) })),
        now: new Date(NOW),
        maxReportBytes: 16 * 1024 * 1024,
        jobs: 2,
        findings: 'objects',
        workerMemoryMb,
        onFindings: (batch) => 'findings' in batch && byFile.set(batch.file, batch.findings),
      });
      return { result, byFile };
    };
    const starved = await audit([small[0]!, 'big.csv', small[1]!], 32);
    const failed = starved.result.reports.find((r) => r.file === 'big.csv')!;
    assert.deepEqual(failed.problems.map((p) => [p.file, p.line, p.severity, p.code]), [['big.csv', 1, 'error', 'audit-failed']]);
    assert.match(failed.problems[0]!.message, /out of memory/);
    assert.equal(failed.users, 0);
    assert.equal(starved.byFile.has('big.csv'), false);
    const normal = await audit(small);
    assert.ok([...normal.byFile.values()].flat().length > 0);
    for (const file of small) assert.deepEqual(starved.byFile.get(file), normal.byFile.get(file), file);
  });
});
