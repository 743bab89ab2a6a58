import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { main } from '../../../src/cli/main';
import { CliIo } from '../../../src/cli/io';

const run = promisify(execFile);
const REPO = join(__dirname, '../../../..');
const FIXTURES = join(REPO, 'test/fixtures/cli');
const MAIN = join(REPO, 'out/src/cli/main.js');

/** Runs the CLI in a child process whose PATH holds no opa: only node's own directory and the system directories. */
async function credcheck(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const path = [join(process.execPath, '..'), '/usr/bin', '/bin'].join(delimiter);
  const script = `require(${JSON.stringify(MAIN)}).main(process.argv.slice(1)).then((c) => { process.exitCode = c; })`;
  try {
    const { stdout, stderr } = await run(process.execPath, ['-e', script, ...args], { cwd: FIXTURES, env: { PATH: path, HOME: tmpdir() } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function memoryIo(cwd = FIXTURES): CliIo & { out: string; err: string } {
  const io = { out: '', err: '', cwd, env: {}, stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
  return io;
}

describe('credcheck check', function () {
  this.timeout(120000);

  it('there is no opa on the PATH the child processes get', async () => {
    for (const dir of ['/usr/bin', '/bin', join(process.execPath, '..')]) assert.equal(existsSync(join(dir, 'opa')), false, `${dir}/opa exists`);
  });

  it('compiles and evaluates a user policy with the embedded compiler: its deny is in the JSON output with its id, severity and row', async () => {
    const result = await credcheck(['check', 'report.csv', '--policy', 'mypolicies/', '--now', '2024-01-01T00:00:00Z', '--format', 'json']);
    assert.equal(result.code, 1, result.stderr);
    const output = JSON.parse(result.stdout) as { reports: { file: string }[]; findings: Record<string, unknown>[] };
    assert.deepEqual(output.reports.map((r) => r.file), ['report.csv']);
    const mine = output.findings.filter((f) => f.check === 'acme-old-console-key');
    assert.deepEqual(
      mine.map((f) => [f.user, f.key, f.line]),
      [['dwight_schrute', 1, 4], ['pam_beasly', 1, 6], ['pam_beasly', 2, 6]],
    );
    const dwight = mine[0]!;
    assert.deepEqual(Object.keys(dwight).slice(0, 10), ['check', 'status', 'severity', 'user', 'arn', 'key', 'file', 'line', 'column', 'message']);
    assert.equal(dwight.status, 'fail');
    assert.equal(dwight.severity, 'high');
    assert.equal(dwight.arn, 'arn:aws:iam::899221540641:user/dwight_schrute');
    assert.equal(dwight.file, 'report.csv');
    assert.equal(dwight.column, 'access_key_1_last_rotated');
    assert.equal(dwight.message, 'dwight_schrute has access key 1, 1070 days old');
    assert.equal(dwight.title, 'Console users must not hold access keys older than a year');
    // The bundled checks ran too.
    assert.ok(output.findings.some((f) => f.check === 'console-user-mfa'));
  });

  for (const [file, line, column, message] of [
    ['syntax.rego', 7, 1, /unexpected } token/],
    ['type.rego', 6, 9, /concat: invalid argument/],
    ['unsupported.rego', 6, 10, /http\.send/],
  ] as const) {
    it(`exits 2 with file:line:column: message for ${file}`, async () => {
      const result = await credcheck(['check', 'report.csv', '--policy', `broken/${file}`, '--now', '2024-01-01T00:00:00Z', '--format', 'json']);
      assert.equal(result.code, 2, result.stderr);
      const first = result.stderr.split('\n').find((l) => l.startsWith(`broken/${file}`));
      assert.ok(first, result.stderr);
      const match = /^(broken\/\S+\.rego):(\d+):(\d+): (.*)$/.exec(first!);
      assert.ok(match, first);
      assert.equal(match![1], `broken/${file}`);
      assert.equal(Number(match![2]), line);
      assert.equal(Number(match![3]), column);
      assert.match(match![4]!, message);
    });
  }

  it('exits 0 when nothing fails and 1 when something does, using --now for every age', async () => {
    const io = memoryIo();
    const code = await main(['check', 'report.csv', '--now', '2021-02-06T00:00:00Z', '--enable', 'user-mfa', '--format', 'json'], io);
    assert.equal(code, 1);
    const findings = JSON.parse(io.out).findings as { check: string; status: string }[];
    assert.ok(findings.some((f) => f.check === 'user-mfa' && f.status === 'fail'), 'an off-by-default check can be enabled');
    const onlyInfo = memoryIo();
    const selection = ['--disable', 'console-user-mfa', '--disable', 'console-and-access-keys', '--disable', 'unused-password', '--disable', 'unused-access-key',
      '--disable', 'password-rotation', '--disable', 'access-key-rotation', '--disable', 'initial-access-key', '--disable', 'two-active-keys', '--disable', 'root-recent-use'];
    assert.equal(await main(['check', 'report.csv', '--now', '2021-02-06T00:00:00Z', ...selection, '--format', 'json'], onlyInfo), 0, onlyInfo.err);
    assert.equal((JSON.parse(onlyInfo.out).findings as { status: string }[]).filter((f) => f.status === 'fail').length, 0);
  });

  it('exits 2 on usage and input errors', async () => {
    for (const args of [
      ['check'],
      ['check', 'report.csv', '--format', 'yaml'],
      ['check', 'report.csv', '--now', 'yesterday'],
      ['check', 'report.csv', '--param', 'novalue'],
      ['check', 'report.csv', '--enable', 'no-such-check'],
      ['check', 'report.csv', '--framework', 'cis-9.9'],
      ['check', 'missing.csv'],
      ['check', 'mypolicies/console_keys.rego'],
    ]) {
      const io = memoryIo();
      assert.equal(await main(args, io), 2, `${args.join(' ')}: ${io.err}`);
      assert.notEqual(io.err, '');
    }
  });

  it('a --policy (and fmt/test path) that is neither a file nor a directory is a usage error that names it, not an internal error', async () => {
    for (const args of [['check', 'report.csv', '--policy', '/dev/null'], ['fmt', '/dev/null'], ['test', '/dev/null']]) {
      const io = memoryIo();
      assert.equal(await main(args, io), 2, io.err);
      assert.match(io.err, /\/dev\/null: not a \.rego file or a directory/);
      assert.doesNotMatch(io.err, /internal error/);
    }
  });

  it('stops before the audit on a usage error and writes nothing (a result under other thresholds would mislead)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'credcheck-usage-'));
    try {
      copyFileSync(join(FIXTURES, 'report.csv'), join(dir, 'report.csv'));
      for (const usage of [['--param', 'unusedCredentialDays=abc'], ['--param', 'noSuchParam=5'], ['--enable', 'no-such-check']]) {
        const io = memoryIo(dir);
        assert.equal(await main(['check', 'report.csv', '--now', '2024-01-01T00:00:00Z', ...usage, '--format', 'json', '--output', 'out.json'], io), 2);
        assert.match(io.err, /error: /);
        assert.ok(!existsSync(join(dir, 'out.json')), `${usage.join(' ')} wrote an output`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prints an input problem once on a terminal (stderr), and keeps it in a table written to a file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'credcheck-problems-'));
    try {
      writeFileSync(join(dir, 'notes.csv'), 'hello,world\n1,2\n');
      const io = memoryIo(dir);
      assert.equal(await main(['check', 'notes.csv', '--now', '2024-01-01T00:00:00Z'], io), 2);
      const problem = 'notes.csv:1: error: not a credential report';
      assert.equal(io.err.split(problem).length - 1, 1, io.err);
      assert.ok(!io.out.includes(problem), io.out);
      assert.match(io.out, /^1 report\(s\), 0 failing/m);

      const toFile = memoryIo(dir);
      assert.equal(await main(['check', 'notes.csv', '--now', '2024-01-01T00:00:00Z', '--output', 'out.txt'], toFile), 2);
      assert.ok(readFileSync(join(dir, 'out.txt'), 'utf8').includes(problem));
      assert.ok(toFile.err.includes(problem));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('passes --param to the policies as data.params', async () => {
    const loose = memoryIo();
    await main(['check', 'report.csv', '--now', '2024-01-01T00:00:00Z', '--param', 'accessKeyRotationDays=5000', '--format', 'json'], loose);
    const strict = memoryIo();
    await main(['check', 'report.csv', '--now', '2024-01-01T00:00:00Z', '--format', 'json'], strict);
    const rotation = (out: string) => (JSON.parse(out).findings as { check: string; status: string }[]).filter((f) => f.check === 'access-key-rotation' && f.status === 'fail').length;
    assert.equal(rotation(loose.out), 0);
    assert.ok(rotation(strict.out) > 0);
  });

  it('evaluates several reports in one run and groups the table by report, naming its account', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'credcheck-cli-'));
    try {
      const other = readFileSync(join(FIXTURES, 'report.csv'), 'utf8').replace(/899221540641/g, '123456789012');
      writeFileSync(join(dir, 'a.csv'), readFileSync(join(FIXTURES, 'report.csv')));
      writeFileSync(join(dir, 'b.csv'), other);
      const io = memoryIo(dir);
      assert.equal(await main(['check', 'a.csv', 'b.csv', '--now', '2024-01-01T00:00:00Z', '--output', 'out.txt'], io), 1);
      assert.equal(io.out, '');
      const table = readFileSync(join(dir, 'out.txt'), 'utf8');
      const first = table.indexOf('a.csv (account 899221540641)\n');
      const second = table.indexOf('\nb.csv (account 123456789012)\n');
      assert.ok(first >= 0 && second > first, table);
      assert.match(table, /2 report\(s\), \d+ failing/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('applies a suppressions file and reports a malformed one with its location', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'credcheck-cli-'));
    try {
      writeFileSync(join(dir, 'r.csv'), readFileSync(join(FIXTURES, 'report.csv')));
      writeFileSync(join(dir, 's.yaml'), 'suppressions:\n  - check: console-user-mfa\n    user: "*"\n    reason: SSO only\n');
      const io = memoryIo(dir);
      await main(['check', 'r.csv', '--now', '2024-01-01T00:00:00Z', '--suppressions', 's.yaml', '--format', 'json'], io);
      const mfa = (JSON.parse(io.out).findings as { check: string; suppressed?: { reason: string } }[]).filter((f) => f.check === 'console-user-mfa');
      assert.ok(mfa.length > 0);
      for (const f of mfa) assert.deepEqual(f.suppressed, { reason: 'SSO only', expires: null });
      // Suppressing a check for every user is allowed but never quiet.
      const warnings = (JSON.parse(io.out).findings as { check: string; status: string; file: string; line: number; message: string }[]).filter((f) => f.check === 'suppression');
      assert.deepEqual(warnings.map((f) => [f.status, f.file, f.line]), [['warn', 's.yaml', 2]]);
      assert.match(warnings[0]!.message, /for every user/);
      // A file far over the size limit is refused before it is read.
      writeFileSync(join(dir, 'huge.yaml'), `# ${'x'.repeat(1024 * 1024)}\n`.repeat(5));
      const huge = memoryIo(dir);
      assert.equal(await main(['check', 'r.csv', '--suppressions', 'huge.yaml'], huge), 2);
      assert.match(huge.err, /^huge\.yaml:1:1: the file is 5242895 bytes, more than the 1048576 a suppressions file may hold/);
      writeFileSync(join(dir, 'bad.yaml'), 'suppressions:\n  - check: console-user-mfa\n    user: "*"\n');
      const bad = memoryIo(dir);
      assert.equal(await main(['check', 'r.csv', '--suppressions', 'bad.yaml'], bad), 2);
      assert.match(bad.err, /^bad\.yaml:2:5: a suppression needs "reason"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('labels findings with --framework controls and prints the per-control summary', async () => {
    const io = memoryIo();
    await main(['check', 'report.csv', '--now', '2024-01-01T00:00:00Z', '--framework', 'cis-3.0', '--format', 'json'], io);
    const output = JSON.parse(io.out) as { findings: { check: string; controls?: string[] }[]; compliance: { framework: string; controls: { control: string; status: string }[] } };
    assert.equal(output.compliance.framework, 'cis-3.0');
    assert.ok(output.findings.filter((f) => f.check === 'root-access-key').every((f) => f.controls?.[0] === '1.4'));
    const rootKeys = output.compliance.controls.find((c) => c.control === '1.4');
    assert.equal(rootKeys?.status, 'pass');
    const mfa = output.compliance.controls.find((c) => c.control === '1.10');
    assert.equal(mfa?.status, 'fail');
  });
});

describe('credcheck checks', () => {
  it('lists the catalog with mappings and parameters', async () => {
    const io = memoryIo();
    assert.equal(await main(['checks', '--format', 'json'], io), 0);
    const checks = JSON.parse(io.out) as { id: string; frameworks: Record<string, string[]>; parameters: { name: string }[]; docs: string }[];
    const rotation = checks.find((c) => c.id === 'access-key-rotation');
    assert.ok(rotation);
    assert.ok(rotation!.parameters.some((p) => p.name === 'accessKeyRotationDays'));
    assert.ok(rotation!.frameworks['cis-3.0']);
    assert.equal(rotation!.docs, 'docs/checks/access-key-rotation.md');
    const table = memoryIo();
    assert.equal(await main(['checks'], table), 0);
    assert.match(table.out, /^root-access-key {2}\[critical\] {2}Root user has no active access keys$/m);
  });
});
