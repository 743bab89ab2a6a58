import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { EmbeddedCompiler } from '../../../src/core/compiler/embeddedCompiler';
import { PolicyInput } from '../../../src/core/model';
import { QueryRunner } from '../../../src/core/query/queryRunner';
import { loadReport } from '../../../src/core/report/reportLoader';
import { hasNativeOpa, NATIVE_OPA } from '../engine/opaCompilerForTests';

const run = promisify(execFile);
const SAMPLE = join(__dirname, '../../../../samples/sample-credential-report.csv');
const POST_TIME = new Date('2021-02-09T08:42:56Z');

/**
 * Queries as `opa eval` takes them: expressions and bodies, with `some`, `every`, `in`, `:=`, `=`, `not`, `with`,
 * comprehensions, iteration over arrays and objects, values that are false, several lines. Each answer must have the
 * rows and columns `opa eval --format pretty` prints on the same input.
 */
export const QUERY_CORPUS: readonly string[] = [
  // single expressions: a value
  'count(input.users)',
  'input.users[0].user',
  'input.report.account_id',
  '[u.user | some u in input.users; u.mfa_active == false]',
  '{u.user | some u in input.users; u.password_last_used_status == "never_used"}',
  '{u.user: u.mfa_active | some u in input.users}',
  '1 > 2',
  'count(input.users) > 2',
  'input.users[99]',
  'not input.users[0].mfa_active',
  'sum([1, 2, 3]) * 2',
  'sprintf("%s has %d keys", [input.users[1].user, 2])',
  'regex.match("^[a-z_]+$", input.users[1].user)',
  'startswith(input.users[1].arn, "arn:aws:iam::")',
  'object.keys(input.users[0].raw) == {k | some k, _ in input.users[0].raw}',
  'every u in input.users { u.account_id == "899221540641" }',
  'every u in input.users { u.mfa_active }',
  'input.users[_].user == "kelly_kapoor"',
  '{1, 2} | {3}',
  '[x | some x in numbers.range(1, 5); x % 2 == 0]',
  // iteration without variables: one column titled by the expression
  'input.users[_].user',
  'input.users[_].mfa_active',
  'input.users[_].password_last_used_days',
  'input.report.columns[_]',
  '[1, 2, 3][_] > 1',
  // bodies with variables: one column per variable, sorted by name
  'some u in input.users; u.mfa_active == false',
  'x := input.users[i].user; i < 2',
  'u := input.users[_]; u.is_root; name := u.user',
  'some i, u in input.users; not u.password_enabled; user := u.user',
  'some u in input.users\nu.access_key_1_active\nkey_age := u.access_key_1_last_rotated_days\nname := u.user',
  'z := 1; a := 2',
  'count(input.users) = n',
  'x := input.users[_].mfa_active',
  'x = input.users[_].user; startswith(x, "d")',
  '[a, b] := [1, 2]',
  '{"a": x, "b": 2} = {"a": 1, "b": 2}',
  '[_, second] = input.report.columns',
  'user := input.users[_].user; count(user) > 11',
  'k := "arn"; value := input.users[1][k]',
  'walk({"a": [1, 2]}, [path, value])',
  'some u in input.users; u.password_last_used_days > 90; days := round(u.password_last_used_days)',
  'n := count([u | some u in input.users; u.mfa_active])',
  'some u in input.users; names := {x | some x in input.users; x.mfa_active == u.mfa_active; x.is_root == false}; u.is_root',
  // expressions with variables: non-boolean expressions get a column too, before the variables
  'x := input.users[i].user; i < 2; upper(x)',
  'count(input.users); 1+1',
  'u := input.users[_]; u.user',
  // with, print, multi-line expressions
  'input.users[0].user with input.users as [{"user": "z"}]',
  'x := count(input.users) with input.users as []',
  'print("hello"); x := 1',
  'x := [1, 2,\n  3]\ny := count(x)',
  'x := 1 +\n  2',
  'x := 1\n  + 2',
  '# a comment line\nx := input.users[0].user # trailing comment\n',
  'x := 1;\n\ny := 2\n',
  // undefined bodies
  'some u in input.users; u.user == "nobody"',
  '1 > 2; true',
  'x := 1; x > 5',
];

/**
 * Iteration over the keys of an object: the wasm walks an object in its own order, OPA in sorted key order, so the
 * rows are the same but not in the same order (compared as sorted rows).
 */
export const UNORDERED_QUERY_CORPUS: readonly string[] = [
  'some k, v in input.users[1].raw; v == "N/A"',
  'input.users[0].raw[k] == "N/A"',
  'x := {"b": 1, "a": 2}[k]',
];

/** What `opa eval --format pretty` printed: undefined, one JSON value, or a table of JSON cells. */
type PrettyAnswer = { kind: 'undefined' } | { kind: 'value'; value: unknown } | { kind: 'table'; columns: string[]; rows: unknown[] [] };

/** Reads the pretty output: box-drawn table lines are `│ cell │ cell │`, each cell JSON (the header plain text). */
function parsePretty(stdout: string): PrettyAnswer {
  const text = stdout.trim();
  if (text === 'undefined') return { kind: 'undefined' };
  if (!text.startsWith('┌')) return { kind: 'value', value: JSON.parse(text) };
  const lines = text.split('\n').filter((line) => line.startsWith('│'));
  const cells = (line: string) => line.split('│').slice(1, -1).map((cell) => cell.trim());
  return { kind: 'table', columns: cells(lines[0]!), rows: lines.slice(1).map((line) => cells(line).map((cell) => JSON.parse(cell))) };
}

describe('differential: credcheck query versus native opa eval (same query, same input)', function () {
  this.timeout(600_000);
  let temp: string;
  let inputFile: string;
  let input: PolicyInput;
  let compiler: EmbeddedCompiler;
  let runner: QueryRunner;

  before(async function () {
    if (!hasNativeOpa) {
      console.log('    skipped: .tools/bin/opa is missing (CI installs it)');
      this.skip();
    }
    const loaded = await loadReport(SAMPLE, POST_TIME);
    assert.ok(loaded.input);
    input = loaded.input;
    temp = mkdtempSync(join(tmpdir(), 'credcheck-query-diff-'));
    inputFile = join(temp, 'input.json');
    writeFileSync(inputFile, JSON.stringify(input));
    compiler = new EmbeddedCompiler();
    runner = new QueryRunner(compiler);
  });
  after(() => {
    runner?.dispose();
    compiler?.dispose();
    if (temp) rmSync(temp, { recursive: true, force: true });
  });

  it(`answers each of the ${QUERY_CORPUS.length + UNORDERED_QUERY_CORPUS.length} corpus queries with the rows and columns opa eval prints`, async () => {
    const mismatches: string[] = [];
    const sortRows = (answer: PrettyAnswer) => (answer.kind === 'table' ? { ...answer, rows: [...answer.rows].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)) } : answer);
    for (const query of [...QUERY_CORPUS, ...UNORDERED_QUERY_CORPUS]) {
      const unordered = UNORDERED_QUERY_CORPUS.includes(query);
      const { stdout } = await run(NATIVE_OPA, ['eval', '--format', 'pretty', '-i', inputFile, query], { maxBuffer: 64 * 1024 * 1024 });
      const expected = unordered ? sortRows(parsePretty(stdout)) : parsePretty(stdout);
      const outcome = await runner.run(query, [input]);
      if (!outcome.ok) {
        mismatches.push(`${JSON.stringify(query)}: opa eval answers, credcheck says ${JSON.stringify(outcome.errors)}`);
        continue;
      }
      const result = outcome.results[0]!;
      const answer: PrettyAnswer = !result.defined
        ? { kind: 'undefined' }
        : result.columns && result.rows
          ? { kind: 'table', columns: result.columns, rows: result.rows }
          : { kind: 'value', value: result.value };
      const actual = unordered ? sortRows(answer) : answer;
      try {
        assert.deepStrictEqual(actual, expected);
      } catch {
        mismatches.push(`${JSON.stringify(query)}:\n  opa eval:  ${JSON.stringify(expected).slice(0, 400)}\n  credcheck: ${JSON.stringify(actual).slice(0, 400)}`);
      }
    }
    assert.deepEqual(mismatches, []);
  });

  /** Broken queries: the error is where `opa eval` puts it (line and column of the query's own text). */
  const BROKEN: readonly string[] = [
    'count(input.users) >>> 2',
    'some u in input.users; u.mfa_active == ',
    'x := [1, 2',
    'x := 1\ny := ]',
    'some u in input.users\n  u.mfa_active >> 1',
    'x',
    'input.users[_].user; y',
    'x := 1; x := 2',
    'not_a_builtin(input.users)',
    'u := input.users[_]; u.user; not_a_builtin(u)',
    'every u in input.users { u.mfa_active ',
    '[u.user | some u in input.users',
  ];

  it(`locates the errors of ${BROKEN.length} broken queries where opa eval does, never naming the wrapper`, async () => {
    const mismatches: string[] = [];
    for (const query of BROKEN) {
      const oracle = await run(NATIVE_OPA, ['eval', '--format', 'json', '-i', inputFile, query], { maxBuffer: 64 * 1024 * 1024 }).then(
        () => undefined,
        (error: { stdout: string }) => JSON.parse(error.stdout) as { errors: { code: string; location?: { row: number; col: number } }[] },
      );
      assert.ok(oracle, `opa eval accepts ${JSON.stringify(query)}`);
      const outcome = await runner.run(query, [input]);
      assert.ok(!outcome.ok, `credcheck accepts ${JSON.stringify(query)}`);
      for (const error of outcome.errors) assert.doesNotMatch(error.message, /credcheck_/, `${JSON.stringify(query)}: ${error.message}`);
      const expected = oracle.errors[0]!;
      const actual = outcome.errors[0]!;
      if (expected.location?.row !== actual.line || expected.location?.col !== actual.column || expected.code !== actual.code) {
        mismatches.push(`${JSON.stringify(query)}: opa eval ${expected.code} at ${expected.location?.row}:${expected.location?.col}, credcheck ${actual.code} at ${actual.line}:${actual.column} (${actual.message})`);
      }
    }
    assert.deepEqual(mismatches, []);
  });
});
