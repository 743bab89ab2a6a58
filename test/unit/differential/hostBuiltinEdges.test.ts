import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createEmbeddedCompiler } from '../../../src/core/compiler/embeddedCompiler';
import { PolicyEngine } from '../../../src/core/engine/policyEngine';
import { hasNativeOpa, NATIVE_OPA } from '../engine/opaCompilerForTests';

const run = promisify(execFile);

/**
 * The builtins the engine answers on the host (timeBuiltins.ts, regoSprintf.ts) against native `opa eval` on hostile
 * arguments. OPA runs with strict builtin errors off by default: a builtin that fails on its arguments makes that
 * expression undefined and nothing else. One partial set rule calls every case, so a host builtin that threw (and
 * failed the whole entrypoint) would lose every case, not just its own. Arguments come from `input`, so the type
 * checker cannot reject them before run time.
 */
const EDGE_CASES: [builtin: string, ...args: unknown[]][] = [
  ['time.parse_rfc3339_ns', null],
  ['time.parse_rfc3339_ns', 1],
  ['time.parse_rfc3339_ns', ''],
  ['time.parse_rfc3339_ns', '2024-06-01T12:00:00Z'],
  ['time.parse_rfc3339_ns', '2024-02-30T00:00:00Z'],
  ['time.parse_rfc3339_ns', '2024-02-29T00:00:00Z'],
  ['time.parse_rfc3339_ns', '2023-02-29T00:00:00Z'],
  ['time.parse_rfc3339_ns', '2015-06-30T23:59:60Z'],
  ['time.parse_rfc3339_ns', '2024-01-01T24:00:00Z'],
  ['time.parse_rfc3339_ns', '2024-01-01T23:60:00Z'],
  ['time.parse_rfc3339_ns', '0001-01-01T00:00:00Z'],
  ['time.parse_rfc3339_ns', '9999-12-31T23:59:59Z'],
  ['time.parse_rfc3339_ns', '9999-12-31T23:59:59-23:59'],
  ['time.parse_rfc3339_ns', '0000-01-01T00:00:00+14:00'],
  ['time.parse_rfc3339_ns', '1677-09-21T00:12:43.145224192Z'],
  ['time.parse_rfc3339_ns', '1677-09-21T00:12:43.145224191Z'],
  ['time.parse_rfc3339_ns', '2262-04-11T23:47:16.854775807Z'],
  ['time.parse_rfc3339_ns', '2262-04-11T23:47:16.854775808Z'],
  ['time.parse_rfc3339_ns', '2024-01-01T00:00:00+24:00'],
  ['time.parse_rfc3339_ns', '2024-01-01T00:00:00-24:59'],
  ['time.parse_rfc3339_ns', '2024-01-01T00:00:00+25:00'],
  ['time.parse_rfc3339_ns', '2024-01-01T00:00:00+23:60'],
  ['time.parse_rfc3339_ns', '2024-01-01T00:00:00+23:61'],
  ['time.parse_rfc3339_ns', '2024-01-01T00:00:00+2400'],
  ['time.parse_rfc3339_ns', '2024-01-01T00:00:00+01'],
  ['time.parse_rfc3339_ns', '2024-01-01T00:00:00'],
  ['time.parse_rfc3339_ns', '2024-01-01 00:00:00Z'],
  ['time.parse_rfc3339_ns', '2024-01-01t00:00:00Z'],
  ['time.parse_rfc3339_ns', '2024-01-01T00:00:00z'],
  ['time.parse_rfc3339_ns', '2024-01-01T00:00:00.1234567891Z'],
  ['time.parse_rfc3339_ns', '2024-01-01T00:00:00,5Z'],
  ['time.parse_rfc3339_ns', '2024-01-01T00:00:00.Z'],
  ['time.parse_rfc3339_ns', '2024-1-01T00:00:00Z'],
  ['time.parse_ns', '2006-01-02', null],
  ['time.parse_ns', null, '2024-01-01'],
  ['time.parse_ns', '2006-01-02', '2024-02-30'],
  ['time.parse_ns', '2006-01-02', '2024-03-01'],
  ['time.parse_ns', '2006-01-02', '1677-09-20'],
  ['time.parse_ns', '2006-01-02', '2262-04-12'],
  ['time.parse_ns', '2006-01-02T15:04:05Z07:00', '2015-06-30T23:59:60Z'],
  ['time.parse_ns', '2006-01-02 15:04', '2024-01-01 24:00'],
  ['time.parse_duration_ns', null],
  ['time.parse_duration_ns', ''],
  ['time.parse_duration_ns', '1x'],
  ['time.parse_duration_ns', '1.5h'],
  ['time.parse_duration_ns', '2562047h'],
  ['time.parse_duration_ns', '2562048h'],
  ['time.parse_duration_ns', '9999999999h'],
  ['time.parse_duration_ns', '-2562047h47m16.854775808s'],
  ['time.parse_duration_ns', '2562047h47m16.854775808s'],
  ['time.add_date', null, 1, 0, 0],
  ['time.add_date', 0, 1.5, 0, 0],
  ['time.add_date', 0, 1, 0, 0],
  ['time.add_date', 0, 292, 0, 0],
  ['time.add_date', 0, 293, 0, 0],
  ['time.add_date', 0, -293, 0, 0],
  ['time.add_date', 0, 100000, 0, 0],
  ['time.date', null],
  ['time.date', 'x'],
  ['time.date', 0],
  ['time.date', 1.5e300],
  ['time.date', 1e19],
  ['time.date', -1e19],
  ['time.date', [0, 'Nowhere/Zone']],
  ['time.date', [0, null]],
  ['time.date', [0, 'America/New_York']],
  ['time.date', [0, '']],
  ['time.date', [0, 'UTC', 1]],
  ['time.date', []],
  ['time.clock', null],
  ['time.clock', 'x'],
  ['time.clock', 1e19],
  ['time.clock', [3600e9, 'Asia/Tokyo']],
  ['time.weekday', null],
  ['time.weekday', 1e19],
  ['time.weekday', [0, 'Mars/Olympus']],
  ['time.diff', null, 0],
  ['time.diff', 0, 'x'],
  ['time.diff', [0, 'Nowhere/Zone'], 0],
  ['time.diff', 0, 1e19],
  ['time.diff', 0, 86400e9],
  ['sprintf', null, []],
  ['sprintf', '%d', null],
  ['sprintf', '%s', ['a']],
];

/** Every case at its index: the builtin's value, or nothing when the call is undefined. */
function edgePolicy(): string {
  const builtins = [...new Set(EDGE_CASES.map(([builtin]) => builtin))];
  const rules = builtins.map((builtin) => {
    const arity = EDGE_CASES.find(([name]) => name === builtin)!.length - 1;
    const args = Array.from({ length: arity }, (_, index) => `c[${index + 1}]`).join(', ');
    return `results contains [i, x] if {\n  some i, c in input.cases\n  c[0] == "${builtin}"\n  x := ${builtin}(${args})\n}`;
  });
  return `package edges\n\n${rules.join('\n\n')}\n`;
}

function sortedJson(values: unknown): string[] {
  return (values as unknown[]).map((value) => JSON.stringify(value)).sort();
}

describe('differential: host builtins on hostile arguments versus native opa eval', function () {
  this.timeout(300000);
  let temp: string;

  before(function () {
    if (!hasNativeOpa) {
      console.log(`    skipped: no native opa at ${NATIVE_OPA}`);
      this.skip();
    }
    temp = mkdtempSync(join(tmpdir(), 'credcheck-edges-'));
  });

  after(() => {
    if (temp) rmSync(temp, { recursive: true, force: true });
  });

  it('every edge case is defined with the same value, or undefined, in both; one failing call loses nothing else', async () => {
    const source = edgePolicy();
    const input = { cases: EDGE_CASES };
    const compiler = createEmbeddedCompiler();
    let compiled: Awaited<ReturnType<typeof compiler.compile>>;
    try {
      compiled = await compiler.compile({ modules: [{ file: 'edges.rego', source }], entrypoints: ['edges/results'], schema: false });
    } finally {
      compiler.dispose();
    }
    if (!compiled.ok) assert.fail(JSON.stringify(compiled.errors));
    const engine = await PolicyEngine.load(compiled.wasm);
    engine.setData({});
    const wasm = engine.evaluate(input, new Date('2024-06-01T00:00:00Z'))['edges/results'];

    writeFileSync(join(temp, 'edges.rego'), source);
    writeFileSync(join(temp, 'input.json'), JSON.stringify(input));
    const { stdout } = await run(NATIVE_OPA, ['eval', '--format', 'json', '-d', join(temp, 'edges.rego'), '-i', join(temp, 'input.json'), 'data.edges.results']);
    const native = (JSON.parse(stdout) as { result: { expressions: { value: unknown }[] }[] }).result[0]!.expressions[0]!.value;

    const byCase = (values: unknown) => {
      const found = new Map<number, string>();
      for (const [index, value] of values as [number, unknown][]) found.set(index, JSON.stringify(value));
      return EDGE_CASES.map((edge, index) => `${JSON.stringify(edge)} -> ${found.get(index) ?? 'undefined'}`);
    };
    assert.deepEqual(byCase(wasm), byCase(native));
    assert.deepEqual(sortedJson(wasm), sortedJson(native));
    // The table really holds both kinds: calls OPA answers and calls it leaves undefined.
    const defined = (native as unknown[]).length;
    assert.ok(defined >= 15 && defined <= EDGE_CASES.length - 30, `${defined} of ${EDGE_CASES.length} defined`);
  });
});
