/** Bytes that are not valid text reach every front end as located warnings: the loader keeps how it decoded a file. */
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliIo } from '../../../src/cli/io';
import { main } from '../../../src/cli/main';
import { reportText, userLine } from '../report/reportText';

describe('the run layer reads invalid bytes as located warnings', function () {
  this.timeout(120000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'credcheck-bytes-'));
    const text = reportText(userLine(), userLine({ user: 'bob', arn: 'arn:aws:iam::111122223333:user/bob' }));
    const bytes = Buffer.from(text, 'utf8');
    // Replace the "o" of bob with a lone continuation byte: not valid UTF-8.
    const at = bytes.indexOf('bob');
    bytes[at + 1] = 0x80;
    writeFileSync(join(dir, 'latin.csv'), bytes);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const jobs of ['1', '2']) {
    it(`check --jobs ${jobs}: an invalid-utf8 warning on its line and cell, the rows still audited`, async () => {
      const io: CliIo & { out: string; err: string } = { out: '', err: '', cwd: dir, env: {}, stdout: (t) => void (io.out += t), stderr: (t) => void (io.err += t) };
      await main(['check', 'latin.csv', 'latin.csv', '--jobs', jobs, '--now', '2024-06-01T00:00:00Z', '--format', 'json'], io);
      const output = JSON.parse(io.out) as { problems: { code: string; line: number; column: number; severity: string }[]; reports: { users: number }[] };
      const warning = output.problems.find((p) => p.code === 'invalid-utf8');
      assert.ok(warning, `no invalid-utf8 problem in ${JSON.stringify(output.problems)}`);
      assert.equal(warning.severity, 'warning');
      assert.equal(warning.line, 3);
      assert.equal(warning.column, 2);
      assert.equal(output.reports[0]!.users, 2);
    });
  }
});
