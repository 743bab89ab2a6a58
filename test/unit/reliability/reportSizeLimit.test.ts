import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { DEFAULT_MAX_REPORT_BYTES } from '../../../src/core/report/reportLoader';
import { auditReports, EngineCache } from '../../../src/core/run/audit';

const ROOT = join(__dirname, '../../../..');
const NOW = new Date('2024-04-22T19:47:52Z');

type Generate = (users: number) => string;

/** The largest synthetic report (bench/syntheticReport.mjs) that stays within the limit. */
function reportAtLimit(generate: Generate): { text: string; users: number } {
  let users = 5000;
  let text = generate(users);
  const bytesPerUser = Buffer.byteLength(text) / users;
  users = Math.floor((DEFAULT_MAX_REPORT_BYTES - 4096) / bytesPerUser);
  text = generate(users);
  while (Buffer.byteLength(text) > DEFAULT_MAX_REPORT_BYTES) text = generate((users -= 100));
  return { text, users };
}

describe('the report size limit and the checks\' memory, chosen together', function () {
  this.timeout(600_000);
  let generate: Generate;
  before(async () => {
    ({ generateReport: generate } = (await import(join(ROOT, 'bench/syntheticReport.mjs'))) as { generateReport: Generate });
  });

  it('a report at the size limit is audited completely by every bundled check', async () => {
    const { text, users } = reportAtLimit(generate);
    assert.ok(Buffer.byteLength(text) > DEFAULT_MAX_REPORT_BYTES * 0.97, 'the report is at the limit');
    const result = await auditReports({ reports: [{ file: 'at-limit.csv', text }], now: NOW, engines: new EngineCache() });
    assert.deepEqual(result.policyProblems, [], `${users} users`);
    assert.deepEqual(result.reports[0]!.problems, []);
    assert.ok(result.findings.length > users, `findings of every check (${result.findings.length})`);
  });

  it('a report the checks\' memory cannot hold is a located memory-limit problem on that report, never a silent loss', async () => {
    const result = await auditReports({ reports: [{ file: 'accounts/big.csv', text: generate(5000) }], now: NOW, engines: new EngineCache(24) });
    assert.equal(result.findings.length, 0);
    assert.equal(result.policyProblems.length, 1);
    const [problem] = result.policyProblems;
    assert.equal(problem!.file, 'accounts/big.csv');
    assert.equal(problem!.line, 1);
    assert.equal(problem!.code, 'memory-limit');
    assert.match(problem!.message, /^the report \(5,001 users\) does not fit in the 24 MiB of memory the checks may use: no check was evaluated on it \(reports up to 3 MB/);
  });
});
