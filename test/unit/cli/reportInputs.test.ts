import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { readBoundedStream } from '../../../src/cli/io';
import { credcheck, CliRun } from '../reliability/cliProcess';
import { awsJsonAnswer, bareBase64, BINARY_HEADS, delimitedBy, gzipped, SAMPLE_CSV, SAMPLE_PATH } from '../../fixtures/reports/wrappedReports';

/** Each input shape of issue #16 through the real CLI: the same findings as the CSV file, or one clear refusal. */

const NOW = ['--now', '2021-02-09T08:42:56Z'];

interface JsonOutput {
  reports: Array<{ file: string; users: number; problems: unknown[]; generated_time?: string }>;
  findings: Array<Record<string, unknown>>;
  problems: Array<{ file: string; line: number | null; code: string; message: string }>;
}

function parsed(run: CliRun): JsonOutput {
  return JSON.parse(run.stdout) as JsonOutput;
}

/** The findings without the file name, which is how each input is named. */
function findingsOf(run: CliRun): unknown[] {
  return parsed(run).findings.map(({ file: _file, ...finding }) => finding);
}

describe('credcheck: report inputs (standard input, AWS answers, base64, gzip, delimiters)', function () {
  this.timeout(180_000);
  let directory: string;
  let expected: unknown[];
  const write = (name: string, content: string | Buffer) => {
    writeFileSync(join(directory, name), content);
    return name;
  };

  before(async () => {
    directory = mkdtempSync(join(tmpdir(), 'credcheck-inputs-'));
    const direct = await credcheck(['check', SAMPLE_PATH, ...NOW, '--format', 'json'], { cwd: directory });
    assert.equal(direct.code, 1, direct.stderr);
    expected = findingsOf(direct);
    assert.ok(expected.length > 5);
  });
  after(() => rmSync(directory, { recursive: true, force: true }));

  it('`cat sample | credcheck check - --now ...` gives the findings of the file path, named <stdin>', async () => {
    const run = await credcheck(['check', '-', ...NOW, '--format', 'json'], { cwd: directory, stdin: SAMPLE_CSV });
    assert.equal(run.code, 1, run.stderr);
    assert.equal(run.stderr, '');
    assert.deepEqual(findingsOf(run), expected);
    assert.ok(parsed(run).findings.every((finding) => finding.file === '<stdin>'));
    assert.equal(parsed(run).reports[0]!.file, '<stdin>');
  });

  it("reads the AWS CLI's JSON answer, its GeneratedTime being the report's (--now report)", async () => {
    const file = write('answer.json', awsJsonAnswer());
    const run = await credcheck(['check', file, '--now', 'report', '--format', 'json'], { cwd: directory });
    assert.equal(run.code, 1, run.stderr);
    assert.equal(run.stderr, '');
    assert.deepEqual(findingsOf(run), expected);
  });

  it('reads bare base64 piped in', async () => {
    const run = await credcheck(['check', '-', ...NOW, '--format', 'json'], { cwd: directory, stdin: bareBase64() });
    assert.equal(run.code, 1, run.stderr);
    assert.deepEqual(findingsOf(run), expected);
  });

  it('reads a gzip file, and the JSON answer gzipped, in worker threads too (--jobs 2)', async () => {
    const gz = write('report.csv.gz', gzipped());
    const jsonGz = write('answer.json.gz', gzipped(awsJsonAnswer()));
    const single = await credcheck(['check', gz, ...NOW, '--format', 'json'], { cwd: directory });
    assert.equal(single.code, 1, single.stderr);
    assert.deepEqual(findingsOf(single), expected);
    const pooled = await credcheck(['check', gz, jsonGz, ...NOW, '--format', 'json', '--jobs', '2'], { cwd: directory });
    assert.equal(pooled.code, 1, pooled.stderr);
    assert.equal(pooled.stderr, '');
    const output = parsed(pooled);
    assert.deepEqual(output.reports.map((report) => [report.users, report.generated_time]), [[6, undefined], [6, '2021-02-09T08:42:56Z']]);
    const byFile = (file: string) => output.findings.filter((finding) => finding.file === file).map(({ file: _file, ...finding }) => finding);
    assert.deepEqual(byFile(gz), expected);
    assert.deepEqual(byFile(jsonGz), expected);
  });

  it("reads a ';'-delimited re-save with one warning naming the delimiter", async () => {
    const file = write('semicolon.csv', delimitedBy(';'));
    const run = await credcheck(['check', file, ...NOW, '--format', 'json'], { cwd: directory });
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /^semicolon\.csv:1: warning: the report is delimited by semicolons \(;\), not commas/);
    assert.deepEqual(findingsOf(run), expected);
  });

  it('refuses an xlsx workbook with what it is and how to convert it (exit 2)', async () => {
    const file = write('report.xlsx', BINARY_HEADS.xlsx!);
    const run = await credcheck(['check', file, ...NOW], { cwd: directory });
    assert.equal(run.code, 2);
    assert.equal(
      run.stderr,
      'report.xlsx:1: error: not a credential report: the file is binary: an Excel workbook (xlsx, a zip of XML), not CSV; save it as "CSV UTF-8 (comma delimited)" ' +
        'in the spreadsheet, or convert it: `libreoffice --headless --convert-to csv report.xlsx`\n',
    );
  });

  it('`credcheck input -` prints the JSON answer\'s input with its generation time; `-` twice is a usage error', async () => {
    const run = await credcheck(['input', '-', '--now', 'report'], { cwd: directory, stdin: awsJsonAnswer() });
    assert.equal(run.code, 0, run.stderr);
    const input = JSON.parse(run.stdout) as { evaluation_time: string; report: { file: string; generated_time: string }; users: unknown[] };
    assert.deepEqual([input.evaluation_time, input.report.file, input.report.generated_time, input.users.length], ['2021-02-09T08:42:56Z', '<stdin>', '2021-02-09T08:42:56Z', 6]);
    const twice = await credcheck(['check', '-', '-', ...NOW], { cwd: directory, stdin: SAMPLE_CSV });
    assert.equal(twice.code, 2);
    assert.equal(twice.stderr, 'credcheck check: standard input (-) may be given only once\n');
  });

  it('`credcheck query -` answers over standard input', async () => {
    const run = await credcheck(['query', '-', 'count(input.users)', ...NOW, '--format', 'json'], { cwd: directory, stdin: gzipped() });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.trim(), '6');
  });

  it('reads at most the limit plus one byte of standard input, and says when nothing was piped in', async () => {
    let pulled = 0;
    const endless = new Readable({ read() { pulled++; this.push(Buffer.alloc(1000, 0x41)); } });
    const read = await readBoundedStream(endless, 2500);
    assert.equal(read.length, 2501);
    // The stream reads ahead at most one highWaterMark (16 KiB) past what was taken: bounded, not the endless source.
    assert.ok(pulled * 1000 <= 2500 + endless.readableHighWaterMark + 2000, `pulled ${pulled} chunks`);
    assert.ok(endless.destroyed, 'the stream is let go');
    const empty = await credcheck(['check', '-', ...NOW], { cwd: directory, stdin: '' });
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /^<stdin>:1: error: not a credential report: standard input is empty \(nothing was piped in\); pipe a report in, e\.g\. `cat report\.csv \| credcheck check -`\n$/);
  });
});
