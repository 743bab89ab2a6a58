import * as assert from 'assert';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { policyTemplate, policyTestTemplate } from '../../../src/extension/policyTemplate';
import { REPOSITORY_ROOT, isolatedEnvironment, runCli } from '../../support/cliRunner';
import { NATIVE_OPA, hasNativeOpa } from '../engine/opaCompilerForTests';

const run = promisify(execFile);
const SAMPLE = join(REPOSITORY_ROOT, 'samples', 'sample-credential-report.csv');
const NAME = 'unused_access_keys';

interface JsonFinding {
  check: string;
  user: string | null;
  column?: string | null;
  line?: number | null;
  status?: string;
}

/** "New custom policy" as a new author meets it: the test beside it passes, and it finds something on the sample. */
describe('the New custom policy template', () => {
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'credcheck-template-'));
    await writeFile(join(dir, `${NAME}.rego`), policyTemplate(NAME));
    await writeFile(join(dir, `${NAME}_test.rego`), policyTestTemplate(NAME));
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('passes its own generated test under the native opa', async function () {
    if (!hasNativeOpa) {
      console.log(`      (skipped: no native opa at ${NATIVE_OPA}; run setup.sh)`);
      this.skip();
    }
    const { stdout } = await run(NATIVE_OPA, ['test', '--format', 'json', dir], { encoding: 'utf8' }).catch((error: { stdout?: string; stderr?: string }) => {
      assert.fail(`opa test failed:\n${error.stdout ?? ''}${error.stderr ?? ''}`);
    });
    const results = JSON.parse(stdout) as { name: string; fail?: boolean; error?: unknown }[];
    assert.deepStrictEqual(
      results.map((result) => [result.name, Boolean(result.fail || result.error)]).sort(),
      [
        ['test_a_new_key_gets_a_week', false],
        ['test_a_used_key_passes', false],
        ['test_an_old_unused_key_is_reported', false],
      ],
    );
  });

  for (const now of ['2021-02-09T08:42:56Z', null]) {
    it(`finds the sample's never-used access key with credcheck check --policy (${now ? `--now ${now}, as npm run sample` : 'the current time'})`, async () => {
      const result = await runCli(['check', SAMPLE, '--policy', dir, '--format', 'json', ...(now ? ['--now', now] : [])], { env: isolatedEnvironment({}), killAfterMs: 120_000 });
      // 1: failing findings exist (the bundled checks find some on the sample too); never 2 (a policy or input problem).
      assert.strictEqual(result.code, 1, `exit ${result.code}\n${result.stderr}`);
      const output = JSON.parse(result.stdout) as { findings: JsonFinding[]; policyProblems?: unknown[] };
      assert.deepStrictEqual(output.policyProblems ?? [], []);
      const custom = output.findings.filter((finding) => finding.check === `custom-${NAME.replace(/_/g, '-')}` && finding.status !== 'skip');
      assert.deepStrictEqual(
        custom.map((finding) => [finding.user, finding.column]),
        [['darryl_philbin', 'access_key_1_last_used_date']],
        JSON.stringify(custom),
      );
    });
  }

  it('points the author at completion and the Testing view', () => {
    assert.match(policyTemplate(NAME), /Ctrl\+Space/);
    assert.match(policyTemplate(NAME), /`u\.`/);
    assert.match(policyTemplate(NAME), /Testing view/);
    assert.match(policyTestTemplate(NAME), /Testing view/);
  });
});
