import * as assert from 'assert';
import { completeAt } from '../../../src/core/authoring/completion';
import { hoverAt } from '../../../src/core/authoring/hover';
import { scanRegoModule } from '../../../src/core/authoring/regoScanner';
import { BUILTINS, cursor, sampleInput } from './authoringFixtures';

const labels = (text: string, extra: Partial<Parameters<typeof completeAt>[0]> = {}) => {
  const at = cursor(text);
  return completeAt({ ...at, builtins: BUILTINS, ...extra });
};

describe('authoring: completion', () => {
  it('offers the row columns after u. for a row variable, each with AWS meaning, type and special values', () => {
    const answer = labels('package p\n\ndeny contains msg if {\n\tsome u in input.users\n\tnot u.|\n}\n');
    const names = answer.items.map((item) => item.label);
    assert.ok(names.includes('mfa_active') && names.includes('password_last_used_days') && names.includes('raw'), names.join());
    assert.ok(!names.includes('sprintf'), 'no builtins after a row variable');
    const mfa = answer.items.find((item) => item.label === 'mfa_active')!;
    assert.strictEqual(mfa.kind, 'field');
    assert.strictEqual(mfa.detail, 'boolean | null');
    assert.match(mfa.documentation, /\*\*AWS:\*\* When a multi-factor authentication \(MFA\) device has been enabled/);
    assert.match(mfa.documentation, /\*\*Special values:\*\*/);
    assert.strictEqual(answer.replaceFrom, 7);
  });

  it('offers fields for a partly typed name, and in a function fed with rows', () => {
    const partial = labels('package p\n\nr if {\n\tu := input.users[_]\n\tu.mfa|\n}\n');
    assert.ok(partial.items.some((item) => item.label === 'mfa_active'));
    assert.strictEqual(partial.replaceFrom, 3);
    const viaFunction = labels('package p\n\nr if {\n\tsome user in input.users\n\tweak(user)\n}\n\nweak(x) if {\n\tx.|\n}\n');
    assert.ok(viaFunction.items.some((item) => item.label === 'access_key_1_active'));
  });

  it('offers input paths: input., input.report., input.users[_]., raw columns', () => {
    assert.deepStrictEqual(labels('package p\n\nr if { input.| }').items.map((item) => item.label), ['evaluation_time', 'report', 'users', 'mfa_devices']);
    assert.ok(labels('package p\n\nr if { input.report.| }').items.some((item) => item.label === 'generated_time'));
    assert.ok(labels('package p\n\nr if { input.users[_].| }').items.some((item) => item.label === 'cert_2_active'));
    assert.ok(labels('package p\n\nr if { some u in input.users; u.raw.| }').items.some((item) => item.label === 'password_enabled'));
  });

  it('shows example values from the open report', () => {
    const answer = labels('package p\n\nr if { some u in input.users; u.| }', { example: sampleInput() });
    const mfa = answer.items.find((item) => item.label === 'mfa_active')!;
    assert.match(mfa.documentation, /\*\*In the open report:\*\* <root_account>: `true`/);
  });

  it('offers builtins, namespaced builtins, own rules and imported package rules at the start of a term', () => {
    const source = 'package p\n\nimport data.credcheck.lib\n\nthreshold := 90\n\nold(u) if { u.x }\n\ntest_x if { true }\n\nr if { | }';
    const answer = labels(source);
    const names = answer.items.map((item) => item.label);
    for (const name of ['sprintf', 'time.now_ns', 'threshold', 'old', 'input', 'lib']) assert.ok(names.includes(name), `${name} in ${names.join()}`);
    assert.ok(!names.includes('test_x'), 'tests are not offered as terms');
    assert.strictEqual(answer.items.find((item) => item.label === 'old')!.kind, 'function');
    assert.deepStrictEqual(labels('package p\n\nr if { x := time.| }').items.map((item) => item.label), ['parse_rfc3339_ns', 'now_ns']);
    const lib = scanRegoModule('package credcheck.lib\n\ndays(u, c) := 1\n\nparam(name) := 2\n').rules;
    const imported = labels('package p\n\nimport data.credcheck.lib\n\nr if { lib.| }', { packages: new Map([['credcheck.lib', lib]]) });
    assert.deepStrictEqual(imported.items.map((item) => item.label), ['days', 'param']);
  });

  it('offers nothing in comments and strings', () => {
    assert.strictEqual(labels('package p\n\n# input.|\n').items.length, 0);
    assert.strictEqual(labels('package p\n\nr := "input.|"\n').items.length, 0);
  });
});

describe('authoring: hover', () => {
  const hover = (text: string, example = false) => hoverAt({ ...cursor(text), builtins: BUILTINS, ...(example ? { example: sampleInput() } : {}) });

  it('explains a field on a row variable: AWS text, type, special values, examples', () => {
    const answer = hover('package p\n\nr if {\n\tsome u in input.users\n\tu.password_last_u|sed == null\n}\n', true)!;
    assert.match(answer.markdown, /^\*\*password_last_used\*\* `null \| string \(UTC time\)`/);
    assert.match(answer.markdown, /\*\*AWS:\*\* The date and time when the AWS account root user or user's password was last used/);
    assert.match(answer.markdown, /\*\*In the open report:\*\* <root_account>: `"2019-07-17T04:49:39Z"`/);
    assert.deepStrictEqual(answer.range, { startLine: 4, startColumn: 3, endLine: 4, endColumn: 21 });
  });

  it('explains input paths and derived fields in our words', () => {
    assert.match(hover('package p\n\nr if { input.report.lay|out == "current" }')!.markdown, /legacy16/);
    const days = hover('package p\n\nr if { some u in input.users; u.password_last_used_d|ays > 1 }')!;
    assert.match(days.markdown, /\(added by credcheck\)/);
    assert.doesNotMatch(days.markdown, /\*\*AWS:\*\*/);
  });

  it('explains builtins, dotted or not, with signature and description', () => {
    const plain = hover('package p\n\nr := spr|intf("%s", ["a"])')!;
    assert.match(plain.markdown, /sprintf\(format: string, values: array\[any\]\) => string/);
    assert.match(plain.markdown, /Returns the given string, formatted\./);
    const dotted = hover('package p\n\nr := time.parse_rf|c3339_ns("x")')!;
    assert.match(dotted.markdown, /Returns the time in nanoseconds/);
    assert.deepStrictEqual(dotted.range, { startLine: 2, startColumn: 5, endLine: 2, endColumn: 26 });
    assert.match(hover('package p\n\nr := ti|me.parse_rfc3339_ns("x")')!.markdown, /RFC3339/);
  });

  it('says what a variable bound to input holds', () => {
    assert.match(hover('package p\n\nr if {\n\tsome u in input.users\n\t|u.mfa_active\n}\n')!.markdown, /^`u`: `input\.users\[_\]`, one row of the credential report/);
    assert.match(hover('package p\n\nr if {\n\trep|ort := input.report\n}\n')!.markdown, /^`report`: `input\.report`$/);
  });

  it('says nothing for unknown names, misspelled fields and comments', () => {
    assert.strictEqual(hover('package p\n\nr if { some u in input.users; u.mfa_act|ve }'), undefined);
    assert.strictEqual(hover('package p\n\n# sprin|tf'), undefined);
    assert.strictEqual(hover('package p\n\nr := fo|o'), undefined);
  });
});
