import * as assert from 'assert';
import { maskCommentsAndStrings, ruleAtLine, scanRegoModule } from '../../../src/core/authoring/regoScanner';

const MODULE = `# METADATA
# title: a { brace in a comment
package custom.old_keys

import data.credcheck.lib
import data.credcheck.lib.testing as t

default allow := false

deny contains result if {
	some u in input.users
	msg := "a } brace and a # hash in a string"
	result := {"msg": msg, "user": u.user}
}

threshold := 90

reference(u, key) := key.last_used if {
	u.x
} else := key.rotated if {
	u.y
}

ok if input.users[0].mfa_active

raw := \`a raw
} string {\`

test_old_key_is_reported if {
	count(deny) == 1
}
`;

describe('authoring: Rego scanner', () => {
  it('finds the package, imports and every head with its kind, name range and whole definition', () => {
    const outline = scanRegoModule(MODULE);
    assert.strictEqual(outline.package?.name, 'custom.old_keys');
    assert.deepStrictEqual(outline.package?.range, { startLine: 2, startColumn: 0, endLine: 2, endColumn: 23 });
    assert.deepStrictEqual(outline.imports.map((entry) => [entry.path, entry.alias]), [['data.credcheck.lib', 'lib'], ['data.credcheck.lib.testing', 't']]);
    assert.deepStrictEqual(
      outline.rules.map((rule) => [rule.name, rule.kind, rule.isDefault, rule.range.startLine, rule.range.endLine]),
      [
        ['allow', 'rule', true, 7, 7],
        ['deny', 'rule', false, 9, 13],
        ['threshold', 'rule', false, 15, 15],
        ['reference', 'function', false, 17, 21],
        ['ok', 'rule', false, 23, 23],
        ['raw', 'rule', false, 25, 26],
        ['test_old_key_is_reported', 'test', false, 28, 30],
      ],
    );
    const reference = outline.rules.find((rule) => rule.name === 'reference')!;
    assert.deepStrictEqual(reference.params, ['u', 'key']);
    assert.strictEqual(reference.head, 'reference(u, key) := key.last_used if');
    assert.deepStrictEqual(reference.nameRange, { startLine: 17, startColumn: 0, endLine: 17, endColumn: 9 });
    assert.deepStrictEqual(outline.rules[0]!.nameRange, { startLine: 7, startColumn: 8, endLine: 7, endColumn: 13 });
    assert.strictEqual(ruleAtLine(outline, 12)?.name, 'deny');
    assert.strictEqual(ruleAtLine(outline, 14), undefined);
  });

  it('blanks comments and string contents without moving anything', () => {
    const masked = maskCommentsAndStrings('x := "a}b\\"c" # {\ny := `r{\n}`');
    assert.strictEqual(masked, 'x := "      "    \ny := `  \n `');
  });

  it('keeps finding heads after a body that is not closed yet (typing)', () => {
    const outline = scanRegoModule('package p\n\ndeny contains x if {\n\tsome u in input.users\n\tu.\n\nallow if {\n\ttrue\n}\n');
    assert.deepStrictEqual(outline.rules.map((rule) => [rule.name, rule.range.startLine, rule.range.endLine]), [['deny', 2, 4], ['allow', 6, 8]]);
  });

  it('reads ref heads and multi-line function heads', () => {
    const outline = scanRegoModule('package p\n\na.b.c := 1\n\nf(x,\n  y) := z if {\n  z := x\n}\n');
    assert.deepStrictEqual(outline.rules.map((rule) => [rule.name, rule.kind]), [['a.b.c', 'rule'], ['f', 'function']]);
  });
});
