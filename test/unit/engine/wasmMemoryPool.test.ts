import * as assert from 'node:assert/strict';
import { loadBundledPolicies } from '../../../src/core/checks/catalog';
import { createEmbeddedCompiler } from '../../../src/core/compiler/embeddedCompiler';
import { RegoCompiler } from '../../../src/core/compiler/regoCompiler';
import { PolicyEngine, PolicyEvaluationError, RawResults } from '../../../src/core/engine/policyEngine';
import { printsOf } from '../../../src/core/engine/policyPrints';
import { WasmMemoryPool } from '../../../src/core/engine/wasmMemoryPool';
import { normalizeReport } from '../../../src/core/report/normalizer';
import { parseReport } from '../../../src/core/report/reportParser';
import { realworldReports } from './realworldReports';

/** Small caps, so filling a whole memory with garbage stays cheap. */
const CAP_MIB = 32;
const PAGES = (CAP_MIB * 1024 * 1024) / 65536;

/** A user policy that reaches the runtime's sets, objects, comprehensions, host sprintf and print. */
const USER_POLICY = [
  'package pooled',
  'import rego.v1',
  'names := {u.user | some u in input.users}',
  'by_name := {u.user: count(u.user) | some u in input.users}',
  'deny contains {"msg": sprintf("%s (%d chars) %v %q", [u.user, by_name[u.user], [u.line, true], u.arn]), "user": u.user} if {',
  '\tsome u in input.users',
  '\tprint("seen", u.user)',
  '\tcount(names) > 1',
  '}',
  '',
].join('\n');

const BOMB = 'package bomb\nimport rego.v1\ndeny contains "x" if {\n\tbig := [sprintf("%d", [x]) | some x in numbers.range(1, 100000000)]\n\tcount(big) > 0\n}\n';

/** Results and prints of one evaluation, as the worker sends them. */
function evaluation(engine: PolicyEngine, input: unknown, now: Date): { results: RawResults; prints: unknown } {
  engine.setData({ params: {} });
  const results = engine.evaluate(input, now);
  return { results: JSON.parse(JSON.stringify(results)) as RawResults, prints: printsOf(results) };
}

/**
 * The evaluation worker hands the memory of an evicted policy to the next policy it loads (wasmMemoryPool.ts): the
 * reused memory must give exactly what a fresh one gives, and keep its cap.
 */
describe('reused wasm memories', function () {
  this.timeout(600_000);
  let compiler: RegoCompiler;
  let userWasm: Uint8Array;
  let bombWasm: Uint8Array;
  /** The user policy in a memory of its own: the reference. */
  let userFresh: PolicyEngine;
  const bundled = loadBundledPolicies();
  const reports = realworldReports().map((report) => ({ ...report, input: normalizeReport(parseReport(report.text, report.file), report.now) }));

  before(async () => {
    compiler = createEmbeddedCompiler();
    const user = await compiler.compile({ modules: [{ file: 'pooled.rego', source: USER_POLICY }] });
    const bomb = await compiler.compile({ modules: [{ file: 'bomb.rego', source: BOMB }] });
    assert.ok(user.ok && bomb.ok);
    userWasm = user.wasm;
    bombWasm = bomb.wasm;
    userFresh = await PolicyEngine.load(userWasm, CAP_MIB);
  });
  after(() => compiler.dispose());

  /**
   * The memory the pool holds, handed out and back: below its mark it must be all zeros; above it, garbage is written,
   * the worst an old instance can leave there (freed blocks above its last heap pointer).
   */
  function fillAboveMark(pool: WasmMemoryPool): object {
    const { memory, zeroBelow } = pool.acquire(PAGES);
    const bytes = new Uint8Array(memory.buffer);
    assert.ok(zeroBelow < bytes.length, 'a reused memory, zeroed up to its last instance high-water mark');
    assert.equal(bytes.subarray(0, zeroBelow).findIndex((byte) => byte !== 0), -1, 'zeros below the mark');
    bytes.fill(0xa5, zeroBelow);
    pool.release(memory, zeroBelow);
    return memory;
  }

  it('gives a policy loaded into a reused memory the results and prints of a fresh memory, garbage above the mark included', async () => {
    const pool = new WasmMemoryPool();
    // The bundled checks on every real-world report (time builtins, sprintf, many rules), then the user policy.
    const first = await PolicyEngine.load(bundled.wasm, CAP_MIB, pool);
    const bundledFresh = reports.map((report) => evaluation(first, report.input, report.now));
    first.release(pool);
    const memory = fillAboveMark(pool);

    const second = await PolicyEngine.load(userWasm, CAP_MIB, pool);
    const userReused = reports.map((report) => evaluation(second, report.input, report.now));
    second.release(pool);
    const expected = reports.map((report) => evaluation(userFresh, report.input, report.now));
    assert.deepEqual(userReused, expected);
    const findings = expected.map(({ results }) => (results.pooled as { deny: unknown[] }).deny.length);
    assert.ok(findings.reduce((sum, count) => sum + count, 0) > 30, `the user policy finds users: ${findings.join(' ')}`);
    assert.equal(fillAboveMark(pool), memory, 'the user policy ran in the reused memory');

    // And the other way round: the bundled checks in the memory the user policy used.
    const third = await PolicyEngine.load(bundled.wasm, CAP_MIB, pool);
    assert.deepEqual(reports.map((report) => evaluation(third, report.input, report.now)), bundledFresh);
    third.release(pool);
    assert.equal(fillAboveMark(pool), memory, 'the bundled checks ran in the reused memory');
  });

  it('zeroes all an evaluation wrote: nothing lies above the high-water mark, so a reused memory is all zeros', async () => {
    const pool = new WasmMemoryPool();
    const engine = await PolicyEngine.load(bundled.wasm, CAP_MIB, pool);
    for (const report of reports) evaluation(engine, report.input, report.now);
    engine.release(pool);
    const { memory, zeroBelow } = pool.acquire(PAGES);
    const bytes = new Uint8Array(memory.buffer);
    assert.ok(zeroBelow > 300_000, `the mark is past the runtime's statics and the reports' inputs (${zeroBelow})`);
    assert.equal(bytes.findIndex((byte) => byte !== 0), -1, 'a fresh memory, byte for byte');
  });

  it('still stops a policy at its memory cap in a reused memory, and never hands that memory on', async () => {
    const pool = new WasmMemoryPool();
    const normal = await PolicyEngine.load(userWasm, CAP_MIB, pool);
    evaluation(normal, reports[0]!.input, reports[0]!.now);
    normal.release(pool);

    const bomb = await PolicyEngine.load(bombWasm, CAP_MIB, pool);
    assert.equal(pool.reused, 1);
    assert.throws(
      () => bomb.evaluate({ users: [] }, new Date(0)),
      (error: unknown) => error instanceof PolicyEvaluationError && error.memoryLimitMib === CAP_MIB && /stopped by the 32 MiB wasm memory limit/.test(error.detail),
    );
    bomb.release(pool);
    // The exhausted memory was dropped: the next policy gets a new one (all zeros, nothing reused).
    const { zeroBelow } = pool.acquire(PAGES);
    assert.equal(zeroBelow, PAGES * 65536);
    assert.equal(pool.reused, 1);
  });

  it('loads a policy whose static area would reach past the zeroed mark into a fresh memory instead', async () => {
    const pool = new WasmMemoryPool();
    const memory = pool.acquire(PAGES).memory;
    // A mark below any policy's static area (the runtime alone is ~140 KB): garbage from there on.
    new Uint8Array(memory.buffer).fill(0xa5, 1024);
    pool.release(memory, 1024);
    const engine = await PolicyEngine.load(userWasm, CAP_MIB, pool);
    assert.equal(pool.reused, 1);
    assert.deepEqual(evaluation(engine, reports[0]!.input, reports[0]!.now), evaluation(userFresh, reports[0]!.input, reports[0]!.now));
    engine.release(pool);
    assert.notEqual(pool.acquire(PAGES).memory, memory, 'the engine ran in a memory of its own');
  });

  it('keeps memories apart by cap: a 64 MiB policy never gets a 32 MiB memory', async () => {
    const pool = new WasmMemoryPool();
    const small = await PolicyEngine.load(userWasm, CAP_MIB, pool);
    small.release(pool);
    const large = await PolicyEngine.load(userWasm, 64, pool);
    assert.equal(pool.reused, 0);
    large.release(pool);
    assert.equal(pool.acquire(PAGES).memory.buffer.byteLength, CAP_MIB * 1024 * 1024);
    assert.equal(pool.acquire(2 * PAGES).memory.buffer.byteLength, 64 * 1024 * 1024);
    assert.equal(pool.reused, 2);
  });
});
