import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeReportBytes, isFatalReport, loadReport } from '../../../src/core/report/reportLoader';
import { reportText, userLine } from './reportText';

describe('loadReport', () => {
  let directory: string;
  before(() => {
    directory = mkdtempSync(join(tmpdir(), 'credcheck-loader-'));
  });
  after(() => rmSync(directory, { recursive: true, force: true }));

  it('reads, parses and normalises a file at the given evaluation time', async () => {
    const file = join(directory, 'report.csv');
    writeFileSync(file, reportText(userLine()));
    const { report, input } = await loadReport(file, new Date('2024-03-11T12:00:00Z'));
    assert.deepEqual(report.problems, []);
    assert.equal(input?.evaluation_time, '2024-03-11T12:00:00Z');
    assert.equal(input?.report.file, file);
    assert.equal(input?.users[0].password_last_used_days, 10);
  });

  it('reads a report saved as UTF-16 with a byte order mark', async () => {
    const file = join(directory, 'utf16.csv');
    const text = reportText(userLine({ user: 'zoë' }));
    writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    const { report, input } = await loadReport(file, new Date('2024-03-11T12:00:00Z'));
    assert.deepEqual(report.problems, []);
    assert.equal(input?.users[0].user, 'zoë');
    const bigEndian = Buffer.from(text, 'utf16le').swap16();
    assert.equal(decodeReportBytes(Buffer.concat([Buffer.from([0xfe, 0xff]), bigEndian])), text);
  });

  it('gives no input, and a fatal problem naming the file, for a missing file or another kind of file', async () => {
    const missing = await loadReport(join(directory, 'absent.csv'), new Date());
    assert.equal(missing.input, null);
    assert.ok(isFatalReport(missing.report));
    assert.deepEqual(
      missing.report.problems.map((problem) => [problem.file, problem.code]),
      [[join(directory, 'absent.csv'), 'unreadable']],
    );
    const other = join(directory, 'other.csv');
    writeFileSync(other, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]));
    const binary = await loadReport(other, new Date());
    assert.equal(binary.input, null);
    assert.deepEqual(
      binary.report.problems.map((problem) => problem.code),
      ['not-a-report'],
    );
  });
});
