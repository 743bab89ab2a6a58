import * as assert from 'assert';
import { findDefinitions, IndexedModule } from '../../../src/core/authoring/definitions';
import { diagnosticMessage, diagnosticRange, misspelledName, misspelledRange } from '../../../src/core/authoring/diagnosticRanges';
import { scanRegoModule } from '../../../src/core/authoring/regoScanner';
import { discoverTests, isTestFileName, outcomeOf, runPattern } from '../../../src/core/authoring/testPlan';
import { cursor } from './authoringFixtures';

const LIB = 'package credcheck.lib\n\ndays(u, column) := u[column]\n\nparam(name) := 1\n';
const OTHER = 'package custom.keys\n\nthreshold := 30\n';
const indexed = (id: string, source: string): IndexedModule => ({ id, outline: scanRegoModule(source) });

describe('authoring: go to definition', () => {
  const workspace = [indexed('lib.rego', LIB), indexed('other.rego', OTHER)];
  const find = (text: string) => {
    const at = cursor(text);
    const current = indexed('current.rego', at.source);
    return findDefinitions(at.source, current, at.line, at.column, [current, ...workspace]).map((location) => `${location.id}:${location.range.startLine}:${location.range.startColumn}`);
  };

  it('finds rules of the same package in this and other files', () => {
    assert.deepStrictEqual(find('package custom.keys\n\nr if { count(input.users) > thres|hold }\n'), ['other.rego:2:0']);
    assert.deepStrictEqual(find('package custom.keys\n\nf(x) := x\n\nr := f|(1)\n'), ['current.rego:2:0']);
  });

  it('follows imports and data refs to the rule or the package', () => {
    assert.deepStrictEqual(find('package p\n\nimport data.credcheck.lib\n\nr := lib.da|ys(u, "x")\n'), ['lib.rego:2:0']);
    assert.deepStrictEqual(find('package p\n\nimport data.credcheck.lib as l\n\nr := l.par|am("x")\n'), ['lib.rego:4:0']);
    assert.deepStrictEqual(find('package p\n\nr := data.credcheck.lib.pa|ram("x")\n'), ['lib.rego:4:0']);
    assert.deepStrictEqual(find('package p\n\nimport data.credcheck.l|ib\n'), ['lib.rego:0:0']);
  });

  it('finds nothing for locals, builtins and other packages rules by bare name', () => {
    assert.deepStrictEqual(find('package p\n\nr := cou|nt([])\n'), []);
    assert.deepStrictEqual(find('package p\n\nr := thres|hold\n'), []);
  });
});

describe('authoring: tests in the editor', () => {
  it('discovers test rules of a file once each, with ranges', () => {
    const discovered = discoverTests(scanRegoModule('package custom.keys_test\n\ntest_a if {\n\ttrue\n}\n\ntest_a if { false }\n\ntodo_test_b if { true }\n\nhelper := 1\n'));
    assert.strictEqual(discovered.package, 'custom.keys_test');
    assert.deepStrictEqual(discovered.tests.map((test) => [test.name, test.range.startLine, test.range.endLine]), [['test_a', 2, 4]]);
    assert.ok(isTestFileName('policies/keys_test.rego'));
    assert.ok(!isTestFileName('policies/keys.rego'));
  });

  it('builds a run pattern selecting exactly the chosen tests, with or without the data. prefix', () => {
    const pattern = new RegExp(runPattern([{ package: 'custom.keys_test', test: 'test_a' }, { package: 'lib.x_test' }]));
    for (const name of ['custom.keys_test.test_a', 'data.custom.keys_test.test_a', 'lib.x_test.test_zz', 'data.lib.x_test.test_q']) assert.ok(pattern.test(name), name);
    for (const name of ['custom.keys_test.test_ab', 'customXkeys_test.test_a', 'other.custom.keys_test.test_a', 'lib.x_test.helper']) assert.ok(!pattern.test(name), name);
  });

  it('maps results to outcomes; a missing result is an error, never a pass', () => {
    const run = {
      errors: [],
      results: [
        { package: 'p', name: 'test_ok', file: 'a_test.rego', line: 3, status: 'pass' as const, durationMs: 2, output: ['hello'] },
        { package: 'p', name: 'test_bad', file: 'a_test.rego', line: 7, status: 'fail' as const, durationMs: 1, failure: { message: 'count(deny) == 1 is false', file: 'a_test.rego', line: 8, column: 2 }, output: [] },
      ],
    };
    assert.deepStrictEqual(outcomeOf('a_test.rego', 'test_ok', run), { state: 'passed', durationMs: 2, output: ['hello'] });
    const bad = outcomeOf('a_test.rego', 'test_bad', run);
    assert.strictEqual(bad.state, 'failed');
    assert.deepStrictEqual(bad.state === 'failed' && bad.location, { file: 'a_test.rego', line: 8, column: 2 });
    assert.strictEqual(outcomeOf('a_test.rego', 'test_gone', run).state, 'errored');
    assert.strictEqual(outcomeOf('b_test.rego', 'test_ok', run).state, 'errored', 'same name in another file is not this test');
    const broken = outcomeOf('a_test.rego', 'test_ok', { results: [], errors: [{ file: 'a.rego', line: 4, column: 9, message: 'rego_parse_error: unexpected }', severity: 'error' }] });
    assert.strictEqual(broken.state, 'errored');
    assert.match(broken.state === 'errored' ? broken.message : '', /a\.rego:4:9: rego_parse_error/);
  });
});

describe('authoring: diagnostics', () => {
  const source = 'package p\n\nr if {\n\tsome u in input.users\n\tnot u.mfa_actve\n}\n';

  it('places a diagnostic at its range, or the word at its start, or the line', () => {
    assert.deepStrictEqual(diagnosticRange({ file: 'a', line: 5, column: 6, endLine: 5, endColumn: 17, message: 'm', severity: 'error' }, source), { startLine: 4, startColumn: 5, endLine: 4, endColumn: 16 });
    assert.deepStrictEqual(diagnosticRange({ file: 'a', line: 5, column: 6, message: 'm', severity: 'error' }, source), { startLine: 4, startColumn: 5, endLine: 4, endColumn: 16 });
    assert.deepStrictEqual(diagnosticRange({ file: 'a', line: 0, column: 0, message: 'm', severity: 'error' }, source), { startLine: 0, startColumn: 0, endLine: 0, endColumn: 9 });
    assert.deepStrictEqual(diagnosticRange({ file: 'a', line: 99, column: 1, message: 'm', severity: 'error' }, source).startLine, 6);
  });

  it('says the suggestion once, and finds the misspelled name to replace', () => {
    assert.strictEqual(diagnosticMessage({ file: 'a', line: 5, column: 6, message: 'undefined ref: input.users[_].mfa_actve', severity: 'error', suggestions: ['mfa_active'] }), 'undefined ref: input.users[_].mfa_actve (did you mean mfa_active?)');
    assert.strictEqual(diagnosticMessage({ file: 'a', line: 5, column: 6, message: 'unknown field; did you mean mfa_active?', severity: 'error', suggestions: ['mfa_active'] }), 'unknown field; did you mean mfa_active?');
    assert.deepStrictEqual(misspelledName('u.mfa_actve', 'mfa_active'), { start: 2, end: 11 });
    assert.deepStrictEqual(misspelledName('mfa_actve', 'mfa_active'), { start: 0, end: 9 });
    assert.strictEqual(misspelledName('mfa_active', 'mfa_active'), undefined, 'nothing to fix');
  });

  it('narrows a suggestion diagnostic to the misspelled name, even when the compiler points at the expression start', () => {
    const name = { startLine: 4, startColumn: 7, endLine: 4, endColumn: 16 };
    assert.deepStrictEqual(misspelledRange(source, { startLine: 4, startColumn: 1, endLine: 4, endColumn: 4 }, 'mfa_active'), name, 'from `not`');
    assert.deepStrictEqual(misspelledRange(source, { startLine: 4, startColumn: 5, endLine: 4, endColumn: 16 }, 'mfa_active'), name, 'from `u.mfa_actve`');
    assert.strictEqual(misspelledRange(source, { startLine: 3, startColumn: 1, endLine: 3, endColumn: 5 }, 'mfa_active'), undefined, 'nothing like it on the line');
  });
});
