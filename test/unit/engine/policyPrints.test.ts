import * as assert from 'node:assert/strict';
import { auditReports } from '../../../src/core/run/audit';
import { createEmbeddedCompiler } from '../../../src/core/compiler/embeddedCompiler';
import { RegoCompiler } from '../../../src/core/compiler/regoCompiler';
import { PolicyEngine } from '../../../src/core/engine/policyEngine';
import { MAX_PRINT_LINES, PrintCapture, printLines, printsOf } from '../../../src/core/engine/policyPrints';
import { credcheckCli } from '../cli/policyTypo.test';

const REPORT = 'user,arn\nalice,arn:aws:iam::111122223333:user/alice\nbob,arn:aws:iam::111122223333:user/bob\n';
const NOW = new Date('2024-01-01T00:00:00Z');

/**
 * print() in a user policy: the embedded compiler keeps it (it used to erase it, so the output went nowhere) with its
 * file:line, the engine captures it per evaluation, bounded, and the audit returns it beside the findings.
 */
describe('print() in user policies', function () {
  this.timeout(600_000);
  let compiler: RegoCompiler;
  before(() => (compiler = createEmbeddedCompiler()));
  after(() => compiler.dispose());

  const source = [
    'package printing',
    'import rego.v1',
    'deny contains msg if {',
    '\tsome u in input.users',
    '\tprint("user", u.user, {"n": 1}, input.missing)',
    '\tu.user == "bob"',
    '\tmsg := "bob"',
    '}',
    '',
  ].join('\n');

  it('returns each print with its file:line and the text OPA would print, evaluated in the isolated worker', async () => {
    const result = await auditReports({ reports: [{ file: 'r.csv', text: REPORT }], now: NOW, bundledChecks: false, compiler, userPolicies: [{ file: 'policies/printing.rego', source }] });
    assert.deepEqual(result.policyProblems, []);
    assert.deepEqual(result.findings.map((finding) => finding.message), ['bob']);
    assert.deepEqual(
      [...(result.prints ?? [])].sort((a, b) => a.text.localeCompare(b.text)),
      ['alice', 'bob'].map((user) => ({ file: 'policies/printing.rego', line: 5, text: `user ${user} {"n": 1} <undefined>`, report: 'r.csv' })),
    );
  });

  it('captures prints in the in-process engine too, and keeps them out of the documents', async () => {
    const compiled = await compiler.compile({ modules: [{ file: 'p.rego', source }] });
    assert.ok(compiled.ok);
    const engine = await PolicyEngine.load(compiled.wasm);
    const input = { users: [{ user: 'carol' }] };
    const raw = engine.evaluate(input, NOW);
    assert.deepEqual(Object.keys(raw), ['printing']);
    assert.deepEqual(printsOf(raw), [{ file: 'p.rego', line: 5, text: 'user carol {"n": 1} <undefined>' }]);
    // Each evaluation has its own prints.
    assert.deepEqual(printsOf(engine.evaluate({ users: [] }, NOW)), []);
  });

  it('keeps at most MAX_PRINT_LINES lines of an evaluation and says how many were dropped', async () => {
    const loud = 'package loud\nimport rego.v1\ndeny contains "x" if {\n\tsome i in numbers.range(1, 1500)\n\tprint("line", i)\n\tfalse\n}\n';
    const result = await auditReports({ reports: [{ file: 'r.csv', text: REPORT }], now: NOW, bundledChecks: false, compiler, userPolicies: [{ file: 'loud.rego', source: loud }] });
    const prints = result.prints ?? [];
    assert.equal(prints.length, MAX_PRINT_LINES + 1);
    assert.deepEqual(prints[0], { file: 'loud.rego', line: 5, text: 'line 1', report: 'r.csv' });
    assert.match(prints.at(-1)!.text, /^500 more print lines \(.+\) dropped: at most 1000 lines or 64 KiB/);
    assert.equal(prints.at(-1)!.file, 'loud.rego');
  });

  it('bounds the bytes too', () => {
    const capture = new PrintCapture(100, 1024);
    for (let i = 0; i < 10; i++) capture.capture([['x'.repeat(300)]]);
    const lines = capture.lines();
    assert.equal(lines.length, 4);
    assert.match(lines[3]!.text, /^7 more print lines \(2.1 KiB\) dropped/);
  });

  it('formats like OPA: one line per combination of values, undefined arguments named', () => {
    assert.deepEqual(printLines([['a'], [1, 2], []]), ['a 1 <undefined>', 'a 2 <undefined>']);
    assert.deepEqual(printLines([]), ['']);
  });

  it('credcheck check prints them on stderr as print: file:line:', async () => {
    const result = await credcheckCli(['check', 'samples/sample-credential-report.csv', '--policy', 'test/fixtures/rego/print', '--now', '2021-02-09T08:42:56Z', '--format', 'json']);
    assert.match(result.stderr, /^print: test\/fixtures\/rego\/print\/printing\.rego:9: root row has \d+ fields$/m, result.stderr);
    assert.doesNotMatch(result.stdout, /root row has/);
  });
});

describe('print() with --jobs', function () {
  this.timeout(600_000);

  it('credcheck check --jobs 2 over two reports prints each report evaluation', async () => {
    const sample = 'samples/sample-credential-report.csv';
    const result = await credcheckCli(['check', sample, sample, '--jobs', '2', '--policy', 'test/fixtures/rego/print', '--now', '2021-02-09T08:42:56Z', '--format', 'json']);
    assert.equal(result.stderr.match(/^print: test\/fixtures\/rego\/print\/printing\.rego:9: root row has \d+ fields$/gm)?.length, 2, result.stderr);
  });
});
