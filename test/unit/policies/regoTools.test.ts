// The bundled checks (policies/) and example queries (queries/) as the Rego ecosystem's own tools see them: Regal's
// linter with the project's .regal/config.yaml, and `opa check --strict` (with and without the input schema) on both
// folders at once. Regal is installed by scripts/setup.sh --test into .tools/bin; without it the Regal test skips with
// a message, except in CI, where a missing tool is a failure.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

const REPO = join(__dirname, '../../../..');
const NATIVE_OPA = join(REPO, '.tools/bin/opa');
const FOLDERS = ['policies', 'queries'];

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** .tools/bin/regal (what setup.sh installs), else a regal on PATH. */
function findRegal(): string | undefined {
  const candidates = [join(REPO, '.tools/bin/regal'), ...(process.env.PATH ?? '').split(delimiter).filter(Boolean).map((folder) => join(folder, 'regal'))];
  return candidates.find(isExecutable);
}

function requireTool(context: Mocha.Context, name: string, path: string | undefined): string {
  if (path && isExecutable(path)) return path;
  const where = path ?? `.tools/bin/${name} or PATH`;
  if (process.env.CI) assert.fail(`${name} is missing (${where}): CI must install it (scripts/setup.sh --test)`);
  console.log(`    skipped: ${name} is missing (${where}) and CI is unset; install it with scripts/setup.sh --test`);
  context.skip();
}

function run(command: string, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { cwd: REPO, encoding: 'utf8', timeout: 300_000, maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function regoFiles(folder: string): string[] {
  return readdirSync(join(REPO, folder), { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.rego'));
}

interface RegalReport {
  violations: { title: string; description: string; location: { file: string; row: number; col: number } }[];
  summary: { files_scanned: number; files_failed: number; num_violations: number };
}

describe('bundled Rego under the ecosystem tools (regal lint, opa check --strict)', function () {
  this.timeout(600_000);

  it('regal lint policies queries: no violations, every file scanned', function () {
    const regal = requireTool(this, 'regal', findRegal());
    const result = run(regal, ['lint', '--format', 'json', ...FOLDERS]);
    const report = JSON.parse(result.stdout) as RegalReport;
    const found = report.violations.map((v) => `${v.location.file}:${v.location.row}:${v.location.col}: ${v.title}: ${v.description}`);
    assert.deepEqual(found, [], `regal lint found ${found.length} violations:\n${found.join('\n')}`);
    assert.equal(result.code, 0, result.stderr);
    // The config ignores some rules for some files, never whole files: all of them are linted.
    const expected = FOLDERS.flatMap(regoFiles).length;
    assert.ok(expected >= 49, `only ${expected} .rego files found`);
    assert.equal(report.summary.files_scanned, expected);
    assert.equal(report.summary.files_failed, 0);
  });

  it('.regal/config.yaml gives a reason for every rule it relaxes', () => {
    const lines = readFileSync(join(REPO, '.regal/config.yaml'), 'utf8').split('\n');
    // A rule's block starts at a four-space-indented key under its category and ends at the next key of that depth.
    const starts = lines.flatMap((line, index) => (/^ {4}[\w-]+:\s*$/.test(line) ? [index] : []));
    assert.ok(starts.length > 0, 'no rule blocks found');
    const relaxing = /^\s*(level: (ignore|warning)|files:|except-paths:|non-breakable-word-threshold:)/;
    let relaxations = 0;
    for (const [n, start] of starts.entries()) {
      const end = starts[n + 1] ?? lines.length;
      const found = lines.slice(start + 1, end).flatMap((line, offset) => (relaxing.test(line) ? [start + 1 + offset] : []));
      // Each relaxation needs its own comment, between the previous relaxation of the block and the next one.
      for (const [k, at] of found.entries()) {
        const segment = lines.slice(k === 0 ? start : found[k - 1]! + 1, found[k + 1] ?? end);
        assert.ok(segment.some((line) => /^\s*# \S/.test(line)), `${lines[start]!.trim()} ${lines[at]!.trim()}: no comment says why`);
        relaxations++;
      }
    }
    assert.ok(relaxations >= 4, `only ${relaxations} relaxations found: is the config parsed as intended?`);
  });

  it('opa check --strict policies queries: no errors, with and without the input schema', function () {
    const opa = requireTool(this, 'opa', NATIVE_OPA);
    for (const args of [['check', '--strict', ...FOLDERS], ['check', '--strict', '--schema', 'schema/policy-input.schema.json', ...FOLDERS]]) {
      const result = run(opa, args);
      assert.equal(result.code, 0, `opa ${args.join(' ')}:\n${result.stdout}${result.stderr}`);
      assert.equal(`${result.stdout}${result.stderr}`.trim(), '', `opa ${args.join(' ')}`);
    }
  });

  it('opa eval on `credcheck input` output: checks and queries load together, each query under its own name (README)', function () {
    const opa = requireTool(this, 'opa', NATIVE_OPA);
    const dir = mkdtempSync(join(tmpdir(), 'credcheck-rego-tools-'));
    try {
      // The README's steps: the CLI prints the policy input, opa evaluates the bundled folders (tests left out) on it.
      const main = `require(${JSON.stringify(join(REPO, 'out/src/cli/main.js'))}).main(process.argv.slice(1)).then((code) => { process.exitCode = code; })`;
      const cli = run(process.execPath, ['-e', main, 'input', 'samples/sample-credential-report.csv', '--now', '2021-02-09T08:42:56Z']);
      assert.equal(cli.code, 0, cli.stderr);
      writeFileSync(join(dir, 'input.json'), cli.stdout);
      const result = run(opa, ['eval', '--format', 'raw', '--ignore', '*_test.rego', '-d', 'policies', '-d', 'queries', '-i', join(dir, 'input.json'), 'data.credcheck']);
      assert.equal(result.code, 0, result.stderr);
      type Documents = Record<string, Record<string, Record<string, unknown>>>;
      const value = JSON.parse(result.stdout) as Documents;
      const queryNames = readdirSync(join(REPO, 'queries')).filter((name) => name.endsWith('.rego')).map((name) => name.slice(0, -'.rego'.length).replace(/-/g, '_'));
      assert.deepEqual(Object.keys(value.queries!).sort(), queryNames.sort());
      for (const name of queryNames) assert.ok('result' in value.queries![name]!, `${name} has no result`);
      const withoutMfa = value.queries!.top10_08_users_without_mfa!.result as { user: string }[];
      assert.deepEqual(withoutMfa.map((row) => row.user).sort(), ['darryl_philbin', 'dwight_schrute', 'kelly_kapoor', 'ryan_howard']);
      // Only the checks (no *_test package), and the findings the CLI reports for the sample.
      assert.equal(Object.keys(value.checks!).filter((name) => name.endsWith('_test')).length, 0);
      const consoleUsers = value.checks!.console_user_mfa!.deny as { user: string }[];
      assert.deepEqual(consoleUsers.map((finding) => finding.user).sort(), ['dwight_schrute', 'kelly_kapoor', 'ryan_howard']);
      assert.deepEqual(value.checks!.root_mfa!.deny, []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
