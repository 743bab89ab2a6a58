import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { run } from '../../../src/cli/commands/query';
import { CliIo } from '../../../src/cli/io';
import { EmbeddedCompiler } from '../../../src/core/compiler/embeddedCompiler';
import { CompileRequest, CompileResult, RegoCompiler } from '../../../src/core/compiler/regoCompiler';
import { QueryLimits } from '../../../src/core/query/queryRunner';

const ROOT = join(__dirname, '../../../..');
const SAMPLE = join(ROOT, 'samples/sample-credential-report.csv');
const NOW = ['--now', '2021-02-09T08:42:56Z'];

/** One warm compiler for the whole file; the command disposes what it is given, so it gets a view that does not. */
class SharedCompiler implements RegoCompiler {
  constructor(private readonly inner: RegoCompiler) {}
  compile(request: CompileRequest): Promise<CompileResult> {
    return this.inner.compile(request);
  }
  dispose(): void {}
}

describe('credcheck query', function () {
  this.timeout(60_000);
  const compiler = new EmbeddedCompiler();
  after(() => compiler.dispose());

  async function query(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return queryWithin({}, ...args);
  }

  async function queryWithin(limits: QueryLimits, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const io: CliIo = { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text), cwd: ROOT, env: {} };
    const code = await run(args, io, { createCompiler: async () => new SharedCompiler(compiler), limits });
    return { code, stdout, stderr };
  }

  it('prints a list of objects as a table with one column per key, in the query\'s order', async () => {
    const { code, stdout, stderr } = await query(SAMPLE, '[{"user": u.user, "mfa_active": u.mfa_active} | some u in input.users; u.mfa_active == false]', ...NOW);
    assert.equal(stderr, '');
    assert.equal(code, 0);
    const lines = stdout.split('\n');
    assert.match(lines[1]!, /^\| user\s+\| mfa_active \|$/);
    assert.deepEqual(lines.slice(3, 7).map((line) => line.split('|')[1]!.trim()), ['darryl_philbin', 'dwight_schrute', 'kelly_kapoor', 'ryan_howard']);
    assert.equal(lines[8], '4 rows');
  });

  it('prints JSON (the Rego value) and CSV', async () => {
    const json = await query(SAMPLE, '{u.user | some u in input.users; u.password_last_used_status == "never_used"}', ...NOW, '--format', 'json');
    assert.equal(json.code, 0);
    assert.deepEqual(JSON.parse(json.stdout), ['dwight_schrute', 'kelly_kapoor', 'ryan_howard']);
    const csv = await query(SAMPLE, '[{"user": u.user, "password_last_changed_days": u.password_last_changed_days} | some u in input.users; u.password_last_changed_days > 90]', ...NOW, '--format', 'csv');
    assert.equal(csv.code, 0);
    const [header, ...rows] = csv.stdout.trimEnd().split('\r\n');
    assert.equal(header, 'user,password_last_changed_days');
    assert.deepEqual(rows.map((row) => row.split(',')[0]), ['dwight_schrute', 'kelly_kapoor', 'ryan_howard']);
    // Exact ages in CSV: 2020-10-25T19:26:22Z to the evaluation time.
    assert.equal(Number(rows[2]!.split(',')[1]), (Date.parse('2021-02-09T08:42:56Z') - Date.parse('2020-10-25T19:26:22Z')) / 86_400_000);
  });

  it('answers over several reports with a report column', async () => {
    const { code, stdout } = await query(SAMPLE, SAMPLE, 'count(input.users)', ...NOW, '--format', 'csv');
    assert.equal(code, 0);
    assert.equal(stdout, `report,value\r\n${SAMPLE},6\r\n${SAMPLE},6\r\n`);
  });

  it('runs a shipped example by name and lists the examples', async () => {
    const example = await query(SAMPLE, '--example', 'top10-08-users-without-mfa', ...NOW, '--format', 'json');
    assert.equal(example.code, 0);
    assert.deepEqual(JSON.parse(example.stdout).map((row: { user: string }) => row.user), ['darryl_philbin', 'dwight_schrute', 'kelly_kapoor', 'ryan_howard']);
    const list = await query('--list-examples', '--format', 'json');
    assert.equal(list.code, 0);
    const names = JSON.parse(list.stdout).map((entry: { name: string }) => entry.name);
    assert.equal(names.length, 16);
    assert.ok(names.includes('table-06-root-mfa'));
    const unknown = await query(SAMPLE, '--example', 'nope').catch((error: Error) => error);
    assert.ok(unknown instanceof Error && /unknown --example "nope"/.test(unknown.message));
  });

  it('locates a syntax error in the query as <query>:line:column and exits 2', async () => {
    const { code, stdout, stderr } = await query(SAMPLE, '[u.user |\n  some u in input.users\n  u.mfa_active == ]', ...NOW);
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.match(stderr, /^<query>:3:\d+: rego_parse_error: /m);
    assert.doesNotMatch(stderr, /<query>:[45]:/); // nothing points into the wrapper
  });

  it('answers the queries of issue #16 as opa eval does: one column per variable, or the expression', async () => {
    const users = await query(SAMPLE, 'input.users[_].user', ...NOW);
    assert.equal(users.stderr, '');
    assert.equal(users.code, 0);
    const lines = users.stdout.split('\n');
    assert.match(lines[1]!, /^\| input\.users\[_\]\.user \|$/);
    assert.deepEqual(lines.slice(3, 9).map((line) => line.split('|')[1]!.trim()), ['<root_account>', 'darryl_philbin', 'dwight_schrute', 'kelly_kapoor', 'pam_beasly', 'ryan_howard']);
    const withoutMfa = await query(SAMPLE, 'some u in input.users; u.mfa_active == false; user := u.user; days := u.user_creation_time_days', ...NOW, '--format', 'csv');
    assert.equal(withoutMfa.stderr, '');
    assert.equal(withoutMfa.code, 0);
    const [header, ...rows] = withoutMfa.stdout.trimEnd().split('\r\n');
    assert.equal(header, 'days,u,user');
    assert.deepEqual(rows.map((row) => row.split(',').at(-1)), ['darryl_philbin', 'dwight_schrute', 'kelly_kapoor', 'ryan_howard']);
    const json = await query(SAMPLE, 'x := input.users[i].user; i < 2', ...NOW, '--format', 'json');
    assert.deepEqual(JSON.parse(json.stdout), [{ i: 0, x: '<root_account>' }, { i: 1, x: 'darryl_philbin' }]);
  });

  it('exits 2 with a located error when the query is stopped by the time limit, never "0 rows"', async () => {
    const { code, stdout, stderr } = await queryWithin({ timeoutMs: 300 }, SAMPLE, 'r := numbers.range(1, 20000); some i in r; some j in r; i > j; j > i', ...NOW);
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.equal(stderr, `<query>:1:1: eval_timeout: ${SAMPLE}: the query was stopped by the time limit (0.3 s)\n`);
  });

  it('exits 2 with the error of an evaluation that fails (conflicting function values), never "0 rows"', async () => {
    const { code, stdout, stderr } = await query(SAMPLE, 'f(x) := 1\nf(x) := 2\nresult := f(1)', ...NOW);
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.equal(stderr, `<query>:1:1: eval_error: ${SAMPLE}: evaluation failed: <query>:3:1: var assignment conflict\n`);
  });

  it('exits 2 on a report it cannot read, and on a usage error', async () => {
    const missing = await query(join(ROOT, 'no-such.csv'), 'input.users', ...NOW);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no-such\.csv: error: cannot read the report/);
    await assert.rejects(query(SAMPLE, 'input', '--format', 'xml'), /unknown --format "xml"/);
    await assert.rejects(query('input.users'), /expected report files and a query/);
  });
});
