import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ParsedReport, PolicyInput, ReportProblem } from '../../../src/core/model';
import { loadReport, reportTextOf } from '../../../src/core/report/reportLoader';
import { STDIN_FILE } from '../../../src/core/report/reportFormats';
import { prepareRunInputs, RunRequestError } from '../../../src/core/run';
import {
  awsJsonAnswer, awsTextAnswer, awsYamlAnswer, bareBase64, BINARY_HEADS, delimitedBy, GENERATED_TIME_UTC, gzipped, SAMPLE_CSV,
} from '../../fixtures/reports/wrappedReports';

const NOW = new Date('2021-02-09T08:42:56Z');

/** What the policies would see of a report, without what names or places it. */
function usersOf(input: PolicyInput | null): unknown[] {
  assert.ok(input, 'the report gave an input');
  return input.users.map((user) => ({ ...user }));
}

const codes = (report: ParsedReport) => report.problems.map((problem) => problem.code);
const only = (report: ParsedReport): ReportProblem => {
  assert.equal(report.problems.length, 1, JSON.stringify(report.problems));
  return report.problems[0]!;
};

describe('report formats: what the loader unwraps, reads or refuses (issue #16)', () => {
  let directory: string;
  let plain: Awaited<ReturnType<typeof loadReport>>;
  before(async () => {
    directory = mkdtempSync(join(tmpdir(), 'credcheck-formats-'));
    plain = await loadReport(write('plain.csv', SAMPLE_CSV), NOW);
    assert.deepEqual(plain.report.problems, []);
  });
  after(() => rmSync(directory, { recursive: true, force: true }));

  const write = (name: string, content: string | Buffer) => {
    const file = join(directory, name);
    writeFileSync(file, content);
    return file;
  };

  describe('wrappings that are read', () => {
    const cases: Array<[string, string | Buffer, string[], boolean]> = [
      ["the AWS CLI's JSON answer (.json)", awsJsonAnswer(), ["the AWS CLI's JSON answer"], true],
      ["the AWS CLI's JSON answer saved as .csv", awsJsonAnswer(), ["the AWS CLI's JSON answer"], true],
      ["the AWS CLI's YAML answer", awsYamlAnswer(), ["the AWS CLI's YAML answer"], true],
      ["the AWS CLI's text answer", awsTextAnswer(), ["the AWS CLI's text answer"], true],
      ['bare base64, wrapped at 76 columns', bareBase64(), ['base64'], false],
      ['bare base64 on one line', bareBase64(SAMPLE_CSV, false), ['base64'], false],
      ['gzip', gzipped(), ['gzip'], false],
      ["gzip of the AWS CLI's JSON answer", gzipped(awsJsonAnswer()), ['gzip', "the AWS CLI's JSON answer"], true],
      ['base64 of gzip', Buffer.from(gzipped().toString('base64')), ['base64', 'gzip'], false],
    ];
    for (const [name, content, layers, timed] of cases) {
      it(`reads ${name}: the same users as the CSV${timed ? ', generated at its GeneratedTime' : ''}`, async () => {
        const extension = name.includes('.json') ? 'json' : name.includes('gzip') && !name.startsWith('base64') ? 'csv.gz' : 'csv';
        const file = write(`${name.replace(/\W+/g, '-')}.${extension}`, content);
        const { report, input } = await loadReport(file, NOW);
        assert.deepEqual(report.problems, []);
        assert.deepEqual(usersOf(input), usersOf(plain.input));
        assert.equal(report.generatedTime, timed ? GENERATED_TIME_UTC : undefined);
        assert.equal(input!.report.generated_time, timed ? GENERATED_TIME_UTC : null);
        const opened = reportTextOf(Buffer.from(content), 'x', 16 * 1024 * 1024);
        assert.deepEqual(opened.layers, layers);
      });
    }

    it('locates problems on the decoded CSV and says so in every message', async () => {
      const csv = SAMPLE_CSV.replace('darryl_philbin,arn:aws:iam::899221540641:user/darryl_philbin,2021-01-25T19:12:26+00:00,false', 'darryl_philbin,arn:aws:iam::899221540641:user/darryl_philbin,2021-01-25T19:12:26+00:00,maybe');
      const file = write('located.json', awsJsonAnswer(csv));
      const { report } = await loadReport(file, NOW);
      const problem = only(report);
      assert.equal(problem.code, 'bad-boolean');
      assert.equal(problem.line, 3);
      assert.equal(problem.column, 'password_enabled');
      assert.equal(problem.message, `password_enabled is "maybe", not true or false; read as unknown (null) (line 3 of the decoded report in ${file}: the AWS CLI's JSON answer)`);
      // The same CSV on its own: the same place, no note.
      const direct = only((await loadReport(write('located.csv', csv), NOW)).report);
      assert.deepEqual({ ...direct, file: file, message: '' }, { ...problem, message: '' });
      assert.doesNotMatch(direct.message, /decoded/);
    });

    it('keeps the report but reports a GeneratedTime that is not a time (an error: the audit lacks it)', async () => {
      const { report, input } = await loadReport(write('badtime.json', awsJsonAnswer(SAMPLE_CSV, { GeneratedTime: 'yesterday' })), NOW);
      assert.deepEqual(codes(report), ['bad-generated-time']);
      assert.match(report.problems[0]!.message, /^the GeneratedTime of the AWS CLI's JSON answer \("yesterday"\) is not an ISO 8601 time; the report is audited without a generation time$/);
      assert.equal(report.generatedTime, undefined);
      assert.deepEqual(usersOf(input), usersOf(plain.input));
    });
  });

  describe('the size limit bounds what is decoded', () => {
    it('stops inflating a gzip bomb at the limit, with a located error', async () => {
      const bomb = gzipSync(Buffer.alloc(4 * 1024 * 1024, 0x41));
      assert.ok(bomb.length < 16 * 1024);
      const { report, input } = await loadReport(write('bomb.csv.gz', bomb), NOW, {}, 64 * 1024);
      assert.equal(input, null);
      const problem = only(report);
      assert.deepEqual([problem.code, problem.line, problem.severity], ['too-large', 1, 'error']);
      assert.equal(problem.message, 'the report decoded from it (gzip) is more than 64 KB, over the 64 KB size limit for a credential report (IAM allows 5,000 users per account, about 5 MB); decoding stopped at the limit');
    });

    it('refuses standard input over the limit (the limit plus one byte was read) without guessing its size', () => {
      const read = reportTextOf(Buffer.alloc(1024 + 1, 0x41), STDIN_FILE, 1024, ' (hint)');
      assert.equal(read.problem?.code, 'too-large');
      assert.equal(read.problem?.message, 'standard input holds more than 1 KB, over the 1 KB size limit for a credential report (IAM allows 5,000 users per account, about 5 MB); it is not read (hint)');
    });

    it('refuses a gzip of a report over the limit, and reads it under a raised limit', async () => {
      const big = SAMPLE_CSV + Array.from({ length: 400 }, (_, i) => SAMPLE_CSV.split('\n')[2]!.replace(/darryl_philbin/g, `user${i}`)).join('\n');
      const file = write('big.csv.gz', gzipped(big));
      assert.equal(only((await loadReport(file, NOW, {}, 32 * 1024)).report).code, 'too-large');
      const raised = await loadReport(file, NOW, {}, 1024 * 1024);
      assert.equal(raised.input?.users.length, 406);
    });
  });

  describe('delimiters other than a comma', () => {
    it("reads a ';'-delimited re-save whose header is exactly AWS's columns: same users and cell places, one warning", async () => {
      const { report, input } = await loadReport(write('semicolon.csv', delimitedBy(';')), NOW);
      assert.deepEqual(codes(report), ['other-delimiter']);
      assert.equal(report.problems[0]!.line, 1);
      assert.match(report.problems[0]!.message, /^the report is delimited by semicolons \(;\), not commas .*; it is read with semicolons \(;\) because its header is exactly the columns AWS writes/);
      assert.deepEqual(usersOf(input), usersOf(plain.input));
      assert.deepEqual(report.rows.map((row) => row.locations), plain.report.rows.map((row) => row.locations));
    });

    it('reads a tab-delimited UTF-16 "Unicode text" save', async () => {
      const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(delimitedBy('\t'), 'utf16le')]);
      const { report, input } = await loadReport(write('unicode.txt', utf16), NOW);
      assert.deepEqual(codes(report), ['other-delimiter']);
      assert.match(report.problems[0]!.message, /delimited by tabs/);
      assert.deepEqual(usersOf(input), usersOf(plain.input));
    });

    it('keeps commas and quoted semicolons inside cells, and makes spreadsheet times bad-time warnings, not silent nulls', async () => {
      const lines = delimitedBy(';').split('\n');
      lines[2] = lines[2]!.replace('darryl_philbin;', '"darryl;philbin";').replace('2021-01-25T19:12:26+00:00', '25/01/2021 19:12').replace(';us-east-1;', ';us-east-1,eu;');
      const { report, input } = await loadReport(write('respaced.csv', lines.join('\n')), NOW);
      assert.deepEqual(codes(report), ['other-delimiter', 'bad-time']);
      const badTime = report.problems[1]!;
      assert.deepEqual([badTime.line, badTime.column, badTime.message], [3, 'user_creation_time', 'user_creation_time is "25/01/2021 19:12": not an ISO 8601 time; read as unknown (null)']);
      const user = input!.users[1]!;
      assert.equal(user.user, 'darryl;philbin');
      assert.equal(user.user_creation_time, null);
      assert.equal(report.rows[1]!.locations.user!.startColumn, 1, 'the quoted cell is located inside its quotes');
    });

    it("refuses a ';'-delimited file whose header is not exactly AWS's columns, naming the delimiter and the conversion", async () => {
      const file = write('extra.csv', delimitedBy(';').replace('\n', ';notes\n'));
      const { report, input } = await loadReport(file, NOW);
      assert.equal(input, null);
      const problem = only(report);
      assert.equal(problem.code, 'not-a-report');
      assert.equal(
        problem.message,
        "not a credential report as it stands: its header is delimited by semicolons (;), not commas, and its columns are not exactly the ones AWS writes, so it is not read with semicolons (;); " +
          `save it again as CSV with commas (a spreadsheet's "CSV UTF-8 (comma delimited)") or convert it: \`python3 -c "import csv,sys; csv.writer(sys.stdout).writerows(csv.reader(sys.stdin, delimiter=';'))" < ${file} > report.csv\``,
      );
    });
  });

  describe('refusals say what the file looks like and how to convert it', () => {
    const cases: Array<[string, Buffer, RegExp]> = [
      ['zip', BINARY_HEADS.zip!, /the file is binary: a zip archive \(it starts with PK\); unzip it first: `unzip -l \S+` lists it, `unzip -p \S+ <member> > report\.csv`/],
      ['xlsx', BINARY_HEADS.xlsx!, /the file is binary: an Excel workbook \(xlsx, a zip of XML\), not CSV; save it as "CSV UTF-8 \(comma delimited\)" in the spreadsheet, or convert it: `libreoffice --headless --convert-to csv \S+`/],
      ['ods', BINARY_HEADS.ods!, /an OpenDocument spreadsheet \(ods\), not CSV; .*libreoffice --headless --convert-to csv/],
      ['xls', BINARY_HEADS.xls!, /a legacy Excel workbook \(xls, an OLE2 document\), not CSV; .*libreoffice/],
      ['pdf', BINARY_HEADS.pdf!, /a PDF document; a credential report is the CSV that `aws iam get-credential-report --query Content --output text \| base64 -d > report\.csv`/],
      ['bzip2', BINARY_HEADS.bzip2!, /bzip2-compressed data; decompress it first: `bunzip2 -c < \S+ > report\.csv`/],
      ['xz', BINARY_HEADS.xz!, /xz-compressed data; decompress it first: `xz -dc < \S+ > report\.csv`/],
      ['zstd', BINARY_HEADS.zstd!, /zstd-compressed data; decompress it first: `zstd -dc < \S+ > report\.csv`/],
      ['7z', BINARY_HEADS['7z']!, /a 7-Zip archive; extract it first: `7z e -so \S+ > report\.csv`/],
      ['utf16', BINARY_HEADS.utf16NoBom!, /UTF-16 \(little-endian\) text without a byte order mark; convert it to UTF-8: `iconv -f UTF-16LE -t UTF-8 < \S+ > report\.csv`/],
      ['damaged gzip', gzipped().subarray(0, 40), /the file is gzip data that does not decompress \(unexpected end of file\); check it with `gzip -t < \S+`, or keep what decompresses with `gunzip -c < \S+ > report\.csv`$/],
      ['JSON without Content', Buffer.from('{"ResponseMetadata": {}, "Users": []}'), /the file is JSON but not the AWS CLI's JSON answer to `aws iam get-credential-report`: it has no Content \(its keys: ResponseMetadata, Users\); a credential report is the CSV that `aws iam get-credential-report --query Content --output text \| base64 -d > report\.csv`/],
      ['JSON that does not parse', Buffer.from('{"Content": "dXNlcg=='), /the file is JSON that does not parse \(.*\), so not the AWS CLI's JSON answer .*aws iam get-credential-report --query Content/],
      ['JSON of another format', Buffer.from(awsJsonAnswer(SAMPLE_CSV, { ReportFormat: 'text/html' })), /its ReportFormat is "text\/html", not text\/csv/],
      ['JSON whose Content is not base64', Buffer.from(awsJsonAnswer(SAMPLE_CSV, { Content: 'user,arn' })), /its Content is not base64 text/],
      ['base64 of something that is not a report', Buffer.from(Buffer.from('hello world\nthis is not it\n').toString('base64')), /the first line has no "user" column .*\(line 1 of the decoded report in \S+: base64\)$/],
      ['text that is not a report', Buffer.from('[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n'), /^not a credential report: the first line has no "user" column \(expected a CSV header starting with "user,arn,\.\.\."; the file looks like an INI file \(an AWS config or credentials file\?\)\); a credential report is the CSV/],
      ['random bytes', Buffer.from([0x00, 0x01, 0x02, 0x03, 0xfe, 0x00, 0x99, 0x00, 0x00]), /the file is binary, not CSV text; a credential report is the CSV that/],
    ];
    for (const [name, bytes, message] of cases) {
      it(`refuses ${name}`, async () => {
        const { report, input } = await loadReport(write(`${name.replace(/\W+/g, '-')}.csv`, bytes), NOW);
        assert.equal(input, null);
        const problem = only(report);
        assert.deepEqual([problem.code, problem.line, problem.severity], ['not-a-report', 1, 'error']);
        assert.match(problem.message, message);
        assert.doesNotMatch(problem.message, /AKIA/, 'the file is described, never quoted');
        assert.doesNotMatch(problem.message, /\n/);
      });
    }

    it('names standard input by a pipe in its commands', () => {
      const read = reportTextOf(BINARY_HEADS.xz!, STDIN_FILE);
      assert.match(read.problem!.message, /decompress it first: `\.\.\. \| xz -dc > report\.csv`$/);
    });
  });

  describe('through the run layer (check, input, query and the editor)', () => {
    it("takes the AWS answer's GeneratedTime as the generation time, so --now report works without a sidecar", () => {
      const file = write('answer.json', awsJsonAnswer());
      const prepared = prepareRunInputs({ reports: [{ file }], cwd: directory, maxReportBytes: 1024 * 1024, now: 'report' });
      assert.equal(prepared.evaluationTime.toISOString(), '2021-02-09T08:42:56.000Z');
      assert.equal(prepared.reports[0]!.input.report.generated_time, GENERATED_TIME_UTC);
    });

    it('prefers a sidecar generation time to the answer\'s', () => {
      const file = write('sidecar.json', awsJsonAnswer());
      writeFileSync(`${file}.meta.json`, JSON.stringify({ generated_time: '2021-03-01T00:00:00Z', mfa_devices: null }));
      const prepared = prepareRunInputs({ reports: [{ file }], cwd: directory, maxReportBytes: 1024 * 1024, now: 'report' });
      assert.equal(prepared.reports[0]!.input.report.generated_time, '2021-03-01T00:00:00Z');
    });

    it('reads bytes handed over (standard input) once, with no sidecar, named as given', () => {
      const prepared = prepareRunInputs({ reports: [{ file: STDIN_FILE, bytes: gzipped(awsJsonAnswer()) }], cwd: '/nonexistent', maxReportBytes: 1024 * 1024, now: 'report' });
      const report = prepared.reports[0]!;
      assert.deepEqual(report.problems, []);
      assert.equal(report.input.report.file, STDIN_FILE);
      assert.equal(report.input.report.generated_time, GENERATED_TIME_UTC);
      assert.deepEqual(usersOf(report.input), usersOf(plain.input));
      assert.throws(
        () => prepareRunInputs({ reports: [{ file: STDIN_FILE, bytes: Buffer.from(SAMPLE_CSV) }], cwd: directory, maxReportBytes: 1024 * 1024, now: 'report' }),
        (error: unknown) => error instanceof RunRequestError && /the generation time of <stdin> is unknown \(<stdin> has no sidecar: pipe the AWS CLI's JSON answer, whose GeneratedTime gives it\)/.test(error.message),
      );
    });
  });
});
