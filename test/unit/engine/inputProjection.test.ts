import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEmbeddedCompiler } from '../../../src/core/compiler/embeddedCompiler';
import { RegoCompiler, RegoModule } from '../../../src/core/compiler/regoCompiler';
import { projectInput } from '../../../src/core/engine/inputProjection';
import { auditReports } from '../../../src/core/run/audit';
import { parseReport } from '../../../src/core/report/reportParser';
import { normalizeReport } from '../../../src/core/report/normalizer';
import { realworldReports } from './realworldReports';
import { loadExampleQueries } from '../../../src/core/query/exampleQueries';
import { QueryRunner } from '../../../src/core/query/queryRunner';
import { PolicyInput } from '../../../src/core/model';

const ROOT = join(__dirname, '../../../..');
const SAMPLE = join(ROOT, 'samples/sample-credential-report.csv');
const NOW = new Date('2024-04-22T19:47:52Z');

function policy(name: string, body: string): RegoModule {
  return { file: `${name}.rego`, source: `package corpus.${name}\n\n${body}\n` };
}

/** User-style policies: most read rows through constant fields (projected), some read rows whole (never projected). */
const CORPUS: { module: RegoModule; projected: boolean }[] = [
  { module: policy('no_mfa', 'deny contains {"msg": sprintf("%s has no MFA", [u.user]), "user": u.user, "field": "mfa_active"} if {\n\tsome u in input.users\n\tu.password_enabled == true\n\tu.mfa_active == false\n}'), projected: true },
  { module: policy('old_key', 'warn contains {"msg": "old key", "user": u.user, "field": "access_key_1_last_rotated"} if {\n\tu := input.users[_]\n\tu.access_key_1_active\n\tu.access_key_1_last_rotated_days > 30\n}'), projected: true },
  { module: policy('label', 'label(u) := "root" if u.is_root\n\nlabel(u) := "person" if not u.is_root\n\ninfo contains {"msg": sprintf("%s is %s in %s", [u.user, label(u), object.get(u, "account_id", "?")]), "user": u.user} if {\n\tsome u in input.users\n}'), projected: true },
  { module: policy('every_line', 'info contains {"msg": sprintf("%d rows, all located", [count(input.users)])} if {\n\tevery u in input.users { u.line > 0 }\n}'), projected: true },
  { module: policy('raw_col', 'info contains {"msg": sprintf("%s: %s", [u.user, u.raw["mfa_active"]]), "user": u.user} if {\n\tsome u in input.users\n\tu.raw["mfa_active"] != ""\n}'), projected: true },
  { module: policy('no_columns', 'info contains {"msg": sprintf("%d users", [count(input.users)])} if {\n\tcount(input.users) > 0\n}'), projected: true },
  { module: policy('whole_row', 'info contains {"msg": sprintf("%s has %d columns", [u.user, count(object.keys(u))]), "user": u.user} if {\n\tsome u in input.users\n}'), projected: false },
  { module: policy('marshal', 'info contains {"msg": json.marshal(u), "user": u.user} if {\n\tsome u in input.users\n\tu.is_root\n}'), projected: false },
  { module: policy('dynamic_key', 'warn contains {"msg": sprintf("%s: %s", [u.user, c]), "user": u.user} if {\n\tsome u in input.users\n\tsome c in ["mfa_active", "password_enabled"]\n\tu[c] == false\n}'), projected: false },
];

function fixturePolicies(): RegoModule[] {
  const dir = join(ROOT, 'test/fixtures/user-policies');
  return readdirSync(dir)
    .filter((name) => name.endsWith('.rego'))
    .map((name) => ({ file: `test/fixtures/user-policies/${name}`, source: readFileSync(join(dir, name), 'utf8') }));
}

async function withProjection<T>(mode: 'on' | 'off', run: () => Promise<T>): Promise<T> {
  const before = process.env.CREDCHECK_PROJECTION;
  process.env.CREDCHECK_PROJECTION = mode;
  try {
    return await run();
  } finally {
    if (before === undefined) delete process.env.CREDCHECK_PROJECTION;
    else process.env.CREDCHECK_PROJECTION = before;
  }
}

describe('input projection: each policy gets only the row fields it reads', function () {
  this.timeout(600_000);
  let compiler: RegoCompiler;
  before(() => (compiler = createEmbeddedCompiler()));
  after(() => compiler.dispose());

  it('the compiler names the fields of a policy that reads rows through constant names, and gives up on whole rows', async () => {
    for (const { module, projected } of CORPUS) {
      const result = await compiler.compile({ modules: [module] });
      assert.ok(result.ok, `${module.file}: ${JSON.stringify(!result.ok && result.errors)}`);
      assert.ok(result.projection, `${module.file}: no projection from the embedded compiler`);
      assert.equal(!result.projection.whole, projected, `${module.file}: ${JSON.stringify(result.projection)}`);
    }
    const noMfa = await compiler.compile({ modules: [CORPUS[0]!.module] });
    assert.ok(noMfa.ok);
    assert.deepEqual(noMfa.projection, { whole: false, fields: ['mfa_active', 'password_enabled', 'user'] });
    const dynamic = await compiler.compile({ modules: [CORPUS.find((c) => c.module.file === 'dynamic_key.rego')!.module] });
    assert.ok(dynamic.ok && dynamic.projection?.whole);
    assert.match(dynamic.projection.reason ?? '', /computed key at dynamic_key\.rego:\d+/);
  });

  it('projectInput keeps the other keys, only the named fields of each row, and returns the same object again', () => {
    const input = normalizeReport(parseReport(readFileSync(SAMPLE, 'utf8'), SAMPLE), NOW);
    const projected = projectInput(input, { fields: ['user', 'mfa_active', 'no_such_column'] });
    assert.notEqual(projected, input);
    assert.equal(projected.users.length, input.users.length);
    assert.deepEqual(Object.keys(projected.users[1]!), ['user', 'mfa_active']);
    assert.equal(projected.evaluation_time, input.evaluation_time);
    assert.deepEqual(projected.report, input.report);
    assert.equal(projectInput(input, { fields: ['user', 'mfa_active', 'no_such_column'] }), projected, 'cached per input and field set');
    assert.equal(projectInput(input, { whole: true }), input);
    // No columns read: the compiler leaves the empty field list out; every row is then an empty object.
    assert.deepEqual(projectInput(input, { whole: false }).users.map((row) => Object.keys(row).length), input.users.map(() => 0));
    assert.equal(projectInput(input, undefined), input);
    assert.ok(JSON.stringify(projected).length * 5 < JSON.stringify(input).length, 'the projected input is much smaller');
  });

  it('gives byte-identical findings and problems with and without projection on every real-world report, the sample and 5,000 users', async () => {
    const { generateReport } = (await import(join(ROOT, 'bench/syntheticReport.mjs'))) as { generateReport: (users: number) => string };
    const reports = [
      ...realworldReports().map((report) => ({ file: report.file, text: report.text })),
      { file: 'sample.csv', text: readFileSync(SAMPLE, 'utf8') },
      { file: 'synthetic-5000.csv', text: generateReport(5000) },
    ];
    const policies = [...CORPUS.map((c) => c.module), ...fixturePolicies()];
    let projectedUnits = 0;
    for (const module of policies) {
      const compiled = await compiler.compile({ modules: [module] });
      if (compiled.ok && compiled.projection && !compiled.projection.whole) projectedUnits++;
      const run = () => auditReports({ reports, now: NOW, userPolicies: [module], compiler, bundledChecks: module === policies[0] });
      const on = await withProjection('on', run);
      const off = await withProjection('off', run);
      const text = (result: typeof on) => JSON.stringify({ findings: result.findings, problems: result.policyProblems });
      assert.ok(on.findings.length > 0 || module.file.includes('with_keyword'), `${module.file} finds something to compare`);
      assert.equal(text(on), text(off), `${module.file}: results differ with projection`);
    }
    assert.ok(projectedUnits >= 7, `at least seven corpus policies are projected (${projectedUnits})`);
  });

  it('every shipped query gives the same answer with and without projection on every real-world report and 5,000 users', async () => {
    const { generateReport } = (await import(join(ROOT, 'bench/syntheticReport.mjs'))) as { generateReport: (users: number) => string };
    const texts = [...realworldReports().map((report) => ({ file: report.file, text: report.text, now: report.now })), { file: 'synthetic-5000.csv', text: generateReport(5000), now: NOW }];
    const inputs: PolicyInput[] = texts.map((report) => normalizeReport(parseReport(report.text, report.file), report.now));
    // The whole input of 5,000 users on a loaded machine: a time limit generous enough never to decide the comparison.
    const runner = new QueryRunner(compiler, { timeoutMs: 300_000 });
    try {
      let projectedQueries = 0;
      for (const example of loadExampleQueries()) {
        const compiled = await compiler.compile({ modules: [{ file: 'q.rego', source: example.query }], entrypoints: [example.resultRef.replace(/^data\./, '').replace(/\./g, '/')] });
        if (compiled.ok && compiled.projection && !compiled.projection.whole) projectedQueries++;
        const on = await withProjection('on', () => runner.run(example.query, inputs));
        const off = await withProjection('off', () => runner.run(example.query, inputs));
        assert.ok(on.ok, `${example.name}: ${JSON.stringify(!on.ok && on.errors)}`);
        assert.ok(off.ok, `${example.name} without projection: ${JSON.stringify(!off.ok && off.errors)}`);
        assert.equal(JSON.stringify(on.results), JSON.stringify(off.results), `${example.name}: answers differ with projection`);
      }
      assert.ok(projectedQueries >= 8, `most shipped queries are projected (${projectedQueries})`);
    } finally {
      runner.dispose();
    }
  });
});
