import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditReports } from '../../../src/core/run/audit';
import { Finding } from '../../../src/core/model';
import { normalizeReport } from '../../../src/core/report/normalizer';
import { DEFAULT_MAX_REPORT_BYTES, loadReport, maxReportBytesFrom } from '../../../src/core/report/reportLoader';
import { parseReport } from '../../../src/core/report/reportParser';
import { reportText, userLine } from '../report/reportText';
import { credcheck } from './cliProcess';

/** Files nobody should hand the tool, and files at the edges of what a report can hold. None may crash it. */

const NOW = new Date('2024-06-01T00:00:00Z');
const checksOf = (findings: Finding[], user: string) => [...new Set(findings.filter((f) => f.user === user && f.status === 'fail').map((f) => f.check))].sort();

/** A tiny seeded generator, so the "random" bytes are the same on every run. */
function seededBytes(length: number, seed: number): Buffer {
  const bytes = Buffer.alloc(length);
  let state = seed >>> 0;
  for (let index = 0; index < length; index++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    bytes[index] = state >>> 24;
  }
  return bytes;
}

describe('hostile and extreme reports', function () {
  this.timeout(120_000);
  let directory: string;
  before(() => {
    directory = mkdtempSync(join(tmpdir(), 'credcheck-hostile-'));
  });
  after(() => rmSync(directory, { recursive: true, force: true }));

  const write = (name: string, content: string | Buffer) => {
    const file = join(directory, name);
    writeFileSync(file, content);
    return file;
  };

  it('refuses /dev/zero, a FIFO with no writer and a link to /dev/zero as reports: a located error, at once (CLI)', async function () {
    if (process.platform === 'win32') this.skip();
    execFileSync('mkfifo', [join(directory, 'pipe.csv')]);
    symlinkSync('/dev/zero', join(directory, 'zero-link.csv'));
    write('good.csv', reportText(userLine()));
    const started = Date.now();
    // /dev/zero never ends and a FIFO never opens for reading without a writer: either would hang or fill memory if read.
    const run = await credcheck(['check', 'good.csv', '/dev/zero', 'pipe.csv', 'zero-link.csv', '--now', NOW.toISOString(), '--format', 'json'], { cwd: directory });
    assert.equal(run.code, 2, run.stderr);
    for (const file of ['/dev/zero', 'pipe.csv', 'zero-link.csv']) {
      assert.match(run.stderr, new RegExp(`^${file.replace(/[.]/g, '\\.')}(:1)?: error: cannot read the report: not a regular file$`, 'm'));
    }
    const output = JSON.parse(run.stdout) as { reports: { file: string }[]; complete: boolean };
    assert.equal(output.complete, false);
    assert.ok(output.reports.some((report) => report.file === 'good.csv'), 'the good report was not audited');
    assert.ok(Date.now() - started < 60_000);
  });

  it('refuses an empty file, random bytes and a PNG with one clear problem on line 1', async () => {
    const cases: Array<[string, Buffer, RegExp]> = [
      ['empty.csv', Buffer.alloc(0), /the file is empty/],
      ['random.csv', seededBytes(64 * 1024, 8), /the file is binary/],
      ['image.csv', Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), seededBytes(2048, 9)]), /the file is binary/],
    ];
    for (const [name, bytes, message] of cases) {
      const { report, input } = await loadReport(write(name, bytes), NOW);
      assert.equal(input, null, name);
      assert.equal(report.problems.length, 1, name);
      assert.equal(report.problems[0]!.code, 'not-a-report', name);
      assert.equal(report.problems[0]!.line, 1, name);
      assert.match(report.problems[0]!.message, message, name);
      // The façade the editor uses says the same, from text.
      const audited = await auditReports({ reports: [{ file: name, text: bytes.toString('utf8') }], now: NOW });
      assert.deepEqual(audited.reports[0]!.problems.map((p) => p.code), ['not-a-report'], name);
      assert.deepEqual(audited.findings, [], name);
    }
  });

  it('reads UTF-16 LE with a BOM through the CLI, with the same findings as UTF-8', async () => {
    const text = reportText(userLine({ user: 'zoë', arn: 'arn:aws:iam::111122223333:user/zoë', mfa_active: 'false' }));
    const utf8 = write('utf8.csv', text);
    const utf16 = write('utf16.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    const outputs = [];
    for (const file of [utf8, utf16]) {
      const result = await credcheck(['check', file, '--now', NOW.toISOString(), '--format', 'json'], { cwd: directory });
      assert.equal(result.code, 1, result.stderr);
      assert.equal(result.stderr, '');
      const findings = (JSON.parse(result.stdout) as { findings: Finding[] }).findings;
      outputs.push(findings.map((f) => [f.check, f.user, f.line, f.message]));
    }
    assert.ok(outputs[0]!.some(([check, user]) => check === 'console-user-mfa' && user === 'zoë'));
    assert.deepEqual(outputs[1], outputs[0]);
  });

  it('refuses a report over the size limit before reading it, naming the limit (loader, façade and CLI)', async () => {
    const lines = Array.from({ length: 200 }, (_, i) => userLine({ user: `user${i}` }));
    const file = write('big.csv', reportText(...lines));
    const { report, input } = await loadReport(file, NOW, {}, 16 * 1024);
    assert.equal(input, null);
    assert.equal(report.problems.length, 1);
    assert.equal(report.problems[0]!.code, 'too-large');
    assert.match(report.problems[0]!.message, /^the file is \d+ KB, over the 16 KB size limit for a credential report/);
    assert.match((await loadReport(file, NOW, {}, 2 * 1024 * 1024)).report.problems.map((p) => p.code).join(), /^$/);

    const audited = await auditReports({ reports: [{ file: 'big.csv', text: reportText(...lines) }], now: NOW, maxReportBytes: 16 * 1024 });
    assert.deepEqual(audited.reports[0]!.problems.map((p) => [p.code, p.line]), [['too-large', 1]]);
    assert.equal(audited.reports[0]!.input.users.length, 0);

    const cli = await credcheck(['check', file, '--now', NOW.toISOString()], { cwd: directory, env: { CREDCHECK_MAX_REPORT_MB: '0.01' } });
    assert.equal(cli.code, 2);
    // A problem on that report (as with any unreadable report), not a stop: other reports of the run would still be audited.
    assert.match(cli.stderr, /big\.csv:1: error: the file is \d+ KB, over the 11 KB size limit for a credential report .*CREDCHECK_MAX_REPORT_MB/);
    assert.match(cli.stdout, /^1 report\(s\), 0 failing/m);
    assert.equal(maxReportBytesFrom({}), DEFAULT_MAX_REPORT_BYTES);
    assert.equal(maxReportBytesFrom({ CREDCHECK_MAX_REPORT_MB: 'lots' }), DEFAULT_MAX_REPORT_BYTES);
    assert.equal(maxReportBytesFrom({ CREDCHECK_MAX_REPORT_MB: '200' }), 200 * 1024 * 1024);
  });

  it('reads a line of a million characters: the long name is kept and the other rows are evaluated', async () => {
    const longName = `u${'x'.repeat(1_000_000)}`;
    const text = reportText(userLine({ user: longName, mfa_active: 'false' }), userLine({ user: 'bob', mfa_active: 'false' }));
    const started = Date.now();
    const result = await auditReports({ reports: [{ file: 'long.csv', text }], now: NOW });
    console.log(`      a line of ${text.split('\n')[1]!.length} characters: audited in ${Date.now() - started} ms`);
    assert.deepEqual(result.reports[0]!.problems, []);
    assert.equal(result.reports[0]!.input.users[0]!.user, longName);
    assert.deepEqual(checksOf(result.findings, longName), checksOf(result.findings, 'bob'));
    assert.ok(checksOf(result.findings, 'bob').includes('console-user-mfa'));
  });

  it('reads a million columns, in the header or in a row, with a warning and every user evaluated', async () => {
    const extraNames = Array.from({ length: 1_000_000 }, (_, i) => `extra_${i}`).join(',');
    const wideHeader = reportText(userLine({ user: 'alice', mfa_active: 'false' })).replace('\n', `,${extraNames}\n`);
    let started = Date.now();
    // One check: every user now carries a million extra fields, and each check pays for them on its own.
    // Over the default size limit (3 MB): raised, as CREDCHECK_MAX_REPORT_MB would.
    const maxReportBytes = 32 * 1024 * 1024;
    const header = await auditReports({ reports: [{ file: 'wide-header.csv', text: wideHeader }], now: NOW, enabledChecks: ['console-user-mfa'], maxReportBytes });
    console.log(`      a header of 1,000,022 columns: audited in ${Date.now() - started} ms`);
    assert.deepEqual(header.reports[0]!.input.users.map((u) => u.user), ['alice']);
    assert.deepEqual(header.reports[0]!.problems.map((p) => [p.code, p.line]), [['short-row', 2]]);
    // The check may run out of its capped wasm memory: that must end as a clear problem, never a crash or a hang.
    const memory = header.policyProblems.filter((p) => p.code === 'memory-limit' && p.file === 'wide-header.csv');
    assert.ok(checksOf(header.findings, 'alice').includes('console-user-mfa') || (memory.length > 0 && memory.length === header.policyProblems.length));

    started = Date.now();
    const wideRow = reportText(userLine({ user: 'alice', mfa_active: 'false' }) + ','.repeat(1_000_000), userLine({ user: 'bob', mfa_active: 'false' }));
    const row = await auditReports({ reports: [{ file: 'wide-row.csv', text: wideRow }], now: NOW, maxReportBytes });
    console.log(`      a row of 1,000,022 cells: audited in ${Date.now() - started} ms`);
    assert.deepEqual(row.reports[0]!.input.users.map((u) => u.user), ['alice', 'bob']);
    assert.deepEqual(row.reports[0]!.problems.map((p) => [p.code, p.line]), [['long-row', 2]]);
    assert.deepEqual(checksOf(row.findings, 'alice'), checksOf(row.findings, 'bob'));
  });

  it('parses and normalises 100,000 rows', () => {
    const lines = Array.from({ length: 100_000 }, (_, i) => userLine({ user: `user${i}`, arn: `arn:aws:iam::111122223333:user/user${i}` }));
    const text = reportText(...lines);
    const started = Date.now();
    const parsed = parseReport(text, 'many.csv');
    const parsedMs = Date.now() - started;
    const input = normalizeReport(parsed, NOW);
    const totalMs = Date.now() - started;
    console.log(
      `      100,000 rows (${(text.length / 1048576).toFixed(1)} MB): parsed in ${parsedMs} ms, normalised in ${totalMs - parsedMs} ms, ` +
        `heap ${(process.memoryUsage().heapUsed / 1048576).toFixed(0)} MB`,
    );
    assert.deepEqual(parsed.problems, []);
    assert.equal(input.users.length, 100_000);
    assert.equal(input.users[99_999]!.user, 'user99999');
    assert.equal(input.users[99_999]!.line, 100_001);
  });

  it('keeps names with commas and quotes exactly, and locates their cells', async () => {
    const names = ['smith, john', 'o"brien', '"quoted", and, commas', ' spaced '];
    const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
    const text = reportText(...names.map((name) => userLine({ user: quote(name), arn: quote(`arn:aws:iam::111122223333:user/${name}`), mfa_active: 'false' })));
    const result = await auditReports({ reports: [{ file: 'names.csv', text }], now: NOW });
    assert.deepEqual(result.reports[0]!.problems, []);
    assert.deepEqual(result.reports[0]!.input.users.map((u) => u.user), names.map((name) => name.trim()));
    names.forEach((name, index) => {
      const row = result.reports[0]!.parsed.rows[index]!;
      const line = text.split('\n')[index + 1]!;
      assert.equal(line.slice(row.locations.user!.startColumn, row.locations.user!.endColumn), name.replace(/"/g, '""'));
      assert.ok(checksOf(result.findings, name.trim()).includes('console-user-mfa'), name);
    });
  });

  it('reads columns named after Object.prototype members, even in rows that lack them', async () => {
    const text = 'user,arn,mfa_active,valueOf,toString,__proto__,constructor\nalice,arn:aws:iam::111122223333:user/alice,false\nbob,arn:aws:iam::111122223333:user/bob,false,1,2,3,4\n';
    const result = await auditReports({ reports: [{ file: 'proto.csv', text }], now: NOW });
    const [alice, bob] = result.reports[0]!.input.users;
    assert.equal(alice!.valueOf, null);
    assert.equal(alice!.toString, null);
    assert.deepEqual([bob!.valueOf, bob!.toString, Object.getOwnPropertyDescriptor(bob, '__proto__')?.value, bob!.constructor], ['1', '2', '3', '4']);
    assert.equal(Object.getPrototypeOf(bob), Object.prototype);
    assert.deepEqual(result.policyProblems, []);
  });

  it('handles times in 1970, in 2099, and after the evaluation time', async () => {
    const text = reportText(
      userLine({ user: 'epoch', user_creation_time: '1970-01-01T00:00:00+00:00', access_key_1_last_rotated: '1970-01-01T00:00:01+00:00', access_key_1_last_used_date: '1970-01-02T00:00:00+00:00' }),
      userLine({ user: 'future', user_creation_time: '2024-05-01T00:00:00+00:00', access_key_1_last_rotated: '2099-12-31T23:59:59+00:00', access_key_1_last_used_date: '2099-12-31T23:59:59+00:00', password_last_used: '2024-06-01T00:00:01+00:00' }),
    );
    const result = await auditReports({ reports: [{ file: 'times.csv', text }], now: NOW });
    const [epoch, future] = result.reports[0]!.input.users;
    assert.deepEqual(result.reports[0]!.problems.map((p) => p.code), []);
    assert.equal(epoch!.user_creation_time, '1970-01-01T00:00:00Z');
    assert.ok((epoch!.access_key_1_last_rotated_days as number) > 19_000);
    assert.equal(future!.access_key_1_last_rotated, '2099-12-31T23:59:59Z');
    assert.ok((future!.access_key_1_last_rotated_days as number) < -27_000, 'a future time has a negative age');
    assert.ok((future!.password_last_used_days as number) < 0 && (future!.password_last_used_days as number) > -0.001);
    assert.ok(checksOf(result.findings, 'epoch').includes('access-key-rotation'));
    // A key "rotated" in 2099 is not old, whatever else is said about it.
    assert.ok(!checksOf(result.findings, 'future').includes('access-key-rotation'));
    assert.ok(!checksOf(result.findings, 'future').includes('unused-access-key'));
  });
});
