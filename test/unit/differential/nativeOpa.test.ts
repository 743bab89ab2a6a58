import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadBundledPolicies } from '../../../src/core/checks/catalog';
import { createEmbeddedCompiler } from '../../../src/core/compiler/embeddedCompiler';
import { PolicyEngine } from '../../../src/core/engine/policyEngine';
import { DECISION_RULE } from '../../../src/core/engine/ruleEntrypoints';
import { PolicyInput } from '../../../src/core/model';
import { normalizeReport } from '../../../src/core/report/normalizer';
import { parseReport } from '../../../src/core/report/reportParser';
import { hasNativeOpa, NATIVE_OPA } from '../engine/opaCompilerForTests';
import { realworldReports } from '../engine/realworldReports';

const run = promisify(execFile);
const REPO = join(__dirname, '../../../..');
const CORPUS = join(REPO, 'test/fixtures/user-policies');

/**
 * Differential tests: the wasm engine (bundle compiled at build time; user-style corpus compiled by the embedded
 * compiler; time builtins from timeBuiltins.ts) against the native `opa eval` of the same pinned OPA version, over every
 * real-world report normalised at its MANIFEST time. The wasm entrypoints are per rule and the engine groups them back
 * per package, so each package's decision rules (deny, warn_x, exception, ...) must equal those of the package document
 * `opa eval` prints (its helper rules are not entrypoints); rule values that are sets come out as arrays in both, in no
 * guaranteed order, so top-level arrays are compared as sets.
 */
function decisionRules(document: unknown): unknown {
  if (!document || typeof document !== 'object' || Array.isArray(document)) return document;
  return Object.fromEntries(Object.entries(document as Record<string, unknown>).filter(([rule]) => DECISION_RULE.test(rule)));
}

function canonical(document: unknown): unknown {
  if (!document || typeof document !== 'object' || Array.isArray(document)) return document;
  return Object.fromEntries(
    Object.entries(document as Record<string, unknown>).map(([rule, value]) => [rule, Array.isArray(value) ? value.map(stableJson).sort() : value]),
  );
}

/** JSON with object keys sorted: the two engines order the keys of a result object differently. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${stableJson((value as Record<string, unknown>)[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

async function opaEval(dataPaths: string[], inputFile: string, query: string): Promise<unknown> {
  const args = ['eval', '--format', 'json', ...dataPaths.flatMap((path) => ['-d', path]), '-i', inputFile, query];
  const { stdout } = await run(NATIVE_OPA, args, { maxBuffer: 64 * 1024 * 1024 });
  const result = JSON.parse(stdout) as { result?: { expressions: { value: unknown }[] }[] };
  return result.result?.[0]?.expressions[0]?.value;
}

describe('differential: wasm engine versus native opa eval', function () {
  this.timeout(300000);
  let temp: string;
  let inputs: { file: string; now: Date; input: PolicyInput; path: string }[];

  before(function () {
    if (!hasNativeOpa) {
      console.log(`    skipped: no native opa at ${NATIVE_OPA} (install: GOBIN=$PWD/.tools/bin go install github.com/open-policy-agent/opa@v1.22.0)`);
      this.skip();
    }
    temp = mkdtempSync(join(tmpdir(), 'credcheck-differential-'));
    inputs = realworldReports().map((report, index) => {
      const input = normalizeReport(parseReport(report.text, report.file), report.now);
      const path = join(temp, `input${index}.json`);
      writeFileSync(path, JSON.stringify(input));
      return { file: report.file, now: report.now, input, path };
    });
  });

  after(() => {
    if (temp) rmSync(temp, { recursive: true, force: true });
  });

  it('bundled checks: every package document is equal on every real-world report', async () => {
    const bundled = loadBundledPolicies();
    const engine = await PolicyEngine.load(bundled.wasm);
    engine.setData({ params: {} });
    let compared = 0;
    for (const { file, now, input, path } of inputs) {
      const wasm = engine.evaluate(input, now);
      const native = (await opaEval([join(REPO, 'policies')], path, 'data.credcheck.checks')) as Record<string, unknown>;
      for (const pkg of engine.documents) {
        const name = pkg.split('/').pop()!;
        assert.deepEqual(canonical(wasm[pkg]), canonical(decisionRules(native[name])), `${name} on ${file}`);
        compared++;
      }
    }
    assert.equal(engine.documents.length, bundled.checks.length);
    assert.equal(compared, inputs.length * bundled.checks.length);
  });

  it('user-style corpus (comprehensions, every, some..in, functions, sprintf, regex, time builtins, with) compiled by the embedded compiler', async () => {
    const modules = readdirSync(CORPUS).filter((name) => name.endsWith('.rego')).sort().map((name) => ({ file: `corpus/${name}`, source: readFileSync(join(CORPUS, name), 'utf8') }));
    const compiler = createEmbeddedCompiler();
    let compiled: Awaited<ReturnType<typeof compiler.compile>>;
    try {
      compiled = await compiler.compile({ modules });
    } finally {
      compiler.dispose();
    }
    if (!compiled.ok) assert.fail(JSON.stringify(compiled.errors));
    const engine = await PolicyEngine.load(compiled.wasm);
    assert.deepEqual([...engine.documents].sort(), ['corpus/comprehensions', 'corpus/every_some', 'corpus/functions_regex', 'corpus/same_package_functions', 'corpus/time_builtins', 'corpus/with_keyword']);
    engine.setData({ params: {} });
    let nonEmpty = 0;
    for (const { file, now, input, path } of inputs) {
      const wasm = engine.evaluate(input, now);
      const native = (await opaEval([CORPUS], path, 'data.corpus')) as Record<string, unknown>;
      for (const pkg of engine.documents) {
        const name = pkg.split('/').pop()!;
        assert.deepEqual(canonical(wasm[pkg]), canonical(decisionRules(native[name])), `${name} on ${file}`);
        const document = native[name] as Record<string, unknown> | undefined;
        if (document && Object.values(document).some((v) => Array.isArray(v) && v.length > 0)) nonEmpty++;
      }
    }
    // The corpus really produced results to compare (not just empty documents on both sides).
    assert.ok(nonEmpty >= inputs.length * 3, `only ${nonEmpty} non-empty package documents`);
  });
});
