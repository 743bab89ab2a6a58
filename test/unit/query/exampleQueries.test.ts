import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedCompiler } from '../../../src/core/compiler/embeddedCompiler';
import { PolicyInput } from '../../../src/core/model';
import { examplePackageName, ExampleQuery, loadExampleQueries } from '../../../src/core/query/exampleQueries';
import { QueryRunner } from '../../../src/core/query/queryRunner';
import { loadReport } from '../../../src/core/report/reportLoader';

const ROOT = join(__dirname, '../../../..');
const SAMPLE = join(ROOT, 'samples/sample-credential-report.csv');
const NATIVE_OPA = join(ROOT, '.tools/bin/opa');
/** The post's report generation time (samples/README.md): the post's ages are measured from this day. */
const POST_TIME = new Date('2021-02-09T08:42:56Z');

type Row = Record<string, unknown>;

/** The post prints times as `2019-07-17 04:49:39` (UTC); the input has `2019-07-17T04:49:39Z`. */
const postTime = (text: string) => `${text.replace(' ', 'T')}Z`;

/**
 * Days of a Postgres `age(date(current_timestamp), date(x))` interval as the post prints it ("1 year 6 mons 23 days"):
 * the day x from which adding the years, months and days lands on the post's evaluation day, counted in days. The age
 * is in whole calendar days and ours is exact, so they agree within a day.
 */
function postAgeInDays(interval: string): number {
  const part = (unit: RegExp) => Number(interval.match(unit)?.[1] ?? 0);
  const [years, months, days] = [part(/(\d+)\s*years?/), part(/(\d+)\s*mons?/), part(/(\d+)\s*days?/)];
  const [year, month, day] = [POST_TIME.getUTCFullYear(), POST_TIME.getUTCMonth(), POST_TIME.getUTCDate()];
  const target = Date.UTC(year, month, day);
  const estimate = Date.UTC(year - years, month - months, day - days);
  for (let shift = 0; shift <= 5; shift++) {
    for (const candidate of [estimate + shift * 86_400_000, estimate - shift * 86_400_000]) {
      const from = new Date(candidate);
      if (Date.UTC(from.getUTCFullYear() + years, from.getUTCMonth() + months, from.getUTCDate() + days) === target) return (target - candidate) / 86_400_000;
    }
  }
  throw new Error(`no day is ${interval} before the post's evaluation day`);
}

function assertAge(actual: unknown, postInterval: string, what: string): void {
  assert.equal(typeof actual, 'number', `${what}: expected an age in days`);
  const expected = postAgeInDays(postInterval);
  assert.ok(Math.abs((actual as number) - expected) < 1, `${what}: ${actual} days, the post says ${postInterval} (${expected} days)`);
}

/**
 * The post spells Pam's name `pam_beasly` in its full table and `pam_beesly` in checks 6, 9 and 10; the sample keeps
 * the full table's spelling (samples/README.md).
 */
const postUser = (name: string) => (name === 'pam_beesly' ? 'pam_beasly' : name);
const users = (rows: Row[]) => rows.map((row) => row.user);
const byUser = (rows: Row[], name: string) => {
  const row = rows.find((candidate) => candidate.user === postUser(name));
  assert.ok(row, `no row for ${name}`);
  return row;
};

describe('example queries on the sample report (the answers of seeds/000 and seeds/001)', function () {
  this.timeout(60_000);
  let compiler: EmbeddedCompiler;
  let runner: QueryRunner;
  let input: PolicyInput;
  const examples = new Map<string, ExampleQuery>(loadExampleQueries().map((example) => [example.name, example]));

  before(async () => {
    compiler = new EmbeddedCompiler();
    runner = new QueryRunner(compiler);
    const loaded = await loadReport(SAMPLE, POST_TIME);
    assert.ok(loaded.input, 'the sample report loads');
    input = loaded.input;
  });
  after(() => compiler.dispose());

  async function answer(name: string): Promise<unknown> {
    const example = examples.get(name);
    assert.ok(example, `example ${name} is shipped`);
    const outcome = await runner.run(example.query, [input]);
    assert.ok(outcome.ok, `example ${name} compiles: ${outcome.ok ? '' : JSON.stringify(outcome.errors)}`);
    assert.equal(outcome.results.length, 1);
    assert.ok(outcome.results[0]!.defined, `example ${name} has a value`);
    return outcome.results[0]!.value;
  }

  it('ships one example per question of the seed documents, each with a title, source and question', () => {
    const steampipe = [...examples.values()].filter((example) => example.source.startsWith('seeds/000'));
    const top10 = [...examples.values()].filter((example) => example.source.startsWith('seeds/001'));
    assert.equal(steampipe.length, 6);
    assert.equal(top10.length, 10);
    for (const example of examples.values()) {
      assert.ok(example.title && example.title !== example.name, `${example.name} has a title`);
      assert.ok(example.question, `${example.name} quotes its question`);
      assert.ok(example.sql.toLowerCase().startsWith('select'), `${example.name} keeps the seed's SQL`);
    }
    // The ten checks of the post, in its order.
    assert.deepEqual(top10.map((example) => example.question.match(/^#(\d+)/)?.[1]), ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
  });

  it('puts each example in a package of its own, named after the file, so the folder loads as one directory', () => {
    for (const example of examples.values()) {
      assert.equal(example.packageName, examplePackageName(example.name), example.file);
      assert.equal(example.resultRef, `data.${example.packageName}.result`);
    }
    assert.equal(new Set([...examples.values()].map((example) => example.packageName)).size, examples.size);
    assert.equal(examples.get('top10-08-users-without-mfa')?.resultRef, 'data.credcheck.queries.top10_08_users_without_mfa.result');
  });

  it('says which shipped file has no package line instead of listing a query that cannot run', () => {
    const dir = mkdtempSync(join(tmpdir(), 'credcheck-examples-'));
    try {
      writeFileSync(join(dir, 'a-good.rego'), 'package credcheck.queries.a_good\n\nresult := 1\n');
      writeFileSync(join(dir, 'b-bad.rego'), '# package credcheck.queries.b_bad\nresult := 1\n');
      assert.throws(() => loadExampleQueries(dir), (error: Error) => error.message === `${join(dir, 'b-bad.rego')}: the example query has no package line (expected package credcheck.queries.b_bad)`);
      rmSync(join(dir, 'b-bad.rego'));
      assert.deepEqual(loadExampleQueries(dir).map((example) => example.resultRef), ['data.credcheck.queries.a_good.result']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('"Top 10 checks" post (seeds/001)', () => {
    it('#1 the report: the six rows of the full table with its ARNs, creation times and key columns', async () => {
      const rows = (await answer('top10-01-report-contents')) as Row[];
      const post: [string, string, string, boolean, string | null, boolean, string | null][] = [
        ['<root_account>', 'arn:aws:iam::899221540641:root', '2019-07-15 14:44:33', false, null, false, null],
        ['pam_beasly', 'arn:aws:iam::899221540641:user/pam_beasly', '2019-11-13 18:32:34', true, '2020-06-18 19:12:27', true, '2020-12-03 01:20:25'],
        ['darryl_philbin', 'arn:aws:iam::899221540641:user/darryl_philbin', '2021-01-25 19:12:26', true, '2021-01-25 19:12:26', false, null],
        // The full table shows Dwight's key 1 inactive; check #5 shows it active (the sample follows #5, see its README).
        ['dwight_schrute', 'arn:aws:iam::899221540641:user/dwight_schrute', '2021-01-25 19:10:51', true, null, false, null],
        ['kelly_kapoor', 'arn:aws:iam::899221540641:user/kelly_kapoor', '2021-01-25 19:13:23', false, null, false, null],
        ['ryan_howard', 'arn:aws:iam::899221540641:user/ryan_howard', '2021-01-25 19:26:22', false, null, false, null],
      ];
      assert.deepEqual(new Set(users(rows)), new Set(post.map(([name]) => name)));
      for (const [name, arn, created, key1, key1Rotated, key2, key2Rotated] of post) {
        const row = byUser(rows, name);
        assert.equal(row.arn, arn);
        assert.equal(row.user_creation_time, postTime(created));
        assert.equal(row.access_key_1_active, key1, `${name} key 1`);
        if (name !== 'dwight_schrute') assert.equal(row.access_key_1_last_rotated, key1Rotated && postTime(key1Rotated), `${name} key 1 rotated`);
        assert.equal(row.access_key_2_active, key2, `${name} key 2`);
        assert.equal(row.access_key_2_last_rotated, key2Rotated && postTime(key2Rotated), `${name} key 2 rotated`);
      }
      const pam = byUser(rows, 'pam_beasly');
      assert.equal(pam.access_key_1_last_used_date, postTime('2021-02-09 00:36:00'));
      assert.equal(pam.access_key_1_last_used_region, 'us-east-1');
      assert.equal(pam.access_key_1_last_used_service, 'iam');
      assert.equal(pam.access_key_2_last_used_date, postTime('2020-12-03 01:33:00'));
    });

    it('#2 root last signed in 2019-07-17 04:49:39, 1 year 6 mons 23 days before', async () => {
      const rows = (await answer('top10-02-root-recent-access')) as Row[];
      assert.deepEqual(users(rows), ['<root_account>']);
      assert.equal(rows[0]!.password_last_used, postTime('2019-07-17 04:49:39'));
      assertAge(rows[0]!.password_last_used_days, '1 year 6 mons 23 days', 'root last sign-in');
    });

    it('#3 root has MFA', async () => {
      assert.deepEqual(await answer('top10-03-root-mfa'), [{ user: '<root_account>', mfa_active: true }]);
    });

    it('#4 root has no active access key', async () => {
      assert.deepEqual(await answer('top10-04-root-access-keys'), [{ user: '<root_account>', access_key_1_active: false, access_key_2_active: false }]);
    });

    it('#5 users with a password and an active key: Dwight, as the post prints', async () => {
      const rows = (await answer('top10-05-console-and-access-keys')) as Row[];
      // samples/README.md: Pam has no password (the post's #6 row for her is a copy of root's), so only Dwight.
      assert.deepEqual(rows, [{ user: 'dwight_schrute', password_enabled: true, access_key_1_active: true, access_key_2_active: false }]);
    });

    it('#6 inactive or never-used passwords: Dwight, Kelly, Ryan (never used)', async () => {
      const rows = (await answer('top10-06-inactive-console-users')) as Row[];
      assert.deepEqual(new Set(users(rows)), new Set(['dwight_schrute', 'kelly_kapoor', 'ryan_howard']));
      for (const name of ['dwight_schrute', 'kelly_kapoor', 'ryan_howard']) {
        assert.equal(byUser(rows, name).password_last_used, null);
        assert.equal(byUser(rows, name).password_enabled, true);
      }
    });

    it('#7 passwords not rotated: Ryan 3 months 15 days, Kelly 4 months 18 days, Dwight 1 year 28 days', async () => {
      const rows = (await answer('top10-07-passwords-not-rotated')) as Row[];
      const post: [string, string, string][] = [
        ['ryan_howard', '2020-10-25 19:26:22', '3 mons 15 days'],
        ['kelly_kapoor', '2020-09-22 19:13:23', '4 mons 18 days'],
        ['dwight_schrute', '2020-01-12 19:10:51', '1 year 28 days'],
      ];
      assert.deepEqual(new Set(users(rows)), new Set(post.map(([name]) => name)));
      for (const [name, changed, age] of post) {
        assert.equal(byUser(rows, name).password_last_changed, postTime(changed));
        assertAge(byUser(rows, name).password_last_changed_days, age, `${name} password age`);
      }
    });

    it('#8 no MFA: Darryl, Ryan, Dwight, Kelly', async () => {
      const rows = (await answer('top10-08-users-without-mfa')) as Row[];
      assert.deepEqual(new Set(users(rows)), new Set(['darryl_philbin', 'ryan_howard', 'dwight_schrute', 'kelly_kapoor']));
      assert.ok(rows.every((row) => row.mfa_active === false));
    });

    it('#9 keys not rotated: Pam, key 1 7 mons 21 days, key 2 2 mons 6 days', async () => {
      const rows = (await answer('top10-09-access-keys-not-rotated')) as Row[];
      assert.deepEqual(users(rows), [postUser('pam_beesly')]);
      assert.equal(rows[0]!.access_key_1_active, true);
      assert.equal(rows[0]!.access_key_2_active, true);
      assertAge(rows[0]!.access_key_1_last_rotated_days, '7 mons 21 days', 'key 1 age');
      assertAge(rows[0]!.access_key_2_last_rotated_days, '2 mons 6 days', 'key 2 age');
    });

    it('#10 unused keys: Darryl (never used) and Pam (key 2 unused for 2 mons 6 days)', async () => {
      const rows = (await answer('top10-10-unused-access-keys')) as Row[];
      assert.deepEqual(users(rows), ['darryl_philbin', postUser('pam_beesly')]);
      const darryl = byUser(rows, 'darryl_philbin');
      assert.equal(darryl.access_key_1_last_used_date, null);
      assert.equal(darryl.access_key_2_last_used_date, null);
      const pam = byUser(rows, 'pam_beesly');
      assert.equal(pam.access_key_2_last_used_date, postTime('2020-12-03 01:33:00'));
      assertAge(pam.access_key_2_last_used_days, '2 mons 6 days', 'Pam key 2 last use');
      // Check #10 prints key 1's last use as 2021-02-08 12:22 ("1 days"), the full table 2021-02-09 00:36 (kept).
      assertAge(pam.access_key_1_last_used_days, '1 days', 'Pam key 1 last use');
    });
  });

  describe('Steampipe table examples (seeds/000), against the post\'s printed rows', () => {
    it('console sign-in in the past 90 days: nobody (every password user is in #6, the post\'s inactive list)', async () => {
      assert.deepEqual(await answer('table-01-console-login-last-90-days'), []);
    });

    it('no console sign-in in 90 days: nobody (never-used passwords have no last use; Pam has no password)', async () => {
      assert.deepEqual(await answer('table-02-console-not-used-90-days'), []);
    });

    it('console access never used: Dwight, Kelly, Ryan (the empty rows of #6)', async () => {
      assert.deepEqual(new Set(await answer('table-03-console-never-used') as string[]), new Set(['dwight_schrute', 'kelly_kapoor', 'ryan_howard']));
    });

    it('access keys older than 90 days: Pam, key 1 rotated 2020-06-18 19:12:27', async () => {
      const rows = (await answer('table-04-access-keys-older-than-90-days')) as Row[];
      assert.deepEqual(users(rows), [postUser('pam_beesly')]);
      assert.equal(rows[0]!.access_key_1_last_rotated, postTime('2020-06-18 19:12:27'));
      assert.equal(rows[0]!.access_key_2_last_rotated, postTime('2020-12-03 01:20:25'));
      assertAge(rows[0]!.access_key_2_age_days, '2 mons 6 days', 'key 2 age');
    });

    it('password without MFA: the password users of #8 (Dwight, Kelly, Ryan; Darryl has no password)', async () => {
      const rows = (await answer('table-05-console-password-without-mfa')) as Row[];
      assert.deepEqual(new Set(users(rows)), new Set(['dwight_schrute', 'kelly_kapoor', 'ryan_howard']));
      assert.ok(rows.every((row) => row.password_enabled === true && row.mfa_active === false));
    });

    it('root MFA: enabled (the post\'s #3)', async () => {
      assert.deepEqual(await answer('table-06-root-mfa'), [{ user: '<root_account>', mfa_active: true }]);
    });
  });

  describe('agreement with the native opa (an independent evaluator of the same Rego and input)', () => {
    let dir: string;
    before(function () {
      if (!existsSync(NATIVE_OPA)) this.skip();
      dir = mkdtempSync(join(tmpdir(), 'credcheck-query-oracle-'));
      writeFileSync(join(dir, 'input.json'), JSON.stringify(input));
    });
    after(() => dir && rmSync(dir, { recursive: true, force: true }));

    // The whole shipped folder is loaded at once, as the README shows (`opa eval -d queries ...`): every example must
    // coexist with the others, and its resultRef must name its answer.
    for (const name of loadExampleQueries().map((example) => example.name)) {
      it(`${name}: wasm answer = opa eval -d queries answer`, async () => {
        const example = examples.get(name)!;
        const native = JSON.parse(
          execFileSync(NATIVE_OPA, ['eval', '--format', 'raw', '--data', join(ROOT, 'queries'), '--input', join(dir, 'input.json'), example.resultRef], { encoding: 'utf8' }),
        );
        assert.deepEqual(await answer(name), native);
      });
    }
  });
});
