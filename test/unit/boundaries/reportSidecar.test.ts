/**
 * `credcheck check` reads the metadata `credcheck fetch` writes next to a report (`<report>.meta.json`): the MFA device
 * list decides root-hardware-mfa, the generation time is shown and can be the evaluation time (`--now report`).
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliIo } from '../../../src/cli/io';
import { main } from '../../../src/cli/main';
import { parseReportSidecar, ReportSidecarError } from '../../../src/core/report/reportSidecar';
import { CURRENT_COLUMNS } from '../../../src/core/report/columns';

const ACCOUNT = '123456789012';
const GENERATED = '2024-05-01T10:00:00Z';
const DAY = 86_400_000;

/** Root with MFA on and no keys; one IAM user whose active key 1 was created `keyAge` before the generation time. */
function reportText(keyAge: number): string {
  const keyCreated = new Date(Date.parse(GENERATED) - keyAge).toISOString().replace('.000Z', '+00:00');
  const rows = [
    ['<root_account>', `arn:aws:iam::${ACCOUNT}:root`, '2015-01-01T00:00:00+00:00', 'not_supported', 'no_information', 'not_supported', 'not_supported', 'true',
      'false', 'N/A', 'N/A', 'N/A', 'N/A', 'false', 'N/A', 'N/A', 'N/A', 'N/A', 'false', 'N/A', 'false', 'N/A'],
    ['alice', `arn:aws:iam::${ACCOUNT}:user/alice`, '2015-01-01T00:00:00+00:00', 'false', 'N/A', 'N/A', 'N/A', 'true',
      'true', keyCreated, '2024-04-30T00:00:00Z', 'us-east-1', 's3', 'false', 'N/A', 'N/A', 'N/A', 'N/A', 'false', 'N/A', 'false', 'N/A'],
  ];
  return `${[CURRENT_COLUMNS.join(','), ...rows.map((row) => row.join(','))].join('\n')}\n`;
}

/** What `credcheck fetch` writes (src/cli/commands/fetch.ts), with the device list given. */
function sidecarText(mfaDevices: unknown, generatedTime: unknown = GENERATED): string {
  return `${JSON.stringify({ generated_time: generatedTime, account_id: ACCOUNT, profile: 'audit', mfa_devices: mfaDevices, notes: [] }, null, 2)}\n`;
}

const VIRTUAL_ROOT_DEVICE = { serial_number: `arn:aws:iam::${ACCOUNT}:mfa/root-account-mfa-device`, user: '<root_account>', type: 'virtual' };

interface JsonOutput {
  evaluation_time: string;
  reports: { file: string; generated_time?: string }[];
  findings: { check: string; status: string; user: string; message: string }[];
}

describe('credcheck check with the fetch metadata sidecar (<report>.meta.json)', function () {
  this.timeout(60000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'credcheck-sidecar-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function check(args: string[]): Promise<{ code: number; out: string; err: string }> {
    const io: CliIo & { out: string; err: string } = {
      out: '', err: '', cwd: dir, env: {},
      stdout: (t: string) => void (io.out += t),
      stderr: (t: string) => void (io.err += t),
    };
    const code = await main(['check', ...args], io);
    return { code, out: io.out, err: io.err };
  }

  async function checkJson(args: string[]): Promise<JsonOutput> {
    const result = await check([...args, '--format', 'json']);
    assert.ok(result.code === 0 || result.code === 1, `exit ${result.code}: ${result.err}`);
    return JSON.parse(result.out) as JsonOutput;
  }

  const statusesOf = (output: JsonOutput, id: string) => output.findings.filter((f) => f.check === id).map((f) => f.status);

  it('without a sidecar root-hardware-mfa is skip, and the report has no generation time', async () => {
    writeFileSync(join(dir, 'r.csv'), reportText(10 * DAY));
    const output = await checkJson(['r.csv', '--now', '2024-05-02T00:00:00Z']);
    assert.deepEqual(statusesOf(output, 'root-hardware-mfa'), ['skip']);
    assert.equal(output.reports[0]!.generated_time, undefined);
  });

  it('a sidecar listing a virtual root MFA device makes root-hardware-mfa fail, and its generation time is in the reports list', async () => {
    writeFileSync(join(dir, 'r.csv'), reportText(10 * DAY));
    writeFileSync(join(dir, 'r.csv.meta.json'), sidecarText([VIRTUAL_ROOT_DEVICE]));
    const output = await checkJson(['r.csv', '--now', '2024-05-02T00:00:00Z']);
    const findings = output.findings.filter((f) => f.check === 'root-hardware-mfa');
    assert.deepEqual(findings.map((f) => [f.status, f.user]), [['fail', '<root_account>']]);
    assert.match(findings[0]!.message, /root-account-mfa-device/);
    assert.deepEqual(output.reports.map((r) => [r.file, r.generated_time]), [['r.csv', GENERATED]]);

    const table = await check(['r.csv', '--now', '2024-05-02T00:00:00Z']);
    assert.match(table.out, /^r\.csv: report generated 2024-05-01T10:00:00Z$/m);
  });

  it('a sidecar whose device list has no virtual root device decides root-hardware-mfa: no finding', async () => {
    writeFileSync(join(dir, 'r.csv'), reportText(10 * DAY));
    const aliceDevice = { serial_number: `arn:aws:iam::${ACCOUNT}:mfa/alice`, user: 'alice', type: 'virtual' };
    writeFileSync(join(dir, 'r.csv.meta.json'), sidecarText([aliceDevice]));
    assert.deepEqual(statusesOf(await checkJson(['r.csv', '--now', '2024-05-02T00:00:00Z']), 'root-hardware-mfa'), []);
  });

  it('a sidecar whose device list is null (listing denied) leaves root-hardware-mfa skip', async () => {
    writeFileSync(join(dir, 'r.csv'), reportText(10 * DAY));
    writeFileSync(join(dir, 'r.csv.meta.json'), sidecarText(null));
    assert.deepEqual(statusesOf(await checkJson(['r.csv', '--now', '2024-05-02T00:00:00Z']), 'root-hardware-mfa'), ['skip']);
  });

  it('--now report evaluates at the generation time: a key exactly 90 days old then passes rotation, 90 days + 1 min fails', async () => {
    writeFileSync(join(dir, 'exact.csv'), reportText(90 * DAY));
    writeFileSync(join(dir, 'exact.csv.meta.json'), sidecarText([]));
    const exact = await checkJson(['exact.csv', '--now', 'report']);
    assert.equal(exact.evaluation_time, '2024-05-01T10:00:00.000Z');
    assert.deepEqual(statusesOf(exact, 'access-key-rotation'), []);

    writeFileSync(join(dir, 'over.csv'), reportText(90 * DAY + 60_000));
    writeFileSync(join(dir, 'over.csv.meta.json'), sidecarText([], '2024-05-01T10:00:00+00:00'));
    const over = await checkJson(['over.csv', '--now', 'report']);
    assert.equal(over.evaluation_time, '2024-05-01T10:00:00.000Z');
    assert.deepEqual(statusesOf(over, 'access-key-rotation'), ['fail']);
  });

  it('--now report with several reports uses the newest generation time', async () => {
    writeFileSync(join(dir, 'a.csv'), reportText(DAY));
    writeFileSync(join(dir, 'a.csv.meta.json'), sidecarText([], '2024-04-01T00:00:00Z'));
    writeFileSync(join(dir, 'b.csv'), reportText(DAY));
    writeFileSync(join(dir, 'b.csv.meta.json'), sidecarText([]));
    assert.equal((await checkJson(['a.csv', 'b.csv', '--now', 'report'])).evaluation_time, '2024-05-01T10:00:00.000Z');
  });

  it('--now report exits 2 naming the report whose generation time is unknown', async () => {
    writeFileSync(join(dir, 'r.csv'), reportText(DAY));
    const missing = await check(['r.csv', '--now', 'report']);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /--now report: the generation time of r\.csv is unknown .*r\.csv\.meta\.json/);

    writeFileSync(join(dir, 'r.csv.meta.json'), sidecarText([VIRTUAL_ROOT_DEVICE], null));
    const unknown = await check(['r.csv', '--now', 'report']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /generation time of r\.csv is unknown/);
  });

  for (const [what, text, reason] of [
    ['not JSON', '{"generated_time": ', /not JSON/],
    ['an array', '[]', /expected a JSON object/],
    ['a bad generated_time', sidecarText([], 'yesterday'), /generated_time "yesterday" is not an ISO 8601 time/],
    ['mfa_devices as an object', sidecarText({ serial_number: 'x' }), /mfa_devices must be an array or null/],
    ['a device without a serial number', sidecarText([{ user: '<root_account>', type: 'virtual' }]), /mfa_devices\[0\]\.serial_number must be a string/],
    ['a device of an unknown type', sidecarText([{ ...VIRTUAL_ROOT_DEVICE, type: 'u2f' }]), /mfa_devices\[0\]\.type must be one of virtual, hardware, unknown/],
  ] as const) {
    it(`a malformed sidecar (${what}) exits 2 with a located error naming the file; the report is still audited without it`, async () => {
      writeFileSync(join(dir, 'r.csv'), reportText(DAY));
      writeFileSync(join(dir, 'r.csv.meta.json'), text);
      const result = await check(['r.csv', '--now', '2024-05-02T00:00:00Z', '--format', 'json']);
      assert.equal(result.code, 2);
      assert.match(result.err, /^r\.csv\.meta\.json:\d+(:\d+)?: error: malformed report metadata: /);
      assert.match(result.err, reason);
      const output = JSON.parse(result.out) as JsonOutput & { complete: boolean };
      assert.equal(output.complete, false);
      // Without the device list root-hardware-mfa cannot be decided: a skip, never a pass, and the run says why.
      assert.ok(output.findings.some((f) => f.check === 'root-hardware-mfa' && f.status === 'skip'), result.out);
    });
  }

  it('a sidecar that is a link to /dev/zero, a FIFO or a directory is a located error at once; the report is still audited', async function () {
    if (process.platform === 'win32') this.skip();
    const sidecars: Array<[string, (path: string) => void, RegExp]> = [
      ['zero.csv', (path) => symlinkSync('/dev/zero', path), /cannot read it: not a regular file/],
      ['fifo.csv', (path) => execFileSync('mkfifo', [path]), /cannot read it: not a regular file/],
      ['folder.csv', (path) => mkdirSync(path), /cannot read it: EISDIR/],
    ];
    for (const [report, plant] of sidecars) {
      writeFileSync(join(dir, report), reportText(DAY));
      plant(join(dir, `${report}.meta.json`));
    }
    const result = await check([...sidecars.map(([report]) => report), '--now', '2024-05-02T00:00:00Z', '--format', 'json']);
    assert.equal(result.code, 2, result.err);
    for (const [report, , reason] of sidecars) {
      const line = result.err.split('\n').find((text) => text.startsWith(`${report}.meta.json:1: error: malformed report metadata: `));
      assert.ok(line, `no located error for ${report}.meta.json in:\n${result.err}`);
      assert.match(line, reason);
    }
    const output = JSON.parse(result.out) as JsonOutput & { complete: boolean };
    assert.deepEqual(output.reports.map((report) => report.file).sort(), ['fifo.csv', 'folder.csv', 'zero.csv']);
    assert.equal(output.complete, false);
  });

  it('parseReportSidecar normalises the generation time to UTC and keeps the devices as the policy input expects them', () => {
    const sidecar = parseReportSidecar(sidecarText([VIRTUAL_ROOT_DEVICE, { serial_number: 's', type: 'hardware' }], '2024-05-01 12:00:00+02:00'), 'x.meta.json');
    assert.deepEqual(sidecar, {
      generatedTime: GENERATED,
      mfaDevices: [VIRTUAL_ROOT_DEVICE, { serial_number: 's', user: null, type: 'hardware' }],
    });
    assert.throws(() => parseReportSidecar('null', 'x.meta.json'), (error: unknown) => error instanceof ReportSidecarError && error.file === 'x.meta.json');
  });
});
