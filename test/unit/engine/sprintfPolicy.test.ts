import * as assert from 'node:assert/strict';
import { auditReports } from '../../../src/core/run/audit';
import { createEmbeddedCompiler } from '../../../src/core/compiler/embeddedCompiler';
import { RegoCompiler } from '../../../src/core/compiler/regoCompiler';

/**
 * A user policy's sprintf formats like OPA's (Go's fmt after OPA's argument conversion), not like sprintf-js: the
 * embedded compiler renames the calls and the engine answers them with regoSprintf. Before, `%q` failed the whole
 * policy ("[sprintf] unexpected placeholder") and `%v` of an array printed `1,a`.
 */
describe('sprintf in user policies', function () {
  this.timeout(120_000);
  let compiler: RegoCompiler;
  before(() => (compiler = createEmbeddedCompiler()));
  after(() => compiler.dispose());

  it('formats %q, %v of composites, %d of a fraction and %t as OPA does', async () => {
    const cases: [string, unknown[], string][] = [
      ['%s has %d keys', ['alice', 2], 'alice has 2 keys'],
      ['%q', ['q"x'], '"q\\"x"'],
      ['%v', [[1, 'a']], '[1, "a"]'],
      ['%v', [{ b: [2], a: 1 }], '{"a": 1, "b": [2]}'],
      ['%d', [92.5], '%!d(float64=92.5)'],
      ['%.2f', [1.5], '1.50'],
      ['%t', [true], '%!t(string=true)'],
      ['%v', [null], 'null'],
      ['%5d|%-5s|', [42, 'ab'], '   42|ab   |'],
      ['%s', [], '%!s(MISSING)'],
      ['%d', [1, 'x'], '1%!(EXTRA string=x)'],
    ];
    const source =
      'package fmt_cases\nimport rego.v1\n' +
      cases.map(([format, args], index) => `info contains concat("|", ["${index}", sprintf(${JSON.stringify(format)}, ${JSON.stringify(args)})]) if true\n`).join('');
    const result = await auditReports({
      reports: [{ file: 'r.csv', text: 'user,arn\nalice,arn:aws:iam::111122223333:user/alice\n' }],
      now: new Date('2024-01-01T00:00:00Z'),
      bundledChecks: false,
      compiler,
      userPolicies: [{ file: 'fmt.rego', source }],
    });
    assert.deepEqual(result.policyProblems, []);
    // Each message is "<case index>|<formatted>".
    const byCase = new Map(result.findings.map((finding) => [Number(finding.message.split('|')[0]), finding.message.slice(finding.message.indexOf('|') + 1)]));
    for (const [index, [format, args, expected]] of cases.entries()) assert.equal(byCase.get(index), expected, `sprintf(${JSON.stringify(format)}, ${JSON.stringify(args)})`);
  });

  it('names sprintf, not the renamed builtin, in a type error', async () => {
    const result = await auditReports({
      reports: [{ file: 'r.csv', text: 'user,arn\nalice,arn:aws:iam::111122223333:user/alice\n' }],
      now: new Date('2024-01-01T00:00:00Z'),
      bundledChecks: false,
      compiler,
      userPolicies: [{ file: 'bad.rego', source: 'package bad\nimport rego.v1\ndeny contains msg if {\n  msg := sprintf(1, [2])\n}\n' }],
    });
    assert.equal(result.policyProblems.length, 1);
    assert.equal(result.policyProblems[0]!.line, 4);
    assert.match(result.policyProblems[0]!.message, /sprintf/);
    assert.doesNotMatch(result.policyProblems[0]!.message, /credcheck\.sprintf/);
  });
});
