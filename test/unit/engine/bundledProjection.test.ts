/**
 * The bundled checks read every row column by a constant name (policies/credcheck/lib/lib.rego, "Input projection"),
 * so the compiler can prove which columns they read and the engine hands them only those: compiled from the sources
 * as they are now, and as shipped in dist/policies/catalog.json. That the results do not change is the differential
 * test's part (inputProjection.test.ts: byte-identical findings with and without projection).
 */
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadBundledPolicies } from '../../../src/core/checks/catalog';
import { createEmbeddedCompiler } from '../../../src/core/compiler/embeddedCompiler';
import { RegoCompiler, RegoModule } from '../../../src/core/compiler/regoCompiler';

const ROOT = join(__dirname, '../../../..');

/** The bundled checks' sources as scripts/build-policies.mjs takes them: no tests, no test helpers. */
function bundledModules(): RegoModule[] {
  const modules: RegoModule[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'testing') walk(path);
      } else if (entry.name.endsWith('.rego') && !entry.name.endsWith('_test.rego')) {
        modules.push({ file: relative(ROOT, path), source: readFileSync(path, 'utf8') });
      }
    }
  };
  walk(join(ROOT, 'policies/credcheck'));
  return modules;
}

describe('bundled checks: input projection', function () {
  this.timeout(300_000);
  let compiler: RegoCompiler;
  before(() => (compiler = createEmbeddedCompiler()));
  after(() => compiler.dispose());

  it('reads rows only through constant column names: projected, not whole, in the sources and in the shipped bundle', async () => {
    const result = await compiler.compile({ modules: bundledModules() });
    assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
    const projection = result.projection!;
    assert.ok(!projection.whole, `the bundled checks get the whole input: ${projection.reason}`);
    const fields = projection.fields ?? [];
    // What they read: the key, certificate, password and MFA columns, the row's identity and the raw cells (messages).
    for (const field of ['user', 'line', 'is_root', 'raw', 'mfa_active', 'access_key_2_last_used_service', 'cert_2_last_rotated_days', 'password_last_used_status']) {
      assert.ok(fields.includes(field), `${field} is not in ${fields.join(', ')}`);
    }
    // And what no check reads stays out.
    for (const field of ['arn', 'account_id', 'password_next_rotation', 'password_next_rotation_days', 'access_key_1_status', 'cert_1_status']) {
      assert.ok(!fields.includes(field), `${field} is projected although no check reads it`);
    }
    assert.deepEqual(loadBundledPolicies().compiled.projection, projection, 'dist/policies is stale: run npm run build:policies');
  });
});
