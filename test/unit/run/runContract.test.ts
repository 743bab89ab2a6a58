/**
 * The run contract (issue 14): exit codes, problems in every output, validated parameters, `input` printing what `check`
 * evaluates, and a broken sidecar costing only its own report. Each case failed before the run layer existed.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliIo } from '../../../src/cli/io';
import { main } from '../../../src/cli/main';
import { loadBundledPolicies } from '../../../src/core/checks/catalog';
import { PolicyInput } from '../../../src/core/model';
import { DEFAULT_MAX_REPORT_BYTES } from '../../../src/core/report/reportLoader';
import { exitCodeOf, parameterSpecs, runAudit, RunResult, validateParameters } from '../../../src/core/run';
import { reportText, userLine } from '../report/reportText';

const NOW = '2024-06-01T00:00:00Z';
const ACCOUNT = '111122223333';
const arn = (user: string) => `arn:aws:iam::${ACCOUNT}:user/${user}`;
/** bob has a password and no MFA: console-user-mfa fails on line 3. */
const GOOD = reportText(userLine(), userLine({ user: 'bob', arn: arn('bob'), mfa_active: 'false' }));
/** A row with no user name between good rows: that row is lost, the others are audited. */
const BAD_ROW = reportText(userLine(), userLine({ user: '', arn: arn('ghost') }), userLine({ user: 'bob', arn: arn('bob'), mfa_active: 'false' }));

interface JsonOutput {
  reports: { file: string }[];
  findings: { check: string; file: string; user: string | null }[];
  problems: { source: string; file: string; line: number | null; column: number | null; severity: string; code: string; message: string }[];
  complete: boolean;
}

describe('the run contract', function () {
  this.timeout(120000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'credcheck-run-'));
    writeFileSync(join(dir, 'good.csv'), GOOD);
    writeFileSync(join(dir, 'badrow.csv'), BAD_ROW);
    writeFileSync(join(dir, 'quote.csv'), reportText(userLine(), userLine({ user: '"carol', arn: arn('carol') }), userLine({ user: 'dave', arn: arn('dave') })));
    writeFileSync(join(dir, 'brokenmeta.csv'), GOOD);
    writeFileSync(join(dir, 'brokenmeta.csv.meta.json'), '{ bad json\n');
    mkdirSync(join(dir, 'adir.csv'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function credcheck(...args: string[]): Promise<{ code: number; out: string; err: string }> {
    const io: CliIo & { out: string; err: string } = { out: '', err: '', cwd: dir, env: {}, stdout: (t) => void (io.out += t), stderr: (t) => void (io.err += t) };
    const code = await main(args, io);
    return { code, out: io.out, err: io.err };
  }

  describe('exit codes', () => {
    it('1 for a failing finding in a complete run', async () => {
      const run = await credcheck('check', 'good.csv', '--now', NOW, '--format', 'json');
      assert.equal(run.code, 1, run.err);
      assert.equal((JSON.parse(run.out) as JsonOutput).complete, true);
    });

    it('2 when some rows of a report are lost (a row without a user among good ones), with the good rows still audited', async () => {
      const run = await credcheck('check', 'badrow.csv', '--now', NOW, '--format', 'json');
      assert.equal(run.code, 2, run.err);
      const output = JSON.parse(run.out) as JsonOutput;
      assert.ok(output.findings.some((f) => f.user === 'bob' && f.check === 'console-user-mfa'), run.out);
      assert.deepEqual(output.problems.filter((p) => p.severity === 'error').map((p) => [p.file, p.line, p.code]), [['badrow.csv', 3, 'missing-user']]);
    });

    it('2 for a stray quote that swallows the rows after it (the README promises 2 for input errors)', async () => {
      const run = await credcheck('check', 'quote.csv', '--now', NOW, '--format', 'json');
      assert.equal(run.code, 2, run.err);
      assert.match(run.err, /^quote\.csv:\d+(:\d+)?: error: /m);
    });

    it('2 for a missing or unreadable report, and the other reports are still written', async () => {
      for (const missing of ['missing.csv', 'adir.csv']) {
        const run = await credcheck('check', 'good.csv', missing, '--now', NOW, '--format', 'json');
        assert.equal(run.code, 2, run.err);
        const output = JSON.parse(run.out) as JsonOutput;
        assert.ok(output.findings.some((f) => f.file === 'good.csv' && f.user === 'bob'));
        assert.equal(output.complete, false);
        assert.deepEqual(output.problems.map((p) => [p.source, p.file, p.code, p.severity]), [['report', missing, 'unreadable', 'error']]);
      }
    });

    it('2 for a FIFO named as a report: refused as not a regular file, without waiting for a writer', async function () {
      if (process.platform === 'win32') this.skip();
      execFileSync('mkfifo', [join(dir, 'pipe.csv')]);
      const run = await credcheck('check', 'good.csv', 'pipe.csv', '--now', NOW, '--format', 'json');
      assert.equal(run.code, 2, run.err);
      assert.match(run.err, /^pipe\.csv: error: cannot read the report: not a regular file$/m);
    });

    it('the code follows only from the result: incomplete 2, else failing 1, else 0', () => {
      const result = (complete: boolean, failing: boolean) => ({ complete, failing }) as RunResult;
      assert.equal(exitCodeOf(result(false, true)), 2);
      assert.equal(exitCodeOf(result(false, false)), 2);
      assert.equal(exitCodeOf(result(true, true)), 1);
      assert.equal(exitCodeOf(result(true, false)), 0);
    });
  });

  describe('every output carries the problems', () => {
    it('SARIF: executionSuccessful false and a located notification per problem', async () => {
      const run = await credcheck('check', 'good.csv', 'missing.csv', 'badrow.csv', '--now', NOW, '--format', 'sarif');
      assert.equal(run.code, 2);
      const invocation = (JSON.parse(run.out) as { runs: { invocations: { executionSuccessful: boolean; toolExecutionNotifications: Record<string, unknown>[] }[] }[] }).runs[0]!.invocations[0]!;
      assert.equal(invocation.executionSuccessful, false);
      const byFile = new Map(invocation.toolExecutionNotifications.map((n) => [JSON.stringify(n), n]));
      const notifications = [...byFile.values()] as { level: string; message: { text: string }; locations?: { physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } } }[] }[];
      const missing = notifications.find((n) => n.locations?.[0]?.physicalLocation.artifactLocation.uri === 'missing.csv');
      assert.equal(missing?.level, 'error');
      assert.match(missing!.message.text, /cannot read the report/);
      const row = notifications.find((n) => n.locations?.[0]?.physicalLocation.artifactLocation.uri === 'badrow.csv' && n.level === 'error');
      assert.equal(row?.locations?.[0]?.physicalLocation.region?.startLine, 3);
    });

    it('JUnit: an <error> test case per error, so a run that read nothing is not "0 tests"', async () => {
      const run = await credcheck('check', 'missing.csv', '--now', NOW, '--format', 'junit');
      assert.equal(run.code, 2);
      assert.doesNotMatch(run.out, /<testsuites [^>]*tests="0"/);
      assert.match(run.out, /<testsuites [^>]*errors="1"/);
      assert.match(run.out, /<error message="missing\.csv: error: cannot read the report: no such file" type="unreadable">/);
    });

    it('Markdown: says the audit is incomplete and lists the problems', async () => {
      const run = await credcheck('check', 'good.csv', 'missing.csv', '--now', NOW, '--format', 'markdown');
      assert.equal(run.code, 2);
      assert.match(run.out, /audit is incomplete/);
      assert.match(run.out, /## Problems\n\n- missing\.csv: error: cannot read the report: no such file/);
    });

    it('table in a file: the problems and an INCOMPLETE line; on a terminal the problems only once (stderr)', async () => {
      const toFile = await credcheck('check', 'good.csv', 'missing.csv', '--now', NOW, '--output', 'out.txt');
      assert.equal(toFile.code, 2);
      const written = (await import('node:fs')).readFileSync(join(dir, 'out.txt'), 'utf8');
      assert.match(written, /^missing\.csv: error: cannot read the report/m);
      assert.match(written, /^INCOMPLETE: /m);
      const terminal = await credcheck('check', 'good.csv', 'missing.csv', '--now', NOW);
      assert.doesNotMatch(terminal.out, /cannot read the report/);
      assert.match(terminal.out, /^INCOMPLETE: /m);
      assert.equal(terminal.err.split('cannot read the report').length - 1, 1);
    });

    it('CSV stays pure findings (problems on stderr and in the exit code only)', async () => {
      const run = await credcheck('check', 'good.csv', 'missing.csv', '--now', NOW, '--format', 'csv');
      assert.equal(run.code, 2);
      assert.doesNotMatch(run.out, /missing\.csv/);
      assert.match(run.err, /^missing\.csv: error: cannot read the report/m);
      assert.ok(run.out.split('\r\n').slice(1).every((line) => line === '' || line.startsWith('console-user-mfa,') || /^[a-z-]+,/.test(line)));
    });

    for (const format of ['json', 'csv']) {
      it(`--jobs gives the same ${format} bytes and exit code as one thread for a broken run`, async () => {
        const args = ['check', 'good.csv', 'missing.csv', 'badrow.csv', 'brokenmeta.csv', '--now', NOW, '--format', format];
        const one = await credcheck(...args, '--jobs', '1');
        const pool = await credcheck(...args, '--jobs', '2');
        assert.equal(one.code, 2);
        assert.equal(pool.code, 2);
        assert.equal(pool.out, one.out);
        assert.equal(pool.err, one.err);
      });
    }
  });

  describe('--param', () => {
    for (const [param, expected] of [
      ['unusedcredentialdays=400', /unknown parameter "unusedcredentialdays" \(did you mean "unusedCredentialDays"\?/],
      ['unusedCredentialDays=abc', /unusedCredentialDays is "abc", not a number/],
      ['unusedCredentialDays=-5', /unusedCredentialDays is -5, out of range/],
      ['unusedCredentialDays=1.5', /unusedCredentialDays is 1.5, not a whole number/],
      ['unusedCredentialDays=1e308', /unusedCredentialDays is "1e308", not a number/],
      ['accessKeyRotationDays=99999999', /accessKeyRotationDays is 99999999, out of range/],
    ] as const) {
      it(`${param}: exit 2, naming the valid parameters and their ranges`, async () => {
        const run = await credcheck('check', 'good.csv', '--now', NOW, '--format', 'json', '--param', param);
        assert.equal(run.code, 2, run.err);
        assert.match(run.err, expected);
        assert.match(run.err, /valid parameters: .*unusedCredentialDays \(integer 0\.\.36525, default 45\)/);
        assert.equal(run.out, '');
      });
    }

    it('a valid value is used', async () => {
      const run = await credcheck('check', 'good.csv', '--now', NOW, '--format', 'json', '--param', 'unusedCredentialDays=400');
      assert.notEqual(run.code, 2, run.err);
    });

    it('validateParameters (for the editor settings too): typed values in, only valid ones out, one problem per mistake', () => {
      const catalog = loadBundledPolicies().checks;
      assert.deepEqual(parameterSpecs(catalog).map((spec) => spec.name), [
        'accessKeyRotationDays', 'initialKeySetupSeconds', 'passwordRotationDays', 'rootRecentUseDays', 'unusedCredentialDays',
      ]);
      const validated = validateParameters({ unusedCredentialDays: 90, rootRecentUseDays: 1e308, passwordRotationDays: '30', typo: 1 }, catalog, 'credcheck.thresholds');
      assert.deepEqual(validated.params, { unusedCredentialDays: 90, passwordRotationDays: 30 });
      assert.deepEqual(validated.problems.map((p) => [p.file, p.code, p.severity]), [['credcheck.thresholds', 'bad-parameter', 'error'], ['credcheck.thresholds', 'unknown-parameter', 'error']]);
    });
  });

  describe('the metadata sidecar', () => {
    it('a malformed one is a located problem on its report only: every report is still audited and written, exit 2', async () => {
      for (const jobs of ['1', '2']) {
        const run = await credcheck('check', 'brokenmeta.csv', 'good.csv', '--now', NOW, '--format', 'json', '--jobs', jobs);
        assert.equal(run.code, 2, run.err);
        assert.match(run.err, /^brokenmeta\.csv\.meta\.json:1:3: error: malformed report metadata: not JSON/m);
        const output = JSON.parse(run.out) as JsonOutput;
        assert.deepEqual([...new Set(output.findings.map((f) => f.file))].sort(), ['brokenmeta.csv', 'good.csv']);
        assert.deepEqual(output.problems.map((p) => [p.file, p.line, p.column, p.code]), [['brokenmeta.csv.meta.json', 1, 3, 'bad-sidecar']]);
      }
    });
  });

  describe('credcheck input prints what check evaluates', () => {
    let reportDir: string;
    const device = { serial_number: `arn:aws:iam::${ACCOUNT}:mfa/root-account-mfa-device`, user: '<root_account>', type: 'virtual' };
    before(() => {
      reportDir = join(dir, 'fetched');
      mkdirSync(reportDir);
      writeFileSync(join(reportDir, 'r.csv'), GOOD);
      writeFileSync(join(reportDir, 'r.csv.meta.json'), JSON.stringify({ generated_time: '2024-05-01T10:00:00Z', account_id: ACCOUNT, mfa_devices: [device] }));
    });

    it('byte for byte the document the run gives the engine, sidecar and --now report included, relative to the working directory', async () => {
      const printed = await credcheck('input', 'fetched/r.csv', '--now', 'report');
      assert.equal(printed.code, 0, printed.err);
      const result = await runAudit({ reports: [{ file: 'fetched/r.csv' }], cwd: dir, maxReportBytes: DEFAULT_MAX_REPORT_BYTES, now: 'report' });
      assert.equal(printed.out, `${JSON.stringify(result.reports[0]!.input, null, 2)}\n`);
      const input = JSON.parse(printed.out) as PolicyInput;
      assert.deepEqual(input.mfa_devices, [device]);
      assert.equal(input.evaluation_time, '2024-05-01T10:00:00Z');
    });

    it('the same document a user policy sees through credcheck check', async () => {
      writeFileSync(join(dir, 'echo.rego'), [
        '# METADATA', '# title: Echo the input', '# custom:', '#   id: echo-input', '#   severity: info', 'package acme.echo', '', 'import rego.v1', '',
        'warn contains json.marshal(input)', '',
      ].join('\n'));
      const checked = await credcheck('check', 'fetched/r.csv', '--now', 'report', '--policy', 'echo.rego', '--format', 'json');
      assert.notEqual(checked.code, 2, checked.err);
      const echoed = (JSON.parse(checked.out) as { findings: { check: string; message: string }[] }).findings.find((f) => f.check === 'echo-input');
      assert.ok(echoed, checked.out);
      const printed = await credcheck('input', 'fetched/r.csv', '--now', 'report');
      assert.deepEqual(JSON.parse(echoed!.message), JSON.parse(printed.out));
    });
  });
});
