import * as assert from 'assert';
import { analyzeModule, bindingsAtLine, resolveRef } from '../../../src/core/authoring/regoBindings';

const pathsAt = (source: string, line: number) => new Map([...bindingsAtLine(analyzeModule(source), line)].map(([name, path]) => [name, path.join('.')]));

describe('authoring: binding analysis', () => {
  it('binds rows through some/every, :=, = and index variables', () => {
    const source = `package p

a if {
	some u in input.users
	u.x
}

b if {
	some i, v in input.users
	v.x
}

c if {
	w := input.users[_]
	w.x
}

d if {
	some i
	x = input.users[i]
	x.y
}

e if {
	every r in input.users {
		r.x
	}
}
`;
    assert.strictEqual(pathsAt(source, 4).get('u'), 'users.[]');
    assert.strictEqual(pathsAt(source, 9).get('v'), 'users.[]');
    assert.strictEqual(pathsAt(source, 9).get('i'), undefined, 'the index is not a row');
    assert.strictEqual(pathsAt(source, 14).get('w'), 'users.[]');
    assert.strictEqual(pathsAt(source, 20).get('x'), 'users.[]');
    assert.strictEqual(pathsAt(source, 25).get('r'), 'users.[]');
    // Scoped to the rule: u is not bound in rule b.
    assert.strictEqual(pathsAt(source, 9).get('u'), undefined);
  });

  it('follows aliases in any order, and other parts of input', () => {
    const source = 'package p\n\nr if {\n\tsome u in users\n\tusers := input.users\n\treport := input.report\n\tdevice := input.mfa_devices[0]\n\tname := u.user\n}\n';
    const paths = pathsAt(source, 3);
    assert.strictEqual(paths.get('u'), 'users.[]');
    assert.strictEqual(paths.get('users'), 'users');
    assert.strictEqual(paths.get('report'), 'report');
    assert.strictEqual(paths.get('device'), 'mfa_devices.[]');
    assert.strictEqual(paths.get('name'), 'users.[].user');
  });

  it('feeds function parameters from calls with rows, through chains; ambiguous parameters are dropped', () => {
    const source = `package p

deny contains msg if {
	some user in input.users
	bad(user)
	msg := describe(user, "x")
}

bad(u) if {
	inner(u)
}

inner(row) if {
	not row.mfa_active
}

describe(v, what) := v.user

mixed(z) := z

a := mixed(input.report)

b := mixed(input.users[0])
`;
    assert.strictEqual(pathsAt(source, 9).get('u'), 'users.[]');
    assert.strictEqual(pathsAt(source, 13).get('row'), 'users.[]', 'through bad() into inner()');
    assert.strictEqual(pathsAt(source, 16).get('v'), 'users.[]');
    assert.strictEqual(pathsAt(source, 16).get('what'), undefined);
    assert.strictEqual(pathsAt(source, 18).get('z'), undefined, 'fed a report and a row');
  });

  it('resolves references through bindings, and not through unknown names or dynamic keys', () => {
    const bindings = new Map([['u', ['users', '[]']]]);
    assert.deepStrictEqual(resolveRef('u.raw.mfa_active', bindings), ['users', '[]', 'raw', 'mfa_active']);
    assert.deepStrictEqual(resolveRef('input.users[_]', new Map()), ['users', '[]']);
    assert.deepStrictEqual(resolveRef('input["report"]', new Map()), ['report']);
    assert.strictEqual(resolveRef('input.nope', new Map()), undefined);
    assert.strictEqual(resolveRef('x.user', bindings), undefined);
    assert.strictEqual(resolveRef('input.report[k]', new Map()), undefined);
  });

  it('ignores comparisons, comments and strings', () => {
    const source = 'package p\n\nr if {\n\tx == input.users[_]\n\t# y := input.users[_]\n\tz := "input.users[_]"\n}\n';
    const paths = pathsAt(source, 3);
    assert.strictEqual(paths.get('x'), undefined);
    assert.strictEqual(paths.get('y'), undefined);
    assert.strictEqual(paths.get('z'), undefined);
  });
});
