// The SQL baseline of `npm run bench` (bench/sqlBaseline.sql, issue 18) is the peer `credcheck check` is timed against
// on 5,000 users, so it must compute the same findings: here it is compared with credcheck's own JSON output, finding
// by finding (check, status, line, key, column), on the bundled sample and on a small synthetic report that makes
// every default check fire. Correctness only: nothing is timed here. sqlite3 is installed by scripts/setup.sh --test;
// without it this skips with a message, except in CI, where a missing tool is a failure.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CliIo } from '../../../src/cli/io';
import { main } from '../../../src/cli/main';

const REPO = join(__dirname, '../../../..');
const BASELINE = join(REPO, 'bench/sqlBaseline.mjs');
const SAMPLE = join(REPO, 'samples/sample-credential-report.csv');
const SAMPLE_NOW = '2021-02-09T08:42:56Z';
const BENCH_NOW = '2025-06-01T00:00:00Z';
const SQLITE = ['/usr/bin/sqlite3', '/usr/local/bin/sqlite3'].find((path) => existsSync(path));

interface Finding {
  check: string;
  status: string;
  line: number | null;
  key: number | null;
  column?: string | null;
  field?: string | null;
}

const keyOf = (finding: Finding) => [finding.check, finding.status, finding.line, finding.key ?? '', finding.field ?? finding.column ?? ''].join('|');
const sortedKeys = (findings: Finding[]) => findings.map(keyOf).sort();

/** The baseline's findings, from bench/sqlBaseline.mjs run as a script (an ES module: it cannot be required here). */
function sqlFindings(csv: string, now: string): Finding[] {
  const result = spawnSync(process.execPath, [BASELINE, csv, now], { encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.equal(result.status, 0, `node bench/sqlBaseline.mjs ${csv} ${now} failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as Finding[];
}

/** credcheck check --format json, in-process, as the bench runs it (bundled default checks only). */
async function credcheckFindings(csv: string, now: string, extra: string[] = []): Promise<Finding[]> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), cwd: REPO, env: {} };
  const code = await main(['check', csv, '--format', 'json', '--now', now, ...extra], io);
  assert.ok(code === 0 || code === 1, `credcheck check ${csv} exited ${code}: ${stderr}`);
  return (JSON.parse(stdout) as { findings: Finding[] }).findings;
}

describe('bench: the SQL baseline computes the findings credcheck computes (issue 18)', function () {
  this.timeout(120_000);
  let dir: string;

  before(function () {
    if (!SQLITE) {
      if (process.env.CI) assert.fail('sqlite3 is missing (/usr/bin/sqlite3): CI must install it (scripts/setup.sh --test)');
      console.log('    skipped: sqlite3 is missing and CI is unset; install it with scripts/setup.sh --test (apt-get install sqlite3)');
      this.skip();
    }
    dir = mkdtempSync(join(tmpdir(), 'credcheck-sql-baseline-'));
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the bundled sample: the same findings', async () => {
    const ours = await credcheckFindings(SAMPLE, SAMPLE_NOW);
    assert.ok(ours.length > 10, `the sample gives ${ours.length} findings`);
    assert.deepEqual(sortedKeys(sqlFindings(SAMPLE, SAMPLE_NOW)), sortedKeys(ours));
  });

  it('a 200-user synthetic report on which every default check fires: the same findings', async () => {
    const csv = join(dir, 'synthetic-200.csv');
    // Seed 77 gives a root row with an active key, no MFA and a recent use, so the root checks fire too.
    const script = `import { generateReport } from ${JSON.stringify(pathToFileURL(join(REPO, 'bench/syntheticReport.mjs')).href)};\n` +
      `process.stdout.write(generateReport(200, 77));`;
    const generated = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', maxBuffer: 1 << 24 });
    assert.equal(generated.status, 0, generated.stderr);
    writeFileSync(csv, generated.stdout);

    const ours = await credcheckFindings(csv, BENCH_NOW);
    const checks = new Set(ours.map((finding) => finding.check));
    const defaults = ['access-key-rotation', 'active-signing-certificate', 'console-and-access-keys', 'console-user-mfa', 'inactive-access-key',
      'initial-access-key', 'password-rotation', 'root-access-key', 'root-hardware-mfa', 'root-mfa', 'root-recent-use', 'two-active-keys',
      'unused-access-key', 'unused-password'];
    assert.deepEqual(defaults.filter((check) => !checks.has(check)), [], 'every default check has a finding on this report');
    assert.deepEqual(sortedKeys(sqlFindings(csv, BENCH_NOW)), sortedKeys(ours));
  });

  it('the comparison is not blind: a changed threshold in credcheck makes the two differ', async () => {
    const ours = await credcheckFindings(SAMPLE, SAMPLE_NOW, ['--param', 'accessKeyRotationDays=1000']);
    assert.notDeepEqual(sortedKeys(sqlFindings(SAMPLE, SAMPLE_NOW)), sortedKeys(ours));
  });
});
