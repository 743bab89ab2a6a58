import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadPolicy } from '@open-policy-agent/opa-wasm';
import { EmbeddedCompiler } from '../../../src/core/compiler/embeddedCompiler';
import { OpaBinaryCompiler } from '../../../src/core/compiler/opaBinaryCompiler';
import { CompileRequest } from '../../../src/core/compiler/regoCompiler';

const OPA = join(__dirname, '../../../../.tools/bin/opa');

const POLICY: CompileRequest = {
  // A made-up input (age, name): this compares the two compilers, not the input schema.
  schema: false,
  modules: [
    {
      file: 'checks/keys.rego',
      source: `# METADATA
# title: Keys
# custom:
#   id: KEYS
package checks.keys

# METADATA
# title: Old key
deny_old contains {"msg": "old", "user": user.user} if {
	some user in input.users
	user.age > 90
}

warn contains user.user if {
	some user in input.users
	user.name == "😀é"
}
`,
    },
  ],
};

describe('opa binary compiler (optional, for a configured opa)', function () {
  this.timeout(60_000);
  before(function () {
    if (!existsSync(OPA)) {
      console.log('    skipped: .tools/bin/opa is missing (setup.sh --test installs it)');
      this.skip();
    }
  });

  it('agrees with the embedded compiler on entrypoints, annotations, rules and results', async () => {
    const embedded = new EmbeddedCompiler();
    try {
      const [native, ours] = await Promise.all([new OpaBinaryCompiler(OPA).compile(POLICY), embedded.compile(POLICY)]);
      assert.ok(native.ok, JSON.stringify(!native.ok && native.errors));
      assert.ok(ours.ok);
      assert.deepEqual(native.entrypoints, ours.entrypoints);
      assert.deepEqual(native.rules, ours.rules);
      assert.deepEqual(native.annotations, ours.annotations);
      const input = { users: [{ user: 'a', age: 100, name: '😀é' }, { user: 'b', age: 1, name: 'x' }] };
      const [a, b] = await Promise.all([loadPolicy(native.wasm), loadPolicy(ours.wasm)]);
      assert.deepEqual(ours.entrypoints, ['checks/keys/deny_old', 'checks/keys/warn']);
      for (const entrypoint of ours.entrypoints) assert.deepEqual(a.evaluate(input, entrypoint), b.evaluate(input, entrypoint));
      assert.deepEqual(a.evaluate(input, 'checks/keys/deny_old'), [{ result: [{ msg: 'old', user: 'a' }] }]);
    } finally {
      embedded.dispose();
    }
  });

  it('reports the same located errors for a syntax error and an unsupported builtin', async () => {
    const embedded = new EmbeddedCompiler();
    try {
      for (const source of ['package p\n\nx := "😀" + }\n', 'package p\n\ndeny contains r if {\n  r := http.send({"url": "😀"})\n}\n']) {
        const request = { modules: [{ file: 'dir/p.rego', source }] };
        const [native, ours] = await Promise.all([new OpaBinaryCompiler(OPA).compile(request), embedded.compile(request)]);
        assert.ok(!native.ok && !ours.ok);
        const located = (errors: typeof native.errors) => errors.map((e) => [e.file, e.line, e.column, e.message]);
        assert.deepEqual(located(native.errors), located(ours.errors));
      }
    } finally {
      embedded.dispose();
    }
  });
});
