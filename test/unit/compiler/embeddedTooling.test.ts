import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { EmbeddedCompiler } from '../../../src/core/compiler/embeddedCompiler';
import { EmbeddedTooling } from '../../../src/core/compiler/embeddedTooling';
import { RegoModule } from '../../../src/core/compiler/regoCompiler';

const REPO = join(__dirname, '../../../..');
const NATIVE_OPA = join(REPO, '.tools/bin/opa');

function regoFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? regoFiles(join(dir, entry.name)) : entry.name.endsWith('.rego') ? [join(dir, entry.name)] : []))
    .sort();
}

function load(files: string[]): RegoModule[] {
  return files.map((file) => ({ file: relative(REPO, file), source: readFileSync(file, 'utf8') }));
}

/** Native opa is the oracle; without it the test skips, except in CI, where a missing oracle is a failure. */
function requireNativeOpa(context: Mocha.Context): void {
  if (existsSync(NATIVE_OPA)) return;
  if (process.env.CI) assert.fail(`native opa is missing at ${NATIVE_OPA}: CI must install it (scripts/setup.sh --test)`);
  console.log(`    skipped: native opa is missing at ${NATIVE_OPA} and CI is unset`);
  context.skip();
}

describe('embedded Rego tooling (check, format, test, builtins)', function () {
  this.timeout(600_000);
  let compiler: EmbeddedCompiler;
  let tooling: EmbeddedTooling;
  before(() => {
    // Generous limits: the machine running the suite may be busy, and the first calls warm up a 40 MB wasm.
    compiler = new EmbeddedCompiler({ timeLimitMs: 300_000, startLimitMs: 300_000 });
    tooling = new EmbeddedTooling({ compiler });
  });
  after(() => compiler.dispose());

  describe('schema-aware checking', () => {
    it('reports a misspelled row field at its exact range with the closest valid name', async () => {
      const modules = load([join(REPO, 'test/fixtures/rego/typo/mfa_typo.rego')]);
      const diagnostics = await tooling.check({ modules });
      assert.equal(diagnostics.length, 1, JSON.stringify(diagnostics));
      const [typo] = diagnostics;
      assert.deepEqual(
        [typo.file, typo.line, typo.column, typo.endLine, typo.endColumn, typo.severity, typo.code],
        ['test/fixtures/rego/typo/mfa_typo.rego', 11, 8, 11, 17, 'error', 'rego_type_error'],
      );
      assert.deepEqual(typo.suggestions, ['mfa_active']);
      assert.match(typo.message, /mfa_actve.*did you mean mfa_active\?/);
      // Without the schema the typo is silently accepted: what the issue complained about.
      assert.deepEqual(await tooling.check({ modules, schema: false }), []);
    });

    it('fails compile() on the typo by default, and only by default', async () => {
      const modules = load([join(REPO, 'test/fixtures/rego/typo/mfa_typo.rego')]);
      const checked = await compiler.compile({ modules });
      assert.equal(checked.ok, false);
      assert.ok(!checked.ok && checked.errors.some((e) => e.line === 11 && e.column === 8 && /did you mean mfa_active/.test(e.message)));
      const unchecked = await compiler.compile({ modules, schema: false });
      assert.equal(unchecked.ok, true);
    });

    it('finds no error and no warning in any bundled check, shipped query or user-style policy of the tests', async () => {
      const sets: [string, RegoModule[]][] = [['policies/**', load(regoFiles(join(REPO, 'policies')))]];
      for (const file of regoFiles(join(REPO, 'queries'))) sets.push([relative(REPO, file), load([file])]);
      for (const file of regoFiles(join(REPO, 'test/fixtures/user-policies'))) sets.push([relative(REPO, file), load([file])]);
      sets.push(['test/fixtures/cli/mypolicies (policy only)', load([join(REPO, 'test/fixtures/cli/mypolicies/console_keys.rego')])]);
      sets.push(['test/fixtures/rego/tests', load(regoFiles(join(REPO, 'test/fixtures/rego/tests')))]);
      // Comparisons with null: OPA's schema types drop null from a type union, so a schema written `["number", "null"]`
      // made `u.password_last_used_days == null` a false "match error". The shipped schema avoids that.
      sets.push(['test/fixtures/rego/clean', load(regoFiles(join(REPO, 'test/fixtures/rego/clean')))]);
      assert.ok(sets.length >= 20, 'the policies and queries were found');
      for (const [name, modules] of sets) {
        assert.deepEqual(await tooling.check({ modules }), [], name);
      }
      // And they compile to wasm with checking on, as the CLI and the extension compile them.
      for (const [name, modules] of sets.slice(1)) {
        const result = await compiler.compile({ modules });
        assert.ok(result.ok || result.errors.every((e) => e.code === 'no_entrypoint'), `${name}: ${JSON.stringify(!result.ok && result.errors)}`);
      }
    });
  });

  describe('result contract and lints', () => {
    it('flags a constant field that is not a column and a severity that is not documented, at the constant', async () => {
      const source = [
        'package custom.contract',
        '',
        '# METADATA',
        '# custom:',
        '#   severity: urgent',
        'deny contains {"msg": "x", "field": "mfa_actve", "severity": "hgh"} if {',
        '\tsome u in input.users',
        '\tu.mfa_active == false',
        '}',
        '',
      ].join('\n');
      const diagnostics = await tooling.check({ modules: [{ file: 'c.rego', source }] });
      const field = diagnostics.find((d) => d.message.includes('mfa_actve'));
      assert.deepEqual([field?.line, field?.column, field?.endColumn, field?.suggestions], [6, 37, 48, ['mfa_active']]);
      const severity = diagnostics.find((d) => d.message.includes('"hgh"'));
      assert.deepEqual([severity?.line, severity?.column, severity?.suggestions], [6, 62, ['high']]);
      const metadata = diagnostics.find((d) => d.message.includes('urgent'));
      assert.deepEqual([metadata?.line, metadata?.column, metadata?.severity], [5, 5, 'error']);
      assert.equal(diagnostics.length, 3, JSON.stringify(diagnostics));
      const compiled = await compiler.compile({ modules: [{ file: 'c.rego', source }] });
      assert.equal(compiled.ok, false, 'the contract is enforced when compiling, too');
    });

    it('warns about sprintf arity, an unused assignment, = for :=, and a leftover print', async () => {
      const source = [
        'package custom.lints',
        '',
        'deny contains msg if {',
        '\tsome u in input.users',
        '\tunused := u.arn',
        '\tname = u.user',
        '\tprint(name)',
        '\tmsg := sprintf("user %s %d", [name])',
        '}',
        '',
      ].join('\n');
      const diagnostics = await tooling.check({ modules: [{ file: 'l.rego', source }] });
      assert.deepEqual(
        diagnostics.map((d) => [d.code, d.line, d.column, d.severity]).sort(),
        [
          ['print-call', 7, 2, 'warning'],
          ['sprintf-arguments-mismatch', 8, 9, 'warning'],
          ['unused-assignment', 5, 2, 'warning'],
          ['use-assignment-operator', 6, 2, 'warning'],
        ],
      );
      assert.deepEqual(await tooling.check({ modules: [{ file: 'l.rego', source }], lint: false }), []);
    });
  });

  describe('format', () => {
    it('is byte-identical to native opa fmt on every .rego file of the repo and on the unformatted corpus', async function () {
      requireNativeOpa(this);
      const files = [...regoFiles(join(REPO, 'policies')), ...regoFiles(join(REPO, 'queries')), ...regoFiles(join(REPO, 'test/fixtures'))];
      const corpus = regoFiles(join(REPO, 'test/fixtures/rego/unformatted'));
      assert.ok(corpus.length >= 4);
      let compared = 0;
      let changed = 0;
      for (const file of files) {
        const native = spawnSync(NATIVE_OPA, ['fmt', file], { encoding: 'utf8' });
        const [module] = load([file]);
        const ours = await tooling.format(module);
        if (native.status !== 0) {
          assert.equal(ours.ok, false, `${file}: native opa fmt failed (${native.stderr.trim()}) but ours did not`);
          continue;
        }
        assert.ok(ours.ok, `${file}: ${JSON.stringify(!ours.ok && ours.errors)}`);
        assert.equal(ours.formatted, native.stdout, file);
        compared++;
        if (ours.formatted !== module.source) changed++;
      }
      assert.ok(compared > 40, `${compared} files compared`);
      assert.ok(changed >= corpus.length, 'the corpus really was unformatted');
    });

    it('returns located errors for a file that does not parse', async () => {
      const result = await tooling.format({ file: 'bad.rego', source: 'package p\n\nallow if {\n' });
      assert.equal(result.ok, false);
      assert.ok(!result.ok && result.errors[0].file === 'bad.rego' && result.errors[0].line > 0);
    });
  });

  describe('test', () => {
    it('runs passing and failing tests with print output and the failing expression', async () => {
      const modules = load(regoFiles(join(REPO, 'test/fixtures/rego/failing')));
      const run = await tooling.test({ modules });
      assert.deepEqual(run.errors, []);
      const byName = new Map(run.results.map((r) => [r.name, r]));
      assert.equal(byName.get('test_passes')?.status, 'pass');
      const failed = byName.get('test_wrong_expectation');
      assert.equal(failed?.status, 'fail');
      assert.equal(failed?.package, 'custom.greeting_test');
      assert.deepEqual(failed?.output, ['about to fail']);
      assert.deepEqual([failed?.failure?.file, failed?.failure?.line, failed?.failure?.column], ['test/fixtures/rego/failing/fail_test.rego', 11, 2]);
      const only = await tooling.test({ modules, run: 'wrong' });
      assert.deepEqual(only.results.map((r) => r.name), ['test_wrong_expectation']);
    });

    it('passes every test of the bundled policies, as many as native opa test runs', async function () {
      const modules = load(regoFiles(join(REPO, 'policies')));
      const run = await tooling.test({ modules, timeoutMs: 300_000 });
      assert.deepEqual(run.errors, []);
      const notPassing = run.results.filter((r) => r.status !== 'pass');
      assert.deepEqual(notPassing, []);
      assert.ok(run.results.length > 50, `${run.results.length} tests`);
      requireNativeOpa(this);
      const native = spawnSync(NATIVE_OPA, ['test', join(REPO, 'policies'), '--format', 'json'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      assert.equal(native.status, 0, native.stderr);
      const nativeNames = (JSON.parse(native.stdout) as { package: string; name: string }[]).map((r) => `${r.package}.${r.name}`).sort();
      assert.deepEqual(run.results.map((r) => `data.${r.package}.${r.name}`).sort(), nativeNames);
    });

    it('stops a runaway run at its time limit and names the limit on the tests that did not finish', async () => {
      const source = 'package custom.slow_test\n\ntest_slow if {\n\tcount([x | some x in numbers.range(1, 100000000); x > 0]) > 0\n}\n';
      const run = await tooling.test({ modules: [{ file: 'slow_test.rego', source }], timeoutMs: 1500 });
      assert.equal(run.results.length, 1);
      assert.equal(run.results[0].status, 'error');
      assert.match(run.results[0].failure?.message ?? '', /1\.5 s time limit/);
      // The compiler comes back for the next request.
      assert.equal((await tooling.format({ file: 'f.rego', source: 'package p\n' })).ok, true);
    });
  });

  it('documents the builtins a policy may call, from OPA metadata', async () => {
    const docs = await tooling.builtins();
    const sprintf = docs.find((d) => d.name === 'sprintf');
    assert.equal(sprintf?.signature, 'sprintf(format: string, values: array[any]) => string');
    assert.match(sprintf?.description ?? '', /\w/);
    assert.ok(docs.find((d) => d.name === 'array.concat')?.categories.includes('array'));
    assert.equal(docs.find((d) => d.name === 'http.send'), undefined, 'not callable in a compiled policy');
    assert.equal(docs.find((d) => d.name === 'credcheck.sprintf'), undefined);
  });
});
