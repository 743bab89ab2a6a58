import * as assert from 'node:assert/strict';
import { createEmbeddedCompiler } from '../../../src/core/compiler/embeddedCompiler';
import { RegoCompiler } from '../../../src/core/compiler/regoCompiler';
import { readCompilerCapabilities } from '../../../src/core/compiler/compilerAssets';
import { PolicyEngine } from '../../../src/core/engine/policyEngine';
import { instantiatePolicy, SDK_BUILTINS } from '../../../src/core/engine/policyInstance';
import { newWasmMemory, WasmMemoryPool } from '../../../src/core/engine/wasmMemoryPool';

const NOW = new Date('2024-01-01T00:00:00Z');

/** Our loader answers the policy's host calls itself, except the builtins only @open-policy-agent/opa-wasm implements. */
describe('policy instances (policyInstance.ts)', function () {
  this.timeout(300_000);
  let compiler: RegoCompiler;
  before(() => (compiler = createEmbeddedCompiler()));
  after(() => compiler.dispose());

  const compile = async (source: string): Promise<Uint8Array> => {
    const compiled = await compiler.compile({ modules: [{ file: 'p.rego', source }] });
    assert.ok(compiled.ok, JSON.stringify(!compiled.ok && compiled.errors));
    return compiled.wasm;
  };

  it('knows exactly the builtins the compiler says the SDK implements', () => {
    assert.deepEqual([...SDK_BUILTINS].sort(), [...readCompilerCapabilities().sdk].sort());
  });

  it('loads a policy calling an SDK builtin with the SDK, in a memory of its own, and evaluates it as before', async () => {
    const wasm = await compile(
      'package sdk\nimport rego.v1\ndeny contains {"yaml": yaml.marshal({"a": [1, "x"]}), "valid": json.is_valid("{"), "split": regex.split(",", "a,b"), "fmt": sprintf("%d-%s", [7, "z"])} if true\n',
    );
    const given = newWasmMemory(512);
    const instance = await instantiatePolicy(wasm, given, {});
    assert.equal(instance.inGivenMemory, false);
    assert.notEqual(instance.memory, given);

    const pool = new WasmMemoryPool();
    const engine = await PolicyEngine.load(wasm, 32, pool);
    engine.setData({});
    assert.deepEqual(engine.evaluate({}, NOW).sdk, { deny: [{ yaml: 'a:\n  - 1\n  - x\n', valid: false, split: ['a', 'b'], fmt: '7-z' }] });
  });

  it('answers our builtins in the given memory, and fails an unknown builtin when it is called, as the SDK does', async () => {
    const wasm = await compile('package own\nimport rego.v1\ndeny contains sprintf("%q", ["a"]) if true\nwarn contains time.now_ns() if true\n');
    const given = newWasmMemory(512);
    const instance = await instantiatePolicy(wasm, given, { 'credcheck.sprintf': () => 'formatted' });
    assert.equal(instance.inGivenMemory, true);
    assert.equal(instance.memory, given);

    const engine = await PolicyEngine.load(wasm, 32);
    engine.setData({});
    assert.deepEqual(engine.evaluate({}, NOW).own, { deny: ['"a"'], warn: [1704067200000000000] });
    // The loader alone, with one builtin: it answers it; a call nobody answers fails the rule with the SDK's words.
    instance.policy.setData({});
    assert.deepEqual(instance.policy.evaluate({}, 'own/deny'), [{ result: ['formatted'] }]);
    assert.throws(
      () => instance.policy.evaluate({}, 'own/warn'),
      (error: unknown) => /^not implemented: built-in function \d+: time\.now_ns$/.test((error as { message: string }).message),
    );
  });
});
