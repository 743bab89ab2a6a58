/** `credcheck check <dir>`: a directory operand stands for the reports directly in it (what `fetch --out <dir>` writes). */
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reportRequestsFrom } from '../../../src/cli/runArguments';
import { CliIo } from '../../../src/cli/io';
import { credcheck } from '../reliability/cliProcess';
import { SAMPLE_CSV } from '../../fixtures/reports/wrappedReports';

const NOW = ['--now', '2021-02-09T08:42:56Z'];

describe('credcheck: a directory of reports as operand', function () {
  this.timeout(120_000);
  let directory: string;
  const io = (): CliIo => ({ cwd: directory, env: {}, stdout: () => undefined, stderr: () => undefined });

  before(() => {
    directory = mkdtempSync(join(tmpdir(), 'credcheck-dir-'));
    mkdirSync(join(directory, 'reports'));
    for (const name of ['222222222222-credential-report.csv', '111111111111-credential-report.csv']) {
      writeFileSync(join(directory, 'reports', name), SAMPLE_CSV);
      writeFileSync(join(directory, 'reports', `${name}.meta.json`), '{"generated_time":"2021-02-09T08:00:00Z"}\n');
    }
    writeFileSync(join(directory, 'reports', 'notes.txt'), 'not a report');
    mkdirSync(join(directory, 'reports', 'archive'));
    writeFileSync(join(directory, 'reports', 'archive', '333333333333-credential-report.csv'), SAMPLE_CSV);
    mkdirSync(join(directory, 'reports', 'folder.csv'));
    symlinkSync(join(directory, 'reports', '111111111111-credential-report.csv'), join(directory, 'reports', 'linked.CSV'));
    mkdirSync(join(directory, 'empty'));
    writeFileSync(join(directory, 'empty', 'only.csv.meta.json'), '{}');
  });
  after(() => rmSync(directory, { recursive: true, force: true }));

  it('expands to its *.csv files, sorted, sidecars, other files, subdirectories and folders named .csv left out', async () => {
    const requests = await reportRequestsFrom(io(), ['reports', 'single.csv'], 1 << 20);
    assert.deepEqual(requests, [
      { file: join('reports', '111111111111-credential-report.csv') },
      { file: join('reports', '222222222222-credential-report.csv') },
      { file: join('reports', 'linked.CSV') },
      { file: 'single.csv' },
    ]);
  });

  it('a directory without a report is handed on as itself, for the loader to make a located error of', async () => {
    assert.deepEqual(await reportRequestsFrom(io(), ['empty', 'single.csv'], 1 << 20), [{ file: 'empty' }, { file: 'single.csv' }]);
  });

  it('`credcheck check <dir>` audits every report in it, each under its own name; an empty one exits 2', async () => {
    const run = await credcheck(['check', 'reports', ...NOW, '--format', 'json'], { cwd: directory });
    assert.equal(run.code, 1, run.stderr);
    const output = JSON.parse(run.stdout) as { reports: Array<{ file: string }>; findings: Array<{ file: string }> };
    const files = [join('reports', '111111111111-credential-report.csv'), join('reports', '222222222222-credential-report.csv'), join('reports', 'linked.CSV')];
    assert.deepEqual(output.reports.map((report) => report.file), files);
    for (const file of files) assert.ok(output.findings.some((finding) => finding.file === file), `no finding from ${file}`);
    assert.ok(!output.findings.some((finding) => finding.file.includes('archive')));

    // An empty folder beside a report: a located error on the folder, exit 2, and the report is still audited.
    const empty = await credcheck(['check', 'empty', 'single.csv', ...NOW, '--format', 'json'], { cwd: directory });
    assert.equal(empty.code, 2);
    const partial = JSON.parse(empty.stdout) as { complete: boolean; reports: Array<{ file: string }>; problems: Array<{ file: string; code: string }> };
    assert.equal(partial.complete, false);
    assert.ok(partial.reports.some((report) => report.file === 'single.csv'));
    assert.deepEqual(partial.problems.filter((problem) => problem.file === 'empty').map((problem) => [problem.file, problem.code]), [['empty', 'unreadable']]);
    assert.match(empty.stderr, /^empty: error: .*it is a directory with no \*\.csv report directly in it/m);
  });
});
